"""Static files with long cache lifetimes, and compressed answers (no reverse proxy assumed).

- Vendored files carry their version in their names (static/vendor/htmx-2.0.11.min.js), so
  they are cached for a year, immutable.
- Our own files (css/app.css, js/main.js, ...) get `?v=<content hash>` from url_for('static')
  in the signed-in pages (not in the public register's, whose HTML is rendered once and kept),
  and an answer to that exact hash is cached for a year; any other answer for them is
  revalidated (ETag / Last-Modified), so ES modules that main.js imports stay fresh.
- Text answers of 500 bytes or more are compressed (Flask-Compress) for browsers that accept
  it: static files, and pages that carry no CSRF token. Pages with a CSRF token are left as
  they are: a secret in a compressed answer beside text the requester chose can be guessed
  from its size (BREACH).
"""
from __future__ import annotations

import hashlib
import os
import re

from flask import g, has_request_context, request
from flask_compress import Compress

YEAR = 365 * 24 * 3600
#: A name with its version in it: name-1.2.3.min.js
VERSIONED = re.compile(r"-\d+\.\d+\.\d+[.-]")
MIN_SIZE = 500
#: Used through `compress` only: it never registers its own after_request (COMPRESS_REGISTER).
_compressor = Compress()
_hashes: dict[str, tuple[float, str]] = {}


def content_hash(static_folder: str, filename: str) -> str | None:
    """A short hash of a static file's content (cached until the file changes)."""
    path = os.path.join(static_folder, filename)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    cached = _hashes.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:12]
    _hashes[path] = (mtime, digest)
    return digest


def init_static(app) -> None:
    folder = app.static_folder
    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIN_SIZE", MIN_SIZE)
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/csv", "text/plain", "text/javascript",
        "application/javascript", "application/json", "image/svg+xml", "application/xml",
        "application/atom+xml", "application/schema+json"])
    _compressor.init_app(app)

    @app.url_defaults
    def _version(endpoint, values):
        # Not in the public register's pages: they are rendered once and kept (their HTML
        # must not change with a stylesheet), nor outside a request (jobs render those too).
        if (endpoint == "static" and "v" not in values and has_request_context()
                and request.blueprint != "public"):
            filename = values.get("filename", "")
            if not VERSIONED.search(filename):
                digest = content_hash(folder, filename)
                if digest:
                    values["v"] = digest

    @app.after_request
    def _cache_and_compress(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            if VERSIONED.search(filename) or (
                    request.args.get("v") and request.args["v"] == content_hash(folder,
                                                                                filename)):
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
            else:
                response.cache_control.no_cache = True
                response.cache_control.max_age = None
        return compress(response)


def compress(response):
    """Compress the answer (Flask-Compress: gzip, or Brotli / Zstandard when the browser
    prefers them), except a page carrying a CSRF token (BREACH)."""
    if request.endpoint != "static" and "csrf_token" in g:
        return response
    if (response.direct_passthrough and response.status_code == 200
            and "Accept-Encoding" in request.headers
            and response.mimetype in _compressor.compress_mimetypes_set):
        # A file being sent: read it (static text is small) and close it, so it is compressed
        # whole and no file is left open.
        source = response.response
        response.direct_passthrough = False
        data = response.get_data()
        if hasattr(source, "close"):
            source.close()
        response.set_data(data)
    return _compressor.after_request(response)

"""Render once, answer conditionally.

A published version never changes, so the HTML of its frozen content is rendered once and
kept, keyed by what it is made from: the version, the SHA-256 of its content and the revision
of the public templates (a digest of their source, so a deployment that changes them renders
afresh). The cache lives in the process (bounded, least recently used first out): a public
request never writes to the database, and several processes each render a version once.

Every public page and file carries an ETag (the content's fingerprint with the template
revision, or a digest of the page) and Last-Modified (when it was published), and answers
304 Not Modified to a conditional request that still matches. `Cache-Control: public,
no-cache` lets caches keep a copy but ask each time, so switching the register off takes it
away at once.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from flask import Response, current_app, make_response, request

#: How many rendered versions a process keeps.
CACHE_SIZE = 256
#: What caches may do with a public answer: keep it, but check it is still current.
CACHE_CONTROL = "public, no-cache"

_cache: OrderedDict[tuple, str | bytes] = OrderedDict()
_lock = threading.Lock()


def template_revision() -> str:
    """A short digest of the public templates' source, worked out once per app."""
    revision = current_app.extensions.get("public_template_revision")
    if revision is None:
        env = current_app.jinja_env
        digest = hashlib.sha256()
        for name in sorted(env.list_templates(filter_func=lambda n: n.startswith("public/"))):
            source, _filename, _uptodate = env.loader.get_source(env, name)
            digest.update(name.encode() + b"\0" + source.encode("utf-8") + b"\0")
        revision = current_app.extensions["public_template_revision"] = digest.hexdigest()[:12]
    return revision


def link_base() -> str:
    """What a public answer's absolute links are built on (web.absolute_url): BASE_URL when
    set, else the request's own host; part of every ETag, so an answer made for one host is
    never confirmed (304) to a cache asking for another."""
    return current_app.config.get("BASE_URL") or request.host_url


def etag_for(*parts: object) -> str:
    """A strong ETag from the things an answer is made of (with the template revision and
    the links' base)."""
    text = "\0".join(str(p) for p in (*parts, template_revision(), link_base()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def render_once(key: tuple, render: Callable[[], str | bytes],
                links: bool = False) -> str | bytes:
    """What is kept under key (with the template revision): rendered HTML, or a file's
    bytes; made by `render()` the first time. `links`: the rendering holds absolute links
    (web.absolute_url), so it is kept only under BASE_URL; without BASE_URL they would follow
    the request's Host, and keeping one rendering per host would let anyone fill the cache
    with made-up hosts, so it is rendered each time instead."""
    if links:
        base = current_app.config.get("BASE_URL")
        if not base:
            return render()
        key = (*key, base)
    key = (*key, template_revision())
    with _lock:
        html = _cache.get(key)
        if html is not None:
            _cache.move_to_end(key)
            return html
    html = render()
    with _lock:
        _cache[key] = html
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return html


def cached_count() -> int:
    """How many renderings the process keeps (for tests)."""
    return len(_cache)


def forget_all() -> None:
    """Drop every kept rendering (for tests)."""
    with _lock:
        _cache.clear()


def _stamp(response: Response, etag: str | None, last_modified: datetime | None) -> Response:
    if etag:
        response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def not_modified(etag: str, last_modified: datetime | None = None) -> Response | None:
    """A 304 answer when the request's conditions still match; else None (build the
    answer). Asked before costly work: a file is not built to be thrown away."""
    probe = _stamp(Response(status=200), etag, last_modified)
    probe = probe.make_conditional(request)
    return probe if probe.status_code == 304 else None


def conditional(body, etag: str | None = None, last_modified: datetime | None = None,
                status: int = 200) -> Response:
    """The answer with its ETag (a digest of the body when none is given), Last-Modified and
    cache rules, or 304 to a conditional request that still matches."""
    response = make_response(body, status)
    if etag is None:
        response.add_etag()
    return _stamp(response, etag, last_modified).make_conditional(request)

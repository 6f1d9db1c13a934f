"""Logs: one line per request with a request id, in plain text or JSON (LOG_FORMAT).

Every record logged under the `workspace` logger while a request is handled carries that
request's id (`request_id`), so an error's traceback and the request's access line can be
matched, and the error page shows the id to the user as "Reference: …".

The request id comes from the `X-Request-ID` header only when the app sits behind trusted
proxies (TRUSTED_PROXIES > 0) and the value is a sane token; otherwise it is generated. It is
echoed in the response's `X-Request-ID` header.

Static files are left out of the access lines (the reverse proxy's access log has them).
"""
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

from flask import current_app, g, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import inspect as sa_inspect

#: The logger everything in the app logs under (Flask's app.logger for the `workspace` app).
ROOT_LOGGER = "workspace"
ACCESS_LOGGER = "workspace.access"
HANDLER_NAME = "common-ground"
HEADER = "X-Request-ID"
#: A request id taken from a proxy: a short token that cannot break a log line.
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: Endpoints with no access line.
QUIET_ENDPOINTS = frozenset({"static"})
#: The fields of an access line, in order.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "user_id", "remote_addr")


def request_id():
    """The current request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        g.request_id = _incoming_id() or uuid.uuid4().hex
    return g.request_id


def _incoming_id():
    return incoming_id(current_app.config, request.headers.get(HEADER, ""))


def incoming_id(config, given):
    """The request id a trusted proxy gave (`given`, the header's value), else None."""
    if not config.get("TRUSTED_PROXIES"):
        return None
    return given if SANE_ID.fullmatch(given or "") else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request)."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = request_id() or "-"
        return True


class TextFormatter(logging.Formatter):
    """`2026-12-05T13:47:27.123Z INFO workspace.access [id] GET /p/x 200 …`"""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatTime(self, record, datefmt=None):
        return _utc(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, request_id, the access
    fields when the record is an access line, and the traceback when there is one."""

    def format(self, record):
        entry = {"timestamp": _utc(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage(),
                 "request_id": getattr(record, "request_id", None) or "-"}
        entry.update(getattr(record, "access", None) or {})
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _utc(record):
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def configure(app):
    """Send the `workspace` loggers' records to stderr in the configured format and level.

    Called by every create_app: the handler is replaced, never added twice."""
    logger = logging.getLogger(ROOT_LOGGER)
    for handler in list(logger.handlers):
        if handler.get_name() == HANDLER_NAME or handler is default_handler:
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if app.config.get("LOG_FORMAT") == "json"
                         else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(app.config.get("LOG_LEVEL") or "INFO")
    return handler


def init_app(app):
    """Request ids, the response header and one access line per request."""
    configure(app)

    def _start():
        g.request_started = time.perf_counter()
        request_id()

    # First of all before_request functions (the limiter's included), so every answer,
    # even a refusal, has its id and duration.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)

    @app.after_request
    def _access_line(response):
        response.headers[HEADER] = request_id()
        if request.endpoint in QUIET_ENDPOINTS:
            return response
        write_access_line(access_fields(response.status_code))
        return response


def write_access_line(fields, given_id=None):
    """The access line of a request: `fields` as access_fields gives them; `given_id` the
    request's id when it is answered outside Flask's request context."""
    extra = {"access": fields}
    if given_id:
        extra["request_id"] = given_id
    logging.getLogger(ACCESS_LOGGER).info(
        " ".join(f"{k}={fields[k] if fields[k] is not None else '-'}" for k in ACCESS_FIELDS),
        extra=extra)


def access_fields(status):
    """The access line's fields: the path without its query (which may hold tokens), the
    signed-in user's id (never the e-mail), the address as the app sees it."""
    started = g.get("request_started")
    return {"method": request.method,
            "path": safe_path(),
            "status": status,
            "duration_ms": (round((time.perf_counter() - started) * 1000, 1)
                            if started is not None else None),
            "user_id": _user_id(),
            "remote_addr": request.remote_addr}


def _user_id():
    """The signed-in user's id when the request loaded the user, read from the row's identity:
    never a query (the request's commit has expired the row by now)."""
    user = g.get("_login_user")
    if user is None or getattr(user, "is_anonymous", True):
        return None
    state = sa_inspect(user, raiseerr=False)
    return state.identity[0] if state is not None and state.identity else None


def safe_path():
    """The request's path, percent-encoded again: no spaces or line breaks in a log line."""
    return quote_path(request.path)


def quote_path(path):
    """`path` percent-encoded again (see safe_path)."""
    return quote(path, safe="/:@!$&'()*+,;=-._~")

"""Database plumbing: SQLite pragmas, write transactions, a start-up reachability check."""
import functools
import sqlite3
import time
from contextlib import contextmanager
from contextvars import ContextVar

from flask import abort, current_app, has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: GET endpoints that also write (opening an editor records presence): they begin IMMEDIATE too.
WRITE_ENDPOINTS = {"documents.edit"}


def configure_sqlite(engine, busy_timeout_ms):
    """WAL journal, foreign keys, busy timeout; write requests begin IMMEDIATE.

    pysqlite's own transaction handling is switched off so that a write request takes the
    write lock at BEGIN: a transaction that starts with a read would otherwise fail with
    "database is locked" when another writer commits first.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = _immediate.get() or (has_request_context() and (
            request.method in WRITE_METHODS or request.endpoint in WRITE_ENDPOINTS))
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


#: True inside `immediate_writes()`: a transaction begun there takes SQLite's write lock at once.
_immediate = ContextVar("cg_begin_immediate", default=False)


@contextmanager
def immediate_writes():
    """A transaction begun inside the block begins IMMEDIATE on SQLite (outside a write request:
    a background job's short write after slow work done with no transaction open)."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


#: How long a write request that found SQLite's write lock taken past the busy timeout keeps
#: trying again (the app setting SQLITE_LOCK_RETRY_SECONDS overrides it, as the tests do).
LOCK_RETRY_SECONDS = 2.0


def is_locked(exc):
    """True for SQLite's "database is locked": another writer held the lock past the timeout."""
    orig = getattr(exc, "orig", None)
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)


def retry_when_locked(view):
    """Run a write view again, briefly, when SQLite's write lock stayed taken.

    For views whose first statement takes the lock (a write request begins IMMEDIATE), so
    nothing has been done when it fails. Past LOCK_RETRY_SECONDS the answer is 503.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        from .extensions import db
        budget = current_app.config.get("SQLITE_LOCK_RETRY_SECONDS", LOCK_RETRY_SECONDS)
        deadline = time.monotonic() + budget
        delay = 0.02
        while True:
            try:
                return view(*args, **kwargs)
            except OperationalError as exc:
                if not is_locked(exc):
                    raise
                db.session.rollback()
                if time.monotonic() + delay > deadline:
                    abort(503, description="The workspace is busy. Wait a moment and try "
                                           "again.")
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    return wrapper


def safe_url(url):
    """The database URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def url_problem(url):
    """Return None when the URL parses and its driver loads, else a one-line reason.

    The reason never repeats the URL, which may hold a password.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return "it cannot be parsed"
    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError):
        return f"no driver is installed for {parsed.drivername}"
    return None


def check_database(engine):
    """Return None when the database answers, else a one-line reason."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
        return reason[0] if reason else exc.__class__.__name__
    return None

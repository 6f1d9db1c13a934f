"""Database plumbing: SQLite pragmas, write transactions, a start-up reachability check."""
from datetime import UTC, datetime

from flask import has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: GET endpoints that also write (opening an editor records presence): they begin IMMEDIATE too.
WRITE_ENDPOINTS = {"documents.edit"}


def utcnow():
    """Naive UTC now: every timestamp in the database is UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


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
        immediate = has_request_context() and (request.method in WRITE_METHODS
                                               or request.endpoint in WRITE_ENDPOINTS)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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

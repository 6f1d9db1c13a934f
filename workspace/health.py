"""Health checks for an orchestrator or load balancer: both public, cheap, never rate limited.

- `/healthz` (liveness): the process answers. It does not touch the database, so a database
  outage does not make an orchestrator restart every container.
- `/readyz` (readiness): the database answers and its migrations are at the head of the
  migration scripts (read once at start-up); one `SELECT version_num FROM alembic_version`.
  503 with a JSON reason otherwise.
"""
import logging
import os

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db, limiter

log = logging.getLogger(__name__)
MIGRATIONS = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "migrations"))


def script_heads(directory=MIGRATIONS):
    """The head revision(s) of the migration scripts."""
    return frozenset(ScriptDirectory(directory).get_heads())


def database_revisions(engine):
    """The revisions the database is stamped with (raises SQLAlchemyError when the database
    cannot be reached or was never migrated)."""
    with engine.connect() as connection:
        return frozenset(connection.execute(
            text("SELECT version_num FROM alembic_version")).scalars())


def readiness(engine, heads):
    """None when ready, else a short reason (no addresses or passwords in it)."""
    try:
        current = database_revisions(engine)
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
        log.warning("Not ready: %s", detail[0] if detail else exc.__class__.__name__)
        # A missing table is an answer from the database: it was never migrated.
        if "alembic_version" in str(exc) and ("no such table" in str(exc)
                                              or "does not exist" in str(exc)):
            return "the database has no migrations applied (run flask db upgrade)"
        return "the database cannot be reached"
    if current != heads:
        return (f"the database's migrations are not at head (database at "
                f"{', '.join(sorted(current)) or 'none'}; scripts at {', '.join(sorted(heads))};"
                f" run flask db upgrade)")
    return None


@limiter.exempt
def health():
    """Liveness: the process answers (no database)."""
    return {"status": "ok"}, 200


@limiter.exempt
def readyz():
    """Readiness: the database answers and is migrated to head."""
    reason = readiness(db.engine, current_app.extensions["common_ground_heads"])
    if reason:
        return {"status": "unavailable", "reason": reason}, 503
    return {"status": "ok"}, 200


def init_app(app):
    app.extensions["common_ground_heads"] = script_heads()
    app.add_url_rule("/healthz", "health", health, methods=["GET"])
    app.add_url_rule("/readyz", "readyz", readyz, methods=["GET"])

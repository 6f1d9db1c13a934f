"""Helpers shared by test modules (fixtures live in conftest.py)."""
from contextlib import contextmanager

from sqlalchemy import event

from workspace.extensions import db


@contextmanager
def counting_queries(app):
    """Collect the SQL statements sent to the database inside the block."""
    statements = []

    def _count(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)

"""SQLite: a transaction that reads and then writes fails at once ("database is locked") when
another connection committed in between, whatever the busy timeout; one begun inside
`immediate_writes()` holds the write lock from its first read, so the other writer waits."""
import sqlite3
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from workspace import create_app
from workspace.accounts.models import Organisation
from workspace.db import immediate_writes
from workspace.extensions import db

OTHER_INSERT = ("INSERT INTO organisations (code, name, created_at) "
                "VALUES ('herts', 'Hertfordshire', '2026-12-06')")


@pytest.fixture
def sqlite_app(app, tmp_path):
    """The test app on a SQLite file of its own (whichever database the rest of the run uses)."""
    path = tmp_path / "transactions.sqlite3"
    other = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                        "SQLITE_BUSY_TIMEOUT_MS": 2000})
    other.database_path = str(path)
    with other.app_context():
        db.create_all()
        db.session.add(Organisation(code="watford", name="Watford Borough Council"))
        db.session.commit()
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _other_writer(path):
    return sqlite3.connect(path, isolation_level=None, timeout=5, check_same_thread=False)


def _read_then_write(other_commits):
    db.session.scalar(select(Organisation.name))               # the transaction reads first
    other_commits()
    db.session.add(Organisation(code="dacorum", name="Dacorum Borough Council"))
    db.session.commit()


def test_a_read_then_write_fails_when_another_writer_committed_in_between(sqlite_app):
    other = _other_writer(sqlite_app.database_path)
    with sqlite_app.app_context(), pytest.raises(OperationalError, match="locked"):
        _read_then_write(lambda: other.execute(OTHER_INSERT))
    other.close()


def test_inside_immediate_writes_the_other_writer_waits_and_both_land(sqlite_app):
    other = _other_writer(sqlite_app.database_path)
    thread = threading.Thread(target=other.execute, args=(OTHER_INSERT,))
    with sqlite_app.app_context(), immediate_writes():
        _read_then_write(lambda: (thread.start(), thread.join(0.2)))
        assert thread.is_alive()                   # waiting for the lock this transaction held
    thread.join(5)
    other.close()
    with sqlite_app.app_context():
        assert sorted(db.session.scalars(select(Organisation.code))) == [
            "dacorum", "herts", "watford"]

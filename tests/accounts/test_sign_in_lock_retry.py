"""SQLite: a sign-in that finds the write lock taken past the busy timeout tries again briefly
instead of failing with "database is locked" (issue 12); past the budget it answers 503."""
import sqlite3
import threading
import time

import pytest

from workspace import create_app
from workspace.accounts.models import Organisation, User
from workspace.extensions import db

PASSWORD = "correct-horse-1"


@pytest.fixture
def impatient_app(app, tmp_path):
    """The test app on a SQLite file of its own (the write lock and its busy timeout are
    SQLite's, whichever database the rest of the run uses), with a 50 ms busy timeout and an
    officer to sign in."""
    path = tmp_path / "locked.sqlite3"
    other = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                        "SQLITE_BUSY_TIMEOUT_MS": 50, "SQLITE_LOCK_RETRY_SECONDS": 3})
    other.test_client_class = app.test_client_class
    other.database_path = str(path)
    with other.app_context():
        db.create_all()
        organisation = Organisation(code="watford", name="Watford Borough Council")
        officer = User(email="officer@watford.example", name="Watford Officer",
                       organisation=organisation, role="officer")
        officer.set_password(PASSWORD)
        db.session.add_all([organisation, officer])
        db.session.commit()
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _hold_write_lock(path, seconds):
    """Take SQLite's write lock from another connection; let it go after `seconds`."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release():
        holder.rollback()
        holder.close()
        released.set()

    threading.Timer(seconds, release).start()
    return released


def test_sign_in_waits_out_a_write_lock_longer_than_the_busy_timeout(impatient_app):
    client = impatient_app.test_client()
    client.get("/sign-in")
    released = _hold_write_lock(impatient_app.database_path, 0.6)
    started = time.monotonic()
    response = client.post("/sign-in", data={"email": "officer@watford.example",
                                             "password": PASSWORD})
    elapsed = time.monotonic() - started
    assert released.wait(timeout=10)
    assert response.status_code == 303, response.text[:500]
    assert elapsed >= 0.5            # it did wait for the lock, past the 50 ms busy timeout
    assert client.get("/").status_code == 200     # and the session is a signed-in one


def test_past_the_retry_budget_the_answer_is_a_clear_503(impatient_app):
    impatient_app.config["SQLITE_LOCK_RETRY_SECONDS"] = 0.2
    client = impatient_app.test_client()
    client.get("/sign-in")
    released = _hold_write_lock(impatient_app.database_path, 3)
    response = client.post("/sign-in", data={"email": "officer@watford.example",
                                             "password": PASSWORD})
    assert released.wait(timeout=10)
    assert response.status_code == 503
    assert "busy" in response.text and "try again" in response.text
    assert client.get("/").status_code == 302          # not signed in

"""Opening a section's editor records presence with one upsert (issue 12): a second touch
updates the row, and one user opening the editor in two sessions at once never collides."""
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.clock import utcnow
from workspace.documents import presence, service
from workspace.documents.models import Presence, Section
from workspace.extensions import db
from workspace.partnerships.models import Partnership

HX = {"HX-Request": "true"}


@pytest.fixture
def section_id(app, world):
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        section = service.append_section(document, "Housing", "Housing need.\n")
        db.session.commit()
        return section.id


def _presence_rows(app):
    with app.app_context():
        return db.session.execute(select(Presence.section_id, Presence.user_id,
                                         Presence.seen_at)).all()


def test_a_second_touch_updates_the_row_rather_than_failing(app, world, section_id):
    officer_id = world["users"]["officer"]
    with app.test_request_context():
        section = db.session.get(Section, section_id)
        user = db.session.get(User, officer_id)
        presence.touch_presence(section, user)
        db.session.commit()
        db.session.execute(db.update(Presence).values(seen_at=utcnow() - timedelta(minutes=3)))
        db.session.commit()
        before = utcnow()
        presence.touch_presence(section, user)      # the row exists: updated, no IntegrityError
        db.session.commit()
    rows = _presence_rows(app)
    assert len(rows) == 1
    assert (rows[0].section_id, rows[0].user_id) == (section_id, officer_id)
    assert rows[0].seen_at >= before - timedelta(seconds=1)


def test_a_touch_waiting_on_another_sessions_uncommitted_touch_succeeds(app, world,
                                                                        section_id):
    """Session A has touched (row not yet committed) when session B touches the same
    (section, user): B waits for A and then updates the row; it never fails on the key."""
    officer_id = world["users"]["officer"]
    errors = []
    started = threading.Event()

    def second_session():
        # A write request (as the editor's GET is): SQLite begins IMMEDIATE.
        with app.test_request_context(method="POST"):
            try:
                started.set()
                section = db.session.get(Section, section_id)
                presence.touch_presence(section, db.session.get(User, officer_id))
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    with app.test_request_context(method="POST"):
        section = db.session.get(Section, section_id)
        presence.touch_presence(section, db.session.get(User, officer_id))
        db.session.flush()
        thread = threading.Thread(target=second_session)
        thread.start()
        started.wait(timeout=30)
        time.sleep(0.5)            # B is now waiting on A's row (PostgreSQL) or lock (SQLite)
        db.session.commit()
    thread.join(timeout=60)
    assert errors == []
    assert len(_presence_rows(app)) == 1


def test_one_user_opening_the_editor_in_two_sessions_at_once(app, world, login, section_id):
    """Two signed-in sessions of one officer open the same editor together: both 200."""
    clients = [login(app.test_client(), world["users"]["officer"]) for _ in range(6)]
    with app.app_context():
        document_id = db.session.get(Section, section_id).document_id
    url = f"/p/own/d/{document_id}/s/{section_id}/edit"
    barrier = threading.Barrier(len(clients))
    statuses = []

    def worker(client):
        barrier.wait(timeout=30)
        statuses.append(client.get(url, headers=HX).status_code)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * len(clients)
    assert len(_presence_rows(app)) == 1

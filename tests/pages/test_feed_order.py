"""The live feed in commit order: a poller whose cursor passed a change id has already seen
every change with a smaller id.

Real threads: several writers save different sections of one document at once while a
poller reads the feed in a loop, as browsers do, each poll in its own transaction. Each
section is saved exactly once, so a change the poller skipped is a section it never hears of.
A small pause between a change's row and its commit (the window in which, on PostgreSQL, a
later id could commit first) makes the race likely when nothing keeps the order. On SQLite the
same property is tested with the writers serialised (write requests begin IMMEDIATE).
"""
import random
import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.pages.test_document_queries import make_document
from workspace.accounts.models import User
from workspace.documents import editing, feed, service
from workspace.documents.models import Document, DocumentChange
from workspace.extensions import db

WRITERS = 4
SAVES_EACH = 6


@pytest.fixture
def pause_before_commit():
    """Every commit that wrote feed rows waits a moment first (only in writer threads)."""
    state = threading.local()

    def _pause(session):
        if getattr(state, "writer", False):
            time.sleep(random.uniform(0.0, 0.02))

    event.listen(Session, "before_commit", _pause)
    yield state
    event.remove(Session, "before_commit", _pause)


def test_a_poller_receives_every_change_from_concurrent_saves(app, world,
                                                             pause_before_commit):
    document_id = make_document(app, world["partnerships"]["own"], WRITERS * SAVES_EACH)
    with app.app_context():
        document = db.session.get(Document, document_id)
        section_ids = [s.id for s in service.live_sections(document)]
        start = db.session.scalar(select(db.func.coalesce(db.func.max(DocumentChange.id), 0))
                                  .where(DocumentChange.document_id == document_id))
    users = [world["users"]["officer"], world["users"]["dacorum_officer"]]
    errors, received, done = [], set(), threading.Event()

    def write(n):
        pause_before_commit.writer = True
        mine = section_ids[n::WRITERS]
        try:
            for section_id in mine:
                with app.test_request_context(method="POST"):
                    section = db.session.get(service.Section, section_id)
                    user = db.session.get(User, users[n % 2])
                    editing.save_section(section, f"Saved by writer {n}.\n", section.version,
                                         user)
                    db.session.commit()
        except Exception as exc:    # reported by the main thread
            errors.append(exc)

    def poll():
        cursor = start
        stub = SimpleNamespace(id=document_id)
        with app.app_context():
            while True:
                finished = done.is_set()         # read before polling: one last full poll
                found = feed.changes_since(stub, cursor)
                db.session.commit()              # each poll its own transaction
                if found:
                    received.update(found.section_ids)
                    cursor = found.cursor
                if finished:
                    return
                time.sleep(0.001)

    poller = threading.Thread(target=poll)
    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    poller.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    poller.join()

    assert not errors, errors
    with app.app_context():
        saved = set(db.session.scalars(select(DocumentChange.section_id).where(
            DocumentChange.document_id == document_id, DocumentChange.id > start)))
    assert saved == set(section_ids)
    assert received == saved, f"never received: {sorted(saved - received)}"


def test_a_change_is_written_at_commit_and_not_after_a_rollback(app, world):
    document_id = make_document(app, world["partnerships"]["own"], 2)
    with app.test_request_context(method="POST"):
        section = service.live_sections(db.session.get(Document, document_id))[0]
        before = feed.cursor(section.document)
        feed.record_change(document_id, section.id, "comment")
        db.session.rollback()
        assert feed.cursor(section.document) == before
        feed.record_change(document_id, section.id, "comment")
        db.session.commit()
        assert feed.cursor(section.document) > before

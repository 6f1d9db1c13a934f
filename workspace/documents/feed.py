"""The live change feed of a document: each change to a section or to the structure writes a
row, and other viewers poll for the rows after the last one they saw.

The feed in commit order. A poller asks for the rows after the last id it saw, so a row must
never become visible after a row with a larger id. On PostgreSQL ids come from a sequence at
INSERT time and two transactions can commit in the other order, so a change row is inserted
only at the end of its transaction, under a per-document transaction-level advisory lock that
is held until the commit: the writers of one document take turns between taking an id and
committing, and ids commit in their order. The lock is taken in `before_flush`, so rows that
other code adds directly to the session are covered too (only later in their transaction).
SQLite serialises writers already (write requests begin IMMEDIATE).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import DateTime, Integer, bindparam, event, func, literal, select, text
from sqlalchemy.orm import Session

from .. import clock
from ..extensions import db
from .models import Document, DocumentChange, Presence

#: The first key of the two-key advisory locks the feed takes ("FEED"); the second key is the
#: document id. Two-key and one-key advisory locks do not overlap in PostgreSQL.
LOCK_CLASS = 0x46454544 - 2**31
_PENDING = "cg_feed_pending"
_LOCKED = "cg_feed_locked"


def record_change(document_id: int, section_id: int | None, kind: str) -> None:
    """Tell other viewers' live feed that a section (or the structure) changed.

    The row is written when the transaction commits (see the module's docstring)."""
    db.session.info.setdefault(_PENDING, []).append(
        DocumentChange(document_id=document_id, section_id=section_id, kind=kind,
                       at=clock.utcnow()))


@event.listens_for(Session, "before_commit")
def _write_pending(session):
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.add_all(pending)
        session.flush()


@event.listens_for(Session, "before_flush")
def _lock_documents(session, _context, _instances):
    """Take each changed document's feed lock before its change rows get their ids."""
    documents = sorted({obj.document_id for obj in session.new
                        if isinstance(obj, DocumentChange)})
    if not documents or session.get_bind().dialect.name != "postgresql":
        return
    locked = session.info.setdefault(_LOCKED, set())
    for document_id in documents:
        if document_id not in locked:
            session.execute(text("SELECT pg_advisory_xact_lock(:cls, :doc)"),
                            {"cls": LOCK_CLASS, "doc": document_id})
            locked.add(document_id)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session, *_args):
    session.info.pop(_LOCKED, None)
    if _args:   # a rollback: the changes recorded in it never happened
        session.info.pop(_PENDING, None)


def cursor(document: Document) -> int:
    """The id of the latest change to the document (0 when none): one index-only read."""
    return db.session.scalar(select(func.coalesce(func.max(DocumentChange.id), 0))
                             .where(DocumentChange.document_id == document.id))


def poll_statement(*extra):
    """The poll's statement: a row per other user editing (section id, user id) and one more
    row without, each with the latest change id and the `extra` columns (scalar subqueries)."""
    latest = (select(func.coalesce(func.max(DocumentChange.id), 0))
              .where(DocumentChange.document_id == bindparam("document_id", type_=Integer))
              .scalar_subquery().label("latest"))
    editors = (select(latest, Presence.section_id, Presence.user_id, *extra)
               .where(Presence.document_id == bindparam("document_id", type_=Integer),
                      Presence.seen_at >= bindparam("since", type_=DateTime),
                      Presence.user_id != bindparam("user_id", type_=Integer)))
    alone = select(latest, literal(None, Integer).label("section_id"),
                   literal(None, Integer).label("user_id"), *extra)
    return editors.union_all(alone)


@lru_cache(maxsize=1)
def _poll_stmt():
    """Built once with its values as parameters: building it cost a poll more than running
    it."""
    return poll_statement()


def poll_window(config=None):
    """How far back a presence heartbeat still counts (presence.presence_by_section's)."""
    from . import presence
    return presence.timeout(config)


def poll_state(document_id: int, exclude_user_id: int, now=None):
    """(latest change id, presence tag) in one statement: what a poll compares with the
    client's cursor and tag before loading anything else."""
    now = now or clock.utcnow()
    rows = db.session.execute(_poll_stmt(), {"document_id": document_id,
                                             "since": now - poll_window(),
                                             "user_id": exclude_user_id}).all()
    return state_of(rows)


def state_of(rows):
    """(latest change id, presence tag) of the poll statement's rows."""
    items = sorted((r.section_id, r.user_id) for r in rows if r.section_id is not None)
    return rows[0].latest, tag_of(items)


def tag_of(items) -> str:
    """The presence tag of sorted (section id, user id) pairs (as presence.presence_tag)."""
    return format(hash(tuple(items)) & 0xFFFFFFFF, "x") if items else "0"


@dataclass
class Changes:
    cursor: int
    section_ids: set
    structure: bool


def changes_since(document: Document, since: int) -> Changes | None:
    """What changed after cursor `since`: sections saved or commented on (both re-render the
    section) and whether the structure moved."""
    rows = db.session.execute(
        select(DocumentChange.id, DocumentChange.section_id, DocumentChange.kind)
        .where(DocumentChange.document_id == document.id, DocumentChange.id > since)
        .order_by(DocumentChange.id)).all()
    if not rows:
        return None
    return Changes(cursor=rows[-1].id,
                   section_ids={r.section_id for r in rows if r.kind in ("section", "comment")},
                   structure=any(r.kind == "structure" for r in rows))

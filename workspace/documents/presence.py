"""Who has a section's editor open ("is editing"), for the other viewers of the document."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..accounts.models import User
from ..clock import utcnow
from ..extensions import db
from .models import Document, Presence, Section

PRESENCE_TIMEOUT = timedelta(minutes=2)


def touch_presence(section: Section, user: User) -> None:
    """Record that the user has this section's editor open (now): one upsert, so two
    sessions of one user opening the editor at the same moment cannot collide."""
    now = utcnow()
    insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[
        db.session.get_bind().dialect.name]
    db.session.execute(
        insert(Presence).values(document_id=section.document_id, section_id=section.id,
                                user_id=user.id, seen_at=now)
        .on_conflict_do_update(index_elements=["section_id", "user_id"],
                               set_={"seen_at": now}))


def leave_section(section: Section, user: User) -> None:
    """The user closed the editor (cancel, or a save)."""
    db.session.execute(delete(Presence).where(Presence.section_id == section.id,
                                              Presence.user_id == user.id))


def presence_by_section(document: Document,
                        exclude_user: User | None = None) -> dict[int, list[User]]:
    """{section id: [users editing]} for editors active in the last two minutes."""
    stmt = select(Presence).where(Presence.document_id == document.id,
                                  Presence.seen_at >= utcnow() - PRESENCE_TIMEOUT)
    if exclude_user is not None:
        stmt = stmt.where(Presence.user_id != exclude_user.id)
    result = {}
    for row in db.session.scalars(stmt.order_by(Presence.id)):
        result.setdefault(row.section_id, []).append(row.user)
    return result


def presence_tag(presence: dict[int, list[User]]) -> str:
    """A short fingerprint of who is editing what; the client sends it back when polling."""
    items = sorted((sid, u.id) for sid, users in presence.items() for u in users)
    return format(hash(tuple(items)) & 0xFFFFFFFF, "x") if items else "0"

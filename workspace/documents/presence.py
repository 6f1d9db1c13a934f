"""Who has a section's editor open ("is editing"), for the other viewers of the document and
for the others in the same section's editor ("Also editing: …").

An open editor sends a heartbeat every `heartbeat_seconds()` (while its page is visible) and
a beacon when its page is hidden or closed; presence not renewed within `timeout()` has ended,
so a tab closed without a beacon stops showing within 30 s. Times come from the app's clock
(`clock.utcnow`), so tests move time instead of waiting.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import clock
from ..accounts.models import User
from ..extensions import db
from .models import Document, Presence, Section

#: Presence not renewed for this long has ended (PRESENCE_TIMEOUT_SECONDS overrides it).
PRESENCE_TIMEOUT = timedelta(seconds=30)
#: How often an open editor renews its presence (PRESENCE_HEARTBEAT_SECONDS overrides it).
HEARTBEAT = timedelta(seconds=10)


def timeout(config=None) -> timedelta:
    """How long presence lasts without a heartbeat (`config`: the app's, by default the
    current app's)."""
    seconds = (config if config is not None else current_app.config).get(
        "PRESENCE_TIMEOUT_SECONDS")
    return timedelta(seconds=seconds) if seconds else PRESENCE_TIMEOUT


def heartbeat_seconds() -> int:
    """How often an open editor says it is still open, in seconds."""
    return int(current_app.config.get("PRESENCE_HEARTBEAT_SECONDS")
               or HEARTBEAT.total_seconds())


def touch_presence(section: Section, user: User) -> None:
    """Record that the user has this section's editor open (now): one upsert, so two
    sessions of one user opening the editor at the same moment cannot collide."""
    now = clock.utcnow()
    insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[
        db.session.get_bind().dialect.name]
    db.session.execute(
        insert(Presence).values(document_id=section.document_id, section_id=section.id,
                                user_id=user.id, seen_at=now)
        .on_conflict_do_update(index_elements=["section_id", "user_id"],
                               set_={"seen_at": now}))


def leave_section(section: Section, user: User) -> None:
    """The user closed the editor (cancel, a save, or its page hidden or closed)."""
    db.session.execute(delete(Presence).where(Presence.section_id == section.id,
                                              Presence.user_id == user.id))


def presence_by_section(document: Document,
                        exclude_user: User | None = None) -> dict[int, list[User]]:
    """{section id: [users editing]} for editors whose presence has not ended."""
    stmt = select(Presence).where(Presence.document_id == document.id,
                                  Presence.seen_at >= clock.utcnow() - timeout())
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


@dataclass(frozen=True)
class EditorPresence:
    """What a section's editor shows of the others editing it."""

    #: The other users with this section's editor open, first arrived first.
    users: list[User]
    #: A fingerprint of `users`: the editor sends it back, and an unchanged list answers 204.
    tag: str
    #: Seconds between the editor's heartbeats.
    heartbeat: int


def editor_presence(section: Section, user: User) -> EditorPresence:
    """Who else (not `user`) has this section's editor open now."""
    users = list(db.session.scalars(
        select(User).join(Presence, Presence.user_id == User.id)
        .where(Presence.section_id == section.id, Presence.user_id != user.id,
               Presence.seen_at >= clock.utcnow() - timeout())
        .order_by(Presence.id)))
    return EditorPresence(users=users, tag=presence_tag({section.id: users}),
                          heartbeat=heartbeat_seconds())

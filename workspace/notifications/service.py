"""Who is told what: recipients, the notification rows, preferences, unsubscribing, bounces.

Only people who may still see the partnership are told: active users of an organisation that
is an active partner in it, never the person who acted. Each notification is made in the
transaction of the change it is about; an immediate one asks for its user's delivery job,
keyed per user and submitted with a short delay (NOTIFY_BATCH_SECONDS), so a burst of
notifications becomes one e-mail (jobs.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Integer, and_, bindparam, func, select, update

from .. import audit
from ..accounts.models import User
from ..clock import utcnow
from ..extensions import db
from ..jobs import submit
from ..mail import base_url, mail_enabled
from ..partnerships.models import Partner, PartnershipAdmin
from . import kinds
from .models import (
    DIGEST,
    EMAIL_DIGEST,
    EMAIL_NONE,
    EMAIL_PENDING,
    IMMEDIATE,
    MODES,
    OFF,
    Notification,
    NotificationPreference,
)

#: The most notifications the workspace list shows.
LIST_LIMIT = 100


# Recipients -----------------------------------------------------------------------------------

def recipients(partnership_id: int, *, organisation_ids: Iterable[int] | None = None,
               role: str | None = None, user_ids: Iterable[int] | None = None,
               exclude: User | None = None) -> list[User]:
    """Active users of active partner organisations of the partnership, narrowed to some
    organisations, a role or named users; never `exclude` (the person who acted)."""
    stmt = (select(User)
            .join(Partner, and_(Partner.organisation_id == User.organisation_id,
                                Partner.partnership_id == partnership_id,
                                Partner.status == "active"))
            .where(User.active.is_(True)))
    if organisation_ids is not None:
        stmt = stmt.where(User.organisation_id.in_(list(organisation_ids)))
    if role is not None:
        stmt = stmt.where(User.role == role)
    if user_ids is not None:
        stmt = stmt.where(User.id.in_(list(user_ids)))
    if exclude is not None:
        stmt = stmt.where(User.id != exclude.id)
    return db.session.scalars(stmt.order_by(User.id)).all()


def partnership_admins(partnership_id: int) -> list[User]:
    """The partnership's admins who may still receive its notifications."""
    granted = select(PartnershipAdmin.user_id).where(
        PartnershipAdmin.partnership_id == partnership_id)
    return recipients(partnership_id, user_ids=db.session.scalars(granted).all())


def may_receive(user: User | None, partnership_id: int | None) -> bool:
    """True while the user is active and (for a partnership's notification) their
    organisation is still an active partner in it: checked again when e-mail goes."""
    if user is None or not user.active:
        return False
    if partnership_id is None:
        return True
    return db.session.scalar(select(Partner.id).where(
        Partner.partnership_id == partnership_id,
        Partner.organisation_id == user.organisation_id,
        Partner.status == "active")) is not None


# Preferences ----------------------------------------------------------------------------------

def preferences(user: User) -> dict[str, str]:
    """{kind name: mode} for every kind, the kind's default where the user chose nothing."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.mode)
        .where(NotificationPreference.user_id == user.id)).all())
    return {k.name: chosen.get(k.name, k.default_mode) for k in kinds.all_kinds()}


def set_preferences(user: User, modes: dict[str, str]) -> list[str]:
    """Save the modes chosen ({kind: mode}); names of the kinds that changed. Notifications
    waiting for an e-mail follow the new choice."""
    current = preferences(user)
    rows = {p.kind: p for p in db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == user.id))}
    changed = []
    for name, mode in modes.items():
        kinds.get(name)
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        if current.get(name) == mode:
            continue
        row = rows.get(name)
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=name, mode=mode,
                                                  updated_at=utcnow()))
        else:
            row.mode, row.updated_at = mode, utcnow()
        _restate_waiting(user, name, mode)
        changed.append(name)
    db.session.flush()
    if changed:
        audit.record("notifications.preferences_changed", user, actor=user,
                     changed={name: modes[name] for name in changed})
    return changed


def _restate_waiting(user, kind, mode):
    """Notifications of `kind` not e-mailed yet go the way the user now wants."""
    state = {IMMEDIATE: EMAIL_PENDING, DIGEST: EMAIL_DIGEST, OFF: EMAIL_NONE}[mode]
    moved = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.kind == kind,
               Notification.email_state.in_([EMAIL_PENDING, EMAIL_DIGEST]))
        .values(email_state=state).execution_options(synchronize_session=False)).rowcount
    if moved and state == EMAIL_PENDING:
        _ask_delivery(user.id)


# Notifying ------------------------------------------------------------------------------------

def path_for(endpoint: str, **values) -> str:
    """A path in the workspace, built in a request or (in a job) in a made-up one."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/", base_url=base_url()):
        return url_for(endpoint, **values)


def absolute(path: str) -> str:
    """The address of a workspace path, for e-mails."""
    return base_url() + path


def _email_state(user, kind):
    if not mail_enabled() or user.mail_bounced_at is not None:
        return EMAIL_NONE
    mode = preferences(user)[kind]
    return {IMMEDIATE: EMAIL_PENDING, DIGEST: EMAIL_DIGEST}.get(mode, EMAIL_NONE)


def _ask_delivery(user_id):
    submit("notifications.deliver", key=f"notify:user:{user_id}",
           delay=current_app.config["NOTIFY_BATCH_SECONDS"],
           label="E-mail of a user's notifications", user_id=user_id)


def notify(user: User, kind: str, *, title: str, link: str, reason: str,
           partnership_id: int | None = None, document_id: int | None = None,
           section_id: int | None = None, dedupe_key: str | None = None) -> Notification | None:
    """Tell one user: the workspace list always, e-mail as their preference says. None when a
    notification with the same dedupe_key was made for them already."""
    kinds.get(kind)
    if dedupe_key is not None and db.session.scalar(select(Notification.id).where(
            Notification.user_id == user.id, Notification.dedupe_key == dedupe_key)):
        return None
    state = _email_state(user, kind)
    row = Notification(user_id=user.id, kind=kind, title=title[:300], link=link[:500],
                       reason=reason[:500], partnership_id=partnership_id,
                       document_id=document_id, section_id=section_id, dedupe_key=dedupe_key,
                       created_at=utcnow(), email_state=state)
    db.session.add(row)
    db.session.flush()
    if state == EMAIL_PENDING:
        _ask_delivery(user.id)
    return row


# The workspace list ---------------------------------------------------------------------------

def listed(user: User) -> list[Notification]:
    """The user's notifications, newest first."""
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id.desc()).limit(LIST_LIMIT)).all()


def unread_count(user: User) -> int:
    return db.session.scalar(_unread_count_stmt(), {"user_id": user.id})


@lru_cache(maxsize=1)
def _unread_count_stmt():
    """Built once with the user as a parameter (the header asks it on every page)."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == bindparam("user_id", type_=Integer),
        Notification.read_at.is_(None))


def own_notification(user: User, notification_id: int) -> Notification | None:
    """One of the user's own notifications, or None (another's is not found)."""
    row = db.session.get(Notification, notification_id)
    return row if row is not None and row.user_id == user.id else None


def open_notification(notification: Notification) -> str:
    """Mark it read; the path it leads to."""
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification.link


def mark_all_read(user: User) -> int:
    """Mark every unread notification read; how many were."""
    return db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount


# Unsubscribing --------------------------------------------------------------------------------

def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="notifications-unsubscribe")


def unsubscribe_token(user: User, kind_names: Iterable[str]) -> str:
    """A signed token naming the user and the kinds an e-mail held (no sign-in needed)."""
    return _serializer().dumps({"u": user.id, "k": sorted(set(kind_names))})


def load_unsubscribe(token: str) -> tuple[User, list[kinds.Kind]] | None:
    """(user, kinds) a token names, or None when it is not valid."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    try:
        named = [kinds.get(name) for name in data.get("k") or []]
    except (LookupError, TypeError):
        return None
    if user is None or not named:
        return None
    return user, named


def unsubscribe(user: User, kind_names: Iterable[str]) -> list[str]:
    """Stop e-mails of these kinds (they are still listed in the workspace)."""
    return set_preferences(user, dict.fromkeys(kind_names, OFF))


# Bounces --------------------------------------------------------------------------------------

def record_bounce(user: User, code: int, reason: str) -> None:
    """The mail server refused the user's address for good: no more e-mail goes to it until
    an organisation admin clears it (the organisation's users page shows it)."""
    user.mail_bounced_at = utcnow()
    user.mail_bounce_reason = f"{code} {reason}".strip()[:500]
    audit.record("user.mail_bounced", user, actor=None, code=code)


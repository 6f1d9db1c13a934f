"""The background work of notifications: e-mailing a user's waiting notifications in one
message, the daily digest at 8am UK time, and the minute's check of decisions sought.

A mail server that is down or refuses for now raises MailError: the job tries again later and
the notifications wait (they are in the workspace list all along). A recipient refused for
good (5xx) is a bounce: recorded on the user for their organisation's admins, not retried.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy import exists, select

from ..accounts.models import User
from ..clock import in_uk, utcnow
from ..extensions import db
from ..jobs import every_minute, job, submit
from ..mail import Bounce, send_mail
from .email import compose
from .events import notify_decisions
from .models import (
    EMAIL_BOUNCED,
    EMAIL_DIGEST,
    EMAIL_NONE,
    EMAIL_PENDING,
    EMAIL_SENT,
    DigestSent,
    Notification,
)
from .service import may_receive, record_bounce

#: The hour (UK time) from which the day's digest goes.
DIGEST_HOUR = 8


def _waiting(user_id, state):
    return db.session.scalars(select(Notification).where(
        Notification.user_id == user_id, Notification.email_state == state)
        .order_by(Notification.id)).all()


def _send(user: User, state: str, digest_day: date | None = None) -> str | None:
    """E-mail the user's notifications waiting in `state` as one message; the state they end
    in (None when there was nothing to send)."""
    items = _waiting(user.id, state)
    if not items:
        return None
    if user.mail_bounced_at is not None:
        sendable = []
    else:
        sendable = [n for n in items if may_receive(user, n.partnership_id)]
    for n in items:
        if n not in sendable:
            n.email_state = EMAIL_NONE      # deactivated, left the partnership, or bounced
    if not sendable:
        return EMAIL_NONE
    message = compose(user, sendable, digest_day)
    try:
        sent = send_mail(message.to, message.subject, message.body, message.headers)
    except Bounce as exc:
        record_bounce(user, exc.code, exc.reason)
        for n in sendable:
            n.email_state = EMAIL_BOUNCED
        current_app.logger.warning("Mail to user %s bounced: %s", user.id, exc.code)
        return EMAIL_BOUNCED
    now = utcnow()
    for n in sendable:
        n.email_state = EMAIL_SENT if sent else EMAIL_NONE
        n.emailed_at = now if sent else None
    return EMAIL_SENT if sent else EMAIL_NONE


@job("notifications.deliver", retries=5)
def deliver(user_id: int) -> None:
    """E-mail every notification of the user waiting to go at once, in one message."""
    user = db.session.get(User, user_id)
    if user is not None:
        _send(user, EMAIL_PENDING)


@job("notifications.digest", retries=5)
def digest(user_id: int, day: str) -> None:
    """The user's daily digest for `day` (UK), once: only when something is waiting."""
    on = date.fromisoformat(day)
    user = db.session.get(User, user_id)
    if user is None:
        return
    row = db.session.get(DigestSent, user_id)
    if row is not None and row.sent_on >= on:
        return
    if _send(user, EMAIL_DIGEST, on) is None:
        return
    if row is None:
        db.session.add(DigestSent(user_id=user_id, sent_on=on))
    else:
        row.sent_on = on


def due_digests(now: datetime) -> list[int]:
    """Users whose digest is due at `now` (naive UTC): from 8am UK time, with notifications
    waiting for it, and no digest sent yet that UK day."""
    local = in_uk(now)
    if local.hour < DIGEST_HOUR:
        return []
    sent_today = exists().where(DigestSent.user_id == Notification.user_id,
                                DigestSent.sent_on >= local.date())
    return db.session.scalars(select(Notification.user_id).where(
        Notification.email_state == EMAIL_DIGEST, ~sent_today).distinct()
        .order_by(Notification.user_id)).all()


@every_minute
def submit_due_digests(now: datetime | None = None) -> int:
    """Ask for the digests due now; how many were asked for."""
    now = now or utcnow()
    day = in_uk(now).date().isoformat()
    users = due_digests(now)
    for user_id in users:
        submit("notifications.digest", key=f"digest:user:{user_id}",
               label="Daily digest of a user's notifications", user_id=user_id, day=day)
    return len(users)


@every_minute
def check_decisions(now: datetime | None = None) -> int:
    """Tell partnership admins of decisions sought due within seven days or overdue."""
    return notify_decisions(in_uk(now or utcnow()).date())

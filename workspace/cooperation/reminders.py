"""Reminders of agreed actions: an open action due within seven days, and again once it is
overdue, is told to its lead authority (once for each), through the action_reminder signal
that notifications answers.

The check runs once a minute in the worker; a reminder is marked sent on the action
(reminded_due_at, reminded_overdue_at) by a conditional write, so two workers sweeping at once
still send it once. A new due date lets its reminders go again.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from .. import clock
from ..extensions import db
from ..jobs import every_minute
from ..partnerships.models import Partnership
from ..signals import action_reminder
from .models import OPEN, Action

#: An open action due within this many days is reminded of.
DUE_SOON_DAYS = 7
DUE, OVERDUE = "due", "overdue"


def needing_reminder(on: date) -> list[tuple[Action, str]]:
    """(action, "due" or "overdue") for each open action whose reminder has not gone yet."""
    rows = db.session.scalars(select(Action).where(
        Action.status == OPEN, Action.due_on.is_not(None),
        Action.due_on <= on + timedelta(days=DUE_SOON_DAYS),
        ((Action.due_on < on) & Action.reminded_overdue_at.is_(None))
        | ((Action.due_on >= on) & Action.reminded_due_at.is_(None)))
        .order_by(Action.due_on, Action.id)).all()
    return [(row, OVERDUE if row.due_on < on else DUE) for row in rows]


def _mark(action: Action, state: str, now: datetime) -> bool:
    """Mark the reminder sent; False when another run marked it first."""
    column = Action.reminded_overdue_at if state == OVERDUE else Action.reminded_due_at
    return db.session.execute(
        update(Action).where(Action.id == action.id, Action.status == OPEN, column.is_(None))
        .values({column: now}).execution_options(synchronize_session=False)).rowcount == 1


def send_reminders(now: datetime | None = None) -> int:
    """Send the reminders due at `now` (naive UTC; today is the UK's date then); how many
    actions were reminded of."""
    now = now or clock.utcnow()
    on = clock.in_uk(now).date()
    sent = 0
    for action, state in needing_reminder(on):
        if not _mark(action, state, now):
            continue
        action_reminder.send(action, state=state,
                             partnership=db.session.get(Partnership, action.partnership_id))
        sent += 1
    return sent


@every_minute
def remind_actions(now: datetime | None = None) -> int:
    """Once a minute: remind lead authorities of actions due soon or overdue."""
    return send_reminders(now)

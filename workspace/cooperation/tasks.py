"""The record of cooperation in My tasks and the header count (task_extras, task_counts):
the open actions the user's authority leads, in the partnerships it is an active partner in.

The page lists every open one (overdue first, then by due date, each marked overdue or due
soon); the header counts the same, in one query, so it always matches the page's total.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ..clock import today
from ..extensions import db
from ..partnerships.models import Partner, Partnership
from ..signals import task_counts, task_extras
from . import reminders  # noqa: F401  (registers the minute's check of reminders)
from .models import OPEN, Action
from .reminders import DUE_SOON_DAYS


@dataclass
class ActionTask:
    action: Action
    partnership: Partnership
    #: "overdue", "soon" (due within seven days) or "open".
    state: str


def _led(user):
    """Open actions led by the user's authority in partnerships it is an active partner in."""
    return (select(Action)
            .join(Partner, (Partner.partnership_id == Action.partnership_id)
                  & (Partner.organisation_id == Action.lead_organisation_id)
                  & (Partner.status == "active"))
            .where(Action.status == OPEN,
                   Action.lead_organisation_id == user.organisation_id))


def _state(action, on):
    if action.is_overdue(on):
        return "overdue"
    if action.due_on is not None and action.due_on <= on + timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return "open"


def led_actions(user, on: date | None = None) -> list[ActionTask]:
    """The open actions the user's authority leads: overdue first, then by due date (those
    without one last)."""
    on = on or today()
    rows = db.session.execute(_led(user).add_columns(Partnership)
                              .join(Partnership, Partnership.id == Action.partnership_id)
                              .order_by(Action.due_on.is_(None), Action.due_on,
                                        Action.id)).all()
    return [ActionTask(action, partnership, _state(action, on)) for action, partnership in rows]


def led_count(user) -> int:
    """How many open actions the user's authority leads: one query."""
    return db.session.scalar(_led(user).with_only_columns(func.count(Action.id))) or 0


def _tasks(user, **_kwargs):
    return {"actions_led": led_actions(user)}


def _count(user, **_kwargs):
    return led_count(user)


def connect():
    """Answer My tasks and the header count."""
    task_extras.connect(_tasks, weak=False)
    task_counts.connect(_count, weak=False)

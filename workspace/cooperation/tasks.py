"""The record of cooperation in My tasks and the header count (task_extras, task_counts):
the open actions the user's authority leads, in the partnerships it is an active partner in.

The page lists every open one (overdue first, then by due date, each marked overdue or due
soon); the header counts the same, in one query, so it always matches the page's total.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import lazyload

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


def _led():
    """Open actions led by the user's authority in partnerships it is an active partner in
    (the authority is the parameter "organisation_id")."""
    return (select(Action)
            .join(Partner, (Partner.partnership_id == Action.partnership_id)
                  & (Partner.organisation_id == Action.lead_organisation_id)
                  & (Partner.status == "active"))
            .where(Action.status == OPEN,
                   Action.lead_organisation_id == bindparam("organisation_id",
                                                            type_=Integer)))


# Built once and run with the user's organisation as a parameter: building them cost every
# page more than running them.
@lru_cache(maxsize=1)
def _led_list_stmt():
    # My tasks shows each action's text, due date and partnership: the lead, supporters,
    # matters and documents the model loads eagerly wait until something reads them.
    return (_led().add_columns(Partnership)
            .join(Partnership, Partnership.id == Action.partnership_id)
            .options(lazyload(Action.lead), lazyload(Action.supporters),
                     lazyload(Action.matters), lazyload(Action.documents))
            .order_by(Action.due_on.is_(None), Action.due_on, Action.id))


@lru_cache(maxsize=1)
def _led_count_stmt():
    return _led().with_only_columns(func.count(Action.id))


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
    rows = db.session.execute(_led_list_stmt(),
                              {"organisation_id": user.organisation_id}).all()
    return [ActionTask(action, partnership, _state(action, on)) for action, partnership in rows]


def led_count(user) -> int:
    """How many open actions the user's authority leads: one query."""
    return db.session.scalar(_led_count_stmt(),
                             {"organisation_id": user.organisation_id}) or 0


def _tasks(user, **_kwargs):
    return {"actions_led": led_actions(user)}


def _count(user, **_kwargs):
    return led_count(user)


def connect():
    """Answer My tasks and the header count."""
    task_extras.connect(_tasks, weak=False)
    task_counts.connect(_count, weak=False)

"""Agreed actions: what, led by which authority, supported by which, due when, and what came
of it; agreed at a meeting (one of its numbered next steps) or on their own.

Each change is one conditional write on the action's version (a stale edit is refused with
409 and changes nothing) and one audit event. Reminders are in reminders.py, My tasks in
tasks.py.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from .. import audit
from ..accounts.models import Organisation
from ..clock import DATE, display, utcnow
from ..documents.models import Document
from ..extensions import db
from ..numbers import whole_number
from ..partnerships.models import Partner, Partnership, StrategicMatter
from ..partnerships.service import known_organisation
from .errors import CooperationError
from .models import (
    ACTION_STATUSES,
    DONE,
    DROPPED,
    OPEN,
    Action,
    ActionDocument,
    ActionMatter,
    ActionSupporter,
    Meeting,
)

#: The longest "what" and outcome (or reason) accepted.
WHAT_MAX = 1000
OUTCOME_MAX = 2000


# Reading ------------------------------------------------------------------------------------

def _order(action: Action):
    """Open ones first, by due date (none last); then the closed ones, the latest meeting's
    first and in its order of next steps (one agreed on its own by the day it closed)."""
    if action.status == OPEN:
        return (0, action.due_on is None, action.due_on or date.max, action.id)
    when = action.meeting.held_on if action.meeting is not None else \
        (action.closed_at or action.updated_at).date()
    return (1, 0, -when.toordinal(), action.number or 0, action.id)


def actions(partnership: Partnership, *, organisation_id: int | None = None,
            matter_id: int | None = None, status: str | None = None) -> list[Action]:
    """The partnership's actions, open first by due date; narrowed to an authority (leading or
    supporting), a strategic matter or a status when given."""
    stmt = select(Action).where(Action.partnership_id == partnership.id)
    if organisation_id is not None:
        supporting = select(ActionSupporter.action_id).where(
            ActionSupporter.organisation_id == organisation_id)
        stmt = stmt.where(or_(Action.lead_organisation_id == organisation_id,
                              Action.id.in_(supporting)))
    if matter_id is not None:
        stmt = stmt.where(Action.id.in_(select(ActionMatter.action_id)
                                        .where(ActionMatter.matter_id == matter_id)))
    if status is not None:
        stmt = stmt.where(Action.status == status)
    stmt = stmt.options(selectinload(Action.meeting))
    return sorted(db.session.scalars(stmt), key=_order)


def action_for(partnership: Partnership, action_id) -> Action | None:
    """One of the partnership's actions by id (None for another partnership's)."""
    number = whole_number(action_id)
    found = db.session.get(Action, number) if number is not None else None
    return found if found is not None and found.partnership_id == partnership.id else None


def for_meeting(meeting: Meeting) -> list[Action]:
    """The actions agreed at a meeting, by their number."""
    return db.session.scalars(
        select(Action).where(Action.meeting_id == meeting.id)
        .order_by(Action.number.is_(None), Action.number, Action.id)).all()


def overdue(action: Action, today: date) -> bool:
    """True when the action is open and its due date has passed."""
    return action.is_overdue(today)


def is_open(action: Action) -> bool:
    return action.status == OPEN


def partner_organisations(partnership: Partnership) -> list[Organisation]:
    """The partnership's active partners, by name: who may lead or support an action."""
    return db.session.scalars(
        select(Organisation).join(Partner, Partner.organisation_id == Organisation.id)
        .where(Partner.partnership_id == partnership.id, Partner.status == "active")
        .order_by(Organisation.name)).all()


def involved_organisations(partnership: Partnership) -> list[Organisation]:
    """The active partners and any authority that leads or supports one of the partnership's
    actions (one that has left still names its actions), by name: the list's filter."""
    ids = (select(Partner.organisation_id).where(Partner.partnership_id == partnership.id,
                                                 Partner.status == "active")
           .union(select(Action.lead_organisation_id)
                  .where(Action.partnership_id == partnership.id),
                  select(ActionSupporter.organisation_id)
                  .join(Action, Action.id == ActionSupporter.action_id)
                  .where(Action.partnership_id == partnership.id)))
    return db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))
                              .order_by(Organisation.name)).all()


def meeting_of(partnership: Partnership, meeting_id) -> Meeting | None:
    """One of the partnership's meetings by id (None for another partnership's)."""
    number = whole_number(meeting_id)
    found = db.session.get(Meeting, number) if number is not None else None
    return found if found is not None and found.partnership_id == partnership.id else None


# Checking -----------------------------------------------------------------------------------

def _ids(values: Iterable, field: str, what: str) -> list[int]:
    """Distinct integer ids in the order given."""
    found = []
    for value in values or ():
        number = whole_number(value)
        if number is None:
            raise CooperationError(f"Choose {what} from the list.", field=field)
        if number not in found:
            found.append(number)
    return found


def _check(partnership, *, what, lead_organisation_id, supporter_ids, due_on, meeting,
           matter_ids, document_ids, current=None):
    """The checked values: (what, lead id, supporter ids, due date, matter ids, document ids).
    CooperationError naming the field for the first rule broken."""
    what = (what or "").strip()
    if not what:
        raise CooperationError("Enter what was agreed.", field="what")
    if len(what) > WHAT_MAX:
        raise CooperationError(f"What was agreed must be {WHAT_MAX:,} characters or fewer.",
                               field="what")
    partners = {o.id: o for o in partner_organisations(partnership)}
    lead = whole_number(lead_organisation_id)
    if lead is None:
        raise CooperationError("Choose the authority that leads this action.",
                               field="lead_organisation_id")
    if lead not in partners:
        other = known_organisation(partnership, lead)
        name = f"{other.name} is not a partner in {partnership.name}: c" if other else "C"
        raise CooperationError(f"{name}hoose the authority that leads this action.",
                               field="lead_organisation_id")
    supporters = _ids(supporter_ids, "supporter_ids", "the supporting authorities")
    if lead in supporters:
        raise CooperationError(f"{partners[lead].name} leads this action: it cannot support "
                               "it too.", field="supporter_ids")
    for organisation_id in supporters:
        if organisation_id not in partners:
            raise CooperationError("Choose supporting authorities from the partnership's "
                                   "partners.", field="supporter_ids")
    if due_on is not None and not isinstance(due_on, date):
        raise CooperationError("Enter a real due date.", field="due_on")
    if due_on is not None and meeting is not None and due_on < meeting.held_on:
        raise CooperationError("The due date is before the meeting it was agreed at "
                               f"({display(meeting.held_on, DATE)}).", field="due_on")
    matters = _ids(matter_ids, "matter_ids", "strategic matters")
    linked = {m.matter_id for m in current.matters} if current is not None else set()
    if matters:
        rows = {m.id: m for m in db.session.scalars(select(StrategicMatter).where(
            StrategicMatter.id.in_(matters)))}
        for matter_id in matters:
            row = rows.get(matter_id)
            if row is None or row.partnership_id != partnership.id:
                raise CooperationError("Choose strategic matters from the partnership's list.",
                                       field="matter_ids")
            if row.retired_at is not None and matter_id not in linked:
                raise CooperationError(f"{row.label} is retired: it is no longer linked to "
                                       "new actions.", field="matter_ids")
    documents = _ids(document_ids, "document_ids", "documents")
    if documents:
        owned = set(db.session.scalars(select(Document.id).where(
            Document.id.in_(documents), Document.partnership_id == partnership.id)))
        if owned != set(documents):
            raise CooperationError("Choose documents from the partnership's documents.",
                                   field="document_ids")
    return what, lead, supporters, due_on, matters, documents


def _check_number(meeting, number):
    """The number among the meeting's next steps: the next free one when not given."""
    if meeting is None:
        if number is not None:
            raise CooperationError("Only an action agreed at a meeting has a number among its "
                                   "next steps.", field="number")
        return None
    if number is None:
        return next_number(meeting)
    taken = dict(db.session.execute(select(Action.number, Action.what).where(
        Action.meeting_id == meeting.id, Action.number.is_not(None))).all())
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise CooperationError("The number must be a whole number, 1 or more.", field="number")
    if number in taken:
        raise CooperationError(f"Next step {number} of this meeting is already “"
                               f"{taken[number][:80]}”.", field="number")
    return number


def _set_links(action, supporters, matters, documents):
    """Replace the action's supporters, matters and documents with these."""
    for rows, model, column, wanted in (
            (action.supporters, ActionSupporter, "organisation_id", supporters),
            (action.matters, ActionMatter, "matter_id", matters),
            (action.documents, ActionDocument, "document_id", documents)):
        keep = [row for row in rows if getattr(row, column) in wanted]
        have = {getattr(row, column) for row in keep}
        rows[:] = keep + [model(**{column: value}) for value in wanted if value not in have]


def _summary(action):
    return {"what": action.what, "lead": action.lead_organisation_id,
            "supporters": sorted(s.organisation_id for s in action.supporters),
            "due_on": action.due_on.isoformat() if action.due_on else None,
            "matters": sorted(m.matter_id for m in action.matters),
            "documents": sorted(d.document_id for d in action.documents),
            "status": action.status, "outcome": action.outcome}


# Changing -----------------------------------------------------------------------------------

def add_action(partnership: Partnership, user, *, what: str, lead_organisation_id: int,
               supporter_ids: Iterable[int] = (), due_on: date | None = None,
               meeting: Meeting | None = None, number: int | None = None,
               matter_ids: Iterable[int] = (), document_ids: Iterable[int] = ()) -> Action:
    """A new open action, agreed at `meeting` (as its next step `number`, or the next one) or
    on its own."""
    if meeting is not None and meeting.partnership_id != partnership.id:
        raise CooperationError("That meeting is not one of this partnership's.",
                               field="meeting", status=404)
    what, lead, supporters, due_on, matters, documents = _check(
        partnership, what=what, lead_organisation_id=lead_organisation_id,
        supporter_ids=supporter_ids, due_on=due_on, meeting=meeting, matter_ids=matter_ids,
        document_ids=document_ids)
    number = _check_number(meeting, number)
    now = utcnow()
    action = Action(partnership_id=partnership.id, meeting_id=getattr(meeting, "id", None),
                    number=number, what=what, lead_organisation_id=lead, due_on=due_on,
                    status=OPEN, outcome="", version=1, created_by_id=user.id,
                    created_at=now, updated_at=now)
    _set_links(action, supporters, matters, documents)
    db.session.add(action)
    db.session.flush()
    audit.record("action.added", action, actor=user, partnership=partnership,
                 **_summary(action), meeting=action.meeting_id, number=number)
    return action


def _bump(action: Action, expected_version, **values) -> None:
    """The conditional write: version expected_version -> +1 with `values`; 409 when the
    action changed meanwhile (nothing is written then)."""
    stale = CooperationError(
        "Someone changed this action while you were working on it, so your change was not "
        "saved. The action as it is now is shown; check it and make your change again.",
        status=409)
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise stale from None
    if expected != action.version:
        raise stale
    written = db.session.execute(
        update(Action).where(Action.id == action.id, Action.version == expected)
        .values(version=expected + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)).rowcount
    if written != 1:
        raise stale
    db.session.refresh(action)


def update_action(action: Action, user, *, expected_version: int, what: str,
                  lead_organisation_id: int, supporter_ids: Iterable[int],
                  due_on: date | None, matter_ids: Iterable[int],
                  document_ids: Iterable[int]) -> Action:
    """Change what was agreed, who leads and supports it, when it is due and what it is
    linked to. A new due date means its reminders go again."""
    partnership = db.session.get(Partnership, action.partnership_id)
    what, lead, supporters, due_on, matters, documents = _check(
        partnership, what=what, lead_organisation_id=lead_organisation_id,
        supporter_ids=supporter_ids, due_on=due_on, meeting=action.meeting,
        matter_ids=matter_ids, document_ids=document_ids, current=action)
    before = _summary(action)
    values = {"what": what, "lead_organisation_id": lead, "due_on": due_on}
    if due_on != action.due_on:
        values.update(reminded_due_at=None, reminded_overdue_at=None)
    _bump(action, expected_version, **values)
    _set_links(action, supporters, matters, documents)
    db.session.flush()
    after = _summary(action)
    audit.record("action.changed", action, actor=user, partnership=partnership,
                 version=action.version,
                 changed={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return action


def close_action(action: Action, user, *, expected_version: int, status: str,
                 outcome: str = "") -> Action:
    """Mark it done (with what came of it, if said) or dropped (with the reason, required)."""
    outcome = (outcome or "").strip()
    if status not in (DONE, DROPPED):
        raise CooperationError("Choose whether the action was done or dropped.",
                               field="status")
    if status == DROPPED and not outcome:
        raise CooperationError("Say why the action was dropped.", field="outcome")
    if len(outcome) > OUTCOME_MAX:
        raise CooperationError(f"The outcome must be {OUTCOME_MAX:,} characters or fewer.",
                               field="outcome")
    if action.status != OPEN and str(expected_version) == str(action.version):
        label = ACTION_STATUSES[action.status].lower()
        raise CooperationError(f"This action is already {label}.", status=409)
    _bump(action, expected_version, status=status, outcome=outcome, closed_at=utcnow(),
          closed_by_id=user.id)
    audit.record(f"action.{status}", action, actor=user,
                 partnership=db.session.get(Partnership, action.partnership_id),
                 version=action.version, outcome=outcome)
    return action


def reopen_action(action: Action, user, *, expected_version: int) -> Action:
    """Open a done or dropped action again (its outcome is kept in the audit history). A
    reminder already sent for its due date is not sent again."""
    if action.status == OPEN and str(expected_version) == str(action.version):
        raise CooperationError("This action is open already.", status=409)
    previous = {"status": action.status, "outcome": action.outcome}
    _bump(action, expected_version, status=OPEN, outcome="", closed_at=None,
          closed_by_id=None)
    audit.record("action.reopened", action, actor=user,
                 partnership=db.session.get(Partnership, action.partnership_id),
                 version=action.version, **{f"previous_{k}": v for k, v in previous.items()})
    return action


def next_number(meeting: Meeting) -> int:
    """The number the meeting's next agreed action gets."""
    return (db.session.scalar(select(func.max(Action.number))
                              .where(Action.meeting_id == meeting.id)) or 0) + 1

"""A meeting's record checked before it is written (record_meeting, correct_meeting): every
problem found at once, each on its field, so the person recording fixes them in one go."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..clock import today
from ..numbers import whole_number
from ..partnerships import matters as lists
from ..partnerships.service import known_organisation, partner_organisation_ids
from .errors import CooperationError, CooperationErrors
from .models import MEETING_KINDS, STATED_STANCES

EARLIEST = date(1990, 1, 1)
LIMITS = {"title": 200, "role": 200, "person": 200, "outcome": 2000, "notes": 100_000,
          "statement": 10_000, "reason": 2000}


def clean(value):
    return (value or "").strip()


def within_limit(value, limit_name, message, field_name):
    if len(value) > LIMITS[limit_name]:
        raise CooperationError(message.format(LIMITS[limit_name]), field=field_name)
    return value


def number(value):
    if isinstance(value, int):
        return value
    return whole_number(value)


@dataclass
class Record:
    """A meeting's record, checked: what record_meeting and correct_meeting write."""

    held_on: date
    kind: str
    body: object
    title: str
    notes: str
    outcome: str
    attendees: list = field(default_factory=list)      # [(Organisation, role, person)]
    matters: list = field(default_factory=list)        # [StrategicMatter]
    positions: list = field(default_factory=list)      # [(Organisation, matter, text, stance)]


def _check_date(held_on):
    if not isinstance(held_on, date):
        raise CooperationError("Enter the meeting date", field="held_on")
    if held_on < EARLIEST:
        raise CooperationError("Meeting date must be in 1990 or later", field="held_on")
    if held_on > today():
        raise CooperationError("Meeting date must be today or in the past: record a meeting "
                               "once it has been held", field="held_on")
    return held_on


def _check_attendees(partnership, attendees, current):
    """Active partners only; a correction may keep an authority that has left since."""
    partners = partner_organisation_ids(partnership) | (
        {a.organisation_id for a in current.attendees} if current else set())
    checked = []
    for index, (organisation_id, role, person) in enumerate(attendees):
        where = f"attendees-{index}"
        organisation = known_organisation(partnership, number(organisation_id))
        if organisation is None:
            raise CooperationError("Choose the attendee's authority",
                                   field=f"{where}-organisation_id")
        if organisation.id not in partners:
            raise CooperationError(f"{organisation.name} is not a partner in this partnership",
                                   field=f"{where}-organisation_id")
        role, person = clean(role), clean(person)
        if not role:
            raise CooperationError(f"Enter the role of the attendee from {organisation.name}",
                                   field=f"{where}-role")
        within_limit(role, "role", "Role must be {} characters or fewer", f"{where}-role")
        within_limit(person, "person", "Name must be {} characters or fewer", f"{where}-person")
        checked.append((organisation, role, person))
    if not checked:
        raise CooperationError("Add at least one attendee: an authority and a role",
                               field="attendees-0-organisation_id")
    return checked


def _check_matters(partnership, matter_ids, current):
    allowed_retired = {m.matter_id for m in current.matters} if current else set()
    checked = []
    for matter_id in matter_ids:
        found = lists.matter(partnership, number(matter_id))
        if found is None or (found.retired_at is not None and found.id not in allowed_retired):
            raise CooperationError("Choose strategic matters from the partnership's list",
                                   field="matter_ids")
        if found not in checked:
            checked.append(found)
    return checked


def _check_positions(partnership, positions, attendees, matters):
    present = {organisation.id: organisation for organisation, _, _ in attendees}
    discussed = {matter.id: matter for matter in matters}
    seen, checked = set(), []
    for index, (organisation_id, matter_id, statement, stance) in enumerate(positions):
        where = f"positions-{index}"
        organisation = present.get(number(organisation_id))
        if organisation is None:
            other = known_organisation(partnership, number(organisation_id))
            raise CooperationError(
                f"Position stated by an authority with no attendee at the meeting: "
                f"{other.name}" if other else "Choose the authority that stated the position",
                field=f"{where}-organisation_id")
        matter = discussed.get(number(matter_id))
        if matter is None:
            other = lists.matter(partnership, number(matter_id))
            raise CooperationError(
                f"Position stated for a matter not discussed: {other.label}" if other else
                "Choose the strategic matter the position is about",
                field=f"{where}-matter_id")
        stance = stance or None
        if stance is not None and stance not in STATED_STANCES:
            raise CooperationError("Choose a stance from the list, or none",
                                   field=f"{where}-stance")
        statement = within_limit(clean(statement), "statement",
                                 "Statement must be {} characters or fewer",
                                 f"{where}-statement")
        if not statement and stance is None:
            raise CooperationError(f"Enter what {organisation.name} said on {matter.label}, "
                                   "or choose its stance", field=f"{where}-statement")
        if (organisation.id, matter.id) in seen:
            raise CooperationError(f"{organisation.name} has two positions on {matter.label}: "
                                   "keep one", field=f"{where}-matter_id")
        seen.add((organisation.id, matter.id))
        checked.append((organisation, matter, statement, stance))
    return checked


def _check_kind(kind):
    if kind not in MEETING_KINDS:
        raise CooperationError("Choose what kind of meeting it was", field="kind")


def _check_body(partnership, body_id, current):
    if body_id in (None, ""):
        return None
    body = lists.body(partnership, number(body_id))
    if body is None or (body.retired_at is not None
                        and (current is None or current.body_id != body.id)):
        raise CooperationError("Choose one of the partnership's bodies, or none",
                               field="body_id")
    return body


def _check_title(title):
    title = clean(title)
    if not title:
        raise CooperationError("Enter the meeting's title", field="title")
    return within_limit(title, "title", "Title must be {} characters or fewer", "title")


def check_record(partnership, *, held_on, kind, title, body_id=None, notes="", outcome="",
                 attendees=(), matter_ids=(), positions=(), current=None) -> Record:
    """The record checked, field by field: every problem at once (CooperationErrors, one
    per field, the first problem of each list of rows; the positions are checked once the
    attendees and matters they refer to are right). `current` is the meeting being
    corrected (it may keep a body or matter retired since, or an authority that has left
    the partnership)."""
    problems = []

    def attempt(check, *args):
        try:
            return check(*args)
        except CooperationError as exc:
            problems.append(exc)
            return None

    held_on = attempt(_check_date, held_on)
    attempt(_check_kind, kind)
    body = attempt(_check_body, partnership, body_id, current)
    title = attempt(_check_title, title)
    checked_attendees = attempt(_check_attendees, partnership, list(attendees), current)
    checked_matters = attempt(_check_matters, partnership, list(matter_ids), current)
    checked_positions = None
    if checked_attendees is not None and checked_matters is not None:
        checked_positions = attempt(_check_positions, partnership, list(positions),
                                    checked_attendees, checked_matters)
    notes = attempt(within_limit, (notes or "").strip("\n").rstrip(), "notes",
                    "Notes must be {} characters or fewer", "notes")
    outcome = attempt(within_limit, clean(outcome), "outcome",
                      "Outcome must be {} characters or fewer", "outcome")
    if problems:
        raise CooperationErrors(problems)
    return Record(held_on, kind, body, title, notes, outcome, checked_attendees,
                  checked_matters, checked_positions)

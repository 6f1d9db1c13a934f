"""Meetings of a partnership: record one, correct it (never silently overwritten), read the
list, one meeting and its history.

Every recorded state of a meeting (date, kind, body, title, notes, outcome, attendees by
authority and role, matters discussed, stated positions) is kept as canonical JSON in
MeetingRevision: number 1 as first recorded, then one per correction with who, when and why.
A correction names the version it started from and is refused if the meeting moved on.
"""
from __future__ import annotations

import json
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from .. import audit
from ..clock import display, today, utcnow
from ..documents.markdown import render_markdown
from ..extensions import db
from ..numbers import whole_number
from ..partnerships import matters as lists
from ..partnerships.models import Partnership
from ..partnerships.service import known_organisation, partner_organisation_ids
from .errors import CooperationError
from .models import (
    MEETING_KINDS,
    STATED_STANCES,
    Meeting,
    MeetingAttendee,
    MeetingMatter,
    MeetingRevision,
    StatedPosition,
)

EARLIEST = date(1990, 1, 1)
LIMITS = {"title": 200, "role": 200, "person": 200, "outcome": 2000, "notes": 100_000,
          "statement": 10_000, "reason": 2000}


def _text(value):
    return (value or "").strip()


def _length(value, limit_name, message, field_name):
    if len(value) > LIMITS[limit_name]:
        raise CooperationError(message.format(LIMITS[limit_name]), field=field_name)
    return value


def _int(value):
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
        organisation = known_organisation(partnership, _int(organisation_id))
        if organisation is None:
            raise CooperationError("Choose the attendee's authority",
                                   field=f"{where}-organisation_id")
        if organisation.id not in partners:
            raise CooperationError(f"{organisation.name} is not a partner in this partnership",
                                   field=f"{where}-organisation_id")
        role, person = _text(role), _text(person)
        if not role:
            raise CooperationError(f"Enter the role of the attendee from {organisation.name}",
                                   field=f"{where}-role")
        _length(role, "role", "Role must be {} characters or fewer", f"{where}-role")
        _length(person, "person", "Name must be {} characters or fewer", f"{where}-person")
        checked.append((organisation, role, person))
    if not checked:
        raise CooperationError("Add at least one attendee: an authority and a role",
                               field="attendees-0-organisation_id")
    return checked


def _check_matters(partnership, matter_ids, current):
    allowed_retired = {m.matter_id for m in current.matters} if current else set()
    checked = []
    for matter_id in matter_ids:
        found = lists.matter(partnership, _int(matter_id))
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
        organisation = present.get(_int(organisation_id))
        if organisation is None:
            other = known_organisation(partnership, _int(organisation_id))
            raise CooperationError(
                f"Position stated by an authority with no attendee at the meeting: "
                f"{other.name}" if other else "Choose the authority that stated the position",
                field=f"{where}-organisation_id")
        matter = discussed.get(_int(matter_id))
        if matter is None:
            other = lists.matter(partnership, _int(matter_id))
            raise CooperationError(
                f"Position stated for a matter not discussed: {other.label}" if other else
                "Choose the strategic matter the position is about",
                field=f"{where}-matter_id")
        stance = stance or None
        if stance is not None and stance not in STATED_STANCES:
            raise CooperationError("Choose a stance from the list, or none",
                                   field=f"{where}-stance")
        statement = _length(_text(statement), "statement",
                            "Statement must be {} characters or fewer", f"{where}-statement")
        if not statement and stance is None:
            raise CooperationError(f"Enter what {organisation.name} said on {matter.label}, "
                                   "or choose its stance", field=f"{where}-statement")
        if (organisation.id, matter.id) in seen:
            raise CooperationError(f"{organisation.name} has two positions on {matter.label}: "
                                   "keep one", field=f"{where}-matter_id")
        seen.add((organisation.id, matter.id))
        checked.append((organisation, matter, statement, stance))
    return checked


def check_record(partnership, *, held_on, kind, title, body_id=None, notes="", outcome="",
                 attendees=(), matter_ids=(), positions=(), current=None) -> Record:
    """The record checked, field by field (a CooperationError names the first problem);
    `current` is the meeting being corrected (it may keep a body or matter retired since, or
    an authority that has left the partnership)."""
    held_on = _check_date(held_on)
    if kind not in MEETING_KINDS:
        raise CooperationError("Choose what kind of meeting it was", field="kind")
    body = None
    if body_id not in (None, ""):
        body = lists.body(partnership, _int(body_id))
        if body is None or (body.retired_at is not None
                            and (current is None or current.body_id != body.id)):
            raise CooperationError("Choose one of the partnership's bodies, or none",
                                   field="body_id")
    title = _text(title)
    if not title:
        raise CooperationError("Enter the meeting's title", field="title")
    _length(title, "title", "Title must be {} characters or fewer", "title")
    checked_attendees = _check_attendees(partnership, list(attendees), current)
    checked_matters = _check_matters(partnership, list(matter_ids), current)
    checked_positions = _check_positions(partnership, list(positions), checked_attendees,
                                         checked_matters)
    notes = _length((notes or "").strip("\n").rstrip(), "notes",
                    "Notes must be {} characters or fewer", "notes")
    outcome = _length(_text(outcome), "outcome", "Outcome must be {} characters or fewer",
                      "outcome")
    return Record(held_on, kind, body, title, notes, outcome, checked_attendees,
                  checked_matters, checked_positions)


def _authority(organisation):
    return {"code": organisation.code, "name": organisation.name}


def _matter(matter):
    return {"reference": matter.reference, "title": matter.title}


def snapshot(record: Record) -> str:
    """The record as canonical JSON (sorted keys, no spaces, UTF-8 text)."""
    content = {
        "date": record.held_on.isoformat(), "kind": record.kind,
        "body": ({"name": record.body.name, "short_name": record.body.short_name}
                 if record.body is not None else None),
        "title": record.title, "notes": record.notes, "outcome": record.outcome,
        "attendees": [{"authority": _authority(o), "role": role, "person": person}
                      for o, role, person in record.attendees],
        "matters": [_matter(m) for m in record.matters],
        "positions": [{"authority": _authority(o), "matter": _matter(m),
                       "statement": statement, "stance": stance}
                      for o, m, statement, stance in record.positions],
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def current_record(meeting: Meeting) -> Record:
    """The meeting as recorded now, in the shape check_record gives."""
    return Record(meeting.held_on, meeting.kind, meeting.body, meeting.title, meeting.notes,
                  meeting.outcome,
                  [(a.organisation, a.role, a.person) for a in meeting.attendees],
                  [m.matter for m in meeting.matters],
                  [(p.organisation, p.matter, p.statement, p.stance)
                   for p in meeting.stated_positions])


def _write(meeting, record):
    meeting.held_on, meeting.kind, meeting.title = record.held_on, record.kind, record.title
    meeting.body_id = record.body.id if record.body is not None else None
    meeting.notes, meeting.notes_html = record.notes, render_markdown(record.notes)
    meeting.outcome = record.outcome
    meeting.attendees = [MeetingAttendee(organisation_id=o.id, role=role, person=person)
                         for o, role, person in record.attendees]
    meeting.matters = [MeetingMatter(matter_id=m.id) for m in record.matters]
    meeting.stated_positions = [
        StatedPosition(organisation_id=o.id, matter_id=m.id, statement=statement, stance=stance)
        for o, m, statement, stance in record.positions]


def _revision(meeting, record, user, reason=""):
    db.session.add(MeetingRevision(meeting_id=meeting.id, number=meeting.version,
                                   content=snapshot(record), reason=reason, user_id=user.id,
                                   organisation_id=user.organisation_id, created_at=utcnow()))


def record_meeting(partnership: Partnership, user, *, held_on, kind, title, body_id=None,
                   notes="", outcome="", attendees=(), matter_ids=(), positions=()) -> Meeting:
    """Record a meeting: attendees [(organisation_id, role, person)], matters discussed (ids)
    and stated positions [(organisation_id, matter_id, statement, stance or None)]."""
    record = check_record(partnership, held_on=held_on, kind=kind, title=title,
                          body_id=body_id, notes=notes, outcome=outcome, attendees=attendees,
                          matter_ids=matter_ids, positions=positions)
    meeting = Meeting(partnership_id=partnership.id, recorded_by_id=user.id, version=1,
                      created_at=utcnow(), updated_at=utcnow())
    _write(meeting, record)
    db.session.add(meeting)
    db.session.flush()
    _revision(meeting, record, user)
    audit.record("meeting.recorded", meeting, actor=user, partnership=partnership,
                 title=record.title, held_on=record.held_on.isoformat())
    return meeting


def _lock(meeting):
    """Re-read the meeting under a row lock (PostgreSQL; SQLite write requests are
    serialised), so two corrections cannot both start from the same version."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    db.session.refresh(meeting)
    return meeting


def correct_meeting(meeting: Meeting, user, *, expected_version, reason, held_on, kind,
                    title, body_id=None, notes="", outcome="", attendees=(), matter_ids=(),
                    positions=()) -> Meeting:
    """Correct a recorded meeting: replace its record, keeping the earlier one in its
    history with who, when and why. Refused (409) when it was corrected since
    `expected_version`; nothing is written when nothing changed (the version stays)."""
    _lock(meeting)
    if _int(expected_version) != meeting.version:
        last = db.session.scalar(select(MeetingRevision).where(
            MeetingRevision.meeting_id == meeting.id).order_by(MeetingRevision.number.desc()))
        who = (f" by {last.user.name} ({last.organisation.name}) on "
               f"{display(last.created_at)}") if last is not None else ""
        raise CooperationError(
            f"This meeting was corrected{who} while you were editing it. Nothing was "
            "changed: read the record as it is now and make your correction again.",
            status=409)
    partnership = db.session.get(Partnership, meeting.partnership_id)
    record = check_record(partnership, held_on=held_on, kind=kind, title=title,
                          body_id=body_id, notes=notes, outcome=outcome, attendees=attendees,
                          matter_ids=matter_ids, positions=positions, current=meeting)
    before = snapshot(current_record(meeting))
    if snapshot(record) == before:
        return meeting
    reason = _length(_text(reason), "reason", "Reason must be {} characters or fewer",
                     "reason")
    if not reason:
        raise CooperationError("Say why the record is being corrected", field="reason")
    meeting.attendees, meeting.matters, meeting.stated_positions = [], [], []
    db.session.flush()                    # old children go before the new ones arrive
    _write(meeting, record)
    meeting.version += 1
    meeting.updated_at = utcnow()
    db.session.flush()
    _revision(meeting, record, user, reason)
    changed = [c.label for c in changes(json.loads(before), json.loads(snapshot(record)))]
    audit.record("meeting.corrected", meeting, actor=user, partnership=partnership,
                 version=meeting.version, reason=reason, changed=changed)
    return meeting


def meetings(partnership: Partnership, matter_id=None) -> list[Meeting]:
    """The partnership's meetings, newest first; only those that discussed a matter when
    `matter_id` is given."""
    query = select(Meeting).where(Meeting.partnership_id == partnership.id)
    if matter_id is not None:
        query = query.where(Meeting.id.in_(select(MeetingMatter.meeting_id).where(
            MeetingMatter.matter_id == _int(matter_id))))
    return list(db.session.scalars(query.order_by(Meeting.held_on.desc(), Meeting.id.desc())))


def meeting_for(partnership: Partnership, meeting_id) -> Meeting | None:
    """One of the partnership's meetings (None for another partnership's)."""
    found = db.session.get(Meeting, _int(meeting_id)) if _int(meeting_id) is not None else None
    return found if found is not None and found.partnership_id == partnership.id else None


# History ------------------------------------------------------------------------------------

#: One part that differs between two records: what it was and what it became (for a list,
#: the items taken out and the items put in).
Change = namedtuple("Change", "label before after")
#: One recorded state of a meeting, for the history page.
Revision = namedtuple("Revision", "number who authority at reason content changes")


def _attendee_line(a):
    person = f" ({a['person']})" if a["person"] else ""
    return f"{a['authority']['name']}: {a['role']}{person}"


def _position_line(p):
    stance = STATED_STANCES.get(p["stance"] or "", "")
    said = f": {p['statement']}" if p["statement"] else ""
    return (f"{p['authority']['name']} on {p['matter']['reference']} "
            f"{p['matter']['title']}{' (' + stance + ')' if stance else ''}{said}")


#: (label, how one record shows it: a list of lines) for each part of a record.
PARTS = (
    ("Date", lambda c: [display(date.fromisoformat(c["date"]), "%-d %B %Y")]),
    ("Kind of meeting", lambda c: [MEETING_KINDS.get(c["kind"], c["kind"])]),
    ("Body", lambda c: [c["body"]["name"]] if c["body"] else []),
    ("Title", lambda c: [c["title"]]),
    ("Attendees", lambda c: [_attendee_line(a) for a in c["attendees"]]),
    ("Strategic matters discussed",
     lambda c: [f"{m['reference']} {m['title']}" for m in c["matters"]]),
    ("Stated positions", lambda c: [_position_line(p) for p in c["positions"]]),
    ("Notes", lambda c: [c["notes"]] if c["notes"] else []),
    ("Outcome", lambda c: [c["outcome"]] if c["outcome"] else []),
)
LISTS = {"Attendees", "Strategic matters discussed", "Stated positions"}


def changes(before: dict, after: dict) -> list[Change]:
    """What differs between two records, part by part."""
    found = []
    for label, lines in PARTS:
        old, new = lines(before), lines(after)
        if old == new:
            continue
        if label in LISTS:
            old, new = [x for x in old if x not in new], [x for x in new if x not in old]
            if not old and not new:       # the same items in another order
                old, new = lines(before), lines(after)
        found.append(Change(label, old, new))
    return found


def history(meeting: Meeting) -> list[Revision]:
    """Every recorded state of the meeting, newest first, each with who, when, why and what
    it changed from the one before (nothing for the first record)."""
    rows = list(db.session.scalars(select(MeetingRevision).where(
        MeetingRevision.meeting_id == meeting.id).order_by(MeetingRevision.number)))
    revisions, previous = [], None
    for row in rows:
        content = json.loads(row.content)
        revisions.append(Revision(row.number, row.user.name, row.organisation.name,
                                  row.created_at, row.reason, content,
                                  changes(previous, content) if previous else []))
        previous = content
    return revisions[::-1]

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
from datetime import date

from sqlalchemy import select

from .. import audit
from ..clock import display, utcnow
from ..documents.markdown import render_markdown
from ..extensions import db
from ..partnerships.models import Partnership
from .errors import CooperationError, CooperationErrors
from .meeting_checks import Record, check_record, clean, number, within_limit
from .models import (
    MEETING_KINDS,
    STATED_STANCES,
    Meeting,
    MeetingAttendee,
    MeetingMatter,
    MeetingRevision,
    StatedPosition,
)


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


def _check_reason(reason):
    reason = within_limit(clean(reason), "reason", "Reason must be {} characters or fewer",
                          "reason")
    if not reason:
        raise CooperationError("Say why the record is being corrected", field="reason")
    return reason


def correct_meeting(meeting: Meeting, user, *, expected_version, reason, held_on, kind,
                    title, body_id=None, notes="", outcome="", attendees=(), matter_ids=(),
                    positions=()) -> Meeting:
    """Correct a recorded meeting: replace its record, keeping the earlier one in its
    history with who, when and why. Refused (409) when it was corrected since
    `expected_version`; nothing is written when nothing changed (the version stays)."""
    _lock(meeting)
    if number(expected_version) != meeting.version:
        last = db.session.scalar(select(MeetingRevision).where(
            MeetingRevision.meeting_id == meeting.id).order_by(MeetingRevision.number.desc()))
        who = (f" by {last.user.name} ({last.organisation.name}) on "
               f"{display(last.created_at)}") if last is not None else ""
        raise CooperationError(
            f"This meeting was corrected{who} while you were editing it. Nothing was "
            "changed: read the record as it is now and make your correction again.",
            status=409)
    partnership = db.session.get(Partnership, meeting.partnership_id)
    try:
        record = check_record(partnership, held_on=held_on, kind=kind, title=title,
                              body_id=body_id, notes=notes, outcome=outcome,
                              attendees=attendees, matter_ids=matter_ids, positions=positions,
                              current=meeting)
    except CooperationError as exc:
        # A correction that changes something must say why: said with the other problems.
        try:
            _check_reason(reason)
        except CooperationError as missing:
            raise CooperationErrors([*exc.problems, missing]) from None
        raise
    before = snapshot(current_record(meeting))
    if snapshot(record) == before:
        return meeting
    reason = _check_reason(reason)
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
            MeetingMatter.matter_id == number(matter_id))))
    return list(db.session.scalars(query.order_by(Meeting.held_on.desc(), Meeting.id.desc())))


def meeting_for(partnership: Partnership, meeting_id) -> Meeting | None:
    """One of the partnership's meetings (None for another partnership's)."""
    found = db.session.get(Meeting, number(meeting_id)) if number(meeting_id) is not None else None
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

"""Meetings: recording one checks every rule and writes the record, its first revision and an
audit event; a correction replaces the record, keeps the earlier one in the history and is
refused when someone corrected the meeting meanwhile. (The pages: test_meeting_pages.py.)"""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from workspace.accounts.models import User
from workspace.audit import AuditEvent
from workspace.clock import today
from workspace.cooperation import meetings as service
from workspace.cooperation.errors import CooperationError
from workspace.cooperation.models import (
    Meeting,
    MeetingAttendee,
    MeetingMatter,
    MeetingRevision,
    StatedPosition,
)
from workspace.extensions import db
from workspace.partnerships import matters as lists
from workspace.partnerships.models import Partner, Partnership


@pytest.fixture
def setting(app, world, factory):
    return build_setting(app, world, factory)


def build_setting(app, world, factory):
    """The `world` with strategic matters (SM1 Housing, SM2 Green Belt, SM3 retired), a body
    (SPOG) and a retired one, another partnership's matter and body, Hertsmere invited to the
    partnership and St Albans having left it."""
    hertsmere = factory.organisation("hertsmere", "Hertsmere Borough Council")
    stalbans = factory.organisation("stalbans", "St Albans City and District Council")
    factory.invite(world["partnerships"]["own"], hertsmere)
    with app.app_context():
        own = db.session.get(Partnership, world["partnerships"]["own"])
        foreign = db.session.get(Partnership, world["partnerships"]["foreign"])
        db.session.add(Partner(partnership_id=own.id, organisation_id=stalbans, status="left"))
        ids = {"housing": lists.add_matter(own, "Housing need", None).id,
               "green_belt": lists.add_matter(own, "Green Belt", None).id,
               "old": lists.add_matter(own, "Old matter", None),
               "spog": lists.add_body(own, "Strategic Planning Officers Group", None,
                                      "SPOG", "officer_group").id,
               "old_body": lists.add_body(own, "Old board", None),
               "foreign_matter": lists.add_matter(foreign, "Luton matter", None).id,
               "foreign_body": lists.add_body(foreign, "Luton board", None).id}
        lists.set_matter_retired(ids["old"], True, None)
        lists.set_body_retired(ids["old_body"], True, None)
        ids["old"], ids["old_body"] = ids["old"].id, ids["old_body"].id
        db.session.commit()
    return {**world["orgs"], **ids, "hertsmere": hertsmere, "stalbans": stalbans,
            "own": world["partnerships"]["own"], "foreign": world["partnerships"]["foreign"],
            "users": world["users"]}


def valid(s, **changes):
    """Keyword arguments of a good record: Watford and Dacorum present, Housing discussed,
    Watford's position stated."""
    values = {"held_on": date(2018, 1, 23), "kind": "workshop", "body_id": s["spog"],
              "title": "Joint planning workshop", "notes": "Agreed to **work together**.",
              "outcome": "A JSP to be prepared",
              "attendees": [(s["watford"], "Head of Planning", "A Person"),
                            (s["dacorum"], "Lead councillor", "")],
              "matter_ids": [s["housing"]],
              "positions": [(s["watford"], s["housing"], "Accepted the logic of a JSP",
                             "reservations")]}
    values.update(changes)
    return values


def own(s):
    return db.session.get(Partnership, s["own"])


def officer(s, who="officer"):
    return db.session.get(User, s["users"][who])


def meeting_events():
    return db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("meeting.%")).order_by(AuditEvent.id)).all()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_recording_writes_the_meeting_its_record_a_first_revision_and_an_audit_event(
        ctx, setting):
    s = setting
    meeting = service.record_meeting(own(s), officer(s), **valid(s))
    db.session.commit()
    assert (meeting.version, meeting.title, meeting.kind, meeting.body_id) == \
        (1, "Joint planning workshop", "workshop", s["spog"])
    assert [(a.organisation_id, a.role, a.person) for a in meeting.attendees] == [
        (s["watford"], "Head of Planning", "A Person"), (s["dacorum"], "Lead councillor", "")]
    assert [m.matter_id for m in meeting.matters] == [s["housing"]]
    assert [(p.organisation_id, p.stance, p.statement) for p in meeting.stated_positions] == [
        (s["watford"], "reservations", "Accepted the logic of a JSP")]
    revision = db.session.scalar(select(MeetingRevision))
    assert (revision.number, revision.user_id, revision.organisation_id) == \
        (1, s["users"]["officer"], s["watford"])
    content = json.loads(revision.content)
    assert revision.content == json.dumps(content, sort_keys=True, separators=(",", ":"),
                                          ensure_ascii=False)       # canonical
    assert content["date"] == "2018-01-23" and content["body"]["short_name"] == "SPOG"
    assert content["attendees"][0] == {"authority": {"code": "watford",
                                                     "name": "Watford Borough Council"},
                                       "role": "Head of Planning", "person": "A Person"}
    assert content["matters"] == [{"reference": "SM1", "title": "Housing need"}]
    assert content["positions"][0]["matter"]["reference"] == "SM1"
    assert content["positions"][0]["stance"] == "reservations"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.recorded"))
    assert (event.object_id, event.partnership_id) == (meeting.id, s["own"])


def test_notes_are_rendered_as_sanitised_markdown(ctx, setting):
    s = setting
    meeting = service.record_meeting(own(s), officer(s), **valid(
        s, notes="<script>alert(1)</script> **bold** [x](javascript:alert(1))"))
    assert "<strong>bold</strong>" in meeting.notes_html
    assert "<script" not in meeting.notes_html and "href" not in meeting.notes_html


BAD = {
    "no date": (lambda s: {"held_on": None}, "held_on", "Enter the meeting date"),
    "absurd date": (lambda s: {"held_on": date(1899, 1, 1)}, "held_on", "1990 or later"),
    "future date": (lambda s: {"held_on": today() + timedelta(days=1)}, "held_on",
                    "today or in the past"),
    "unknown kind": (lambda s: {"kind": "party"}, "kind", "what kind of meeting"),
    "another partnership's body": (lambda s: {"body_id": s["foreign_body"]}, "body_id",
                                   "partnership's bodies"),
    "retired body": (lambda s: {"body_id": s["old_body"]}, "body_id", "partnership's bodies"),
    "no title": (lambda s: {"title": "  "}, "title", "Enter the meeting's title"),
    "long title": (lambda s: {"title": "x" * 201}, "title", "200 characters"),
    "no attendee": (lambda s: {"attendees": [], "positions": []}, "attendees-0-organisation_id",
                    "at least one attendee"),
    "attendee from outside": (lambda s: {"attendees": [(s["luton"], "Officer", "")],
                                         "positions": []},
                              "attendees-0-organisation_id",
                              # Luton was never in this partnership: not named here.
                              "Choose the attendee's authority"),
    "attendee only invited": (lambda s: {"attendees": [(s["watford"], "Officer", ""),
                                                       (s["hertsmere"], "Officer", "")]},
                              "attendees-1-organisation_id",
                              "Hertsmere Borough Council is not a partner in this partnership"),
    "attendee whose authority left": (
        lambda s: {"attendees": [(s["stalbans"], "Officer", "")], "positions": []},
        "attendees-0-organisation_id", "St Albans City and District Council is not a partner"),
    "attendee without a role": (lambda s: {"attendees": [(s["watford"], " ", "A Person")]},
                                "attendees-0-role", "Enter the role"),
    "another partnership's matter": (lambda s: {"matter_ids": [s["housing"],
                                                               s["foreign_matter"]]},
                                     "matter_ids", "partnership's list"),
    "retired matter": (lambda s: {"matter_ids": [s["old"]], "positions": []}, "matter_ids",
                       "partnership's list"),
    "position by an authority not present": (
        lambda s: {"attendees": [(s["watford"], "Officer", "")],
                   "positions": [(s["dacorum"], s["housing"], "Agreed", None)]},
        "positions-0-organisation_id", "no attendee at the meeting: Dacorum Borough Council"),
    "position on a matter not discussed": (
        lambda s: {"positions": [(s["watford"], s["green_belt"], "Agreed", None)]},
        "positions-0-matter_id", "Position stated for a matter not discussed: SM2 Green Belt"),
    "unknown stance": (lambda s: {"positions": [(s["watford"], s["housing"], "Yes", "maybe")]},
                       "positions-0-stance", "stance"),
    "two positions of one authority on one matter": (
        lambda s: {"positions": [(s["watford"], s["housing"], "Yes", None),
                                 (s["watford"], s["housing"], "No", None)]},
        "positions-1-matter_id", "Watford Borough Council has two positions on SM1"),
    "a position with nothing said": (
        lambda s: {"positions": [(s["watford"], s["housing"], " ", None)]},
        "positions-0-statement", "Enter what Watford Borough Council said on SM1"),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_a_bad_record_is_refused_naming_the_field_and_nothing_is_written(ctx, setting, case):
    changes, field, message = case
    with pytest.raises(CooperationError) as refused:
        service.record_meeting(own(setting), officer(setting), **valid(setting,
                                                                       **changes(setting)))
    assert (refused.value.field, refused.value.status) == (field, 422)
    assert message in refused.value.message
    db.session.flush()
    assert [count(m) for m in (Meeting, MeetingAttendee, MeetingMatter, StatedPosition,
                               MeetingRevision)] == [0, 0, 0, 0, 0]
    assert meeting_events() == []


def test_every_problem_of_a_record_is_named_at_once(ctx, setting):
    """One refusal per field (the first of each list of rows), so the form shows them all."""
    s = setting
    with pytest.raises(CooperationError) as refused:
        service.record_meeting(own(s), officer(s), **valid(
            s, held_on=None, kind="party", title=" ", matter_ids=[s["foreign_matter"]],
            attendees=[(s["watford"], " ", ""), (s["dacorum"], " ", "")], positions=[]))
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("held_on", "Enter the meeting date"),
        ("kind", "Choose what kind of meeting it was"),
        ("title", "Enter the meeting's title"),
        ("attendees-0-role", "Enter the role of the attendee from Watford Borough Council"),
        ("matter_ids", "Choose strategic matters from the partnership's list")]
    assert (refused.value.field, refused.value.message) == ("held_on", "Enter the meeting date")
    assert count(Meeting) == 0


def test_a_stance_alone_is_a_position(ctx, setting):
    s = setting
    meeting = service.record_meeting(own(s), officer(s), **valid(
        s, positions=[(s["dacorum"], s["housing"], "", "no_position")]))
    assert [(p.stance, p.statement) for p in meeting.stated_positions] == [("no_position", "")]


def _recorded(s):
    meeting = service.record_meeting(own(s), officer(s), **valid(s))
    db.session.commit()
    return meeting


def test_a_correction_replaces_the_record_and_keeps_the_earlier_one(ctx, setting):
    s = setting
    meeting = _recorded(s)
    service.correct_meeting(
        meeting, officer(s, "dacorum_officer"), expected_version=1,
        reason="Dacorum's attendee was a Member", **valid(
            s, title="Joint planning workshop (corrected)", matter_ids=[s["housing"],
                                                                        s["green_belt"]],
            attendees=[(s["watford"], "Head of Planning", "A Person"),
                       (s["dacorum"], "Portfolio holder", "")],
            positions=[(s["dacorum"], s["green_belt"], "Wants a review", "not_agreed")]))
    db.session.commit()
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.version == 2 and meeting.title == "Joint planning workshop (corrected)"
    assert [a.role for a in meeting.attendees] == ["Head of Planning", "Portfolio holder"]
    assert count(MeetingAttendee) == 2 and count(MeetingMatter) == 2
    assert count(StatedPosition) == 1
    revisions = db.session.scalars(select(MeetingRevision).order_by(MeetingRevision.number)).all()
    assert [(r.number, r.reason, r.organisation_id) for r in revisions] == [
        (1, "", s["watford"]), (2, "Dacorum's attendee was a Member", s["dacorum"])]
    assert json.loads(revisions[0].content)["title"] == "Joint planning workshop"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.corrected"))
    assert "Title" in event.details["changed"] and event.details["version"] == 2

    newest, first = service.history(meeting)
    assert (newest.number, newest.who, newest.authority, newest.reason) == (
        2, "Dacorum Officer", "Dacorum Borough Council", "Dacorum's attendee was a Member")
    assert first.changes == [] and first.content["title"] == "Joint planning workshop"
    changed = {c.label: (c.before, c.after) for c in newest.changes}
    assert changed["Title"] == (["Joint planning workshop"],
                                ["Joint planning workshop (corrected)"])
    assert changed["Attendees"] == (["Dacorum Borough Council: Lead councillor"],
                                    ["Dacorum Borough Council: Portfolio holder"])
    assert changed["Strategic matters discussed"] == ([], ["SM2 Green Belt"])
    assert "Date" not in changed and "Notes" not in changed


def test_a_stale_correction_is_refused_and_changes_nothing(ctx, setting):
    s = setting
    meeting = _recorded(s)
    service.correct_meeting(meeting, officer(s, "dacorum_officer"), expected_version=1,
                            reason="Title", **valid(s, title="Second title"))
    db.session.commit()
    with pytest.raises(CooperationError) as refused:
        service.correct_meeting(meeting, officer(s), expected_version=1, reason="Mine",
                                **valid(s, title="Third title"))
    assert refused.value.status == 409
    assert "corrected by Dacorum Officer (Dacorum Borough Council) on" in refused.value.message
    assert "Nothing was changed" in refused.value.message
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).title == "Second title"
    assert count(MeetingRevision) == 2


def test_a_correction_needs_a_reason(ctx, setting):
    s = setting
    meeting = _recorded(s)
    with pytest.raises(CooperationError) as refused:
        service.correct_meeting(meeting, officer(s), expected_version=1, reason="  ",
                                **valid(s, title="New title"))
    assert refused.value.field == "reason"


def test_a_correction_that_changes_nothing_writes_nothing(ctx, setting):
    s = setting
    meeting = _recorded(s)
    service.correct_meeting(meeting, officer(s), expected_version=1, reason="", **valid(s))
    db.session.flush()
    assert meeting.version == 1 and count(MeetingRevision) == 1
    assert meeting_events() == ["meeting.recorded"]


def test_a_correction_may_keep_a_matter_or_body_retired_since(ctx, setting):
    s = setting
    meeting = _recorded(s)
    lists.set_matter_retired(lists.matter(own(s), s["housing"]), True, None)
    lists.set_body_retired(lists.body(own(s), s["spog"]), True, None)
    service.correct_meeting(meeting, officer(s), expected_version=1, reason="Outcome",
                            **valid(s, outcome="Changed"))
    assert meeting.version == 2 and meeting.body_id == s["spog"]
    with pytest.raises(CooperationError) as refused:
        service.record_meeting(own(s), officer(s), **valid(s, body_id=None))
    assert refused.value.field == "matter_ids"


def test_a_correction_may_keep_an_authority_that_has_left_but_not_add_one(ctx, setting):
    s = setting
    meeting = _recorded(s)
    db.session.scalar(select(Partner).where(Partner.partnership_id == s["own"],
                                            Partner.organisation_id == s["dacorum"])
                      ).status = "left"
    service.correct_meeting(meeting, officer(s), expected_version=1, reason="Outcome",
                            **valid(s, outcome="Changed"))
    assert meeting.version == 2 and s["dacorum"] in [a.organisation_id
                                                     for a in meeting.attendees]
    with pytest.raises(CooperationError) as refused:
        service.record_meeting(own(s), officer(s), **valid(s))
    assert refused.value.message == "Dacorum Borough Council is not a partner in this partnership"


def test_meetings_are_listed_newest_first_filtered_by_matter_and_kept_to_their_partnership(
        ctx, setting):
    s = setting
    older = service.record_meeting(own(s), officer(s), **valid(s, held_on=date(2018, 1, 1)))
    newer = service.record_meeting(own(s), officer(s), **valid(
        s, held_on=date(2019, 1, 1), matter_ids=[s["green_belt"]], positions=[]))
    assert service.meetings(own(s)) == [newer, older]
    assert service.meetings(own(s), matter_id=s["housing"]) == [older]
    assert service.meeting_for(own(s), older.id) is older
    foreign = db.session.get(Partnership, s["foreign"])
    assert service.meeting_for(foreign, older.id) is None
    assert service.meetings(foreign) == []

"""The record the evidence pack tests read: matters, meetings with stated positions, actions,
and an SCG with two agreed versions (tests/export/test_evidence_pack.py)."""
import csv
import io
import zipfile
from datetime import date, timedelta

from sqlalchemy import delete

from tests.support import agree
from workspace import clock
from workspace.accounts.models import User
from workspace.cooperation.models import (
    Action,
    ActionDocument,
    ActionMatter,
    ActionSupporter,
    Meeting,
    MeetingAttendee,
    MeetingMatter,
    StatedPosition,
)
from workspace.documents import service
from workspace.documents.editing import save_section
from workspace.extensions import db
from workspace.jobs.models import Job
from workspace.partnerships.matters import add_body, add_matter
from workspace.partnerships.models import Partnership
from workspace.review import lifecycle
from workspace.review.models import Signatory
from workspace.review.positions import record_position

PASSWORD = "correct-horse-1"
WATFORD = ("watford", "Watford Borough Council")
DACORUM = ("dacorum", "Dacorum Borough Council")
HOUSING_V2 = "The housing need is 3,200 homes a year.\n"
RESERVATION = "Unmet need must wait for the joint Green Belt review."

#: The columns each CSV must have, in order, as the README documents them.
HEADERS = {
    "matters.csv": ["matter_reference", "matter_title", "matter_description", "retired",
                    "section_titles", "meeting_count", "stated_position_count",
                    "recorded_position_count", "action_count"],
    "meetings.csv": ["meeting_id", "held_on", "title", "kind", "kind_label", "body_name",
                     "body_short_name", "matter_references", "attendee_codes", "outcome",
                     "notes", "record_version"],
    "attendees.csv": ["meeting_id", "held_on", "organisation_code", "organisation_name",
                      "role", "person"],
    "stated_positions.csv": ["meeting_id", "held_on", "matter_reference",
                             "organisation_code", "organisation_name", "stance",
                             "stance_label", "statement"],
    "recorded_positions.csv": ["position_id", "matter_reference", "document_id",
                               "document_title", "section_id", "section_title",
                               "organisation_code", "organisation_name", "stance",
                               "stance_label", "reason", "route", "route_label", "route_body",
                               "meeting_date", "minute_ref", "revision_number", "text_sha256",
                               "given_by", "created_at", "current_at_versions", "current_now"],
    "actions.csv": ["action_id", "matter_references", "meeting_id", "meeting_held_on",
                    "number", "what", "lead_code", "lead_name", "supporter_codes",
                    "supporter_names", "due_on", "status", "status_label", "outcome",
                    "closed_at", "overdue"],
    "versions.csv": ["document_id", "document_title", "version_number", "frozen_at",
                     "content_sha256", "agreed_with_exceptions", "published", "published_at"],
    "signatures.csv": ["document_id", "document_title", "version_number", "organisation_code",
                       "organisation_name", "signed_name", "signed_position", "signed_at",
                       "content_sha256", "voided_at"],
}


def _meeting(partnership, admin, held_on, kind, title, matters, attendees, stated,
             body=None, outcome=""):
    meeting = Meeting(partnership_id=partnership.id, held_on=held_on, kind=kind, title=title,
                      recorded_by_id=admin.id, outcome=outcome, body_id=body.id if body else None,
                      notes="Notes of the meeting.")
    meeting.matters = [MeetingMatter(matter_id=m.id) for m in matters]
    meeting.attendees = [MeetingAttendee(organisation_id=org, role=role) for org, role in attendees]
    meeting.stated_positions = [StatedPosition(organisation_id=org, matter_id=m.id,
                                               statement=words, stance=stance)
                                for org, m, words, stance in stated]
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _action(partnership, admin, what, lead, matters=(), supporters=(), meeting=None,
            number=None, due_on=None, status="open", outcome="", documents=()):
    action = Action(partnership_id=partnership.id, what=what, lead_organisation_id=lead,
                    meeting_id=meeting.id if meeting else None, number=number, due_on=due_on,
                    status=status, outcome=outcome, created_by_id=admin.id,
                    closed_at=clock.utcnow() if status != "open" else None)
    action.matters = [ActionMatter(matter_id=m.id) for m in matters]
    action.supporters = [ActionSupporter(organisation_id=o) for o in supporters]
    action.documents = [ActionDocument(document_id=d.id) for d in documents]
    db.session.add(action)
    db.session.flush()
    return action


def build_record(app, world, factory):
    """A partnership's record: three matters (SM3 not in the document), three meetings with
    stated positions, four actions, and an SCG with two agreed versions: version 1 signed by
    both authorities and published; version 2 with a changed housing text, signed by Watford.
    """
    orgs, users = world["orgs"], dict(world["users"])
    users["dacorum_member"] = factory.user(orgs["dacorum"], "member", name="Cllr Dacorum",
                                           email="member@dacorum.example")
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        admin = db.session.get(User, users["admin"])
        members = {"watford": db.session.get(User, users["member"]),
                   "dacorum": db.session.get(User, users["dacorum_member"])}
        members["watford"].name = "Cllr Watford"
        housing_m = add_matter(partnership, "Housing need", admin)
        belt_m = add_matter(partnership, "Green Belt", admin, description="The review.")
        transport_m = add_matter(partnership, "Transport", admin)
        spog = add_body(partnership, "Strategic Planning Officer Group", admin,
                        short_name="SPOG", kind="officer_group")

        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        other = service.create_document(partnership, "Engagement plan", "engagement_plan")
        service.append_section(document, "Strategic context", "The area.\n")
        housing = service.append_section(document, "Housing need", "3,000 homes a year.\n")
        belt = service.append_section(document, "Green Belt", "A joint review.\n")
        housing.strategic_matter = belt.strategic_matter = True
        housing.matter, belt.matter = housing_m, belt_m
        for code in ("watford", "dacorum"):
            db.session.add(Signatory(document_id=document.id, organisation_id=orgs[code]))
        db.session.flush()

        workshop = _meeting(
            partnership, admin, date(2018, 1, 23), "workshop", "JSP workshop",
            [housing_m, belt_m],
            [(orgs["watford"], "Head of Planning"), (orgs["dacorum"], "Planning Manager")],
            [(orgs["watford"], housing_m, "WBC accepted the logic of a JSP.", "agreed"),
             (orgs["dacorum"], housing_m, "DBC agreed.", None),
             (orgs["dacorum"], belt_m, "DBC wants the review first.", "reservations")],
            outcome="Agreed to prepare a JSP.")
        steering = _meeting(
            partnership, admin, date(2018, 3, 15), "steering_group", "SPOG 1", [housing_m],
            [(orgs["watford"], "Head of Planning")],
            [(orgs["watford"], housing_m, "Not before the numbers are known.", "not_agreed")],
            body=spog, outcome="MoU signed.")
        _meeting(partnership, admin, date(2018, 4, 2), "bilateral", "Transport talk",
                 [transport_m], [(orgs["dacorum"], "Transport lead")], [])
        _action(partnership, admin, "Set up a meeting with Government", orgs["watford"],
                [housing_m], [orgs["dacorum"]], workshop, 1, date(2018, 3, 31), "done",
                "Met the ministry on 12 March.")
        _action(partnership, admin, "Agree the review method", orgs["dacorum"], [belt_m],
                due_on=clock.today() - timedelta(days=3))
        _action(partnership, admin, "Proof-read the SCG", orgs["watford"],
                documents=[document])
        _action(partnership, admin, "Model the junctions", orgs["dacorum"], [transport_m])

        lifecycle.send_out(document, admin, reason="A short statement for the tests.")
        decided = {"route": "cabinet", "route_body": "Cabinet",
                   "meeting_date": date(2026, 6, 16), "minute_ref": "CA/12/26"}
        record_position(housing, members["watford"], "agreed", **decided)
        record_position(housing, members["dacorum"], "reservations", RESERVATION,
                        route="committee", minute_ref="PLP 26/41")
        record_position(belt, members["watford"], "agreed")
        record_position(belt, members["dacorum"], "agreed", route="delegation")
        agree(document, admin)
        for code in ("dacorum", "watford"):
            lifecycle.sign(document, members[code], PASSWORD, f"Cllr {code.title()}",
                           "Portfolio Holder for Planning")
        lifecycle.publish(document, admin)
        lifecycle.start_next_version(document, admin)
        save_section(housing, HOUSING_V2, housing.version, admin, confirm_stale=True)
        lifecycle.send_out(document, admin, reason="Version 2 for the tests.")
        record_position(housing, members["watford"], "agreed", **decided)
        record_position(housing, members["dacorum"], "agreed")
        agree(document, admin)
        lifecycle.sign(document, members["watford"], PASSWORD, "Cllr Watford",
                       "Portfolio Holder for Planning")
        # Publishing asked for the version's PDFs: not this module's business (and slow).
        db.session.execute(delete(Job))
        db.session.commit()
        return {"document": document.id, "other": other.id, "users": users,
                "base": f"/p/own/d/{document.id}", "sections": {"housing": housing.id,
                                                                "belt": belt.id},
                "meetings": {"workshop": workshop.id, "steering": steering.id}}


def tables(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == sorted(["README.txt", "evidence.json", *HEADERS])
    tables = {}
    for name, header in HEADERS.items():
        reader = csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"), newline=""))
        assert reader.fieldnames == header, name
        tables[name] = list(reader)
    readme = archive.read("README.txt").decode("utf-8")
    for name, header in HEADERS.items():
        assert name in readme and all(f"  {column}: " in readme for column in header)
    return archive, tables

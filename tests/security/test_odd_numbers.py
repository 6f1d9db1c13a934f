"""Numbers that are not what they seem, in every form field and query parameter that takes one:
"²" (str.isdigit() says yes, int() says no), Arabic-Indic digits, a number no database
integer holds, a negative one. Each is refused with a message or ignored, never a 500, and
nothing is written (found by a hostile tester: a dozen forms answered 500)."""
import pytest
from sqlalchemy import func, select

from workspace.accounts.models import User
from workspace.cooperation.models import Action, Meeting
from workspace.documents.models import Document, Section
from workspace.engagement.models import Stakeholder
from workspace.extensions import db
from workspace.numbers import MAX_ID, whole_number
from workspace.partnerships.models import Partnership
from workspace.review.models import DecisionSought, Position

ODD = ["²", "\u0661\u0662", "99999999999999999999", str(MAX_ID + 1), "-1", "1e3"]
BASE = "/p/sw-herts"
HX = {"HX-Request": "true"}


@pytest.mark.parametrize("value, expected", [
    ("12", 12), (" 7 ", 7), (0, 0), (MAX_ID, MAX_ID), (str(MAX_ID), MAX_ID),
    (MAX_ID + 1, None), (str(MAX_ID + 1), None), ("99999999999999999999", None),
    ("²", None), ("\u0661\u0662", None), ("-1", None), (-1, None), ("1.0", None),
    ("", None), (None, None), (True, None), ("0x10", None)])
def test_whole_number_reads_ascii_digits_within_the_maximum(value, expected):
    assert whole_number(value) == expected


def test_whole_number_takes_a_maximum():
    assert whole_number("5", maximum=5) == 5 and whole_number("6", maximum=5) is None


@pytest.fixture
def ids(app, demo):
    with app.app_context():
        def user(email):
            return db.session.scalar(select(User.id).where(User.email == email))
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))
        scg = db.session.scalar(select(Document).where(Document.kind == "scg"))
        matter = db.session.scalar(select(Section).where(
            Section.document_id == scg.id, Section.strategic_matter.is_(True),
            Section.removed_at.is_(None)).order_by(Section.position))
        decision = db.session.scalar(select(DecisionSought.id).where(
            DecisionSought.document_id == scg.id))
        return {"scg": scg.id, "matter": matter.id, "version": matter.version,
                "decision": decision, "partners": [o.id for o in partnership.organisations],
                "member": user("member@watford.example"),
                "admin": user("admin@swherts.example"),
                "officer": user("officer@watford.example")}


def _counts(app):
    with app.app_context():
        return [db.session.scalar(select(func.count()).select_from(model))
                for model in (Action, Meeting, Position, Stakeholder)]


def _date(name, day="5", month="1", year="2026"):
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def _requests(member, admin, ids, odd):
    """{what: a function sending `odd` there}."""
    doc = f"{BASE}/d/{ids['scg']}"
    lead = str(ids["partners"][0])
    meeting = {"kind": "workshop", "title": "Odd numbers", "attendees-0-role": "Planner",
               "attendees-0-organisation_id": lead, **_date("held_on")}
    return {
        "position's meeting day": lambda: member.post(
            f"{doc}/s/{ids['matter']}/positions", headers=HX, data={
                "stance": "agreed", "seen_version": str(ids["version"]),
                **_date("meeting_date", day=odd)}),
        "position's seen version": lambda: member.post(
            f"{doc}/s/{ids['matter']}/positions", headers=HX,
            data={"stance": "agreed", "seen_version": odd}),
        "review queue's count": lambda: member.get(f"{doc}/review-queue",
                                                   query_string={"reviewed": odd}),
        "live feed's editors": lambda: member.get(f"{doc}/changes", headers=HX,
                                                  query_string={"cursor": "0",
                                                                "editing": f"{odd}:1"}),
        "live feed's cursor": lambda: member.get(f"{doc}/changes", headers=HX,
                                                 query_string={"cursor": odd}),
        "actions by authority": lambda: admin.get(f"{BASE}/actions",
                                                  query_string={"organisation": odd}),
        "actions by matter": lambda: admin.get(f"{BASE}/actions",
                                               query_string={"matter": odd}),
        "action's lead": lambda: admin.post(f"{BASE}/actions/new", data={
            "what": "Odd.", "lead_organisation_id": odd}),
        "action's matter": lambda: admin.post(f"{BASE}/actions/new", data={
            "what": "Odd.", "lead_organisation_id": lead, "matter_ids": [odd]}),
        "action's document": lambda: admin.post(f"{BASE}/actions/new", data={
            "what": "Odd.", "lead_organisation_id": lead, "document_ids": [odd]}),
        "action's supporter": lambda: admin.post(f"{BASE}/actions/new", data={
            "what": "Odd.", "lead_organisation_id": lead, "supporter_ids": [odd]}),
        "action's due day": lambda: admin.post(f"{BASE}/actions/new", data={
            "what": "Odd.", "lead_organisation_id": lead, **_date("due_on", day=odd)}),
        "meeting's day": lambda: admin.post(f"{BASE}/meetings/new",
                                            data={**meeting, **_date("held_on", day=odd)}),
        "meeting's body": lambda: admin.post(f"{BASE}/meetings/new",
                                             data={**meeting, "body_id": odd}),
        "meeting's matter": lambda: admin.post(f"{BASE}/meetings/new",
                                               data={**meeting, "matter_ids": [odd]}),
        "meeting's attendee": lambda: admin.post(f"{BASE}/meetings/new", data={
            **meeting, "attendees-0-organisation_id": odd}),
        "meeting's stated position": lambda: admin.post(f"{BASE}/meetings/new", data={
            **meeting, "positions-0-organisation_id": lead, "positions-0-matter_id": odd,
            "positions-0-stance": "agreed"}),
        "decision's day": lambda: admin.post(
            f"{doc}/decisions/{ids['decision']}/record",
            data={"outcome": "Agreed.", **_date("taken_at", day=odd)}),
        "signatory's matters": lambda: admin.post(f"{doc}/signatories", data={
            f"scope-{lead}": "listed", f"matters-{lead}": [odd]}),
        "stakeholder's influence": lambda: admin.post(
            f"{BASE}/engagement/stakeholders", data={
                "name": "Odd Society", "category": "community", "influence": odd,
                "quality": "3", "relationship_now": "coexist",
                "relationship_target": "cooperate", "priority": "medium"}),
    }


def test_odd_numbers_are_refused_or_ignored_everywhere(app, login, ids):
    member = login(app.test_client(), ids["member"])
    admin = login(app.test_client(), ids["admin"])
    before = _counts(app)
    failures = {}
    for odd in ODD:
        for what, send in _requests(member, admin, ids, odd).items():
            response = send()
            if response.status_code >= 500:
                failures[f"{what} = {odd!r}"] = response.status_code
    assert not failures, failures
    assert _counts(app) == before

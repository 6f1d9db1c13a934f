"""The demo's record of cooperation: the 23 January 2018 workshop of seed 001 with its
attendees' authorities (roles only), each authority's initial position as stated and the ten
next steps with their leads; the officer and Member groups that followed; actions done, one
overdue; and the Statement's annex drawing its activity table from these records."""
from datetime import date

from sqlalchemy import select

from workspace.accounts.models import User
from workspace.clock import today
from workspace.cooperation.models import Action, Meeting
from workspace.documents.models import Document, Section
from workspace.extensions import db
from workspace.partnerships.models import Body, Partnership, StrategicMatter
from workspace.review.models import DocumentVersion

ADMIN = "admin@swherts.example"


def _partnership():
    return db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))


def test_the_workshop_of_23_january_2018_is_recorded_as_the_seed_tells_it(app, demo):
    with app.app_context():
        workshop = db.session.scalar(select(Meeting).where(Meeting.held_on == date(2018, 1, 23)))
        assert workshop.kind == "workshop"
        assert {a.organisation.code for a in workshop.attendees} == {
            "dacorum", "hertsmere", "stalbans", "threerivers", "watford", "herts"}
        assert all(a.person == "" for a in workshop.attendees)       # roles only
        assert "Head of Planning Policy" in {a.role for a in workshop.attendees}
        [matter] = [m.matter for m in workshop.matters]
        assert (matter.reference, matter.title) == ("SM1",
                                                    "Joint working and a Joint Strategic Plan")
        stated = {p.organisation.code: p for p in workshop.stated_positions}
        assert len(stated) == 6
        assert stated["watford"].statement.startswith("WBC accepted the logic of preparing")
        assert stated["threerivers"].stance == "agreed"
        assert stated["herts"].stance == "no_position"

        steps = db.session.scalars(select(Action).where(Action.meeting_id == workshop.id)
                                   .order_by(Action.number)).all()
        assert [s.number for s in steps] == list(range(1, 11))
        assert steps[0].what.startswith("Set up a meeting with Government")
        assert [steps[i].lead.code for i in (0, 1, 2, 8)] == [
            "watford", "dacorum", "stalbans", "dacorum"]          # as the note names them
        assert {s.status for s in steps} == {"done", "dropped"}


def test_the_groups_that_followed_and_actions_still_open(app, demo):
    with app.app_context():
        partnership = _partnership()
        bodies = {b.short_name for b in db.session.scalars(
            select(Body).where(Body.partnership_id == partnership.id))}
        assert {"SPOG", "SPMG"} <= bodies
        titles = [m.title for m in db.session.scalars(
            select(Meeting).where(Meeting.partnership_id == partnership.id)
            .order_by(Meeting.held_on))]
        assert len(titles) == 6
        assert titles[2] == "Strategic Planning Officers Group: first meeting"
        mou = db.session.scalar(select(Meeting).where(Meeting.held_on == date(2018, 3, 27)))
        assert "MoU signed" in mou.outcome and mou.body.short_name == "SPMG"
        open_actions = db.session.scalars(select(Action).where(Action.status == "open")).all()
        assert sorted(a.is_overdue(today()) for a in open_actions) == [False, True]
        # The Statement's strategic matters are the partnership's, linked from their sections.
        marked = db.session.scalars(select(Section).where(Section.strategic_matter.is_(True)))
        assert all(s.matter is not None and s.matter.title == s.title for s in marked)
        assert db.session.scalar(select(StrategicMatter).where(
            StrategicMatter.title == "The future role of the Green Belt")).reference == "SM3"


def test_the_statement_annex_shows_the_cooperation_table_from_records(app, demo, client,
                                                                       login):
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == ADMIN)).id
        scg = db.session.scalar(select(Document).where(Document.kind == "scg"))
        scg_id = scg.id
    page = login(client, admin).get(f"/p/sw-herts/d/{scg_id}/")
    assert page.status_code == 200
    assert "<p>{{cooperation}}</p>" not in page.text          # the marker was expanded
    table = page.text[page.text.index("Duty to Cooperate activity table"):]
    assert "Lead councillor and officer workshop: joint planning for SW Herts" in table
    assert "SPMG: the Green Belt review" in table                # the live draft
    assert table.index("Initial officer workshop") < table.index("SPMG: the Green Belt")


def test_the_published_version_keeps_the_table_as_it_stood(app):
    """Version 1 was frozen before the November 2026 meeting was recorded: its content binds
    the table without it, while the draft of version 2 shows it."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        version = db.session.scalar(select(DocumentVersion).where(DocumentVersion.number == 1))
        assert "Lead councillor and officer workshop" in version.content
        assert "SPMG: the Green Belt review" not in version.content
        assert db.session.scalar(select(Meeting).where(
            Meeting.title == "SPMG: the Green Belt review")) is not None


def test_the_partnership_page_leads_to_the_record(app, demo, client, login):
    with app.app_context():
        member = db.session.scalar(select(User).where(User.email == "member@watford.example"))
        member_id = member.id
    page = login(client, member_id).get("/p/sw-herts/").text
    for path in ("meetings", "actions", "matters", "bodies", "evidence"):
        assert f'href="/p/sw-herts/{path}"' in page
        assert client.get(f"/p/sw-herts/{path}").status_code == 200

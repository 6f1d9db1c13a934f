"""The demo workspace (`flask seed-demo`), `flask create-admin`, and the "done when" scenario."""
import re
from pathlib import Path

from sqlalchemy import func, select

from workspace.accounts.models import Organisation, User
from workspace.extensions import db
from workspace.partnerships.models import Partner, Partnership, PartnershipAdmin

CODES = ["dacorum", "hertsmere", "stalbans", "threerivers", "watford", "herts"]
#: The "FEEDBACK SOUGHT" block of ../shared/seeds/000_ecbbee4a6a20e3b7.txt, copied verbatim so
#: the suite does not depend on a folder outside the repository (the seed has real names in it;
#: this block has none).
SEED_000 = Path(__file__).resolve().parent / "data" / "seed_000_feedback_sought.txt"
#: The "Feedback sought" questions of seed 000, by section title (the seed asks none for
#: "Approvals Requested").
FEEDBACK_SOUGHT = {
    "JSP Vision Objectives":
        "Do we agree with these objectives? Are there any others that should be added?",
    "JSP Vision Target Audience":
        "Do we agree with the target groups identified? Are there any headline groups missing "
        "that should be engaged with the vision?",
    "JSP Vision Approach":
        "Do we agree the approach is appropriate for the stakeholders identified? Will this "
        "approach allow us to achieve the objectives and milestones set out?",
    "JSP Vision Engagement Periods":
        "Do we consider the broad structure and approach to each engagement period is "
        "appropriate?",
}


def flask(app, *args):
    """Run a `flask` command as the real CLI does: FlaskGroup pushes an app context."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def seed(app, *args):
    return flask(app, "seed-demo", *args)


def row_counts(app):
    with app.app_context():
        return {table.name: db.session.scalar(
                    select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def documents(app):
    from workspace.documents.models import Document
    from workspace.documents.service import live_sections
    with app.app_context():
        return {d.title: [(s.title, s.depth, s.feedback_sought) for s in live_sections(d)]
                for d in db.session.scalars(select(Document))}


def sign_in(client, email, password):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_seed_demo_creates_the_partnership_and_its_authorities(app):
    result = seed(app)
    assert result.exit_code == 0, result.output
    with app.app_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))
        assert partnership.name == "South West Hertfordshire Joint Strategic Plan"
        assert sorted(o.code for o in partnership.organisations) == sorted(CODES)


def test_seed_demo_creates_the_demo_accounts(app):
    seed(app)
    expected = {"admin@swherts.example": ("officer", "herts")}
    for code in CODES:
        expected[f"officer@{code}.example"] = ("officer", code)
        expected[f"member@{code}.example"] = ("member", code)
        expected[f"orgadmin@{code}.example"] = ("admin", code)
    with app.app_context():
        users = {u.email: (u.role, u.organisation.code) for u in db.session.scalars(select(User))}
        # One partnership admin: admin@swherts.example, by a grant for SW Herts.
        grants = db.session.scalars(select(PartnershipAdmin)).all()
        assert [(g.user.email, g.partnership_id) for g in grants] == [
            ("admin@swherts.example", db.session.scalar(select(Partnership.id)))]
    assert users == expected
    client = app.test_client()
    for email in ("admin@swherts.example", "officer@dacorum.example", "member@herts.example",
                  "orgadmin@watford.example"):
        assert sign_in(client, email, "common-ground").status_code == 303, email
        client.post("/sign-out")


def test_each_demo_role_reaches_its_own_pages_only(app):
    seed(app)
    client = app.test_client()
    sign_in(client, "admin@swherts.example", "common-ground")
    assert client.get("/p/sw-herts/admin").status_code == 200
    assert client.get("/organisation/").status_code == 403
    client.post("/sign-out")
    sign_in(client, "orgadmin@watford.example", "common-ground")
    assert client.get("/p/sw-herts/admin").status_code == 403
    page = client.get("/organisation/")
    assert page.status_code == 200 and "member@watford.example" in page.text
    assert "member@dacorum.example" not in page.text


def test_seed_demo_uses_the_configured_demo_password(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", "a-different-demo-password")
    seed(app)
    client = app.test_client()
    assert sign_in(client, "officer@watford.example", "common-ground").status_code == 401
    assert sign_in(client, "officer@watford.example",
                   "a-different-demo-password").status_code == 303


def test_seed_demo_creates_the_statement_of_common_ground(app):
    seed(app)
    sections = documents(app)["Statement of Common Ground"]
    top = [title for title, depth, _ in sections if depth == 0]
    assert [title.split(":")[0] for title in top] == [
        "Part 1", "Part 2", "Part 3", "Part 4", "Part 5", "Annexes"]
    annexes = sections[[title for title, _, _ in sections].index("Annexes") + 1:]
    assert annexes and all(depth == 1 for _, depth, _ in annexes)
    assert any("MoUs" in title for title, _, _ in annexes)
    assert any("Duty to Cooperate" in title for title, _, _ in annexes)
    assert all(question for title, _, question in sections if title.startswith("Part "))


def test_the_demo_statements_gaps_are_its_unwritten_outline_not_its_written_annexes(app):
    """The completeness check names the outline parts the demo still holds as they were in
    2018, not the annexes it has written (the MoU, the live activity table)."""
    from workspace.documents import completeness
    from workspace.documents.models import Document
    seed(app)
    with app.app_context():
        scg = db.session.scalar(select(Document).where(Document.kind == "scg"))
        unwritten = [gap.title for gap in completeness.check(scg).gaps
                     if gap.kind == "guidance_only"]
    assert [title.split(":")[0] for title in unwritten] == [
        "Part 1", "Part 2", "Part 3", "Part 4", "Part 5", "Annexes"]


def test_seed_demo_creates_the_engagement_plan_with_the_seed_questions(app):
    seed(app)
    sections = documents(app)["JSP Vision: Engagement Plan"]
    titles = [title for title, _, _ in sections]
    for heading in ("Objectives", "Target Audience", "Approach", "Engagement Periods",
                    "Approvals Requested"):
        assert any(title.endswith(heading) for title in titles), heading
    questions = {title: question for title, _, question in sections}
    for title, question in FEEDBACK_SOUGHT.items():
        assert questions[title] == question
    assert questions["Approvals Requested"]


def test_feedback_questions_match_the_seed_document():
    block = SEED_000.read_text().split("FEEDBACK SOUGHT", 1)[1].split("APPROVALS REQUESTED")[0]
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    assert dict(zip(lines[::2], lines[1::2], strict=True)) == FEEDBACK_SOUGHT


def test_seeding_twice_changes_nothing(app):
    assert seed(app).exit_code == 0
    before = row_counts(app)
    assert before["users"] == 19 and before["partners"] == 6
    result = seed(app)
    assert result.exit_code == 0
    assert "already there" in result.output
    assert row_counts(app) == before
    assert seed(app, "--if-empty").exit_code == 0
    assert seed(app, "--force").exit_code == 0
    assert row_counts(app) == before


def test_seed_demo_refuses_a_database_holding_other_data(app, factory):
    luton = factory.organisation("luton", "Luton Borough Council")
    factory.partnership("bedfordshire", [luton])
    factory.user(luton, "admin", email="admin@luton.example")
    before = row_counts(app)
    result = seed(app)
    assert result.exit_code != 0
    assert "--force" in result.output
    assert row_counts(app) == before


def test_seed_demo_if_empty_leaves_other_data_alone(app, factory):
    luton = factory.organisation("luton", "Luton Borough Council")
    factory.user(luton, "admin", email="admin@luton.example")
    before = row_counts(app)
    result = seed(app, "--if-empty")
    assert result.exit_code == 0
    assert row_counts(app) == before


def test_seed_demo_if_empty_seeds_an_empty_database(app):
    assert seed(app, "--if-empty").exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(Partnership.slug)) == "sw-herts"


def test_seed_demo_force_adds_the_demo_beside_other_data(app, factory):
    luton = factory.organisation("luton", "Luton Borough Council")
    watford = factory.organisation("watford", "Watford Borough Council")
    factory.partnership("bedfordshire", [luton, watford])
    factory.user(luton, "admin", email="admin@luton.example")
    result = seed(app, "--force")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Partnership.id))) == 2
        assert db.session.scalar(select(func.count(Organisation.id)).where(
            Organisation.code == "watford")) == 1
        assert db.session.scalar(select(func.count(User.id))) == 20


# flask create-admin --------------------------------------------------------------------------

def create_admin(app, email="Boss@Example.org", password="a-long-password"):
    return flask(app, "create-admin", "--email", email, "--name", "Chief Planner",
                 "--organisation", "Luton Borough Council", "--partnership", "Bedfordshire Plan",
                 "--short-name", "Beds", "--password", password)


def test_create_admin_creates_an_admin_who_can_sign_in(app):
    result = create_admin(app)
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.role, user.organisation.name) == (
            "boss@example.org", "admin", "Luton Borough Council")
        partnership = db.session.scalar(select(Partnership))
        assert (partnership.slug, partnership.short_name) == ("bedfordshire-plan", "Beds")
        assert db.session.scalar(select(Partner.organisation_id)) == user.organisation_id
    client = app.test_client()
    assert sign_in(client, "boss@example.org", "a-long-password").status_code == 303
    assert client.get("/p/bedfordshire-plan/admin").status_code == 200


def test_create_admin_refuses_a_short_password(app):
    result = create_admin(app, password="short")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert row_counts(app)["users"] == 0


def test_create_admin_refuses_a_duplicate_email(app):
    assert create_admin(app).exit_code == 0
    before = row_counts(app)
    result = create_admin(app, email="BOSS@example.org")
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert row_counts(app) == before


def test_create_admin_never_adds_a_user_to_an_existing_organisation(app):
    """The first step of the takeover in issue 12: an outsider's admin could be made inside
    an existing authority."""
    assert create_admin(app).exit_code == 0
    before = row_counts(app)
    result = flask(app, "create-admin", "--email", "other@example.org", "--name", "Other",
                   "--organisation", "Luton Borough Council", "--partnership", "Other Plan",
                   "--password", "a-long-password")
    assert result.exit_code != 0 and "already exists" in result.output
    assert row_counts(app) == before


# Done when -----------------------------------------------------------------------------------

def test_done_when_a_member_sees_the_partnership_documents_and_sections(app, client, demo):
    response = sign_in(client, "member@watford.example", "common-ground")
    assert response.status_code == 303
    home = client.get("/")
    assert home.status_code == 200
    assert "South West Hertfordshire Joint Strategic Plan" in home.text
    links = {title: url for url, title in re.findall(
        r'href="(/p/sw-herts/d/\d+/)">([^<]+)</a>', home.text)}
    assert set(links) == {"Statement of Common Ground", "JSP Vision: Engagement Plan"}
    sections = documents(app)
    for title, url in links.items():
        page = client.get(url)
        assert page.status_code == 200
        assert title in page.text
        for section_title, _, _ in sections[title]:
            assert section_title in page.text, section_title


def test_seed_demo_force_refuses_when_demo_accounts_exist(app, factory):
    org = factory.organisation("watford")
    factory.user(org, "officer", email="officer@watford.example")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--force"])
    assert result.exit_code != 0
    assert "officer@watford.example" in result.output

"""What changed between published versions (public.version_changes): the demo's version 1 as
`flask seed-demo` publishes it, then version 2 taken through the lifecycle here (agreed with a
changed section and changed positions, signed by all six, published). The module builds that
once and its tests only read it."""
import re

import pytest
from sqlalchemy import select

from tests.conftest import _clean
from tests.support import agree
from tests.test_seed import seed
from workspace.accounts.models import User
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.jobs import runner
from workspace.partnerships.models import Partnership
from workspace.publishing import changes, rendering
from workspace.review import lifecycle
from workspace.review.agreement import agreement_grid
from workspace.review.positions import record_position

PASSWORD = "common-ground"
ADMIN = "admin@swherts.example"
SCG = "/public/sw-herts/statement-of-common-ground"
GREEN_BELT = "The future role of the Green Belt"
V2_GREEN_BELT_REASON = ("Hertsmere agrees a joint Green Belt review, provided the housing "
                        "numbers are settled first.")


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def scg():
    return db.session.scalar(select(Document).where(
        Document.title == "Statement of Common Ground"))


def publish_version_2(app):
    """Version 2 of the demo Statement, through the lifecycle: the demo leaves it out for
    agreement with its infrastructure section changed (a water row added) and employment a new
    strategic matter. Hertsmere now agrees the Green Belt with reservations; every other
    outstanding position is agreed; agreed, signed by all six, signed PDFs made, published."""
    with app.test_request_context():
        document = scg()
        green_belt = next(m for m in agreement_grid(document).matters if m.title == GREEN_BELT)
        record_position(green_belt, _user("member@hertsmere.example"), "reservations",
                        V2_GREEN_BELT_REASON, route="committee",
                        route_body="Planning and Local Plan Committee",
                        minute_ref="PLP 27/02")
        for cell in agreement_grid(document).outstanding:
            member = db.session.scalar(select(User).where(
                User.role == "member", User.organisation_id == cell.signatory.organisation_id,
                User.email.like("member@%")))
            record_position(cell.section, member, "agreed", route="cabinet",
                            route_body="Cabinet", minute_ref="CAB 3/27")
        admin = _user(ADMIN)
        agree(document, admin, with_exceptions=True)
        for signatory in agreement_grid(document).signatories:
            member = db.session.scalar(select(User).where(
                User.role == "member", User.email.like("member@%"),
                User.organisation_id == signatory.organisation_id))
            lifecycle.sign(document, member, PASSWORD, member.name, member.job_title)
        db.session.commit()
        runner.run_pending(ignore_schedule=True)
        lifecycle.publish(document, _user(ADMIN))
        db.session.commit()


def seed_two_published_versions(app):
    result = seed(app)
    assert result.exit_code == 0, result.output
    publish_version_2(app)


@pytest.fixture(scope="module")
def two_versions(app):
    seed_two_published_versions(app)
    yield
    _clean(app)


@pytest.fixture(autouse=True)
def _fresh_database(two_versions):
    """The module's tests share the demo with two published versions (conftest's cleaning
    after each test would throw it away); a test that changes something puts it back."""
    yield


def text(response):
    """The page as words, tags dropped (the marks' hidden words kept)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_second_version_shows_its_changed_section_as_a_rendered_difference(client):
    response = client.get(f"{SCG}/v2/changes")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # The infrastructure section gained the water row: a changed section, the row marked as
    # inserted (underlined and announced, not by colour alone).
    section = page[page.index("Strategic infrastructure priorities: changed"):]
    section = section[:section.index("</section>")]
    assert "<ins>" in section and "[inserted: " in section
    assert re.search(r"<ins>.*Water supply and waste water", section, re.S)
    # The employment section's text did not change, but it became a strategic matter.
    assert "Strategic employment opportunities: changed" in page
    assert "Now a strategic matter." in page
    # Sections whose text did not change are listed, not drawn as differences.
    assert "Sections without changes" in page
    assert "Housing need and distribution: changed" not in page
    assert "Set-Cookie" not in response.headers


def test_the_second_version_shows_the_positions_that_changed(client):
    response = client.get(f"{SCG}/v2/changes")
    words = text(response)
    # Hertsmere: not agreed on the Green Belt in version 1, agreed with reservations in 2.
    row = re.search(r"SM\d+ The future role of the Green Belt Hertsmere Borough Council "
                    r"Not agreed Agreed with reservations (.*?)Planning and Local Plan "
                    r"Committee, PLP 27/02", words)
    assert row, words
    assert V2_GREEN_BELT_REASON in row.group(1)
    assert "Version 1 gave: “A shared Green Belt review must not be used" in row.group(1)
    # Employment, a strategic matter only from version 2: each authority's position is new.
    assert re.search(r"SM\d+ Strategic employment opportunities Dacorum Borough Council "
                     r"Not in the record then Agreed", words)
    # Watford agreed the Green Belt in both versions with no new reason: not listed.
    assert not re.search(r"Green Belt Watford Borough Council", words)


def test_the_first_published_version_says_it_is_the_first(client):
    response = client.get(f"{SCG}/v1/changes")
    assert response.status_code == 200
    assert "Version 1 is the first published version of Statement of Common Ground" in \
        text(response)


def test_the_changes_page_answers_304_while_it_is_the_same(client):
    first = client.get(f"{SCG}/v2/changes")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(f"{SCG}/v2/changes",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert "Set-Cookie" not in again.headers


@pytest.mark.parametrize("path", [
    "/public/sw-herts/statement-of-common-ground/v3/changes",       # no version 3
    "/public/sw-herts/no-such-document/v1/changes",
    "/public/no-such-partnership/statement-of-common-ground/v2/changes",
])
def test_an_unknown_version_document_or_register_answers_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers


def test_a_register_switched_off_answers_404(app, client):
    with app.app_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))
        partnership.publishes_register = False
        db.session.commit()
    try:
        assert client.get(f"{SCG}/v2/changes").status_code == 404
    finally:
        with app.app_context():
            db.session.scalar(select(Partnership).where(
                Partnership.slug == "sw-herts")).publishes_register = True
            db.session.commit()
    assert client.get(f"{SCG}/v2/changes").status_code == 200


# The comparison itself, on small frozen contents -------------------------------------------

def _section(number, title, html, matter=False):
    return {"number": number, "title": title, "html": html, "strategic_matter": matter}


def test_sections_are_matched_by_title_then_number_and_added_and_removed_are_called_out():
    old = [_section("1", "Context", "<p>Old words.</p>"), _section("2", "Housing", "<p>Same.</p>"),
           _section("3", "Retired", "<p>Gone.</p>"), _section("4", "Numbers", "<p>One.</p>")]
    new = [_section("1", "Context", "<p>New words.</p>"), _section("2", "Housing", "<p>Same.</p>"),
           _section("3", "Brand new", "<p>Fresh.</p>"), _section("4", "Figures", "<p>One.</p>")]
    found = changes.section_changes(old, new)
    kinds = [(c.kind, c.title) for c in found]
    # "Retired" and "Brand new" share number 3 but match neither by title ... by number they
    # pair up (a renamed section), and "Numbers" -> "Figures" likewise by number 4.
    assert kinds == [("changed", "Context"), ("unchanged", "Housing"),
                     ("changed", "Brand new"), ("changed", "Figures")]
    assert found[2].renamed and found[2].old_title == "Retired"
    assert "<del>" in found[0].difference and "<ins>" in found[0].difference

    removed = changes.section_changes(old, [old[0], old[1], old[3]])
    assert [(c.kind, c.title) for c in removed] == [
        ("unchanged", "Context"), ("unchanged", "Housing"), ("removed", "Retired"),
        ("unchanged", "Numbers")]
    assert "[deleted: " in removed[2].difference
    added = changes.section_changes(old[:2], old)
    assert [c.kind for c in added] == ["unchanged", "unchanged", "added", "added"]


def test_a_position_changes_when_its_stance_or_reason_does():
    def record(stance, reason="", title="Housing"):
        return [{"title": title, "number": "2", "matter_reference": "SM1",
                 "matter_title": "Housing need", "positions": [
                     {"organisation": "Watford", "state": stance, "reason": reason,
                      "route": "Cabinet", "route_body": "Cabinet"}]}]

    def resolve(matter):
        return matter["matter_reference"], matter["matter_title"]

    assert changes.position_changes(record("agreed"), record("agreed"), resolve) == []
    moved = changes.position_changes(record("not_agreed", "No."), record("agreed"), resolve)
    assert [(p.matter, p.before, p.after, p.decided_by) for p in moved] == [
        ("SM1", "Not agreed", "Agreed", "Cabinet")]
    reason = changes.position_changes(record("reservations", "A"),
                                      record("reservations", "B"), resolve)
    assert [(p.before_reason, p.reason) for p in reason] == [("A", "B")]
    # A position given on an earlier text counts as none.
    assert changes.position_changes(record("stale"), record("missing"), resolve) == []


def test_with_base_url_the_changes_page_is_canonical_under_it(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://plans.example.gov.uk")
    page = client.get(f"{SCG}/v2/changes", headers={"Host": "evil.example"}).text
    assert "evil.example" not in page
    assert ('<link rel="canonical" href="https://plans.example.gov.uk/public/sw-herts/'
            'statement-of-common-ground/v2/changes">') in page


def test_without_base_url_made_up_hosts_never_fill_the_kept_renderings(app, client):
    """A page holding absolute links is kept only under BASE_URL: without it every host
    would need its own copy, and anyone could fill the cache with made-up hosts."""
    assert not app.config.get("BASE_URL")
    rendering.forget_all()
    for n in range(5):
        page = client.get(f"{SCG}/v2/changes", headers={"Host": f"h{n}.example"})
        assert page.status_code == 200
    kept = rendering.cached_count()
    for n in range(5, 10):
        client.get(f"{SCG}/v2/changes", headers={"Host": f"h{n}.example"})
    assert rendering.cached_count() == kept

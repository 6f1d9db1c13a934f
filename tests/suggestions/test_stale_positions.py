"""A position made stale by accepting a suggestion says so, naming the suggestion, with the
rendered difference since the text it was given on."""
from workspace.accounts.models import User
from workspace.documents import editing
from workspace.documents.models import Section
from workspace.extensions import db
from workspace.review.positions import record_position
from workspace.suggestions.service import credit

from .conftest import GREEN_BELT, digest

CHANGED = GREEN_BELT.replace("is kept", "is kept and reviewed every five years")


def _dacorum_agrees(app, scg):
    with app.test_request_context():
        record_position(db.session.get(Section, scg.sections["green"]),
                        db.session.get(User, scg.users["dacorum_member"]), "agreed",
                        route="delegation", seen_version=1)
        db.session.commit()


def _accept(scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    officer = scg.client("officer")
    asked = officer.post(scg.url(scg.last().id, "accept"))
    assert officer.post(scg.url(scg.last().id, "accept"),
                        data={"confirm_stale": digest(asked.text)}).status_code == 303
    with scg.app.app_context():
        row = scg.last()
        return credit(db.session.merge(row))


def test_a_position_made_stale_by_an_accepted_suggestion_names_it_with_the_changes(app, scg):
    _dacorum_agrees(app, scg)
    named = _accept(scg)
    assert named.startswith("Dacorum Borough Council\u2019s suggestion of ")
    page = scg.client("viewer").get(scg.page).text
    block = page[page.index(f'id="positions-{scg.sections["green"]}"'):]
    assert f"Agreed on an earlier text of this section, changed by accepting {named}" in block
    assert "Show the changes here" in block
    changes = block[block.index("cg-rendered-diff"):]
    assert "<ins>" in changes and "reviewed every five years" in changes


def test_a_position_made_stale_by_an_edit_shows_the_changes_without_a_suggestion(app, scg):
    _dacorum_agrees(app, scg)
    with app.test_request_context():
        editing.save_section(db.session.get(Section, scg.sections["green"]), CHANGED, 1,
                             db.session.get(User, scg.users["officer"]), confirm_stale=True)
        db.session.commit()
    page = scg.client("viewer").get(scg.page).text
    block = page[page.index(f'id="positions-{scg.sections["green"]}"'):]
    assert "Agreed on an earlier text of this section: it counts as outstanding" in block
    assert "changed by accepting" not in block
    assert "reviewed every five years" in block[block.index("cg-rendered-diff"):]


def test_the_review_queue_names_the_suggestion_that_changed_the_text(app, scg):
    _dacorum_agrees(app, scg)
    named = _accept(scg)
    scg.set_status("out_for_agreement")
    page = scg.client("dacorum_member").get(
        f"{scg.base}/review-queue/{scg.sections['green']}")
    assert page.status_code == 200
    assert f"The text was then changed by accepting {named}." in page.text

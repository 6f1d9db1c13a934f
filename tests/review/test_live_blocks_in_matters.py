"""A strategic matter cannot hold a live block ({{cooperation}}, {{register}} …): a Member's
position is bound to the section's text, and a live block shows records (meetings, the
register) that change without the text changing, so what the Member agreed to could change
under their position. Saving, suggesting or restoring such text into a matter is refused with
the reason (nothing written, the text kept on screen); a section holding one cannot be made a
matter, and the page says why instead of offering the button."""
import pytest
from sqlalchemy import func, select

from workspace.documents import service
from workspace.documents.models import Section, SectionRevision
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.review.models import Signatory
from workspace.suggestions.models import Suggestion

HX = {"HX-Request": "true"}
REFUSAL = "A strategic matter cannot contain {{cooperation}}"


@pytest.fixture
def scg(app, world, login):
    """A draft SCG in `own` with a Green Belt strategic matter and an annex (not a matter)
    that embeds the cooperation table."""
    with app.app_context():
        document = service.create_document(
            db.session.get(Partnership, world["partnerships"]["own"]),
            "Statement of Common Ground", "scg")
        green = service.append_section(document, "Green Belt", "The Green Belt is kept.\n")
        green.strategic_matter = True
        annex = service.append_section(document, "Activity table",
                                       "Our meetings:\n\n{{cooperation}}\n")
        db.session.add(Signatory(document_id=document.id,
                                 organisation_id=world["orgs"]["watford"]))
        db.session.commit()
        ids = {"document": document.id, "green": green.id, "annex": annex.id}
    ids["base"] = f"/p/own/d/{ids['document']}"
    ids["client"] = login(app.test_client(), world["users"]["officer"])
    return ids


def revisions(app, section_id):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SectionRevision)
                                 .where(SectionRevision.section_id == section_id))


def body(app, section_id):
    with app.app_context():
        return db.session.get(Section, section_id).body


@pytest.mark.parametrize("headers", [HX, {}])
def test_saving_a_live_block_into_a_matter_is_refused_and_keeps_the_text(app, scg, headers):
    before = revisions(app, scg["green"])
    text = "The Green Belt is kept.\n\n{{cooperation}}\n\nMy careful new paragraph.\n"
    response = scg["client"].post(f"{scg['base']}/s/{scg['green']}",
                                  data={"body": text, "base_version": "1"}, headers=headers)
    assert response.status_code == 422
    assert REFUSAL in response.text
    assert "My careful new paragraph." in response.text         # still in the editor
    assert revisions(app, scg["green"]) == before
    assert body(app, scg["green"]) == "The Green Belt is kept.\n"


def test_an_engagement_block_is_refused_by_its_own_name(app, scg):
    response = scg["client"].post(f"{scg['base']}/s/{scg['green']}",
                                  data={"body": "Kept.\n\n{{ register }}\n",
                                        "base_version": "1"}, headers=HX)
    assert response.status_code == 422
    assert "A strategic matter cannot contain {{register}}" in response.text


def test_a_marker_written_as_code_or_in_a_section_that_is_no_matter_saves(app, scg):
    client = scg["client"]
    quoted = "Write `{{cooperation}}` on a line of its own to show the table.\n"
    assert client.post(f"{scg['base']}/s/{scg['green']}",
                       data={"body": quoted, "base_version": "1"}).status_code == 303
    assert body(app, scg["green"]) == quoted
    assert client.post(f"{scg['base']}/s/{scg['annex']}",
                       data={"body": "Meetings:\n\n{{cooperation}}\n\n{{register}}\n",
                             "base_version": "1"}).status_code == 303


def test_suggesting_a_live_block_into_a_matter_is_refused(app, scg):
    response = scg["client"].post(f"{scg['base']}/s/{scg['green']}/suggest",
                                  data={"body": "Kept.\n\n{{cooperation}}\n",
                                        "base_version": "1", "reason": "Show the record"},
                                  headers=HX)
    assert response.status_code == 422
    assert REFUSAL in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 0


def test_a_section_with_a_live_block_cannot_be_made_a_matter(app, scg):
    client = scg["client"]
    page = client.get(scg["base"] + "/").text
    annex_part = page.split(f'id="positions-{scg["annex"]}"', 1)[1].split("</details>", 1)[0]
    assert REFUSAL in annex_part and "Mark as a strategic matter" not in annex_part
    response = client.post(f"{scg['base']}/s/{scg['annex']}/strategic-matter",
                           data={"strategic_matter": "1", "shown_version": "1"})
    assert response.status_code == 422
    assert REFUSAL in response.text
    assert "changed while you were reading" not in response.text
    with app.app_context():
        assert db.session.get(Section, scg["annex"]).strategic_matter is False


def make_matter(app, section_id):
    """Mark directly, as a matter marked before the rule (or by the demo) would be."""
    with app.app_context():
        db.session.get(Section, section_id).strategic_matter = True
        db.session.commit()


def test_restoring_a_revision_with_a_live_block_into_a_matter_is_refused(app, scg):
    client = scg["client"]
    url = f"{scg['base']}/s/{scg['annex']}"
    assert client.post(url, data={"body": "No table now.\n", "base_version": "1"}
                       ).status_code == 303
    make_matter(app, scg["annex"])
    response = client.post(url + "/revisions/1/restore")
    assert response.status_code == 422
    assert REFUSAL in response.text
    assert body(app, scg["annex"]) == "No table now.\n"


def test_a_suggestion_with_a_live_block_cannot_be_accepted_once_its_section_is_a_matter(
        app, scg, world, factory, login):
    client = scg["client"]
    with app.app_context():
        db.session.get(Section, scg["green"]).strategic_matter = False
        db.session.commit()
    assert client.post(f"{scg['base']}/s/{scg['green']}/suggest", data={
        "body": "Kept.\n\n{{cooperation}}\n", "base_version": "1", "reason": "r"},
        headers=HX).status_code == 200                    # not a matter: allowed
    make_matter(app, scg["green"])
    with app.app_context():
        suggestion = db.session.scalars(select(Suggestion).order_by(Suggestion.id)).all()[-1]
        suggestion_id = suggestion.id
    admin = factory.user(world["orgs"]["watford"], "officer", email="padmin@watford.example",
                         name="Partnership Admin", partnership_admin=True)
    response = login(app.test_client(), admin).post(
        f"{scg['base']}/suggestions/{suggestion_id}/accept", data={"seen_version": "1"})
    assert response.status_code == 422
    assert REFUSAL in response.text
    assert body(app, scg["green"]) == "The Green Belt is kept.\n"
    with app.app_context():
        assert db.session.get(Suggestion, suggestion_id).status == "open"


def test_a_matter_marked_before_the_rule_may_still_be_relinked_or_unmarked(app, scg):
    make_matter(app, scg["annex"])
    url = f"{scg['base']}/s/{scg['annex']}/strategic-matter"
    again = scg["client"].post(url, data={"strategic_matter": "1", "shown_version": "1",
                                          "matter": "new"})
    assert again.status_code in (200, 303), again.text
    off = scg["client"].post(url, data={"strategic_matter": "0", "shown_version": "1"})
    assert off.status_code in (200, 303)
    with app.app_context():
        assert db.session.get(Section, scg["annex"]).strategic_matter is False

"""Protect recorded positions (issue 14): a save that would make current positions stale
asks first, naming the authorities; without the confirmation nothing changes."""

import re

import pytest
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.documents import editing, service
from workspace.documents.models import Section, SectionRevision
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.review import positions
from workspace.review.models import Signatory

HX = {"HX-Request": "true"}
# Out for agreement only partnership admins change the text directly; officers suggest (issue
# 17): the saves here are Watford's admin's, who holds the grant.
WARNING = ("Saving this change will make the positions of Dacorum Borough Council, "
           "Watford Borough Council on this section out of date: they will have to "
           "re-confirm.")


@pytest.fixture
def scg(app, factory, world):
    """Out for agreement: "Housing need" (a strategic matter with Watford's and Dacorum's
    current positions) and "Introduction" (no positions)."""
    own = world["partnerships"]["own"]
    dacorum_member = factory.user(world["orgs"]["dacorum"], "member",
                                  email="member@dacorum.example")
    with app.test_request_context():
        document = service.create_document(db.session.get(Partnership, own), "SCG", "scg")
        intro = service.append_section(document, "Introduction", "Intro text.\n")
        housing = service.append_section(document, "Housing need", "Housing text.\n")
        housing.strategic_matter = True
        document.status = "out_for_agreement"
        db.session.flush()
        for org in (world["orgs"]["watford"], world["orgs"]["dacorum"]):
            db.session.add(Signatory(document_id=document.id, organisation_id=org))
        db.session.flush()
        positions.record_position(housing, db.session.get(User, world["users"]["member"]),
                                  "agreed")
        positions.record_position(housing, db.session.get(User, dacorum_member), "not_agreed",
                                  "Not yet.")
        db.session.commit()
        return {"id": document.id, "intro": intro.id, "housing": housing.id,
                "url": lambda sid: f"/p/own/d/{document.id}/s/{sid}"}


def section(app, section_id):
    with app.app_context():
        row = db.session.get(Section, section_id)
        return row.version, row.body


def answer(response):
    """What the question's confirm button posts: the digest of the positions it listed."""
    found = re.search(r'name="confirm_stale" value="([0-9a-f]{20})"', response.text)
    assert found, "the question has no confirm button"
    return found.group(1)


def save(client, scg, key, body, base=1, confirm=None, headers=None):
    data = {"body": body, "base_version": str(base), "summary": "A change"}
    if confirm is not None:
        data["confirm_stale"] = confirm
    return client.post(scg["url"](scg[key]), data=data, headers=headers or {})


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain form", "htmx"])
def test_a_save_that_makes_positions_stale_asks_first_and_changes_nothing(
        app, login, world, scg, headers):
    client = login(app.test_client(), world["users"]["admin"])
    response = save(client, scg, "housing", "Housing text, corrected.\n", headers=headers)
    assert response.status_code == 409
    assert WARNING in response.text
    assert "Housing text, corrected." in response.text          # the user's text is kept
    assert answer(response) == editing.impact_digest(
        [("Dacorum Borough Council", "Not agreed"), ("Watford Borough Council", "Agreed")])
    assert "Save and ask them to re-confirm" in response.text and "Keep editing" in response.text
    assert 'name="base_version" value="1"' in response.text
    assert section(app, scg["housing"]) == (1, "Housing text.\n")
    with app.app_context():
        assert db.session.scalar(select(SectionRevision).where(
            SectionRevision.section_id == scg["housing"], SectionRevision.number == 2)) is None


def test_the_confirmed_save_goes_through_and_the_positions_go_stale(app, login, world, scg):
    client = login(app.test_client(), world["users"]["admin"])
    asked = save(client, scg, "housing", "Housing text, corrected.\n")
    response = save(client, scg, "housing", "Housing text, corrected.\n",
                    confirm=answer(asked))
    assert response.status_code == 303
    assert section(app, scg["housing"]) == (2, "Housing text, corrected.\n")
    with app.app_context():
        housing = db.session.get(Section, scg["housing"])
        found = positions.current_positions(housing.document, [housing.id]).values()
        assert found and not any(positions.is_current(p, housing) for p in found)


@pytest.mark.parametrize("confirm", ["", "0", "1", "yes", "0" * 20])
def test_only_the_answer_to_the_question_confirms(app, login, world, scg, confirm):
    client = login(app.test_client(), world["users"]["admin"])
    assert save(client, scg, "housing", "Changed.\n", confirm=confirm).status_code == 409
    assert section(app, scg["housing"])[0] == 1


def test_unchanged_text_or_a_section_without_positions_needs_no_confirmation(
        app, login, world, scg):
    client = login(app.test_client(), world["users"]["admin"])
    assert save(client, scg, "housing", "Housing text.\n").status_code == 303
    assert section(app, scg["housing"])[0] == 1
    assert save(client, scg, "intro", "Intro text, longer.\n").status_code == 303
    assert section(app, scg["intro"]) == (2, "Intro text, longer.\n")


def test_a_position_recorded_after_the_question_asks_again(app, login, world, scg, factory):
    """The confirmation covers the positions the question listed: one recorded while the
    officer read it is named in a new question, and nothing is saved until that is answered."""
    client = login(app.test_client(), world["users"]["admin"])
    asked = save(client, scg, "housing", "Housing text, corrected.\n")
    with app.test_request_context():
        housing = db.session.get(Section, scg["housing"])
        dacorum = db.session.scalar(select(User).where(User.email == "member@dacorum.example"))
        positions.record_position(housing, dacorum, "agreed")
        db.session.commit()
    again = save(client, scg, "housing", "Housing text, corrected.\n", confirm=answer(asked))
    assert again.status_code == 409
    assert section(app, scg["housing"]) == (1, "Housing text.\n")
    assert "Dacorum Borough Council: Agreed" in again.text
    assert answer(again) != answer(asked)
    done = save(client, scg, "housing", "Housing text, corrected.\n", confirm=answer(again))
    assert done.status_code == 303
    assert section(app, scg["housing"]) == (2, "Housing text, corrected.\n")


def test_positions_already_stale_need_no_second_confirmation(app, login, world, scg):
    client = login(app.test_client(), world["users"]["admin"])
    asked = save(client, scg, "housing", "Second text.\n")
    save(client, scg, "housing", "Second text.\n", confirm=answer(asked))
    assert save(client, scg, "housing", "Third text.\n", base=2).status_code == 303
    assert section(app, scg["housing"]) == (3, "Third text.\n")


def test_a_merge_over_an_older_base_asks_too_and_then_merges(app, login, world, scg):
    """Someone else's save (confirmed) moves the section on; a Member re-confirms on the new
    text; a save from the older base that merges cleanly still asks before going through."""
    with app.test_request_context():
        housing = db.session.get(Section, scg["housing"])
        editing.save_section(housing, "Housing text.\n\nA second paragraph.\n", 1,
                             db.session.get(User, world["users"]["dacorum_officer"]),
                             confirm_stale=True)
        positions.record_position(housing, db.session.get(User, world["users"]["member"]),
                                  "agreed")
        db.session.commit()
    client = login(app.test_client(), world["users"]["admin"])
    response = save(client, scg, "housing", "Housing text, corrected.\n", base=1)
    assert response.status_code == 409
    assert ("will make the positions of Watford Borough Council on this section out of date"
            in response.text)
    assert 'name="base_version" value="1"' in response.text
    assert section(app, scg["housing"])[0] == 2
    response = save(client, scg, "housing", "Housing text, corrected.\n", base=1,
                    confirm=answer(response))
    assert response.status_code == 303
    assert section(app, scg["housing"]) == (
        3, "Housing text, corrected.\n\nA second paragraph.\n")


def test_restoring_an_old_revision_asks_first_too(app, world, scg):
    with app.test_request_context():
        housing = db.session.get(Section, scg["housing"])
        officer = db.session.get(User, world["users"]["officer"])
        editing.save_section(housing, "New.\n", 1, officer, confirm_stale=True)
        positions.record_position(housing, db.session.get(User, world["users"]["member"]),
                                  "agreed")
        with pytest.raises(editing.ConfirmStale) as refused:
            editing.restore_revision(housing, 1, officer)
        assert refused.value.affected == [("Watford Borough Council", "Agreed")]
        assert editing.restore_revision(housing, 1, officer, confirm_stale=True).changed


def test_the_impact_is_asked_through_the_signal(app, scg):
    with app.app_context():
        housing = db.session.get(Section, scg["housing"])
        assert editing.change_impact(housing, "Other.\n") == [
            ("Dacorum Borough Council", "Not agreed"), ("Watford Borough Council", "Agreed")]
        assert editing.change_impact(housing, "Housing text.\n") == []
        assert editing.change_impact(housing) == editing.change_impact(housing, "Other.\n")


def test_the_restore_button_asks_then_restores_on_confirmation(app, login, world, scg):
    with app.test_request_context():
        housing = db.session.get(Section, scg["housing"])
        editing.save_section(housing, "New.\n", 1, db.session.get(User, world["users"]["officer"]),
                             confirm_stale=True)
        positions.record_position(housing, db.session.get(User, world["users"]["member"]),
                                  "agreed")
        db.session.commit()
    client = login(app.test_client(), world["users"]["admin"])
    url = scg["url"](scg["housing"]) + "/revisions/1/restore"
    response = client.post(url)
    assert response.status_code == 409
    assert "Watford Borough Council: Agreed" in response.text
    assert "Restore and ask them to re-confirm" in response.text
    assert section(app, scg["housing"]) == (2, "New.\n")
    assert client.post(url, data={"confirm_stale": "1"}).status_code == 409
    assert client.post(url, data={"confirm_stale": answer(response)}).status_code == 303
    assert section(app, scg["housing"]) == (3, "Housing text.\n")

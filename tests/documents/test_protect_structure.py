"""Under agreement, structure and strategic matters are for partnership admins only, and a
change that takes positions off the grid asks first (issue 14)."""

import pytest
from sqlalchemy import select

from workspace.documents import editing
from workspace.documents.models import Section
from workspace.extensions import db
from workspace.review.models import Signatory

from .test_protect_positions import (
    answer,
    scg,  # noqa: F401  (the fixture)
)


@pytest.mark.parametrize(("path", "data"), [
    ("/move", {"direction": "up"}), ("/nest", {"direction": "in"}), ("/remove", {}),
    ("/rename", {"title": "New title"}), ("/add-after", {"title": "New section"}),
    ("/strategic-matter", {"strategic_matter": "0"}),
])
def test_an_officer_cannot_change_structure_under_agreement(app, login, world, scg, path, data):  # noqa: F811
    client = login(app.test_client(), world["users"]["officer"])
    response = client.post(scg["url"](scg["housing"]) + path, data=data)
    assert response.status_code == 403
    assert "only a partnership admin" in response.text
    with app.app_context():
        housing = db.session.get(Section, scg["housing"])
        assert housing.removed_at is None and housing.strategic_matter
        assert housing.title == "Housing need"


def test_removing_a_matter_with_positions_asks_first(app, login, world, scg):  # noqa: F811
    client = login(app.test_client(), world["users"]["admin"])
    url = scg["url"](scg["housing"]) + "/remove"
    response = client.post(url)
    assert response.status_code == 409
    assert "This removes the positions of Dacorum Borough Council (Not agreed)" in response.text
    with app.app_context():
        assert db.session.get(Section, scg["housing"]).removed_at is None
    assert client.post(url, data={"confirm_stale": "1"}).status_code == 409
    assert client.post(url, data={"confirm_stale": answer(response)}).status_code == 303
    with app.app_context():
        assert db.session.get(Section, scg["housing"]).removed_at is not None


def test_unmarking_a_matter_with_positions_asks_first(app, login, world, scg):  # noqa: F811
    client = login(app.test_client(), world["users"]["admin"])
    url = scg["url"](scg["housing"]) + "/strategic-matter"
    response = client.post(url, data={"strategic_matter": "0"})
    assert response.status_code == 409
    assert "Watford Borough Council (Agreed)" in response.text
    with app.app_context():
        assert db.session.get(Section, scg["housing"]).strategic_matter
    response = client.post(url, data={"strategic_matter": "0",
                                      "confirm_stale": answer(response)})
    assert response.status_code == 303
    with app.app_context():
        assert not db.session.get(Section, scg["housing"]).strategic_matter


def test_an_admin_moves_a_section_under_agreement(app, login, world, scg):  # noqa: F811
    client = login(app.test_client(), world["users"]["admin"])
    assert client.post(scg["url"](scg["housing"]) + "/move",
                       data={"direction": "up"}).status_code == 303


def test_changing_a_signatory_scope_that_drops_positions_asks_first(app, login, world,
                                                                    scg):  # noqa: F811
    client = login(app.test_client(), world["users"]["admin"])
    url = f"/p/own/d/{scg['id']}/signatories"
    data = {f"scope-{world['orgs']['watford']}": "all",
            f"scope-{world['orgs']['dacorum']}": "none"}
    response = client.post(url, data=data)
    assert response.status_code == 409
    assert ("This removes the positions of Dacorum Borough Council (Not agreed) on Housing "
            "need") in response.text
    assert answer(response) == editing.impact_digest(
        [("Dacorum Borough Council", "Housing need", "Not agreed")])
    with app.app_context():
        assert {s.organisation_id for s in db.session.scalars(select(Signatory))} == {
            world["orgs"]["watford"], world["orgs"]["dacorum"]}
    assert client.post(url, data={**data, "confirm_stale": answer(response)}).status_code == 303
    with app.app_context():
        assert {s.organisation_id for s in db.session.scalars(select(Signatory))} == {
            world["orgs"]["watford"]}


def test_a_scope_change_that_drops_no_current_position_needs_no_confirmation(
        app, login, world, scg):  # noqa: F811
    client = login(app.test_client(), world["users"]["admin"])
    data = {f"scope-{world['orgs']['watford']}": "all",
            f"scope-{world['orgs']['dacorum']}": "all"}
    assert client.post(f"/p/own/d/{scg['id']}/signatories", data=data).status_code == 303


def test_unmarking_with_htmx_goes_to_the_question_page(app, login, world, scg):  # noqa: F811
    client = login(app.test_client(), world["users"]["admin"])
    url = scg["url"](scg["housing"]) + "/strategic-matter"
    response = client.post(url, data={"strategic_matter": "0"}, headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == url
    question = client.get(url)
    assert question.status_code == 200
    assert "Remove it from the strategic matters" in question.text
    with app.app_context():
        assert db.session.get(Section, scg["housing"]).strategic_matter


def test_an_officer_is_not_offered_what_only_an_admin_may_do_under_agreement(app, login, world,
                                                                             scg):  # noqa: F811
    """The document page offers an officer "Suggest a change" (issue 17), but neither "Edit",
    "Move, rename or add" nor the strategic-matter switch while the document is out for
    agreement."""
    with app.app_context():
        document_url = scg["url"](scg["housing"]).split("/s/")[0] + "/"
    officer = login(app.test_client(), world["users"]["officer"])
    page = officer.get(document_url).text
    assert ">Suggest a change<" in page and ">Edit<" not in page     # issue 17
    assert "Move, rename or add" not in page
    assert "Remove from the strategic matters" not in page
    admin = login(app.test_client(), world["users"]["admin"])
    page = admin.get(document_url).text
    assert "Move, rename or add" in page and "Remove from the strategic matters" in page

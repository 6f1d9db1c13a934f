"""The partnership's lists of strategic matters and bodies: everyone in the partnership reads
them, its admins keep them (add, change, retire, restore), nobody else touches them."""
import pytest
from markupsafe import escape
from sqlalchemy import select

from workspace.audit import AuditEvent
from workspace.clock import utcnow
from workspace.documents import service as documents
from workspace.documents.models import Section
from workspace.extensions import db
from workspace.partnerships import matters
from workspace.partnerships.models import Body, Partnership, StrategicMatter


@pytest.fixture
def admin(client, world, login):
    return login(client, world["users"]["admin"])


def as_user(app, login, world, who):
    return login(app.test_client(), world["users"][who])


def add_matter(app, world, title, partnership="own", retired=False, **kwargs):
    with app.app_context():
        row = matters.add_matter(db.session.get(Partnership, world["partnerships"][partnership]),
                                 title, None, **kwargs)
        if retired:
            matters.set_matter_retired(row, True, None)
        db.session.commit()
        return row.id


def add_body(app, world, name, partnership="own", **kwargs):
    with app.app_context():
        row = matters.add_body(db.session.get(Partnership, world["partnerships"][partnership]),
                               name, None, **kwargs)
        db.session.commit()
        return row.id


def matter_rows(app, world, partnership="own"):
    with app.app_context():
        return [(m.reference, m.title, m.description, m.retired_at is not None)
                for m in matters.matters(
                    db.session.get(Partnership, world["partnerships"][partnership]),
                    include_retired=True)]


def body_rows(app, world, partnership="own"):
    with app.app_context():
        return [(b.name, b.short_name, b.kind, b.retired_at is not None)
                for b in matters.bodies(
                    db.session.get(Partnership, world["partnerships"][partnership]),
                    include_retired=True)]


def actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


# Strategic matters ----------------------------------------------------------------------------

def test_everyone_in_the_partnership_reads_the_matters_and_the_sections_about_them(
        app, login, world):
    matter_id = add_matter(app, world, "Housing need", description="How many homes, where.")
    add_matter(app, world, "Green Belt", retired=True)
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = documents.create_document(partnership, "Statement of Common Ground", "scg")
        housing = documents.append_section(document, "Housing", "Text.\n")
        gone = documents.append_section(document, "Old housing", "Text.\n")
        for section in housing, gone:
            section.strategic_matter, section.matter_id = True, matter_id
        gone.removed_at = utcnow()
        db.session.commit()
    page = as_user(app, login, world, "viewer").get("/p/own/matters")
    assert page.status_code == 200
    assert "SM1" in page.text and "Housing need" in page.text
    assert "How many homes, where." in page.text
    assert ">Housing</a>" in page.text and "in Statement of Common Ground" in page.text
    assert "Old housing" not in page.text                  # a removed section is not about it
    assert "Retired strategic matters" in page.text and "Green Belt" in page.text
    assert "Add a strategic matter" not in page.text
    assert "/edit" not in page.text and "/retire" not in page.text and "/restore" not in page.text


def test_outsiders_do_not_see_the_lists(app, login, world):
    outsider = as_user(app, login, world, "foreign_admin")
    assert outsider.get("/p/own/matters").status_code == 404
    assert outsider.get("/p/own/bodies").status_code == 404
    assert outsider.post("/p/own/matters", data={"title": "Mine"}).status_code == 404
    assert matter_rows(app, world) == []


def test_the_admin_adds_matters_numbered_in_turn_or_with_their_own_reference(app, admin, world):
    response = admin.post("/p/own/matters", data={"title": " Housing need ", "reference": "",
                                                  "description": "Homes."})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/p/own/matters#matter-")
    assert admin.post("/p/own/matters", data={"title": "Transport",
                                              "reference": "T-1"}).status_code == 303
    assert admin.post("/p/own/matters", data={"title": "Green Belt"}).status_code == 303
    assert matter_rows(app, world) == [("SM1", "Housing need", "Homes.", False),
                                       ("SM3", "Green Belt", "", False),
                                       ("T-1", "Transport", "", False)]
    assert actions(app).count("matter.added") == 3
    assert "Strategic matter SM1 Housing need added." in admin.get("/p/own/matters").text


@pytest.mark.parametrize("data, field, message", [
    ({"title": "housing NEED"}, "title", "“Housing need” is already strategic matter SM1."),
    ({"title": "Transport", "reference": "sm1"}, "reference",
     "SM1 is already “Housing need”. Choose another reference."),
    ({"title": "  "}, "title", "Enter the strategic matter's title."),
    ({"title": "Transport", "reference": "SM 2!"}, "reference",
     "Enter a short reference such as SM1"),
])
def test_a_refused_matter_answers_422_with_the_message_by_its_field(app, admin, world, data,
                                                                     field, message):
    add_matter(app, world, "Housing need")
    response = admin.post("/p/own/matters", data={"description": "Typed text", **data})
    assert response.status_code == 422
    assert f'id="matter-{field}-error"' in response.text
    assert escape(message) in response.text
    assert f'href="#matter-{field}"' in response.text              # the error summary
    assert "Typed text" in response.text                            # the input is kept
    assert response.text.count("<title>Error: ") == 1
    assert matter_rows(app, world) == [("SM1", "Housing need", "", False)]


def test_a_description_longer_than_a_few_paragraphs_is_refused(app, admin, world):
    response = admin.post("/p/own/matters", data={"title": "Transport",
                                                  "description": "x" * 5001})
    assert response.status_code == 422
    assert 'id="matter-description-error"' in response.text
    assert "Keep the description to 5,000 characters." in response.text
    assert matter_rows(app, world) == []


def test_the_admin_changes_a_matter(app, admin, world):
    matter_id = add_matter(app, world, "Housing need")
    form = admin.get(f"/p/own/matters/{matter_id}/edit")
    assert form.status_code == 200 and 'value="Housing need"' in form.text
    response = admin.post(f"/p/own/matters/{matter_id}", data={
        "title": "Housing need and distribution", "reference": "SM01",
        "description": "Where the homes go."})
    assert response.status_code == 303
    assert matter_rows(app, world) == [("SM01", "Housing need and distribution",
                                        "Where the homes go.", False)]
    assert "matter.changed" in actions(app)


def test_a_change_that_clashes_is_refused_and_nothing_is_half_saved(app, admin, world):
    add_matter(app, world, "Housing need")
    matter_id = add_matter(app, world, "Green Belt")
    response = admin.post(f"/p/own/matters/{matter_id}", data={
        "title": "Green Belt review", "reference": "SM1", "description": "New words"})
    assert response.status_code == 422
    assert 'id="matter-reference-error"' in response.text
    assert 'value="Green Belt review"' in response.text and "New words" in response.text
    assert matter_rows(app, world) == [("SM1", "Housing need", "", False),
                                       ("SM2", "Green Belt", "", False)]


def test_retiring_hides_a_matter_from_choices_and_keeps_what_links_to_it(app, admin, world):
    matter_id = add_matter(app, world, "Housing need")
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = documents.create_document(partnership, "SCG", "scg")
        section = documents.append_section(document, "Housing", "Text.\n")
        section.strategic_matter, section.matter_id = True, matter_id
        db.session.commit()
        section_id = section.id
    assert admin.post(f"/p/own/matters/{matter_id}/retire").status_code == 303
    assert matter_rows(app, world) == [("SM1", "Housing need", "", True)]
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        assert matters.matters(partnership) == []                    # no longer offered
        assert db.session.get(Section, section_id).matter_id == matter_id   # link kept
    page = admin.get("/p/own/matters").text
    assert "Retired strategic matters" in page and ">Housing</a>" in page
    assert "Restore" in page
    assert admin.post(f"/p/own/matters/{matter_id}/restore").status_code == 303
    assert matter_rows(app, world) == [("SM1", "Housing need", "", False)]
    assert actions(app)[-2:] == ["matter.retired", "matter.restored"]


@pytest.mark.parametrize("role", ["officer", "member", "viewer"])
def test_only_partnership_admins_keep_the_matters(app, login, world, role):
    matter_id = add_matter(app, world, "Housing need")
    client = as_user(app, login, world, role)
    assert client.post("/p/own/matters", data={"title": "Transport"}).status_code == 403
    assert client.get(f"/p/own/matters/{matter_id}/edit").status_code == 403
    assert client.post(f"/p/own/matters/{matter_id}", data={
        "title": "Renamed", "reference": "SM1"}).status_code == 403
    assert client.post(f"/p/own/matters/{matter_id}/retire").status_code == 403
    assert matter_rows(app, world) == [("SM1", "Housing need", "", False)]


def test_another_partnerships_matter_is_not_found(app, admin, world):
    foreign = add_matter(app, world, "Luton airport", partnership="foreign")
    assert admin.get(f"/p/own/matters/{foreign}/edit").status_code == 404
    assert admin.post(f"/p/own/matters/{foreign}", data={
        "title": "Taken", "reference": "SM1"}).status_code == 404
    assert admin.post(f"/p/own/matters/{foreign}/retire").status_code == 404
    assert matter_rows(app, world, "foreign") == [("SM1", "Luton airport", "", False)]


def test_the_lists_need_the_csrf_token(app, admin, world):
    matter_id = add_matter(app, world, "Housing need")
    assert admin.post("/p/own/matters", data={"title": "X"}, csrf=False).status_code == 400
    assert admin.post(f"/p/own/matters/{matter_id}/retire", csrf=False).status_code == 400
    assert admin.post("/p/own/bodies", data={"name": "X"}, csrf=False).status_code == 400
    assert matter_rows(app, world) == [("SM1", "Housing need", "", False)]
    assert body_rows(app, world) == []


# Bodies ---------------------------------------------------------------------------------------

def test_everyone_reads_the_bodies_with_their_kind(app, login, world):
    add_body(app, world, "Strategic Planning Members Group", short_name="SPMG",
             kind="member_group")
    page = as_user(app, login, world, "member").get("/p/own/bodies")
    assert page.status_code == 200
    assert "Strategic Planning Members Group" in page.text and "SPMG" in page.text
    assert "Member group" in page.text
    assert "Add a body" not in page.text


def test_the_admin_adds_changes_retires_and_restores_a_body(app, admin, world):
    response = admin.post("/p/own/bodies", data={
        "name": "Strategic Planning Officers Group", "short_name": "SPOG",
        "kind": "officer_group"})
    assert response.status_code == 303
    assert body_rows(app, world) == [("Strategic Planning Officers Group", "SPOG",
                                      "officer_group", False)]
    with app.app_context():
        body_id = db.session.scalar(select(Body.id))
    assert admin.get(f"/p/own/bodies/{body_id}/edit").status_code == 200
    assert admin.post(f"/p/own/bodies/{body_id}", data={
        "name": "Planning Officers Group", "short_name": "POG",
        "kind": "steering_group"}).status_code == 303
    assert body_rows(app, world) == [("Planning Officers Group", "POG", "steering_group",
                                      False)]
    assert admin.post(f"/p/own/bodies/{body_id}/retire").status_code == 303
    assert body_rows(app, world)[0][3] is True
    with app.app_context():
        assert matters.bodies(db.session.get(Partnership, world["partnerships"]["own"])) == []
    assert "Retired bodies" in admin.get("/p/own/bodies").text
    assert admin.post(f"/p/own/bodies/{body_id}/restore").status_code == 303
    assert body_rows(app, world)[0][3] is False
    assert [a for a in actions(app) if a.startswith("body.")] == [
        "body.added", "body.changed", "body.retired", "body.restored"]


@pytest.mark.parametrize("data, field, message", [
    ({"name": "cabinet", "kind": "other"}, "name", "“Cabinet” is already on the list."),
    ({"name": "", "short_name": "Kept", "kind": "other"}, "name", "Enter the body's name."),
    ({"name": "Board", "short_name": "Kept", "kind": "council"}, "kind",
     "Choose what kind of body it is."),
])
def test_a_refused_body_answers_422_with_the_message_by_its_field(app, admin, world, data,
                                                                   field, message):
    add_body(app, world, "Cabinet")
    response = admin.post("/p/own/bodies", data=data)
    assert response.status_code == 422
    assert f'id="body-{field}-error"' in response.text and escape(message) in response.text
    if data.get("short_name"):
        assert 'value="Kept"' in response.text
    assert body_rows(app, world) == [("Cabinet", "", "other", False)]


@pytest.mark.parametrize("role", ["officer", "member"])
def test_only_partnership_admins_keep_the_bodies(app, login, world, role):
    body_id = add_body(app, world, "Cabinet")
    client = as_user(app, login, world, role)
    assert client.post("/p/own/bodies", data={"name": "Board", "kind": "other"}) \
        .status_code == 403
    assert client.post(f"/p/own/bodies/{body_id}", data={
        "name": "Renamed", "kind": "other"}).status_code == 403
    assert client.post(f"/p/own/bodies/{body_id}/retire").status_code == 403
    assert body_rows(app, world) == [("Cabinet", "", "other", False)]


def test_another_partnerships_body_is_not_found(app, admin, world):
    foreign = add_body(app, world, "Luton Cabinet", partnership="foreign")
    assert admin.get(f"/p/own/bodies/{foreign}/edit").status_code == 404
    assert admin.post(f"/p/own/bodies/{foreign}", data={
        "name": "Taken", "kind": "other"}).status_code == 404
    assert admin.post(f"/p/own/bodies/{foreign}/restore").status_code == 404


def test_the_partnership_page_links_to_the_lists(app, login, world):
    page = as_user(app, login, world, "viewer").get("/p/own/").text
    assert 'href="/p/own/matters"' in page and 'href="/p/own/bodies"' in page


def test_a_matter_of_the_same_title_in_another_partnership_is_no_clash(app, admin, world):
    add_matter(app, world, "Housing need", partnership="foreign")
    assert admin.post("/p/own/matters", data={"title": "Housing need"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(StrategicMatter.reference).where(
            StrategicMatter.partnership_id == world["partnerships"]["own"])) == "SM1"

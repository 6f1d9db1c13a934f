"""Engagement objectives: managed by officers on the engagement page (audited, removed
softly), chosen as checkboxes for each stakeholder, shown in the register, written to the CSV
by name and checked by name on import."""
import csv
import io
import re

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from workspace.audit import AuditEvent
from workspace.engagement import csv_io
from workspace.engagement.models import Objective, Stakeholder
from workspace.extensions import db

STAKEHOLDER = {"name": "Public Health Hertfordshire", "category": "health",
               "contact": "Director", "lead_partner": "Watford Borough Council",
               "lead_person": "Strategic Lead", "relationship_now": "cooperate",
               "relationship_target": "collaborate", "influence": "5", "quality": "4",
               "priority": "high", "actions": "Keep close"}


def _url(path="", slug="own"):
    return f"/p/{slug}/engagement/{path}"


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


def _objective(app, partnership_id, name, description="", order=1):
    with app.app_context():
        row = Objective(partnership_id=partnership_id, name=name, description=description,
                        order=order)
        db.session.add(row)
        db.session.commit()
        return row.id


@pytest.fixture
def jsp(app, world):
    """Unite, Guide and Champion for the own partnership; "Elsewhere" for the foreign one."""
    own = world["partnerships"]["own"]
    ids = {name: _objective(app, own, name, f"{name} description.", order)
           for order, name in enumerate(("Unite", "Guide", "Champion"), start=1)}
    ids["Elsewhere"] = _objective(app, world["partnerships"]["foreign"], "Elsewhere")
    return ids


def _live(app, partnership_id):
    with app.app_context():
        return [(o.name, o.description) for o in db.session.scalars(
            db.select(Objective).where(Objective.partnership_id == partnership_id,
                                       Objective.removed_at.is_(None))
            .order_by(Objective.order))]


def _actions(app):
    with app.app_context():
        return db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def _supports(app, name):
    with app.app_context():
        row = db.session.scalar(db.select(Stakeholder).where(Stakeholder.name == name))
        return [o.name for o in row.live_objectives]


def _upload(client, raw, slug="own"):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(raw), "register.csv")})
    return client.post(_url("stakeholders/import", slug), data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_io.CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in csv_io.CSV_COLUMNS])
    return out.getvalue().encode("utf-8")


# Managing the objectives --------------------------------------------------------------------

def test_officer_adds_an_objective_and_it_is_audited(app, officer, world):
    answer = officer.post(_url("objectives"), data={"name": " Unite ",
                                                    "description": "Unite stakeholders."})
    assert answer.status_code == 303 and "#objective-" in answer.headers["Location"]
    assert _live(app, world["partnerships"]["own"]) == [("Unite", "Unite stakeholders.")]
    assert _actions(app) == ["objective.added"]
    page = officer.get(_url()).get_data(as_text=True)
    assert '<h2 class="govuk-heading-m" id="objectives">Objectives</h2>' in page
    assert "Unite stakeholders." in page


@pytest.mark.parametrize("name, message", [
    ("   ", "Enter the objective&#39;s short name"),
    ("x" * 61, "Short name must be 60 characters or fewer."),
    ("Unite; Guide", "Short name cannot contain a semicolon"),
    ("unite", "There is already an objective called"),
])
def test_a_bad_name_is_refused_with_422_and_the_text_kept(app, officer, world, jsp, name,
                                                           message):
    answer = officer.post(_url("objectives"), data={"name": name,
                                                    "description": "Kept description."})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert message in body
    assert "Kept description." in body                   # what was typed is kept
    if name.strip():
        assert f'value="{name}"' in body
    assert len(_live(app, world["partnerships"]["own"])) == 3
    assert "objective.added" not in _actions(app)


def test_an_over_long_description_is_refused(app, officer, world):
    answer = officer.post(_url("objectives"), data={"name": "Align",
                                                    "description": "y" * 2001})
    assert answer.status_code == 422
    assert "Description must be 2000 characters or fewer." in answer.get_data(as_text=True)
    assert _live(app, world["partnerships"]["own"]) == []


def test_renaming_shows_the_new_name_for_its_stakeholders_and_is_audited(app, officer,
                                                                          world, jsp):
    assert officer.post(_url("stakeholders"), data=dict(
        STAKEHOLDER, objectives=[str(jsp["Unite"])])).status_code == 303
    page = officer.get(_url(f"objectives/{jsp['Unite']}/edit")).get_data(as_text=True)
    assert 'value="Unite"' in page and "Unite description." in page
    answer = officer.post(_url(f"objectives/{jsp['Unite']}"),
                          data={"name": "Bring together", "description": "New words."})
    assert answer.status_code == 303
    assert _supports(app, STAKEHOLDER["name"]) == ["Bring together"]
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(
            AuditEvent.action == "objective.changed"))
        assert event.details["changes"] == {"name": ["Unite", "Bring together"],
                                             "description": ["Unite description.",
                                                             "New words."]}
    row = officer.get(_url()).get_data(as_text=True)
    assert "Supports: Bring together" in row


def test_a_rename_to_an_empty_name_answers_422_keeps_the_text_and_changes_nothing(
        app, officer, world, jsp):
    answer = officer.post(_url(f"objectives/{jsp['Guide']}"),
                          data={"name": "", "description": "Half-typed description."})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Half-typed description." in body and "Enter the objective" in body
    assert ("Guide", "Guide description.") in _live(app, world["partnerships"]["own"])
    # A name taken by another objective is refused too; keeping its own name is not.
    assert officer.post(_url(f"objectives/{jsp['Guide']}"),
                        data={"name": "UNITE"}).status_code == 422
    assert officer.post(_url(f"objectives/{jsp['Guide']}"),
                        data={"name": "Guide", "description": "Same."}).status_code == 303


def test_removing_is_soft_and_hides_the_objective(app, officer, world, jsp):
    officer.post(_url("stakeholders"), data=dict(
        STAKEHOLDER, objectives=[str(jsp["Unite"]), str(jsp["Guide"])]))
    answer = officer.post(_url(f"objectives/{jsp['Unite']}/remove"))
    assert answer.status_code == 303
    with app.app_context():
        assert db.session.get(Objective, jsp["Unite"]).removed_at is not None
        row = db.session.scalar(db.select(Stakeholder))
        assert {o.name for o in row.objectives} == {"Unite", "Guide"}   # the link is kept
    assert _supports(app, STAKEHOLDER["name"]) == ["Guide"]
    page = officer.get(_url()).get_data(as_text=True)
    assert "Supports: Guide</span>" in page
    assert f'type="checkbox" value="{jsp["Unite"]}"' not in page
    assert "objective.removed" in _actions(app)
    assert officer.get(_url(f"objectives/{jsp['Unite']}/edit")).status_code == 404
    # Saving the stakeholder again keeps the link to the removed objective.
    with app.app_context():
        sid = db.session.scalar(db.select(Stakeholder.id))
    officer.post(_url(f"stakeholders/{sid}"), data=dict(STAKEHOLDER,
                                                        objectives=[str(jsp["Champion"])]))
    with app.app_context():
        row = db.session.get(Stakeholder, sid)
        assert {o.name for o in row.objectives} == {"Unite", "Champion"}


def test_removing_an_objective_asks_first_and_says_how_many_stakeholders_use_it(
        app, officer, world, jsp):
    officer.post(_url("stakeholders"), data=dict(STAKEHOLDER, objectives=[str(jsp["Unite"])]))
    officer.post(_url("stakeholders"), data=dict(STAKEHOLDER, name="Second",
                                                 objectives=[str(jsp["Unite"]),
                                                             str(jsp["Guide"])]))
    page = officer.get(_url()).get_data(as_text=True)
    forms = {name: re.search(rf'<form[^>]*objectives/{jsp[name]}/remove"[^>]*>', page).group(0)
             for name in ("Unite", "Guide", "Champion")}
    assert 'hx-confirm="Remove the objective Unite? 2 stakeholders support it and will no ' \
           'longer show it."' in forms["Unite"]
    assert "1 stakeholder supports it" in forms["Guide"]
    assert 'hx-confirm="Remove the objective Champion?"' in forms["Champion"]
    assert "hx-post=" in forms["Unite"]
    # Confirmed through htmx, the page is loaded again (with its message).
    answer = officer.post(_url(f"objectives/{jsp['Unite']}/remove"),
                          headers={"HX-Request": "true"})
    assert answer.status_code == 200 and answer.headers["HX-Redirect"].endswith("#objectives")
    assert _live(app, world["partnerships"]["own"])[0][0] == "Guide"


def test_objective_form_has_no_spellcheck_none(app, officer, world, jsp):
    page = officer.get(_url(f"objectives/{jsp['Unite']}/edit")).get_data(as_text=True)
    assert 'spellcheck="None"' not in page
    assert 'spellcheck="None"' not in officer.get(_url()).get_data(as_text=True)


def test_viewers_and_members_cannot_manage_objectives(app, client, login, world, jsp):
    for role in ("viewer", "member"):
        user = login(app.test_client(), world["users"][role])
        assert user.post(_url("objectives"), data={"name": "New"}).status_code == 403
        assert user.get(_url(f"objectives/{jsp['Unite']}/edit")).status_code == 403
        assert user.post(_url(f"objectives/{jsp['Unite']}"),
                         data={"name": "New"}).status_code == 403
        assert user.post(_url(f"objectives/{jsp['Unite']}/remove")).status_code == 403
    viewer = login(client, world["users"]["viewer"])
    page = viewer.get(_url()).get_data(as_text=True)
    assert "Unite description." in page and "Add an objective" not in page


def test_another_partnerships_objective_is_not_found(app, officer, world, jsp):
    assert officer.post(_url(f"objectives/{jsp['Elsewhere']}"),
                        data={"name": "Taken"}).status_code == 404
    assert officer.post(_url(f"objectives/{jsp['Elsewhere']}/remove")).status_code == 404
    assert officer.post(_url(f"objectives/{jsp['Unite']}", "foreign"),
                        data={"name": "Taken"}).status_code == 404


# Stakeholders and their objectives ----------------------------------------------------------

def test_stakeholder_forms_offer_the_objectives_as_checkboxes_in_a_fieldset(app, officer,
                                                                              world, jsp):
    page = officer.get(_url()).get_data(as_text=True)
    form = page[page.index('id="new-objectives"') - 2000:page.index('id="new-objectives"')]
    assert '<fieldset class="govuk-fieldset"' in form
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Objectives ' \
           'supported</legend>' in form
    for name in ("Unite", "Guide", "Champion"):
        assert re.search(r'<input class="govuk-checkboxes__input" id="new-objectives[-0-9]*" '
                         r'name="objectives" type="checkbox" value="\d+">\s*<label class='
                         r'"govuk-label govuk-checkboxes__label" for="new-objectives[-0-9]*">'
                         + name + "</label>", page)
    assert "Elsewhere" not in page


def test_row_editor_checks_the_objectives_saves_them_and_audits_by_name(app, officer, world,
                                                                         jsp):
    officer.post(_url("stakeholders"), data=dict(STAKEHOLDER, objectives=[str(jsp["Unite"])]))
    with app.app_context():
        sid = db.session.scalar(db.select(Stakeholder.id))
    form = officer.get(_url(f"stakeholders/{sid}/edit"),
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert form.startswith("<tr") and "<fieldset" in form
    assert f'value="{jsp["Unite"]}" checked' in form
    assert f'value="{jsp["Guide"]}" checked' not in form
    answer = officer.post(_url(f"stakeholders/{sid}"), headers={"HX-Request": "true"},
                          data=dict(STAKEHOLDER, objectives=[str(jsp["Champion"]),
                                                             str(jsp["Guide"])]))
    assert answer.status_code == 200
    assert "Supports: Guide, Champion" in answer.get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(
            AuditEvent.action == "stakeholder.changed"))
        assert event.details["changes"] == {"objectives": [["Unite"], ["Guide", "Champion"]]}


def test_an_objective_of_another_partnership_is_refused(app, officer, world, jsp):
    answer = officer.post(_url("stakeholders"),
                          data=dict(STAKEHOLDER, objectives=[str(jsp["Elsewhere"])]))
    assert answer.status_code == 422
    assert "Choose objectives from the list" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(Stakeholder.id)) is None


def test_a_422_keeps_the_objectives_ticked(app, officer, world, jsp):
    answer = officer.post(_url("stakeholders"), data=dict(
        STAKEHOLDER, influence="9", objectives=[str(jsp["Guide"])]))
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'value="{jsp["Guide"]}" checked' in body
    assert f'value="{jsp["Unite"]}" checked' not in body


# CSV ----------------------------------------------------------------------------------------

def test_csv_writes_objective_names_separated_by_semicolons(app, officer, world, jsp):
    officer.post(_url("stakeholders"), data=dict(
        STAKEHOLDER, objectives=[str(jsp["Champion"]), str(jsp["Unite"])]))
    rows = list(csv.reader(io.StringIO(officer.get(_url("stakeholders.csv"))
                                       .get_data(as_text=True))))
    assert rows[1][csv_io.CSV_COLUMNS.index("objectives")] == "Unite; Champion"


def test_csv_import_links_objectives_by_name(app, officer, world, jsp):
    answer = _upload(officer, _csv([dict(STAKEHOLDER, objectives="champion;  Unite ; ")]))
    assert answer.status_code == 303
    assert _supports(app, STAKEHOLDER["name"]) == ["Unite", "Champion"]


def test_csv_import_refuses_an_unknown_objective_by_row_and_column(app, officer, world, jsp):
    raw = _csv([dict(STAKEHOLDER, objectives="Unite"),
                dict(STAKEHOLDER, name="Second", objectives="Unite; Conquer"),
                dict(STAKEHOLDER, name="Third", objectives="Elsewhere")])
    answer = _upload(officer, raw)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Nothing was imported: 2 problems found." in body
    assert "Row 3, column objectives: Not an objective of this partnership: " \
           "\u201cConquer\u201d. The objectives are: Unite, Guide, Champion." in body
    assert "Row 4, column objectives" in body
    with app.app_context():
        assert db.session.scalar(db.select(Stakeholder.id)) is None
        assert not db.session.scalar(db.select(AuditEvent.id))


def test_csv_round_trip_keeps_objectives_and_neutralises_formulas(app, officer, world, jsp):
    with app.app_context():
        db.session.get(Objective, jsp["Guide"]).name = "=Guide"
        db.session.commit()
    officer.post(_url("stakeholders"), data=dict(
        STAKEHOLDER, name="=Risky", objectives=[str(jsp["Guide"])]))
    raw = officer.get(_url("stakeholders.csv")).data
    cells = list(csv.reader(io.StringIO(raw.decode())))[1]
    assert cells[0] == "'=Risky" and cells[csv_io.CSV_COLUMNS.index("objectives")] == \
        "'=Guide"
    with app.app_context():
        db.session.scalar(db.select(Stakeholder)).removed_at = db.func.now()
        db.session.commit()
    assert _upload(officer, raw).status_code == 303
    with app.app_context():
        (row,) = db.session.scalars(db.select(Stakeholder).where(
            Stakeholder.removed_at.is_(None))).all()
        assert row.name == "=Risky" and row.objective_names == "=Guide"


# Demo ---------------------------------------------------------------------------------------

def test_demo_has_the_jsp_vision_objectives_with_the_seed_descriptions(app, demo):
    with app.app_context():
        rows = db.session.scalars(db.select(Objective).order_by(Objective.order)).all()
        assert [o.name for o in rows] == ["Create", "Unite", "Guide", "Align", "Articulate",
                                          "Challenge", "Champion"]
        assert rows[1].description == "Unite stakeholders through a shared sense of direction."
        assert rows[6].description.startswith("Build momentum through champions")
        linked = db.session.scalars(db.select(Stakeholder)).all()
        assert all(s.live_objectives for s in linked)
        health = next(s for s in linked if s.name == "Public Health Hertfordshire")
        assert health.objective_names == "Create; Challenge"

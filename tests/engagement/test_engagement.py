"""Engagement planning: stakeholder register, CSV, pictures, activities and live blocks."""
import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from workspace.audit import AuditEvent
from workspace.engagement import activities, charts, csv_io, stakeholders
from workspace.engagement.csv_io import CSV_COLUMNS
from workspace.engagement.models import EngagementActivity, Stakeholder
from workspace.extensions import db
from workspace.partnerships.models import Partnership

GOOD = {"name": "Public Health Hertfordshire", "category": "health", "contact": "Director",
        "lead_partner": "Watford Borough Council", "lead_person": "Strategic Lead",
        "relationship_now": "cooperate", "relationship_target": "collaborate",
        "influence": "5", "quality": "4", "priority": "high", "actions": "Keep close",
        "objectives": ""}


def _validate_stakeholder(data, objectives=()):
    """validate_stakeholder on values as a CSV row gives them."""
    return stakeholders.validate_stakeholder(stakeholders.StakeholderValues.from_row(data),
                                             objectives)


def _validate_activity(data):
    return activities.validate_activity(activities.ActivityValues(**data))


def _url(slug, path=""):
    return f"/p/{slug}/engagement/{path}"


def _stakeholder(app, partnership_id, **values):
    with app.app_context():
        data = dict(GOOD, **{k: str(v) for k, v in values.items()})
        clean, errors = _validate_stakeholder(data)
        assert not errors
        row = Stakeholder(partnership_id=partnership_id, **clean)
        db.session.add(row)
        db.session.commit()
        return row.id


def _rows(app, partnership_id):
    with app.app_context():
        return db.session.scalars(db.select(Stakeholder).where(
            Stakeholder.partnership_id == partnership_id,
            Stakeholder.removed_at.is_(None)).order_by(Stakeholder.id)).all()


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


def _csv(rows, header=csv_io.CSV_COLUMNS):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in csv_io.CSV_COLUMNS])
    return out.getvalue().encode("utf-8")


def _upload(client, slug, raw, name="register.csv"):
    """Post a file, encoded in memory (the test client would spool a large body to an
    unclosed temporary file)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(raw), name)})
    return client.post(_url(slug, "stakeholders/import"), data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


# Validation ---------------------------------------------------------------------------------

@pytest.mark.parametrize("score", ["0", "6", "-1", "2.5", "high", ""])
def test_scores_must_be_whole_numbers_from_1_to_5(score):
    _, errors = _validate_stakeholder(dict(GOOD, influence=score, quality=score))
    assert "1 to 5" in errors["influence"] and "1 to 5" in errors["quality"]


def test_scores_1_and_5_are_accepted():
    clean, errors = _validate_stakeholder(dict(GOOD, influence="1", quality="5"))
    assert not errors and (clean["influence"], clean["quality"]) == (1, 5)


def test_unknown_category_is_refused():
    _, errors = _validate_stakeholder(dict(GOOD, category="pirates"))
    assert "Category must be one of" in errors["category"]


def test_unknown_stage_is_refused():
    _, errors = _validate_stakeholder(dict(GOOD, relationship_now="friends",
                                                  relationship_target="Merge"))
    assert "relationship_now" in errors and "relationship_target" in errors


def test_labels_are_accepted_for_choices():
    clean, errors = _validate_stakeholder(dict(
        GOOD, category="Public health and NHS", relationship_now="Co-exist", priority="High"))
    assert not errors
    assert (clean["category"], clean["relationship_now"], clean["priority"]) == \
        ("health", "coexist", "high")


def test_name_is_required():
    _, errors = _validate_stakeholder(dict(GOOD, name="  "))
    assert errors["name"] == "Enter the stakeholder's name."


def test_activity_end_before_start_is_refused():
    _, errors = _validate_activity({
        "audience": "Youth focus group", "start_date": "2021-09-13",
        "end_date": "2021-09-01", "level": "consult", "status": "planned"})
    assert errors == {"end_date": "End date must be the same as or after the start date."}


def test_activity_unknown_level_and_bad_date_are_refused():
    _, errors = _validate_activity({
        "audience": "Residents", "start_date": "31/02/2021", "end_date": "2021-10-01",
        "level": "shout", "status": "planned", "participants": "lots"})
    assert set(errors) == {"start_date", "level", "participants"}


# Register pages and row editing -------------------------------------------------------------

def test_register_lists_sorts_and_filters(app, officer, world):
    own = world["partnerships"]["own"]
    _stakeholder(app, own, name="Alpha", influence=1, category="business")
    _stakeholder(app, own, name="Beta", influence=5, category="health")
    page = officer.get(_url("own", "?sort=influence&dir=desc")).get_data(as_text=True)
    assert page.index(">Beta<") < page.index(">Alpha<")
    assert 'aria-sort="descending"' in page
    page = officer.get(_url("own", "?category=business")).get_data(as_text=True)
    assert "stakeholder-" in page and ">Alpha<" in page
    assert not re.search(r'<th scope="row" class="govuk-table__header">Beta', page)


def test_officer_edits_a_row_in_place_and_it_is_audited(app, officer, world):
    own = world["partnerships"]["own"]
    sid = _stakeholder(app, own, quality=2)
    form = officer.get(_url("own", f"stakeholders/{sid}/edit"), headers={"HX-Request": "true"})
    assert form.status_code == 200 and form.get_data(as_text=True).startswith("<tr")
    answer = officer.post(_url("own", f"stakeholders/{sid}"), data=dict(GOOD, quality="5"),
                          headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.headers["HX-Trigger"] == "stakeholders-changed"
    assert f'id="stakeholder-{sid}"' in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Stakeholder, sid).quality == 5
        event = db.session.scalar(db.select(AuditEvent).where(
            AuditEvent.action == "stakeholder.changed"))
        assert event.object_id == sid and event.details["changes"]["quality"] == [2, 5]


def test_invalid_row_answers_422_with_the_row_form_and_saves_nothing(app, officer, world):
    own = world["partnerships"]["own"]
    sid = _stakeholder(app, own, influence=3)
    answer = officer.post(_url("own", f"stakeholders/{sid}"),
                          data=dict(GOOD, influence="9", category="nope"),
                          headers={"HX-Request": "true"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert body.startswith("<tr") and "whole number from 1 to 5" in body
    assert "Category must be one of" in body
    with app.app_context():
        assert db.session.get(Stakeholder, sid).influence == 3
        assert not db.session.scalar(db.select(AuditEvent.id).where(
            AuditEvent.action == "stakeholder.changed"))


def test_add_and_remove_are_audited(app, officer, world):
    own = world["partnerships"]["own"]
    answer = officer.post(_url("own", "stakeholders"), data=GOOD)
    assert answer.status_code == 303
    (row,) = _rows(app, own)
    answer = officer.post(_url("own", f"stakeholders/{row.id}/remove"),
                          headers={"HX-Request": "true"})
    assert answer.status_code == 200 and answer.get_data(as_text=True) == ""
    assert _rows(app, own) == []
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["stakeholder.added", "stakeholder.removed"]
        assert db.session.get(Stakeholder, row.id).removed_at is not None


def test_add_with_bad_values_answers_422_and_adds_nothing(app, officer, world):
    answer = officer.post(_url("own", "stakeholders"), data=dict(GOOD, quality="0"))
    assert answer.status_code == 422
    assert "Quality of relationship must be a whole number" in answer.get_data(as_text=True)
    assert _rows(app, world["partnerships"]["own"]) == []


# Permissions --------------------------------------------------------------------------------

def test_viewer_reads_but_cannot_edit(app, client, login, world):
    sid = _stakeholder(app, world["partnerships"]["own"])
    viewer = login(client, world["users"]["viewer"])
    assert viewer.get(_url("own")).status_code == 200
    assert viewer.get(_url("own", "stakeholders.csv")).status_code == 200
    assert viewer.get(_url("own", f"stakeholders/{sid}/edit")).status_code == 403
    assert viewer.post(_url("own", f"stakeholders/{sid}"), data=GOOD).status_code == 403
    assert viewer.post(_url("own", "stakeholders"), data=GOOD).status_code == 403
    assert viewer.post(_url("own", f"stakeholders/{sid}/remove")).status_code == 403
    assert _upload(viewer, "own", _csv([GOOD])).status_code == 403
    assert viewer.post(_url("own", "activities"), data={}).status_code == 403
    assert "Change<span" not in viewer.get(_url("own")).get_data(as_text=True)


def test_member_cannot_edit_the_register(app, client, login, world):
    sid = _stakeholder(app, world["partnerships"]["own"])
    member = login(client, world["users"]["member"])
    assert member.post(_url("own", f"stakeholders/{sid}"), data=GOOD).status_code == 403


def test_other_partnerships_register_is_not_found(app, client, login, world):
    foreign_sid = _stakeholder(app, world["partnerships"]["foreign"])
    officer = login(client, world["users"]["officer"])
    assert officer.get(_url("foreign")).status_code == 404
    assert officer.get(_url("foreign", "stakeholders.csv")).status_code == 404
    assert officer.post(_url("foreign", f"stakeholders/{foreign_sid}"),
                        data=GOOD).status_code == 404
    # A stakeholder of another partnership through one's own partnership's address.
    assert officer.post(_url("own", f"stakeholders/{foreign_sid}"), data=GOOD).status_code == 404
    assert officer.post(_url("own", f"stakeholders/{foreign_sid}/remove")).status_code == 404


def test_post_without_csrf_token_is_refused(app, officer, world):
    answer = officer.post(_url("own", "stakeholders"), data=GOOD, csrf=False)
    assert answer.status_code == 400
    assert _rows(app, world["partnerships"]["own"]) == []


# CSV ----------------------------------------------------------------------------------------

def test_formula_cells_are_neutralised():
    for risky in ("=1+1", "+44", "-3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_io.neutralise(risky) == "'" + risky
    assert csv_io.neutralise("Plain") == "Plain"


def test_export_neutralises_formulas(app, officer, world):
    _stakeholder(app, world["partnerships"]["own"], name='=HYPERLINK("http://x")',
                 actions="@cmd")
    text = officer.get(_url("own", "stakeholders.csv")).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(csv_io.CSV_COLUMNS)
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")" and rows[1][10] == "'@cmd"


def test_csv_round_trip(app, officer, world):
    own = world["partnerships"]["own"]
    _stakeholder(app, own, name="=Risky", priority="low", relationship_now="compete")
    _stakeholder(app, own, name="Youth councils", category="youth", influence=2, quality=1)
    raw = officer.get(_url("own", "stakeholders.csv")).data
    with app.app_context():
        other = Partnership(slug="copy", name="Copy", short_name="copy")
        db.session.add(other)
        db.session.flush()
        from workspace.partnerships.models import Partner
        db.session.add(Partner(partnership_id=other.id, organisation_id=world["orgs"]["watford"]))
        db.session.commit()
        other_id = other.id
    answer = _upload(officer, "copy", raw)
    assert answer.status_code == 303
    columns = list(csv_io.CSV_COLUMNS)

    def values(rows):
        return sorted(tuple(r.objective_names if c == "objectives" else getattr(r, c)
                            for c in columns) for r in rows)

    assert values(_rows(app, other_id)) == values(_rows(app, own))
    # Importing the same file again updates rows of the same name instead of adding.
    assert _upload(officer, "copy", raw).status_code == 303
    assert len(_rows(app, other_id)) == 2


def test_a_reimport_counts_only_rows_that_changed_and_audits_each_change(app, officer, world):
    own = world["partnerships"]["own"]
    _stakeholder(app, own, name="Alpha", quality=2)
    _stakeholder(app, own, name="Beta", influence=3)
    raw = officer.get(_url("own", "stakeholders.csv")).data
    answer = _upload(officer, "own", raw)                     # nothing changed
    assert answer.status_code == 303
    page = officer.get(_url("own")).get_data(as_text=True)
    assert "Imported: 0 added, 0 updated." in page
    changed = raw.decode().replace("Alpha,", "alpha,", 1)     # names match in any case
    rows = list(csv.reader(io.StringIO(changed)))
    rows[1][csv_io.CSV_COLUMNS.index("quality")] = "4"
    rows[1][csv_io.CSV_COLUMNS.index("actions")] = "Meet monthly"
    out = io.StringIO()
    csv.writer(out).writerows(rows + [["Gamma"] + rows[2][1:]])
    assert _upload(officer, "own", out.getvalue().encode()).status_code == 303
    assert "Imported: 1 added, 1 updated." in officer.get(_url("own")).get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "stakeholder.imported").order_by(AuditEvent.id)).all()
        assert [(e.details["added"], e.details["updated"]) for e in events] == [(0, 0), (1, 1)]
        assert events[0].details["changes"] == {}
        assert events[1].details["added_names"] == ["Gamma"]
        assert events[1].details["changes"] == {
            "alpha": {"name": ["Alpha", "alpha"], "quality": [2, 4],
                      "actions": ["Keep close", "Meet monthly"]}}


def test_import_is_all_or_nothing_and_names_row_and_column(app, officer, world):
    raw = _csv([GOOD, dict(GOOD, name="Second", influence="7"),
                dict(GOOD, name="Third", category="aliens", relationship_target="Best")])
    answer = _upload(officer, "own", raw)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Nothing was imported: 3 problems found." in body
    assert "Row 3, column influence" in body
    assert "Row 4, column category" in body and "Row 4, column relationship_target" in body
    assert _rows(app, world["partnerships"]["own"]) == []
    with app.app_context():
        assert not db.session.scalar(db.select(AuditEvent.id))


def test_import_refuses_a_wrong_header(app, officer, world):
    raw = _csv([GOOD], header=("name", "type", "score"))
    answer = _upload(officer, "own", raw)
    assert answer.status_code == 422
    assert "The first row must be exactly these column names" in answer.get_data(as_text=True)
    assert _rows(app, world["partnerships"]["own"]) == []


def test_import_refuses_bad_encoding(app, officer, world):
    raw = _csv([dict(GOOD, name="Café")]).decode().encode("latin-1")
    answer = _upload(officer, "own", raw)
    assert answer.status_code == 422
    assert "not UTF-8" in answer.get_data(as_text=True)
    assert _rows(app, world["partnerships"]["own"]) == []


def test_import_refuses_a_file_over_2_mb(app, officer, world):
    raw = _csv([GOOD]) + b"x" * (csv_io.MAX_CSV_BYTES + 1)
    answer = _upload(officer, "own", raw)
    assert answer.status_code == 413
    assert "larger than 2 MB" in answer.get_data(as_text=True)
    assert _rows(app, world["partnerships"]["own"]) == []


def test_import_reports_rows_with_the_wrong_number_of_columns(app, officer, world):
    raw = _csv([GOOD]) + b"only,three,cells\r\n"
    answer = _upload(officer, "own", raw)
    assert answer.status_code == 422 and "Row 3" in answer.get_data(as_text=True)
    assert _rows(app, world["partnerships"]["own"]) == []


# Pictures -----------------------------------------------------------------------------------

def test_map_has_a_circle_per_stakeholder_a_title_a_desc_and_a_table(app, officer, world):
    own = world["partnerships"]["own"]
    ids = [_stakeholder(app, own, name=f"S{i}", influence=5, quality=1) for i in range(3)]
    ids.append(_stakeholder(app, own, name="Lone", influence=1, quality=5))
    body = officer.get(_url("own", "map")).get_data(as_text=True)
    svg = body[body.index("<svg"):body.index("</svg>")]
    assert "<title id=" in svg and "<desc id=" in svg
    assert svg.count("<circle") == 4
    for sid in ids:
        assert f'data-stakeholder="{sid}"' in svg
    table = body[body.index("</svg>"):]
    for sid in ids:                            # the table after it links each stakeholder
        assert f"#stakeholder-{sid}" in table
    assert '<caption class="govuk-table__caption govuk-table__caption--s">The stakeholders on ' \
           'the map' in body
    # Points sharing a cell are spread apart, not drawn on top of each other.
    points = charts.influence_map(_rows(app, own))["points"]
    assert len({(p.x, p.y) for p in points}) == 4


def test_each_point_on_the_map_links_to_its_row_in_the_table_with_its_name_and_scores(
        app, officer, world):
    own = world["partnerships"]["own"]
    sid = _stakeholder(app, own, name="Youth <councils>", influence=4, quality=2)
    body = officer.get(_url("own", "map")).get_data(as_text=True)
    svg = body[body.index("<svg"):body.index("</svg>")]
    # Links inside it: a group, not a picture (role="img" makes its content presentational).
    assert 'role="group"' in svg and 'role="img"' not in svg
    link = re.search(r'<a href="#([^"]+)" class="cg-point-link" aria-label="([^"]+)">', svg)
    assert link.group(2) == "1. Youth &lt;councils&gt;: influence 4, quality 2"
    assert link.group(1) == f"map-page-stakeholder-{sid}"
    table = body[body.index("</svg>"):]
    assert f'<tr class="govuk-table__row" id="map-page-stakeholder-{sid}">' in table


def test_a_printed_map_has_plain_shapes_and_no_links(app, world):
    from workspace.engagement import blocks
    own = world["partnerships"]["own"]
    _stakeholder(app, own, name="Lone")
    with app.test_request_context():
        partnership = db.session.get(Partnership, own)
        html = str(blocks.expand("<p>{{map}}</p>", partnership, printing=True))
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="img"' in svg and svg.count("<circle") == 1
    assert "<a " not in html and "-stakeholder-" not in html


def test_ladder_counts_now_and_target():
    class S:
        def __init__(self, now, target):
            self.relationship_now, self.relationship_target = now, target

    counts = charts.ladder([S("coexist", "cooperate"), S("coexist", "collaborate"),
                            S("compete", "collaborate")])
    assert [(r["label"], r["now"], r["target"]) for r in counts] == [
        ("Compete", 1, 0), ("Co-exist", 2, 0), ("Cooperate", 0, 1), ("Collaborate", 0, 2)]


def test_timeline_draws_activities_key_dates_and_today(app, officer, world):
    from workspace.documents.service import create_document
    from workspace.review.models import DecisionSought
    own = world["partnerships"]["own"]
    with app.app_context():
        partnership = db.session.get(Partnership, own)
        plan = create_document(partnership, "Plan", "engagement_plan")
        db.session.flush()
        db.session.add(DecisionSought(document_id=plan.id, body="JSP Steering Group",
                                      due_date=date(2021, 6, 14)))
        db.session.commit()
    answer = officer.post(_url("own", "activities"), data={
        "audience": "Youth focus group", "groups": "1", "participants": "20",
        "convened_by": "JSP representative", "led_by": "Vision consultant",
        "period": "Period 1", "start_date": "2021-09-13", "end_date": "2021-10-08",
        "level": "consult", "status": "planned"})
    assert answer.status_code == 303
    body = officer.get(_url("own")).get_data(as_text=True)
    start = body.index('aria-labelledby="timeline-page-title')
    svg = body[start:body.index("</svg>", start)]
    assert "Youth focus group" in svg and "JSP Steering Group" in svg
    assert "Today" in svg
    with app.app_context():
        assert "activity.added" in db.session.scalars(db.select(AuditEvent.action)).all()


def test_activity_form_refuses_end_before_start(app, officer, world):
    answer = officer.post(_url("own", "activities"), data={
        "audience": "Residents", "start_date": "2021-10-01", "end_date": "2021-09-01",
        "level": "consult", "status": "planned"})
    assert answer.status_code == 422
    assert "End date must be the same as or after the start date." in \
        answer.get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(db.select(EngagementActivity.id))


@pytest.mark.parametrize("field, value, message", [
    ("level", "dictate", "Level of participation must be one of: "),
    ("status", "forgotten", "Status must be one of: "),
])
def test_an_unknown_level_or_status_answers_422_with_the_message_and_the_values_kept(
        app, officer, world, field, value, message):
    data = {"audience": "Residents of Oxhey", "period": "Autumn", "start_date": "2021-09-01",
            "end_date": "2021-10-01", "level": "consult", "status": "planned"}
    answer = officer.post(_url("own", "activities"), data=dict(data, **{field: value}))
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'id="{field}-error"' in body and message in body
    assert 'href="#' + field + '"' in body                    # the summary links to the field
    assert 'value="Residents of Oxhey"' in body and 'value="2021-09-01"' in body
    with app.app_context():
        assert not db.session.scalar(db.select(EngagementActivity.id))


def test_changing_an_activity_to_an_unknown_level_answers_422(app, officer, world):
    data = {"audience": "Residents", "start_date": "2021-09-01", "end_date": "2021-10-01",
            "level": "consult", "status": "planned"}
    assert officer.post(_url("own", "activities"), data=data).status_code == 303
    with app.app_context():
        activity_id = db.session.scalar(db.select(EngagementActivity.id))
    answer = officer.post(_url("own", f"activities/{activity_id}"),
                          data=dict(data, audience="Renamed", level="dictate"))
    assert answer.status_code == 422
    assert "Level of participation must be one of" in answer.get_data(as_text=True)
    assert 'value="Renamed"' in answer.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(EngagementActivity, activity_id)
        assert (row.audience, row.level) == ("Residents", "consult")


def test_activity_post_without_csrf_token_is_still_refused(app, officer, world):
    answer = officer.post(_url("own", "activities"), data={"audience": "X"}, csrf=False)
    assert answer.status_code == 400
    with app.app_context():
        assert not db.session.scalar(db.select(EngagementActivity.id))


def test_today_marker_sits_at_the_edge_when_outside_the_span():
    class A:
        id, audience, period, level_label, status_label = 1, "A", "", "Consult", "Done"
        start_date, end_date = date(2021, 9, 1), date(2021, 10, 1)

    t = charts.timeline([A()], [], today=date(2026, 1, 1))
    assert t["today"]["where"] == "after" and t["today"]["x"] == t["right"]
    t = charts.timeline([A()], [], today=date(2021, 9, 15))
    assert t["today"]["where"] == "within" and t["x0"] < t["today"]["x"] < t["right"]


# Live blocks and demo -----------------------------------------------------------------------

def test_demo_engagement_plan_shows_live_blocks(app, client, login, demo):
    from workspace.accounts.models import User
    from workspace.documents.models import Document
    with app.app_context():
        plan = db.session.scalar(db.select(Document).where(Document.kind == "engagement_plan"))
        user_id = db.session.scalar(db.select(User.id).where(
            User.email == "officer@watford.example"))
        slug, plan_id = plan.partnership.slug, plan.id
        count = db.session.scalar(db.select(db.func.count(Stakeholder.id)))
        assert count >= 15
        assert db.session.scalar(db.select(db.func.count(EngagementActivity.id))) == 6
    body = login(client, user_id).get(f"/p/{slug}/d/{plan_id}/").get_data(as_text=True)
    assert "<p>{{register}}</p>" not in body and "<p>{{map}}</p>" not in body   # expanded
    assert body.count("<circle") == count
    assert "Relationship ladder" in body and "Engagement timeline" in body
    assert "Youth focus group (18-25)" in body


def test_markers_inside_user_text_do_not_bypass_the_sanitiser(app):
    from workspace.documents.markdown import render_markdown
    from workspace.engagement import blocks
    with app.test_request_context():
        html = render_markdown("<script>x</script> {{map}}\n\n`{{map}}`\n\n{{nope}}")
        assert blocks.expand(html, None) == html
        out = str(blocks.expand(html, object.__new__(Partnership)))
        assert "<svg" not in out and "<script>" not in out


# A control character in an imported CSV (a file, not a request parameter) is taken out: it
# broke the document's Word export for every reader.


def test_a_nul_in_an_imported_csv_is_taken_out(app, client, world, login):
    login(client, world["users"]["officer"])
    row = {"name": "Parish\x00 council", "category": "other", "contact": "Clerk\x01",
           "lead_partner": "Watford", "lead_person": "Officer", "relationship_now": "coexist",
           "relationship_target": "cooperate", "influence": "3", "quality": "3",
           "priority": "low", "actions": "Write\x00.", "objectives": ""}
    text = ",".join(CSV_COLUMNS) + "\r\n" + ",".join(row[c] for c in CSV_COLUMNS) + "\r\n"
    response = client.post("/p/own/engagement/stakeholders/import", data={
        "file": (io.BytesIO(text.encode()), "register.csv")})
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(Stakeholder).where(Stakeholder.partnership_id ==
                                                              world["partnerships"]["own"]))
        assert (stored.name, stored.contact, stored.actions) == ("Parish council", "Clerk",
                                                                 "Write.")

"""Agreed actions' pages: the list with its filters and overdue tags, adding (from a meeting
or on its own), changing, closing and reopening; who may (viewers and Members read only;
another partnership's action is not found); a refused or stale form keeps what was typed."""
from datetime import date, timedelta

import pytest
from flask import render_template
from sqlalchemy import func, select

from workspace.clock import today
from workspace.cooperation.models import Action, Meeting
from workspace.extensions import db

from . import actions_support
from .actions_support import add

record = actions_support.record


def as_(app, login, record, who):
    return login(app.test_client(), record["users"][who])


def posted(record, **kwargs):
    """An action form as posted."""
    data = {"what": "Draft a MoU", "lead_organisation_id": str(record["orgs"]["dacorum"]),
            "supporter_ids": [str(record["orgs"]["watford"])], "due_on-day": "31",
            "due_on-month": "3", "due_on-year": "2018",
            "matter_ids": [str(record["housing"])], "document_ids": [], "meeting": "",
            "version": ""}
    data.update(kwargs)
    return data


def count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Action.id)))


def test_the_list_shows_actions_with_overdue_flagged_in_words(app, login, record):
    late = add(app, record, what="Meet Government", due_on=today() - timedelta(days=1),
               meeting_id=record["workshop"], supporter_ids=[record["orgs"]["dacorum"]],
               matter_ids=[record["housing"]])
    add(app, record, what="Later", due_on=today() + timedelta(days=30))
    page = as_(app, login, record, "viewer").get("/p/own/actions")
    assert page.status_code == 200
    text = page.text
    assert "<h1 class=\"govuk-heading-l\">Agreed actions</h1>" in text
    assert "2 actions" in text and text.count(">Overdue</strong>") == 1
    assert f'href="/p/own/actions/{late}">1. Meet Government</a>' in text
    assert f'href="/p/own/meetings/{record["workshop"]}">JSP workshop</a>' in text
    assert "SM1 Housing need" in text and "Dacorum Borough Council" in text
    assert "Add an action" not in text                      # a viewer reads only


def test_the_list_filters_by_authority_matter_and_status(app, login, record):
    add(app, record, what="Watford's", matter_ids=[record["housing"]])
    add(app, record, what="Dacorum's", lead_organisation_id=record["orgs"]["dacorum"])
    client = as_(app, login, record, "officer")
    text = client.get(f"/p/own/actions?organisation={record['orgs']['dacorum']}").text
    assert "Dacorum&#39;s" in text and "Watford&#39;s" not in text and "(filtered)" in text
    text = client.get(f"/p/own/actions?matter={record['housing']}&status=open").text
    assert "Watford&#39;s" in text and "Dacorum&#39;s" not in text
    text = client.get("/p/own/actions?status=done").text
    assert "No actions match these filters." in text
    text = client.get("/p/own/actions?status=nonsense&organisation=x").text
    assert "2 actions" in text                                # a value naming nothing: ignored
    partial = client.get("/p/own/actions?status=open", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith("<div id=\"actions\"")
    assert "HX-Request" in partial.headers["Vary"]


def test_adding_an_action_from_a_meeting(app, login, record):
    client = as_(app, login, record, "officer")
    page = client.get(f"/p/own/actions/new?meeting={record['workshop']}")
    assert page.status_code == 200
    assert "as its next step 1" in page.text and "JSP workshop" in page.text
    response = client.post("/p/own/actions/new", data=posted(
        record, meeting=str(record["workshop"])))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/p/own/meetings/{record['workshop']}#agreed-actions")
    with app.app_context():
        row = db.session.scalar(select(Action))
        assert (row.meeting_id, row.number, row.what, row.due_on) == (
            record["workshop"], 1, "Draft a MoU", date(2018, 3, 31))
        assert [s.organisation_id for s in row.supporters] == [record["orgs"]["watford"]]
    assert client.get(f"/p/own/actions/new?meeting={record['foreign_meeting']}"
                      ).status_code == 404


def test_adding_an_action_on_its_own_leads_to_its_page(app, login, record):
    client = as_(app, login, record, "admin")          # a partnership admin
    response = client.post("/p/own/actions/new", data=posted(
        record, **{"due_on-day": "", "due_on-month": "", "due_on-year": ""}))
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Draft a MoU" in page.text and "On its own" in page.text
    assert "No due date" in page.text


def test_a_refused_action_answers_422_and_keeps_what_was_typed(app, login, record):
    client = as_(app, login, record, "officer")
    response = client.post("/p/own/actions/new", data=posted(
        record, what="Typed words", lead_organisation_id="",
        meeting=str(record["workshop"])))
    assert response.status_code == 422 and count(app) == 0
    text = response.text
    assert "There is a problem" in text
    assert 'href="#lead_organisation_id">Choose the authority that leads this action.' in text
    assert "Typed words</textarea>" in text and 'value="31"' in text
    response = client.post("/p/own/actions/new", data=posted(
        record, meeting=str(record["workshop"]), **{"due_on-year": "2017"}))
    assert response.status_code == 422 and count(app) == 0
    assert ('href="#due_on-day">The due date is before the meeting it was agreed at '
            "(23 January 2018).") in response.text
    response = client.post("/p/own/actions/new", data=posted(record, **{"due_on-month": "13"}))
    assert response.status_code == 422 and "Due date must be a real date" in response.text


@pytest.mark.parametrize("who", ["viewer", "member"])
def test_viewers_and_members_cannot_add_or_change(app, login, record, who):
    action_id = add(app, record)
    client = as_(app, login, record, who)
    assert client.get(f"/p/own/actions/{action_id}").status_code == 200
    assert "Change this action" not in client.get(f"/p/own/actions/{action_id}").text
    assert client.get("/p/own/actions/new").status_code == 403
    assert client.post("/p/own/actions/new", data=posted(record)).status_code == 403
    base = f"/p/own/actions/{action_id}"
    assert client.post(base, data=posted(record, version="1")).status_code == 403
    assert client.post(base + "/close", data={"close-status": "done",
                                              "close-version": "1"}).status_code == 403
    assert client.post(base + "/reopen", data={"reopen-version": "1"}).status_code == 403
    with app.app_context():
        row = db.session.get(Action, action_id)
        assert (row.version, row.status, count(app)) == (1, "open", 1)


def test_another_partnerships_action_is_not_found(app, login, record):
    action_id = add(app, record)
    outsider = as_(app, login, record, "foreign_admin")
    assert outsider.get(f"/p/own/actions/{action_id}").status_code == 404
    assert outsider.get("/p/own/actions").status_code == 404
    assert outsider.get(f"/p/foreign/actions/{action_id}").status_code == 404
    assert outsider.post(f"/p/foreign/actions/{action_id}/close", data={
        "close-status": "done", "close-version": "1"}).status_code == 404
    with app.app_context():
        assert db.session.get(Action, action_id).status == "open"


def test_changing_an_action(app, login, record):
    action_id = add(app, record, meeting_id=record["workshop"])
    client = as_(app, login, record, "dacorum_officer")
    page = client.get(f"/p/own/actions/{action_id}")
    assert "Change this action" in page.text and 'name="version" type="hidden" value="1"' in \
        page.text
    response = client.post(f"/p/own/actions/{action_id}", data=posted(record, version="1"))
    assert response.status_code == 303
    with app.app_context():
        row = db.session.get(Action, action_id)
        assert (row.what, row.version, row.lead_organisation_id) == (
            "Draft a MoU", 2, record["orgs"]["dacorum"])
    response = client.post(f"/p/own/actions/{action_id}", data=posted(
        record, version="2", what=""))
    assert response.status_code == 422 and 'href="#what">Enter what was agreed.' in \
        response.text


def test_a_stale_change_answers_409_keeps_the_typing_and_changes_nothing(app, login, record):
    action_id = add(app, record)
    client = as_(app, login, record, "officer")
    assert client.post(f"/p/own/actions/{action_id}", data=posted(
        record, version="1", what="First")).status_code == 303
    response = client.post(f"/p/own/actions/{action_id}", data=posted(
        record, version="1", what="Second, from an old page"))
    assert response.status_code == 409
    text = response.text
    assert "changed this action while you were working on it" in text
    assert "Second, from an old page</textarea>" in text
    assert 'name="version" type="hidden" value="2"' in text     # saving again is on purpose
    with app.app_context():
        row = db.session.get(Action, action_id)
        assert (row.what, row.version) == ("First", 2)


def test_closing_and_reopening_an_action(app, login, record):
    action_id = add(app, record)
    client = as_(app, login, record, "officer")
    base = f"/p/own/actions/{action_id}"
    response = client.post(base + "/close", data={"close-status": "dropped",
                                                  "close-outcome": "", "close-version": "1"})
    assert response.status_code == 422
    assert 'href="#close-outcome">Say why the action was dropped.' in response.text
    response = client.post(base + "/close", data={
        "close-status": "dropped", "close-outcome": "Overtaken by events",
        "close-version": "1"})
    assert response.status_code == 303
    page = client.get(base).text
    assert ">Dropped</strong>" in page and "Why it was dropped" in page
    assert "Overtaken by events" in page and "Reopen this action" in page
    assert client.post(base + "/reopen", data={"reopen-version": "1"}).status_code == 409
    assert client.post(base + "/reopen", data={"reopen-version": "2"}).status_code == 303
    with app.app_context():
        assert db.session.get(Action, action_id).status == "open"
    response = client.post(base + "/close", data={"close-status": "done",
                                                  "close-version": "1"})
    assert response.status_code == 409 and "changed this action" in response.text


def test_the_meeting_partial_lists_its_actions_by_number(app, login, record):
    add(app, record, meeting_id=record["workshop"], what="First step")
    add(app, record, meeting_id=record["workshop"], what="Second step",
        due_on=date(2018, 2, 1))
    add(app, record, what="Not from it")
    with app.test_request_context():
        meeting = db.session.get(Meeting, record["workshop"])
        html = render_template("cooperation/_meeting_actions.html", meeting=meeting,
                               partnership=meeting_partnership(meeting))
    assert "Agreed actions (2)" in html and "Not from it" not in html
    assert html.index("1. First step") < html.index("2. Second step")
    assert ">Overdue</strong>" in html                      # 1 February 2018 has passed
    assert f"/p/own/actions/new?meeting={record['workshop']}" not in html   # no one signed in


def meeting_partnership(meeting):
    from workspace.partnerships.models import Partnership
    return db.session.get(Partnership, meeting.partnership_id)

"""My tasks: the open actions the user's authority leads (overdue first, then by due date),
and the header's count of them, in one query, matching the page."""
from datetime import date

import pytest
from flask import render_template

from tests.support import counting_queries
from workspace.accounts.models import User
from workspace.cooperation import actions
from workspace.cooperation import tasks as cooperation_tasks
from workspace.cooperation.models import Action
from workspace.extensions import db
from workspace.partnerships.models import Partner
from workspace.review import tasks

from . import actions_support
from .actions_support import _do, _user, add

record = actions_support.record

#: "Today" in these tests.
TODAY = date(2018, 3, 25)


@pytest.fixture
def led(app, factory, record, monkeypatch):
    """Actions in `own` led by Watford: overdue, due within seven days, due later, undated,
    done; one led by Dacorum (Watford supports it); one in a partnership Watford has left."""
    monkeypatch.setattr(cooperation_tasks, "today", lambda: TODAY)
    orgs = record["orgs"]
    ids = {
        "overdue": add(app, record, what="Overdue one", due_on=date(2018, 3, 20)),
        "later": add(app, record, what="Later one", due_on=date(2018, 6, 1)),
        "soon": add(app, record, what="Soon one", due_on=date(2018, 4, 1)),
        "undated": add(app, record, what="Undated one"),
        "done": add(app, record, what="Done one", due_on=date(2018, 3, 1)),
        "dacorum": add(app, record, what="Dacorum's", due_on=date(2018, 3, 21),
                       lead_organisation_id=orgs["dacorum"], supporter_ids=[orgs["watford"]]),
    }
    _do(app, lambda: actions.close_action(db.session.get(Action, ids["done"]),
                                          _user(record), expected_version=1, status="done"))
    left = factory.partnership("left", [orgs["watford"], orgs["dacorum"]])
    with app.app_context():
        db.session.execute(Partner.__table__.update().where(
            Partner.partnership_id == left, Partner.organisation_id == orgs["watford"])
            .values(status="left"))
        row = Action(partnership_id=left, what="In a partnership Watford left",
                     lead_organisation_id=orgs["watford"], due_on=date(2018, 3, 1),
                     created_by_id=record["users"]["officer"])
        db.session.add(row)
        db.session.commit()
    return ids


def found(app, user_id):
    with app.test_request_context():
        user = db.session.get(User, user_id)
        rows = cooperation_tasks.led_actions(user)
        return ([(t.action.what, t.state, t.partnership.name) for t in rows],
                cooperation_tasks.led_count(user))


@pytest.mark.parametrize("who", ["officer", "viewer", "member", "admin"])
def test_my_tasks_lists_the_open_actions_my_authority_leads(app, record, led, who):
    rows, count = found(app, record["users"][who])
    assert rows == [("Overdue one", "overdue", "Own Partnership"),
                    ("Soon one", "soon", "Own Partnership"),
                    ("Later one", "open", "Own Partnership"),
                    ("Undated one", "open", "Own Partnership")]
    assert count == 4                                       # the same as listed


def test_supporting_an_action_is_not_leading_it(app, record, led):
    rows, count = found(app, record["users"]["dacorum_officer"])
    assert rows == [("Dacorum's", "overdue", "Own Partnership")] and count == 1
    assert found(app, record["users"]["foreign_admin"]) == ([], 0)


def test_the_header_count_adds_them_in_one_query(app, login, record, led):
    with app.test_request_context():
        user = db.session.get(User, record["users"]["officer"])
        with counting_queries(app) as statements:
            assert cooperation_tasks.led_count(user) == 4
        assert len(statements) == 1
        assert tasks.task_count(user) == 4 == tasks.my_tasks(user).total
        assert [t.action.what for t in tasks.my_tasks(user).extras["actions_led"]] == [
            "Overdue one", "Soon one", "Later one", "Undated one"]
    page = login(app.test_client(), record["users"]["officer"]).get("/p/own/actions")
    assert "My tasks (4" in page.text


def test_the_tasks_partial_links_each_action_with_its_partnership(app, record, led):
    with app.test_request_context():
        user = db.session.get(User, record["users"]["officer"])
        html = render_template("cooperation/_action_tasks.html", tasks=tasks.my_tasks(user))
    assert "Actions your authority leads (4)" in html
    assert html.index("Overdue one") < html.index("Soon one") < html.index("Undated one")
    assert f'href="/p/own/actions/{led["overdue"]}">Overdue one</a> in Own Partnership, ' \
           "was due 20 March 2018" in html
    assert ">Overdue</strong>" in html and ">Due soon</strong>" in html
    assert "Undated one</a> in Own Partnership, no due date" in html
    with app.test_request_context():
        outsider = db.session.get(User, record["users"]["foreign_admin"])
        assert render_template("cooperation/_action_tasks.html",
                               tasks=tasks.my_tasks(outsider)).strip() == ""


def test_a_closed_action_leaves_my_tasks(app, record, led):
    _do(app, lambda: actions.close_action(db.session.get(Action, led["overdue"]),
                                          _user(record), expected_version=1, status="done"))
    rows, count = found(app, record["users"]["officer"])
    assert [r[0] for r in rows] == ["Soon one", "Later one", "Undated one"] and count == 3

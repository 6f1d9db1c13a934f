"""Reminders of agreed actions: the lead authority's officers are told once when an open
action is due within seven days and once when it is overdue (by e-mail unless they chose
otherwise), by the worker's minute sweep with the clock frozen; a new due date reminds again,
a closed action never."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.notifications.conftest import SmtpServer
from workspace import clock
from workspace.accounts.models import User
from workspace.cooperation import actions, reminders
from workspace.cooperation.models import Action
from workspace.extensions import db
from workspace.jobs import runner
from workspace.notifications import kinds
from workspace.notifications.models import IMMEDIATE, Notification

from . import actions_support
from .actions_support import _do, _user, add

record = actions_support.record


@pytest.fixture
def smtp(app):
    """A real SMTP server the app sends to, for this test only."""
    server = SmtpServer()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False)
    yield server
    app.config.update(saved)
    server.down()


@pytest.fixture
def people(factory, record):
    """Besides the record's users: a Watford officer who was deactivated, a Dacorum Member."""
    orgs = record["orgs"]
    return {"gone": factory.user(orgs["watford"], "officer", email="gone@watford.example",
                                 active=False),
            "dacorum_member": factory.user(orgs["dacorum"], "member",
                                           email="member@dacorum.example")}


@pytest.fixture
def sweep(app, monkeypatch):
    """sweep(when): the worker's minute sweep with the clock frozen at `when` (UTC)."""
    def _sweep(when):
        monkeypatch.setattr(clock, "utcnow", lambda: when)
        with app.app_context():
            runner.sweep()
    return _sweep


def told(app, kind=None):
    """[(recipient's e-mail, kind, title)] of the notifications made, oldest first."""
    with app.app_context():
        rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        return [(db.session.get(User, n.user_id).email, n.kind, n.title) for n in rows
                if kind is None or n.kind == kind]


def test_the_reminder_kinds_e_mail_at_once_by_default():
    for kind in (kinds.get("action_due"), kinds.get("action_overdue")):
        assert kind.default_mode == IMMEDIATE and "(officers)" in kind.description


def test_due_within_seven_days_then_overdue_each_told_once(app, record, people, smtp,
                                                          run_jobs, sweep):
    action_id = add(app, record, what="Set up a meeting with Government",
                    due_on=date(2018, 3, 31), supporter_ids=[record["orgs"]["dacorum"]])
    sweep(datetime(2018, 3, 23, 12))                        # eight days ahead: not yet
    assert told(app) == []
    sweep(datetime(2018, 3, 24, 9))
    sweep(datetime(2018, 3, 24, 9, 1))
    sweep(datetime(2018, 3, 30, 23, 30))                    # 31 March in the UK: still due
    title = ("Due on 31 March 2018: “Set up a meeting with Government”, led by Watford "
             "Borough Council")
    assert told(app) == [("officer@watford.example", "action_due", title)]
    run_jobs()
    (email,) = smtp.to("officer@watford.example")
    assert email["Subject"] == title
    body = email.get_content()
    assert f"http://localhost/p/own/actions/{action_id}" in body
    assert "You are an officer of Watford Borough Council, which leads this action" in body
    # Only the lead authority's active officers: not its Members, viewers or admins, not the
    # supporting authority, not a deactivated officer.
    assert {a for m in smtp.messages for a in m.recipients} == {"officer@watford.example"}

    sweep(datetime(2018, 4, 1, 0, 30))                      # 1 April in the UK: overdue
    sweep(datetime(2018, 4, 2, 12))
    overdue = told(app, "action_overdue")
    assert overdue == [("officer@watford.example", "action_overdue",
                        ("Overdue (due 31 March 2018): “Set up a meeting with Government”, "
                         "led by Watford Borough Council"))]
    with app.app_context():
        row = db.session.get(Action, action_id)
        assert row.reminded_due_at == datetime(2018, 3, 24, 9)
        assert row.reminded_overdue_at == datetime(2018, 4, 1, 0, 30)


def test_an_action_already_overdue_is_told_overdue_only(app, record, sweep):
    add(app, record, due_on=date(2018, 1, 31))
    sweep(datetime(2018, 3, 1, 12))
    sweep(datetime(2018, 3, 2, 12))
    assert [kind for _who, kind, _title in told(app)] == ["action_overdue"]


def test_a_new_due_date_reminds_again(app, record, sweep):
    action_id = add(app, record, due_on=date(2018, 3, 31))
    sweep(datetime(2018, 3, 25, 12))
    _do(app, lambda: actions.update_action(
        db.session.get(Action, action_id), _user(record), expected_version=1,
        what="Set up a meeting with Government",
        lead_organisation_id=record["orgs"]["watford"], supporter_ids=[],
        due_on=date(2018, 4, 30), matter_ids=[], document_ids=[]))
    sweep(datetime(2018, 3, 26, 12))
    assert len(told(app)) == 1                              # 30 April is not within 7 days
    sweep(datetime(2018, 4, 24, 12))
    assert [title[:21] for _who, _kind, title in told(app)] == [
        "Due on 31 March 2018:", "Due on 30 April 2018:"]


def test_a_closed_or_undated_action_is_not_reminded(app, record, sweep):
    done = add(app, record, what="Done", due_on=date(2018, 3, 31))
    add(app, record, what="Undated")
    _do(app, lambda: actions.close_action(db.session.get(Action, done), _user(record),
                                          expected_version=1, status="done"))
    sweep(datetime(2018, 3, 30, 12))
    sweep(datetime(2018, 4, 5, 12))
    assert told(app) == []


def test_a_reminder_is_marked_once_however_many_sweeps_race(app, record):
    action_id = add(app, record, due_on=date(2018, 3, 31))
    with app.app_context():
        row = db.session.get(Action, action_id)
        assert reminders.needing_reminder(date(2018, 3, 30)) == [(row, "due")]
        now = datetime(2018, 3, 30, 12)
        assert reminders._mark(row, "due", now) is True
        assert reminders._mark(row, "due", now) is False    # another sweep got there first
        db.session.commit()
        assert reminders.needing_reminder(date(2018, 3, 30)) == []
        assert reminders.needing_reminder(date(2018, 4, 1)) == [(row, "overdue")]

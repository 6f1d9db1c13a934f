"""Agreed actions: the rules of adding, changing, closing and reopening one (each a field's
message, nothing half-saved), a stale edit refused, the list's filters, and overdue."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from workspace.audit import AuditEvent
from workspace.cooperation import actions
from workspace.cooperation.models import Action, ActionSupporter, Meeting
from workspace.extensions import db
from workspace.partnerships.models import Partner, Partnership, StrategicMatter

from . import actions_support
from .actions_support import _do, _own, _user, add, refused, refused_add

record = actions_support.record


def test_an_action_agreed_at_a_meeting_takes_the_next_number(app, record):
    first = add(app, record, meeting_id=record["workshop"])
    second = add(app, record, meeting_id=record["workshop"], what="Draft a MoU",
                 lead_organisation_id=record["orgs"]["dacorum"])
    alone = add(app, record, what="On its own")
    with app.app_context():
        assert [(a.number, a.what) for a in actions.for_meeting(
            db.session.get(Meeting, record["workshop"]))] == [
            (1, "Set up a meeting with Government"), (2, "Draft a MoU")]
        assert db.session.get(Action, alone).number is None
        row = db.session.get(Action, first)
        assert (row.status, row.version, row.created_by_id) == ("open", 1,
                                                                record["users"]["officer"])
        assert db.session.get(Action, second).lead.name == "Dacorum Borough Council"
        audit = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "action.added")).all()
        assert len(audit) == 3 and audit[0].partnership_id == record["own"]


def test_a_number_given_is_kept_and_may_not_repeat_one_taken(app, record):
    add(app, record, meeting_id=record["workshop"], number=5)
    add(app, record, meeting_id=record["workshop"])
    with app.app_context():
        assert [a.number for a in actions.for_meeting(
            db.session.get(Meeting, record["workshop"]))] == [5, 6]
    exc = refused_add(app, record, meeting_id=record["workshop"], number=5)
    assert exc.field == "number" and "already “Set up a meeting" in exc.message
    assert refused_add(app, record, meeting_id=record["workshop"], number=0).field == "number"
    assert refused_add(app, record, number=1).field == "number"     # no meeting, no number


def test_what_is_required(app, record):
    exc = refused_add(app, record, what="   ")
    assert (exc.field, exc.message, exc.status) == ("what", "Enter what was agreed.", 422)
    assert refused_add(app, record, what="x" * 1001).field == "what"


@pytest.mark.parametrize("lead", [None, "", "abc"])
def test_an_action_needs_a_lead_authority(app, record, lead):
    exc = refused_add(app, record, lead_organisation_id=lead)
    assert exc.field == "lead_organisation_id"
    assert exc.message == "Choose the authority that leads this action."


def test_the_lead_must_be_an_active_partner(app, record):
    """Hertsmere is invited and has not accepted: named. Luton is in another partnership
    only: its name is not this partnership's to tell."""
    exc = refused_add(app, record, lead_organisation_id=record["orgs"]["hertsmere"])
    assert exc.field == "lead_organisation_id"
    assert exc.message == ("Hertsmere Borough Council is not a partner in Own Partnership: "
                           "choose the authority that leads this action.")
    exc = refused_add(app, record, lead_organisation_id=record["orgs"]["luton"])
    assert exc.message == "Choose the authority that leads this action."


def test_an_authority_that_left_can_no_longer_lead(app, record):
    with app.app_context():
        db.session.execute(Partner.__table__.update().where(
            Partner.organisation_id == record["orgs"]["dacorum"]).values(status="left"))
        db.session.commit()
    exc = refused_add(app, record, lead_organisation_id=record["orgs"]["dacorum"])
    assert exc.field == "lead_organisation_id"


def test_supporters_are_active_partners_other_than_the_lead(app, record):
    orgs = record["orgs"]
    exc = refused_add(app, record, supporter_ids=[orgs["watford"]])
    assert exc.field == "supporter_ids" and "Watford Borough Council leads this action" in \
        exc.message
    for outsider in ("luton", "hertsmere"):
        exc = refused_add(app, record, supporter_ids=[orgs["dacorum"], orgs[outsider]])
        assert exc.field == "supporter_ids"
    action_id = add(app, record, supporter_ids=[str(orgs["dacorum"]), orgs["dacorum"]])
    with app.app_context():
        assert [s.organisation_id for s in db.session.get(Action, action_id).supporters] == [
            orgs["dacorum"]]


def test_the_due_date_may_not_be_before_the_meeting(app, record):
    exc = refused_add(app, record, meeting_id=record["workshop"], due_on=date(2018, 1, 22))
    assert exc.field == "due_on"
    assert exc.message == ("The due date is before the meeting it was agreed at "
                           "(23 January 2018).")
    add(app, record, meeting_id=record["workshop"], due_on=date(2018, 1, 23))
    add(app, record, due_on=date(2017, 1, 1))          # not from a meeting: any date


def test_a_meeting_of_another_partnership_is_refused(app, record):
    exc = refused_add(app, record, meeting_id=record["foreign_meeting"])
    assert exc.field == "meeting" and exc.status == 404


def test_matters_are_the_partnerships_own_and_not_retired(app, record):
    assert refused_add(app, record, matter_ids=[record["foreign_matter"]]).field == \
        "matter_ids"
    assert refused_add(app, record, matter_ids=[999999]).field == "matter_ids"
    exc = refused_add(app, record, matter_ids=[record["retired"]])
    assert exc.field == "matter_ids" and "SM3 Old is retired" in exc.message
    action_id = add(app, record, matter_ids=[record["housing"], str(record["green_belt"])])
    with app.app_context():
        assert sorted(m.matter.reference for m in db.session.get(Action, action_id).matters) \
            == ["SM1", "SM2"]


def test_documents_are_the_partnerships_own(app, record):
    assert refused_add(app, record, document_ids=[record["foreign_doc"]]).field == \
        "document_ids"
    action_id = add(app, record, document_ids=[record["scg"]])
    with app.app_context():
        assert [d.document.title for d in db.session.get(Action, action_id).documents] == [
            "Statement of Common Ground"]


# Changing ----------------------------------------------------------------------------------

def change(app, record, action_id, version, **kwargs):
    orgs = record["orgs"]
    values = {"what": "Meet Government", "lead_organisation_id": orgs["dacorum"],
              "supporter_ids": [orgs["watford"]], "due_on": date(2018, 3, 31),
              "matter_ids": [record["housing"]], "document_ids": [record["scg"]]}
    values.update(kwargs)

    def _change():
        return actions.update_action(db.session.get(Action, action_id), _user(record),
                                     expected_version=version, **values)
    return _do(app, _change)


def test_a_change_bumps_the_version_and_is_audited(app, record):
    action_id = add(app, record, meeting_id=record["workshop"],
                    supporter_ids=[record["orgs"]["dacorum"]])
    change(app, record, action_id, 1)
    with app.app_context():
        row = db.session.get(Action, action_id)
        assert (row.version, row.what, row.lead_organisation_id, row.due_on) == (
            2, "Meet Government", record["orgs"]["dacorum"], date(2018, 3, 31))
        assert [s.organisation_id for s in row.supporters] == [record["orgs"]["watford"]]
        assert [m.matter_id for m in row.matters] == [record["housing"]]
        assert db.session.scalar(select(func.count(ActionSupporter.id))) == 1
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "action.changed"))
        assert event.details["changed"]["what"] == ["Set up a meeting with Government",
                                                    "Meet Government"]
        assert event.object_id == action_id and event.details["version"] == 2


def test_a_change_keeps_the_rules(app, record):
    action_id = add(app, record, meeting_id=record["workshop"])
    assert refused(app, record, lambda: change(app, record, action_id, 1, what="")).field == \
        "what"
    exc = refused(app, record, lambda: change(app, record, action_id, 1,
                                              due_on=date(2017, 12, 31)))
    assert exc.field == "due_on" and "(23 January 2018)" in exc.message
    with app.app_context():
        assert db.session.get(Action, action_id).version == 1


@pytest.mark.parametrize("version", [0, 2, "x", None])
def test_a_stale_change_is_refused_and_changes_nothing(app, record, version):
    action_id = add(app, record)
    exc = refused(app, record, lambda: change(app, record, action_id, version))
    assert exc.status == 409 and "changed this action while you were working" in exc.message
    with app.app_context():
        row = db.session.get(Action, action_id)
        assert (row.version, row.what, row.matters, row.supporters) == (
            1, "Set up a meeting with Government", [], [])
        assert db.session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "action.changed")) is None


def test_a_retired_matter_already_linked_may_stay(app, record):
    action_id = add(app, record, matter_ids=[record["green_belt"]])
    with app.app_context():
        db.session.get(StrategicMatter, record["green_belt"]).retired_at = datetime(2021, 1, 1)
        db.session.commit()
    change(app, record, action_id, 1, matter_ids=[record["green_belt"]])
    assert refused(app, record, lambda: change(app, record, action_id, 2, matter_ids=[
        record["green_belt"], record["retired"]])).field == "matter_ids"


def close(app, record, action_id, version, status, outcome=""):
    return _do(app, lambda: actions.close_action(
        db.session.get(Action, action_id), _user(record), expected_version=version,
        status=status, outcome=outcome))


def reopen(app, record, action_id, version):
    return _do(app, lambda: actions.reopen_action(
        db.session.get(Action, action_id), _user(record), expected_version=version))


def test_done_with_an_outcome_then_reopened(app, record):
    action_id = add(app, record)
    close(app, record, action_id, 1, "done", "  Met on 3 March.  ")
    with app.app_context():
        row = db.session.get(Action, action_id)
        assert (row.status, row.outcome, row.version, row.closed_by_id) == (
            "done", "Met on 3 March.", 2, record["users"]["officer"])
        assert row.closed_at is not None
    exc = refused(app, record, lambda: close(app, record, action_id, 2, "dropped", "No"))
    assert exc.status == 409 and exc.message == "This action is already done."
    reopen(app, record, action_id, 2)
    with app.app_context():
        row = db.session.get(Action, action_id)
        assert (row.status, row.outcome, row.closed_at, row.version) == ("open", "", None, 3)
        assert [e.action for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "action").order_by(AuditEvent.id))] == [
            "action.added", "action.done", "action.reopened"]
    assert refused(app, record, lambda: reopen(app, record, action_id, 3)).status == 409


def test_done_needs_no_outcome_but_dropped_needs_a_reason(app, record):
    action_id = add(app, record)
    exc = refused(app, record, lambda: close(app, record, action_id, 1, "dropped", "  "))
    assert (exc.field, exc.message) == ("outcome", "Say why the action was dropped.")
    assert refused(app, record, lambda: close(app, record, action_id, 1, "closed")).field == \
        "status"
    with app.app_context():
        assert db.session.get(Action, action_id).status == "open"
    close(app, record, action_id, 1, "dropped", "Government declined to meet.")
    with app.app_context():
        assert db.session.get(Action, action_id).outcome == "Government declined to meet."
    other = add(app, record, what="Another")
    close(app, record, other, 1, "done")
    with app.app_context():
        assert db.session.get(Action, other).status == "done"


def test_a_stale_close_or_reopen_is_refused(app, record):
    action_id = add(app, record)
    change(app, record, action_id, 1)
    exc = refused(app, record, lambda: close(app, record, action_id, 1, "done"))
    assert exc.status == 409
    close(app, record, action_id, 2, "done")
    assert refused(app, record, lambda: reopen(app, record, action_id, 2)).status == 409
    with app.app_context():
        assert db.session.get(Action, action_id).status == "done"


# Reading -----------------------------------------------------------------------------------

def test_the_list_filters_by_authority_matter_and_status(app, record):
    orgs = record["orgs"]
    a = add(app, record, what="A", due_on=date(2018, 5, 1), matter_ids=[record["housing"]])
    b = add(app, record, what="B", lead_organisation_id=orgs["dacorum"],
            due_on=date(2018, 4, 1), matter_ids=[record["green_belt"]])
    c = add(app, record, what="C", lead_organisation_id=orgs["dacorum"],
            supporter_ids=[orgs["watford"]])
    d = add(app, record, what="D", lead_organisation_id=orgs["dacorum"],
            matter_ids=[record["housing"]])
    close(app, record, d, 1, "dropped", "Not needed")
    with app.app_context():
        own = _own()

        def ids(**filters):
            return [x.id for x in actions.actions(own, **filters)]
        assert ids() == [b, a, c, d]               # open by due date (none last), then closed
        assert ids(organisation_id=orgs["watford"]) == [a, c]       # leads or supports
        assert ids(organisation_id=orgs["dacorum"]) == [b, c, d]
        assert ids(matter_id=record["housing"]) == [a, d]
        assert ids(status="dropped") == [d]
        assert ids(status="open", matter_id=record["housing"]) == [a]
        assert ids(organisation_id=orgs["luton"]) == []
        assert actions.action_for(own, a).id == a
        foreign = db.session.get(Partnership, record["foreign"])
        assert actions.action_for(foreign, a) is None and actions.actions(foreign) == []


def test_an_open_action_past_its_due_date_is_overdue(app, record):
    action_id = add(app, record, due_on=date(2018, 3, 31))
    undated = add(app, record, what="Undated")
    with app.app_context():
        row = db.session.get(Action, action_id)
        assert not actions.overdue(row, date(2018, 3, 31))
        assert actions.overdue(row, date(2018, 4, 1))
        assert not actions.overdue(db.session.get(Action, undated), date(2030, 1, 1))
    close(app, record, action_id, 1, "done")
    with app.app_context():
        assert not actions.overdue(db.session.get(Action, action_id), date(2018, 4, 1))


def test_closed_actions_list_by_meeting_then_in_their_order_of_next_steps(app, record):
    """Closed at the same moment (as a meeting's next steps often are), they still read 1, 2,
    3; a later meeting's come first."""
    with app.app_context():
        later = Meeting(partnership_id=record["own"], held_on=date(2018, 2, 21),
                        kind="officer_group", title="SPOG",
                        recorded_by_id=record["users"]["officer"])
        db.session.add(later)
        db.session.commit()
        later_id = later.id
    first = [add(app, record, what=f"Step {n}", meeting_id=record["workshop"]) for n in (1, 2, 3)]
    spog = add(app, record, what="SPOG step", meeting_id=later_id)
    for action_id in reversed(first + [spog]):
        close(app, record, action_id, 1, "done")
    with app.app_context():
        assert [a.what for a in actions.actions(_own())] == [
            "SPOG step", "Step 1", "Step 2", "Step 3"]

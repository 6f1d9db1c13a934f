"""Ids of another partnership posted in the record of cooperation's forms (not in the URL,
which the authorisation matrix covers): the foreign partnership's meeting, strategic matter,
body, document or authority is refused by our partnership's partnership admin, who may
otherwise record meetings and actions, and nothing is written."""
from flask import url_for
from sqlalchemy import func, select

from workspace.cooperation.models import Action, Meeting
from workspace.extensions import db

from .test_authorization_matrix import matrix_world  # noqa: F401  (fixture)

MEETING = {"held_on-day": "5", "held_on-month": "1", "held_on-year": "2026",
           "kind": "workshop", "title": "Cross-partnership", "attendees-0-role": "Planner"}


def _counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count(Meeting.id))),
                db.session.scalar(select(func.count(Action.id))))


def test_foreign_ids_in_the_forms_are_refused(app, matrix_world, login):  # noqa: F811
    world, foreign = matrix_world, matrix_world["foreign"]
    client = login(app.test_client(), world["users"]["partnership_admin"])
    own = str(world["own"]["organisation_id"])
    with app.test_request_context():
        add_action = url_for("cooperation.add_action", slug="sw-herts")
        new_meeting = url_for("cooperation.new_meeting", slug="sw-herts")
        new_action = url_for("cooperation.new_action", slug="sw-herts",
                             meeting=foreign["meeting_id"])
    before = _counts(app)
    action = {"what": "Cross-partnership.", "lead_organisation_id": own}
    meeting = dict(MEETING, **{"attendees-0-organisation_id": own})
    cases = {
        "the form for an action of the foreign meeting": (client.get(new_action), 404),
        "an action of the foreign meeting": (client.post(add_action, data=dict(
            action, meeting=str(foreign["meeting_id"]))), 404),
        "an action on the foreign matter": (client.post(add_action, data=dict(
            action, matter_ids=[str(foreign["matter_id"])])), 422),
        "an action on the foreign document": (client.post(add_action, data=dict(
            action, document_ids=[str(foreign["document_id"])])), 422),
        "an action led by the foreign authority": (client.post(add_action, data=dict(
            action, lead_organisation_id=str(foreign["organisation_id"]))), 422),
        "a meeting of the foreign body": (client.post(new_meeting, data=dict(
            meeting, body_id=str(foreign["body_id"]))), 422),
        "a meeting on the foreign matter": (client.post(new_meeting, data=dict(
            meeting, matter_ids=[str(foreign["matter_id"])])), 422),
        "a meeting attended by the foreign authority": (client.post(new_meeting, data=dict(
            meeting, **{"attendees-0-organisation_id": str(foreign["organisation_id"])})),
            422),
    }
    wrong = {what: response.status_code for what, (response, status) in cases.items()
             if response.status_code != status}
    assert not wrong, wrong
    assert _counts(app) == before

"""The partnership admin's setting for the public register: publish it or not (off takes
everything off at once) and the contact for an alternative format, validated and audited."""
import json

import pytest
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.audit import AuditEvent
from workspace.extensions import db
from workspace.partnerships.models import Partnership

from .register_support import REGISTER, SCG_SLUG, V1, agree_and_sign, publish

SETTING = "/p/sw-herts/admin/register"


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


@pytest.fixture
def admin(app, client, login, demo):
    return login(client, _user(app, "admin@swherts.example"))


def _partnership(app):
    with app.app_context():
        p = db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))
        return p.publishes_register, p.accessibility_contact


def _events(app):
    with app.app_context():
        return [json.loads(e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "partnership.register_changed")
            .order_by(AuditEvent.id))]


def test_the_setting_shows_the_state_and_the_register_address(app, admin):
    page = admin.get(SETTING)
    assert page.status_code == 200
    assert "The register is public" in page.text
    assert "http://localhost/public/sw-herts/" in page.text
    assert 'value="jsp@swherts.example"' in page.text
    assert 'value="on" checked' in page.text
    assert f'href="{SETTING}"' in admin.get("/p/sw-herts/admin").text


def test_only_the_partnership_admins_change_the_setting(app, client, login, demo, factory):
    login(client, _user(app, "member@watford.example"))
    assert client.get(SETTING).status_code == 403
    assert client.post(SETTING, data={"publishes": "off"}).status_code == 403
    assert _partnership(app)[0] is True
    outsider_org = factory.organisation("luton", "Luton Borough Council")
    login(client, factory.user(outsider_org, "admin"))
    assert client.get(SETTING).status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(SETTING).status_code == 302
    assert anonymous.post(SETTING, data={"publishes": "off"}).status_code in (302, 400)
    assert _partnership(app)[0] is True


def test_switching_off_takes_everything_off_at_once_and_is_audited(app, admin):
    agree_and_sign(app)
    publish(app)
    public = app.test_client()
    urls = (REGISTER, f"{REGISTER}{SCG_SLUG}/", V1, f"{V1}/docx", f"{V1}/pdf")
    assert all(public.get(url).status_code in (200, 202) for url in urls)
    response = admin.post(SETTING, data={"publishes": "off",
                                         "accessibility_contact": "jsp@swherts.example"})
    assert response.status_code == 303
    assert _partnership(app) == (False, "jsp@swherts.example")
    for url in urls:
        assert public.get(url).status_code == 404, url
    [event] = _events(app)
    assert event["publishes_register"] is False and event["was_publishing"] is True
    assert "The register is off" in admin.get(SETTING).text
    admin.post(SETTING, data={"publishes": "on", "accessibility_contact": "jsp@swherts.example"})
    assert public.get(V1).status_code == 200
    assert [e["publishes_register"] for e in _events(app)] == [False, True]


@pytest.mark.parametrize("contact", ["https://www.swherts.example/accessibility",
                                     "access@dacorum.example"])
def test_the_contact_is_an_email_or_web_address(app, admin, contact):
    response = admin.post(SETTING, data={"publishes": "on", "accessibility_contact": contact})
    assert response.status_code == 303
    assert _partnership(app) == (True, contact)
    [event] = _events(app)
    assert event["accessibility_contact"] == contact
    assert event["previous_contact"] == "jsp@swherts.example"


@pytest.mark.parametrize(("data", "message"), [
    ({"publishes": "on", "accessibility_contact": "call us"},
     "Enter an email address, like name@example.org, or a web address starting with https://"),
    ({"publishes": "on", "accessibility_contact": "javascript:alert(1)"},
     "Enter an email address, like name@example.org, or a web address starting with https://"),
    ({"publishes": "on", "accessibility_contact": ""},
     "Enter a contact for requests for an alternative format"),
    ({"publishes": "on", "accessibility_contact": "a@b.example" + "x" * 300},
     "Enter a contact of 300 characters or fewer"),
    ({"accessibility_contact": "jsp@swherts.example"}, "Choose whether to publish the register"),
])
def test_a_bad_setting_is_refused_with_a_message(app, admin, data, message):
    response = admin.post(SETTING, data=data)
    assert response.status_code == 422
    assert message in response.text
    assert "govuk-error-summary" in response.text
    assert _partnership(app) == (True, "jsp@swherts.example")
    assert _events(app) == []


def test_saving_the_same_setting_records_nothing(app, admin):
    response = admin.post(SETTING, data={"publishes": "on",
                                         "accessibility_contact": "jsp@swherts.example"})
    assert response.status_code == 303
    assert _events(app) == []


def test_a_register_off_needs_no_contact(app, admin):
    response = admin.post(SETTING, data={"publishes": "off", "accessibility_contact": ""})
    assert response.status_code == 303
    assert _partnership(app) == (False, "")

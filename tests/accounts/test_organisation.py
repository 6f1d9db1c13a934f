"""An organisation governs itself: its own admins manage its users, invitations, memberships
and signing key, and nobody else does."""
import pytest
from sqlalchemy import select

from workspace.accounts.invitations import create_invitation
from workspace.accounts.models import Organisation, User
from workspace.audit import AuditEvent
from workspace.extensions import db
from workspace.partnerships.models import Partner


@pytest.fixture
def orgadmin(client, world, login):
    """Watford's organisation admin (also the `own` partnership's admin in `world`)."""
    return login(client, world["users"]["admin"])


def user(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id)


def events(app, action):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def test_the_organisation_page_lists_its_own_people_only(orgadmin, world):
    page = orgadmin.get("/organisation/")
    assert page.status_code == 200
    assert "viewer@watford.example" in page.text
    assert "officer@dacorum.example" not in page.text
    assert "admin@luton.example" not in page.text


@pytest.mark.parametrize("role", ["viewer", "officer", "member"])
def test_only_organisation_admins_open_the_organisation_page(app, client, world, login, role):
    login(client, world["users"][role])
    assert client.get("/organisation/").status_code == 403
    assert client.post("/organisation/invitations", data={
        "name": "X", "email": "x@watford.example", "role": "admin"}).status_code == 403


def test_an_organisation_admin_invites_into_their_own_organisation(app, orgadmin, world):
    response = orgadmin.post("/organisation/invitations", data={
        "name": "New Person", "email": "new@watford.example", "role": "member"})
    assert response.status_code == 200
    assert 'data-copy-target="invite-link"' in response.text
    [event] = events(app, "user.invited")
    assert event.details["organisation"] == "Watford Borough Council"
    assert (event.details["email"], event.details["role"]) == ("new@watford.example", "member")


def test_an_invitation_needs_a_valid_role(app, orgadmin):
    response = orgadmin.post("/organisation/invitations", data={
        "name": "New Person", "email": "new@watford.example", "role": "superuser"})
    assert response.status_code == 422
    assert not events(app, "user.invited")


def test_an_organisation_admin_changes_a_role(app, orgadmin, world):
    officer = world["users"]["officer"]
    response = orgadmin.post(f"/organisation/users/{officer}/role", data={"role": "member"})
    assert response.status_code == 303
    assert user(app, officer).role == "member"
    [event] = events(app, "user.role_changed")
    assert (event.details["old"], event.details["new"]) == ("officer", "member")


def test_role_must_be_one_of_the_roles(app, orgadmin, world):
    officer = world["users"]["officer"]
    response = orgadmin.post(f"/organisation/users/{officer}/role", data={"role": "superuser"})
    assert response.status_code == 422
    assert user(app, officer).role == "officer"


def test_an_admin_cannot_demote_themselves(app, orgadmin, world):
    me = world["users"]["admin"]
    assert f'id="role-{me}"' not in orgadmin.get("/organisation/").text
    response = orgadmin.post(f"/organisation/users/{me}/role", data={"role": "officer"})
    assert response.status_code == 422
    assert user(app, me).role == "admin"


def test_an_admin_cannot_deactivate_themselves_and_is_not_offered_it(app, orgadmin, world):
    me = world["users"]["admin"]
    assert f"/organisation/users/{me}/active" not in orgadmin.get("/organisation/").text
    assert orgadmin.post(f"/organisation/users/{me}/active",
                         data={"active": "0"}).status_code == 422
    assert user(app, me).active


def test_deactivation_asks_first(app, orgadmin, world):
    member = world["users"]["member"]
    page = orgadmin.get(f"/organisation/users/{member}/active")
    assert page.status_code == 200
    assert "Deactivate Test Member?" in page.text
    assert user(app, member).active


def test_deactivate_and_reactivate(app, orgadmin, world):
    member = world["users"]["member"]
    assert orgadmin.post(f"/organisation/users/{member}/active",
                         data={"active": "0"}).status_code == 303
    assert not user(app, member).active
    [event] = events(app, "user.deactivated")
    assert event.actor_id == world["users"]["admin"]
    assert orgadmin.post(f"/organisation/users/{member}/active",
                         data={"active": "1"}).status_code == 303
    assert user(app, member).active
    response = app.test_client().post("/sign-in", data={"email": "member@watford.example",
                                                         "password": "correct-horse-1"})
    assert response.status_code == 303


@pytest.mark.parametrize("action, data", [("role", {"role": "viewer"}),
                                          ("active", {"active": "0"})])
def test_an_organisation_admin_cannot_touch_another_organisations_users(app, orgadmin, world,
                                                                         action, data):
    for stranger in (world["users"]["dacorum_officer"], world["users"]["foreign_admin"]):
        response = orgadmin.post(f"/organisation/users/{stranger}/{action}", data=data)
        assert response.status_code == 404
        changed = user(app, stranger)
        assert changed.active and changed.role in ("officer", "admin")
    assert orgadmin.get(f"/organisation/users/{stranger}/active").status_code == 404


def test_an_organisation_leaves_a_partnership_after_confirming(app, client, world, login,
                                                               factory):
    dacorum_admin = factory.user(world["orgs"]["dacorum"], "admin", partnership_admin=False)
    login(client, dacorum_admin)
    with app.app_context():
        partner_id = db.session.scalar(select(Partner.id).where(
            Partner.organisation_id == world["orgs"]["dacorum"]))
    page = client.get(f"/organisation/partnerships/{partner_id}/leave")
    assert page.status_code == 200 and "Leave Own Partnership?" in page.text
    assert client.post(f"/organisation/partnerships/{partner_id}/leave").status_code == 303
    assert client.get("/p/own/").status_code == 404
    with app.app_context():
        assert db.session.get(Partner, partner_id).status == "left"


def test_an_organisation_cannot_leave_for_another(app, orgadmin, world):
    with app.app_context():
        partner_id = db.session.scalar(select(Partner.id).where(
            Partner.organisation_id == world["orgs"]["dacorum"]))
    assert orgadmin.post(f"/organisation/partnerships/{partner_id}/leave").status_code == 404


def test_leaving_drops_the_organisation_as_signatory_of_open_documents(app, world, client,
                                                                        login, factory):
    from workspace.documents.service import create_document
    from workspace.review.models import Signatory
    with app.app_context():
        document = create_document(db.session.get(Partner, 1).partnership, "SCG", "scg")
        db.session.add(Signatory(document_id=document.id,
                                 organisation_id=world["orgs"]["dacorum"]))
        db.session.commit()
        partner_id = db.session.scalar(select(Partner.id).where(
            Partner.organisation_id == world["orgs"]["dacorum"]))
    dacorum_admin = factory.user(world["orgs"]["dacorum"], "admin", partnership_admin=False)
    login(client, dacorum_admin)
    client.post(f"/organisation/partnerships/{partner_id}/leave")
    with app.app_context():
        assert db.session.scalar(select(Signatory.id)) is None


def test_certificates_are_the_organisations_own(app, orgadmin, world, client, login):
    page = orgadmin.get("/organisation/certificates")
    assert page.status_code == 200 and "Watford Borough Council" in page.text
    assert orgadmin.post("/organisation/certificates/trial").status_code == 303
    from workspace.export.keys import active_keys
    with app.app_context():
        assert len(active_keys(db.session.get(Organisation, world["orgs"]["watford"]))) == 1
        assert not active_keys(db.session.get(Organisation, world["orgs"]["dacorum"]))
    officer = login(app.test_client(), world["users"]["officer"])
    assert officer.get("/organisation/certificates").status_code == 403
    assert officer.post("/organisation/certificates/trial").status_code == 403


def test_an_invitation_into_an_organisation_by_an_outsider_is_void(app, world):
    """Invitations a partnership admin made into another organisation under the old model
    cannot be used: only an organisation's own admins add its users."""
    with app.test_request_context():
        luton_admin = db.session.get(User, world["users"]["foreign_admin"])
        watford = db.session.get(Organisation, world["orgs"]["watford"])
        _invitation, token = create_invitation(
            watford, "mole@watford.example", "Mole", "member", luton_admin)
        db.session.commit()
    response = app.test_client().post(f"/invitation/{token}", data={
        "new_password": "long-enough-1", "confirm": "long-enough-1"})
    assert response.status_code == 410
    with app.app_context():
        assert db.session.scalar(select(User.id).where(
            User.email == "mole@watford.example")) is None


def test_the_only_partnership_admin_is_not_deactivated_until_another_is_named(
        app, client, world, login, factory):
    """Watford's admin is the only admin of `own`: deactivating them would leave nobody able
    to manage the partnership (only the database could mend it)."""
    second = factory.user(world["orgs"]["watford"], "admin", partnership_admin=False)
    admin_id = world["users"]["admin"]
    login(client, second)
    refused = client.post(f"/organisation/users/{admin_id}/active", data={"active": "0"})
    assert refused.status_code == 409
    assert "is the only partnership admin of Own Partnership" in refused.text
    assert user(app, admin_id).active
    factory.grant(world["partnerships"]["own"], world["users"]["dacorum_officer"])
    done = client.post(f"/organisation/users/{admin_id}/active", data={"active": "0"})
    assert done.status_code == 303 and not user(app, admin_id).active


def test_an_organisation_whose_people_are_the_only_admins_cannot_leave_until_another_is_named(
        app, orgadmin, world, factory):
    with app.app_context():
        partner_id = db.session.scalar(select(Partner.id).where(
            Partner.organisation_id == world["orgs"]["watford"]))
    refused = orgadmin.post(f"/organisation/partnerships/{partner_id}/leave")
    assert refused.status_code == 409
    assert "Watford Borough Council's people are the only admins of Own Partnership" in \
        refused.text.replace("&#39;", "'")
    with app.app_context():
        assert db.session.get(Partner, partner_id).status == "active"
    factory.grant(world["partnerships"]["own"], world["users"]["dacorum_officer"])
    assert orgadmin.post(f"/organisation/partnerships/{partner_id}/leave").status_code == 303
    with app.app_context():
        assert db.session.get(Partner, partner_id).status == "left"


def test_the_last_partner_leaves_even_with_the_only_admins(app, client, world, login, factory):
    luton_admin = factory.user(world["orgs"]["luton"], "admin")       # admin of `foreign`
    login(client, luton_admin)
    with app.app_context():
        partner_id = db.session.scalar(select(Partner.id).where(
            Partner.organisation_id == world["orgs"]["luton"]))
    assert client.post(f"/organisation/partnerships/{partner_id}/leave").status_code == 303

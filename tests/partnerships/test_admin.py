"""Partnership admins: partners joining with consent, admin grants, leaving; the audit log; a
partnership's admin governs nothing of its partners' people."""
import pytest
from sqlalchemy import func, select

from workspace.accounts.models import Invitation, Organisation, User
from workspace.audit import AuditEvent
from workspace.extensions import db
from workspace.partnerships.models import Partner, Partnership, PartnershipAdmin


@pytest.fixture
def admin(client, world, login):
    return login(client, world["users"]["admin"])


def membership(app, slug, code):
    with app.app_context():
        return db.session.scalar(
            select(Partner.status).join(Partnership).join(Organisation)
            .where(Partnership.slug == slug, Organisation.code == code))


def events(app, action):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def user(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id)


def test_admin_page_lists_partners_but_never_their_people(admin, world):
    response = admin.get("/p/own/admin")
    assert response.status_code == 200
    assert "Dacorum Borough Council" in response.text
    assert "officer@dacorum.example" not in response.text
    assert "viewer@watford.example" not in response.text


def test_inviting_an_existing_organisation_waits_for_its_consent(app, admin, client, world,
                                                                   login):
    response = admin.post("/p/own/admin/partners", data={"code": "luton"})
    assert response.status_code == 303
    assert membership(app, "own", "luton") == "invited"
    page = admin.get("/p/own/admin").text
    assert "Luton Borough Council" in page and "Invited" in page
    assert "admin@luton.example" not in page
    # Until Luton's own admin accepts, Luton's people cannot see the partnership.
    luton_admin = app.test_client()
    login(luton_admin, world["users"]["foreign_admin"])
    assert luton_admin.get("/p/own/").status_code == 404
    assert "Own Partnership invites" in luton_admin.get("/").text
    [partner_id] = _partner_ids(app, "own", "luton")
    assert luton_admin.post(f"/organisation/partnerships/{partner_id}/accept").status_code == 303
    assert membership(app, "own", "luton") == "active"
    assert luton_admin.get("/p/own/").status_code == 200
    [event] = events(app, "partnership.partner_joined")
    assert event.actor_id == world["users"]["foreign_admin"]


def _partner_ids(app, slug, code):
    with app.app_context():
        return db.session.scalars(
            select(Partner.id).join(Partnership).join(Organisation)
            .where(Partnership.slug == slug, Organisation.code == code)).all()


def test_an_organisation_can_decline_an_invitation(app, admin, world, login):
    admin.post("/p/own/admin/partners", data={"code": "luton"})
    [partner_id] = _partner_ids(app, "own", "luton")
    luton_admin = login(app.test_client(), world["users"]["foreign_admin"])
    assert luton_admin.post(f"/organisation/partnerships/{partner_id}/decline").status_code == 303
    assert membership(app, "own", "luton") == "left"
    assert luton_admin.get("/p/own/").status_code == 404
    # The partnership may invite it again.
    assert admin.post("/p/own/admin/partners", data={"code": "luton"}).status_code == 303
    assert membership(app, "own", "luton") == "invited"


def test_only_the_invited_organisations_admin_can_accept(app, admin, world, login, factory):
    admin.post("/p/own/admin/partners", data={"code": "luton"})
    [partner_id] = _partner_ids(app, "own", "luton")
    # A Luton officer, and the admin of another organisation, cannot accept for Luton.
    luton_officer = factory.user(world["orgs"]["luton"], "officer")
    for who in (luton_officer, world["users"]["admin"]):
        other = login(app.test_client(), who)
        assert other.post(f"/organisation/partnerships/{partner_id}/accept").status_code in \
            (403, 404)
    assert membership(app, "own", "luton") == "invited"


def test_inviting_an_unknown_code_or_a_partner_is_refused(app, admin, world):
    response = admin.post("/p/own/admin/partners", data={"code": "nowhere"})
    assert response.status_code == 422
    assert "No organisation has that code" in response.text
    response = admin.post("/p/own/admin/partners", data={"code": "dacorum"})
    assert response.status_code == 422
    assert "already a partner" in response.text


def test_a_new_organisation_is_owned_by_its_first_admin(app, admin, world):
    response = admin.post("/p/own/admin/organisations", data={
        "name": "Three Rivers District Council", "code": "threerivers",
        "admin_name": "Rivers Admin", "admin_email": "admin@threerivers.example"})
    assert response.status_code == 200
    assert "Copy link" in response.text
    assert membership(app, "own", "threerivers") == "invited"
    link = response.text.split('id="invite-link" type="text" readonly value="')[1].split('"')[0]
    newcomer = app.test_client()
    token_path = link.replace("http://localhost", "")
    response = newcomer.post(token_path, data={"new_password": "long-enough-1",
                                               "confirm": "long-enough-1"})
    assert response.status_code == 303
    with app.app_context():
        person = db.session.scalar(select(User).where(
            User.email == "admin@threerivers.example"))
        assert person.role == "admin" and person.organisation.code == "threerivers"
    assert membership(app, "own", "threerivers") == "active"
    # The partnership admin cannot add people to it afterwards: there is no such route, and
    # the organisation's page is its own admins'.
    assert admin.get("/organisation/").status_code == 200
    assert "Rivers Admin" not in admin.get("/organisation/").text


def test_a_new_organisation_cannot_reuse_a_name_or_code(app, admin, world):
    response = admin.post("/p/own/admin/organisations", data={
        "name": "Luton Borough Council", "code": "luton2", "admin_name": "X",
        "admin_email": "x@example.org"})
    assert response.status_code == 422
    assert "already exists" in response.text
    response = admin.post("/p/own/admin/organisations", data={
        "name": "Somewhere New", "code": "luton", "admin_name": "X",
        "admin_email": "x@example.org"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_removing_a_partner_asks_first_and_keeps_history(app, admin, world, client, login):
    [partner_id] = _partner_ids(app, "own", "dacorum")
    page = admin.get(f"/p/own/admin/partners/{partner_id}/remove")
    assert page.status_code == 200 and "Remove Dacorum Borough Council?" in page.text
    assert membership(app, "own", "dacorum") == "active"
    assert admin.post(f"/p/own/admin/partners/{partner_id}/remove").status_code == 303
    assert membership(app, "own", "dacorum") == "left"
    dacorum = login(app.test_client(), world["users"]["dacorum_officer"])
    assert dacorum.get("/p/own/").status_code == 404
    [event] = events(app, "partnership.partner_left")
    assert event.partnership_id == world["partnerships"]["own"]


def test_an_admin_cannot_remove_their_own_organisation(app, admin, world):
    [partner_id] = _partner_ids(app, "own", "watford")
    assert "Remove<span" not in admin.get("/p/own/admin").text.split("Watford")[1][:400]
    response = admin.post(f"/p/own/admin/partners/{partner_id}/remove")
    assert response.status_code == 422
    assert membership(app, "own", "watford") == "active"


def test_partnership_admins_are_granted_to_named_people(app, admin, world, login):
    dacorum_officer = world["users"]["dacorum_officer"]
    page = admin.get("/p/own/admin").text
    assert "Dacorum Officer, Dacorum Borough Council" in page
    assert admin.post("/p/own/admin/admins", data={"user_id": dacorum_officer}).status_code == 303
    dacorum = login(app.test_client(), dacorum_officer)
    assert dacorum.get("/p/own/admin").status_code == 200
    # The grant is for this partnership only, and gives no power over Watford's people.
    assert dacorum.get("/organisation/").status_code == 403
    with app.app_context():
        grant = db.session.scalar(select(PartnershipAdmin).where(
            PartnershipAdmin.user_id == dacorum_officer))
    assert admin.post(f"/p/own/admin/admins/{grant.id}/revoke").status_code == 303
    assert dacorum.get("/p/own/admin").status_code == 403


def test_a_grant_goes_only_to_people_of_active_partners(app, admin, world):
    response = admin.post("/p/own/admin/admins", data={"user_id": world["users"]["foreign_admin"]})
    assert response.status_code == 422
    assert "Choose a person from the list" in response.text


def test_an_admin_cannot_revoke_their_own_grant(app, admin, world):
    with app.app_context():
        grant = db.session.scalar(select(PartnershipAdmin).where(
            PartnershipAdmin.user_id == world["users"]["admin"]))
    assert "Remove admin grant<span class=\"govuk-visually-hidden\"> of Test Admin" not in \
        admin.get("/p/own/admin").text
    assert admin.post(f"/p/own/admin/admins/{grant.id}/revoke").status_code == 422


def test_an_organisation_admin_without_a_grant_cannot_manage_the_partnership(app, client,
                                                                            world, login,
                                                                            factory):
    orgadmin = factory.user(world["orgs"]["dacorum"], "admin", partnership_admin=False)
    login(client, orgadmin)
    assert client.get("/p/own/").status_code == 200
    assert client.get("/p/own/admin").status_code == 403


def test_the_grant_ends_with_the_organisations_membership(app, world, login, factory):
    dacorum_officer = world["users"]["dacorum_officer"]
    factory.grant(world["partnerships"]["own"], dacorum_officer)
    dacorum = login(app.test_client(), dacorum_officer)
    assert dacorum.get("/p/own/admin").status_code == 200
    with app.app_context():
        partner = db.session.scalar(select(Partner).where(
            Partner.organisation_id == world["orgs"]["dacorum"]))
        partner.status = "left"
        db.session.commit()
    assert dacorum.get("/p/own/admin").status_code == 404


def test_admin_of_another_partnership_cannot_manage_ours(app, client, world, login):
    login(client, world["users"]["foreign_admin"])
    assert client.get("/p/own/admin").status_code == 404
    assert client.post("/p/own/admin/partners", data={"code": "luton"}).status_code == 404
    assert membership(app, "own", "luton") is None


# Audit ---------------------------------------------------------------------------------------

def test_audit_records_sign_in_and_failed_sign_in(app, client, world):
    client.post("/sign-in", data={"email": "viewer@watford.example", "password": "nope"},
                environ_base={"REMOTE_ADDR": "192.0.2.8"})
    client.post("/sign-in", data={"email": "viewer@watford.example",
                                  "password": "correct-horse-1"},
                environ_base={"REMOTE_ADDR": "192.0.2.8"})
    [failed] = events(app, "auth.sign_in_failed")
    [signed] = events(app, "auth.sign_in")
    for event in (failed, signed):
        assert event.actor_id == world["users"]["viewer"]
        assert event.address == "192.0.2.8"
        assert event.organisation_id == world["orgs"]["watford"]


def test_audit_records_partnership_invitations(app, admin, world):
    admin.post("/p/own/admin/partners", data={"code": "luton"})
    [event] = events(app, "partnership.partner_invited")
    assert event.actor_id == world["users"]["admin"]
    assert event.partnership_id == world["partnerships"]["own"]
    assert event.details["organisation"] == "Luton Borough Council"


def test_audit_events_cannot_be_updated_through_the_orm(app, admin, world):
    admin.post("/organisation/users/{}/role".format(world["users"]["member"]),
               data={"role": "viewer"})
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        event.action = "nothing.happened"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
    assert [e.action for e in events(app, "user.role_changed")] == ["user.role_changed"]


def test_audit_events_cannot_be_deleted_through_the_orm(app, admin, world):
    admin.post("/organisation/users/{}/role".format(world["users"]["member"]),
               data={"role": "viewer"})
    with app.app_context():
        db.session.delete(db.session.scalar(select(AuditEvent)))
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
    assert len(events(app, "user.role_changed")) == 1


# A partnership's admin governs nothing of its partners ------------------------------------


def test_another_partnerships_admin_only_invites_an_organisation(app, client, login, world):
    # The foreign (Luton) admin types Watford's code into their partnership...
    login(client, world["users"]["foreign_admin"])
    assert client.post("/p/foreign/admin/partners", data={"code": "watford"}).status_code == 303
    # ...which only invites Watford: no access to its people, on any route.
    officer = world["users"]["officer"]
    for url, data in ((f"/p/foreign/admin/users/{officer}/active", {"active": "0"}),
                      (f"/p/foreign/admin/users/{officer}/role", {"role": "admin"}),
                      (f"/organisation/users/{officer}/active", {"active": "0"}),
                      (f"/organisation/users/{officer}/role", {"role": "admin"})):
        assert client.post(url, data=data).status_code == 404, url
    assert "officer@watford.example" not in client.get("/p/foreign/admin").text
    with app.app_context():
        user = db.session.get(User, officer)
        assert user.active and user.role == "officer"


def test_a_partnership_admin_manages_no_users_of_the_partners(app, client, login, world):
    login(client, world["users"]["admin"])
    dacorum = world["users"]["dacorum_officer"]
    assert client.post(f"/organisation/users/{dacorum}/role",
                       data={"role": "viewer"}).status_code == 404
    with app.app_context():
        assert db.session.get(User, dacorum).role == "officer"

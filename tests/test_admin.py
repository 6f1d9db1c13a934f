"""Partnership admin: partners, roles, deactivation, and the audit log they write."""
import pytest
from sqlalchemy import func, select

from workspace.audit import AuditEvent
from workspace.extensions import db
from workspace.partnerships.models import Organisation, Partner, User


@pytest.fixture
def admin(client, world, login):
    return login(client, world["users"]["admin"])


def partner_codes(app, slug="own"):
    from workspace.partnerships.models import Partnership
    with app.app_context():
        partnership = db.session.scalar(
            select(Partnership).where(Partnership.slug == slug))
        return sorted(p.organisation.code for p in partnership.partners)


def events(app, action):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def user(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id)


def test_admin_page_lists_partners_and_their_users(admin, world):
    response = admin.get("/p/own/admin")
    assert response.status_code == 200
    assert "Dacorum Borough Council" in response.text
    assert "officer@dacorum.example" in response.text
    assert "admin@luton.example" not in response.text
    officer = world["users"]["dacorum_officer"]
    select_html = response.text.split(f'id="role-{officer}"', 1)[1].split("</select>", 1)[0]
    assert '<option value="officer" selected>Officer</option>' in select_html
    assert '<option value="admin">Partnership admin</option>' in select_html


def test_admin_adds_a_new_partner_organisation(app, admin, world):
    response = admin.post("/p/own/admin/partners",
                          data={"name": "Hertsmere Borough Council", "code": "Hertsmere"})
    assert response.status_code == 303
    assert partner_codes(app) == ["dacorum", "hertsmere", "watford"]
    with app.app_context():
        assert db.session.scalar(select(Organisation.name).where(
            Organisation.code == "hertsmere")) == "Hertsmere Borough Council"
    [event] = events(app, "partnership.partner_added")
    assert event.details["organisation"] == "Hertsmere Borough Council"
    assert event.actor_id == world["users"]["admin"]


def test_admin_adds_an_existing_organisation_by_its_code(app, admin, world):
    response = admin.post("/p/own/admin/partners",
                          data={"name": "Luton", "code": "luton"})
    assert response.status_code == 303
    assert partner_codes(app) == ["dacorum", "luton", "watford"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == 3
        assert db.session.get(Organisation, world["orgs"]["luton"]).name == \
            "Luton Borough Council"


def test_adding_a_partner_twice_is_refused(app, admin, world):
    response = admin.post("/p/own/admin/partners",
                          data={"name": "Dacorum again", "code": "dacorum"})
    assert response.status_code == 422
    assert "Dacorum Borough Council is already a partner" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Partner.id))) == 3


def test_partner_needs_a_name(app, admin, world):
    response = admin.post("/p/own/admin/partners", data={"name": "", "code": "x"})
    assert response.status_code == 422
    assert partner_codes(app) == ["dacorum", "watford"]


def test_invitation_is_only_to_a_partner_organisation(app, admin, world):
    response = admin.post("/p/own/admin/invitations", data={
        "name": "Outsider", "email": "outsider@luton.example", "role": "admin",
        "organisation_id": world["orgs"]["luton"]})
    assert response.status_code == 422
    assert events(app, "user.invited") == []


def test_admin_changes_a_role(app, admin, world):
    officer = world["users"]["dacorum_officer"]
    response = admin.post(f"/p/own/admin/users/{officer}/role", data={"role": "member"})
    assert response.status_code == 303
    assert user(app, officer).role == "member"
    [event] = events(app, "user.role_changed")
    assert (event.details["old"], event.details["new"]) == ("officer", "member")
    assert (event.object_type, event.object_id) == ("user", officer)
    assert event.actor_id == world["users"]["admin"]


def test_role_must_be_one_of_the_roles(app, admin, world):
    officer = world["users"]["officer"]
    response = admin.post(f"/p/own/admin/users/{officer}/role", data={"role": "superuser"})
    assert response.status_code == 422
    assert user(app, officer).role == "officer"


def test_admin_cannot_demote_themselves(app, admin, world):
    me = world["users"]["admin"]
    response = admin.post(f"/p/own/admin/users/{me}/role", data={"role": "officer"})
    assert response.status_code == 422
    assert "You cannot remove your own admin role" in response.text
    assert user(app, me).role == "admin"
    assert events(app, "user.role_changed") == []


def test_admin_cannot_deactivate_themselves(app, admin, world):
    me = world["users"]["admin"]
    response = admin.post(f"/p/own/admin/users/{me}/active", data={"active": "0"})
    assert response.status_code == 422
    assert "You cannot deactivate your own account." in response.text
    assert user(app, me).active is True
    assert admin.get("/p/own/admin").status_code == 200


def test_admin_deactivates_and_reactivates_a_user(app, admin, world):
    member = world["users"]["member"]
    assert admin.post(f"/p/own/admin/users/{member}/active",
                      data={"active": "0"}).status_code == 303
    assert user(app, member).active is False
    assert "Deactivated" in admin.get("/p/own/admin").text
    assert admin.post(f"/p/own/admin/users/{member}/active",
                      data={"active": "1"}).status_code == 303
    restored = user(app, member)
    assert restored.active is True and restored.deactivated_at is None
    assert [e.object_id for e in events(app, "user.deactivated")] == [member]
    assert [e.object_id for e in events(app, "user.reactivated")] == [member]


def test_reactivated_user_can_sign_in_again(app, admin, world):
    member = world["users"]["member"]
    admin.post(f"/p/own/admin/users/{member}/active", data={"active": "0"})
    admin.post(f"/p/own/admin/users/{member}/active", data={"active": "1"})
    response = app.test_client().post("/sign-in", data={"email": "member@watford.example",
                                                         "password": "correct-horse-1"})
    assert response.status_code == 303


@pytest.mark.parametrize("action, data", [("role", {"role": "viewer"}),
                                          ("active", {"active": "0"})])
def test_admin_cannot_manage_a_user_of_a_foreign_partnership(app, admin, world, action, data):
    stranger = world["users"]["foreign_admin"]
    response = admin.post(f"/p/own/admin/users/{stranger}/{action}", data=data)
    assert response.status_code == 404
    changed = user(app, stranger)
    assert changed.role == "admin" and changed.active is True


def test_admin_of_another_partnership_cannot_manage_ours(app, client, world, login):
    login(client, world["users"]["foreign_admin"])
    officer = world["users"]["officer"]
    response = client.post(f"/p/own/admin/users/{officer}/role", data={"role": "viewer"})
    assert response.status_code == 404
    assert user(app, officer).role == "officer"


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


def test_audit_records_invitations(app, admin, world):
    admin.post("/p/own/admin/invitations", data={
        "name": "New Person", "email": "new@watford.example", "role": "viewer",
        "organisation_id": world["orgs"]["watford"]})
    [event] = events(app, "user.invited")
    assert event.actor_id == world["users"]["admin"]
    assert event.partnership_id == world["partnerships"]["own"]
    assert (event.details["email"], event.details["role"]) == ("new@watford.example", "viewer")


def test_audit_records_deactivation(app, admin, world):
    member = world["users"]["member"]
    admin.post(f"/p/own/admin/users/{member}/active", data={"active": "0"})
    [event] = events(app, "user.deactivated")
    assert event.actor_id == world["users"]["admin"]
    assert event.details["email"] == "member@watford.example"


def test_audit_events_cannot_be_updated_through_the_orm(app, admin, world):
    admin.post(f"/p/own/admin/users/{world['users']['member']}/role", data={"role": "viewer"})
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        event.action = "nothing.happened"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
    assert [e.action for e in events(app, "user.role_changed")] == ["user.role_changed"]


def test_audit_events_cannot_be_deleted_through_the_orm(app, admin, world):
    admin.post(f"/p/own/admin/users/{world['users']['member']}/role", data={"role": "viewer"})
    with app.app_context():
        db.session.delete(db.session.scalar(select(AuditEvent)))
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
    assert len(events(app, "user.role_changed")) == 1

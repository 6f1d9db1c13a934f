"""Rules added after review: no takeover through partnership, append-only audit in bulk,
session renewal, throttled password changes, demo seeding refusals."""
import pytest
from sqlalchemy import delete, select, update

from workspace.accounts.models import User, UserSession
from workspace.audit import AuditEvent, record
from workspace.extensions import db


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


def test_bulk_update_and_delete_of_audit_events_are_refused(app, ctx):
    record("test.event")
    db.session.commit()
    with pytest.raises(RuntimeError):
        db.session.execute(update(AuditEvent).values(action="forged"))
    db.session.rollback()
    with pytest.raises(RuntimeError):
        db.session.execute(delete(AuditEvent))
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action)) == "test.event"


def test_signing_in_again_ends_the_browsers_previous_session(app, client, world):
    for _ in range(2):
        client.post("/sign-in", data={"email": "officer@watford.example",
                                      "password": "correct-horse-1"})
    with app.app_context():
        rows = db.session.scalars(select(UserSession).order_by(UserSession.created_at)).all()
    assert len(rows) == 2
    assert rows[0].ended_at is not None and rows[1].ended_at is None


def test_wrong_current_passwords_are_throttled_like_sign_ins(app, client, login, world):
    login(client, world["users"]["officer"])
    data = {"current_password": "wrong-password", "new_password": "a-new-password-1",
            "confirm": "a-new-password-1"}
    statuses = [client.post("/account/password", data=data).status_code for _ in range(6)]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429
    data["current_password"] = "correct-horse-1"
    assert client.post("/account/password", data=data).status_code == 429


def test_seed_demo_force_refuses_when_demo_accounts_exist(app, factory):
    org = factory.organisation("watford")
    factory.user(org, "officer", email="officer@watford.example")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--force"])
    assert result.exit_code != 0
    assert "officer@watford.example" in result.output

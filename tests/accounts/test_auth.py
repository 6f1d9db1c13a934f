"""Sign-in, sign-out, sessions, passwords, throttling, deactivation and invitations."""
import ast
import re
import smtplib
from datetime import timedelta
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

import workspace.accounts.models as account_models
from tests.conftest import TEST_SECRET, CsrfClient
from workspace import create_app
from workspace.accounts import invitations, signin
from workspace.accounts.models import Invitation, LoginAttempt, User, UserSession
from workspace.accounts.service import set_active
from workspace.audit import AuditEvent
from workspace.clock import utcnow
from workspace.extensions import db

PASSWORD = "correct-horse-1"
COOKIE = "cg_session"


def sign_in(client, email, password=PASSWORD, next_url=None, **kwargs):
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/sign-in", data=data, **kwargs)


def signed_in(client):
    """True when the client's session opens the home page rather than the sign-in page."""
    return client.get("/").status_code == 200


def session_cookie(client):
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def set_cookies(response):
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]


def audit_actions(app, **where):
    with app.app_context():
        stmt = select(AuditEvent)
        for column, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, column) == value)
        return [e.action for e in db.session.scalars(stmt)]


# Sign in and out -----------------------------------------------------------------------------

def test_sign_in_with_email_and_password(client, world):
    response = sign_in(client, "officer@watford.example")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "Your partnerships" in client.get("/").text


def test_sign_in_email_is_case_insensitive(client, world):
    response = sign_in(client, "  Officer@WATFORD.Example ")
    assert response.status_code == 303
    assert signed_in(client)


def test_sign_in_refuses_wrong_password(client, world):
    response = sign_in(client, "officer@watford.example", "not-the-password")
    assert response.status_code == 401
    assert signin.SIGN_IN_FAILED in response.text
    assert not signed_in(client)


def test_pages_need_sign_in(client, world):
    response = client.get("/p/own/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_sign_out_is_post_only(client, world):
    sign_in(client, "officer@watford.example")
    assert client.get("/sign-out").status_code == 405
    assert signed_in(client)
    assert client.post("/sign-out").status_code == 303
    assert not signed_in(client)


def test_sign_out_ends_the_server_side_session(app, client, world):
    sign_in(client, "officer@watford.example")
    old_cookie = session_cookie(client)
    client.post("/sign-out")

    copy = app.test_client()
    copy.set_cookie(COOKIE, old_cookie, domain="localhost")
    response = copy.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    with app.app_context():
        rows = db.session.scalars(select(UserSession)).all()
        assert len(rows) == 1 and rows[0].ended_at is not None


# Passwords -----------------------------------------------------------------------------------

def test_passwords_are_hashed_with_scrypt(app, client, world, monkeypatch):
    source = Path(account_models.__file__).read_text()
    production = next(
        node.value.value for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        and any(getattr(t, "id", None) == "PASSWORD_METHOD" for t in node.targets))
    assert production == "scrypt"
    monkeypatch.setattr(account_models, "PASSWORD_METHOD", production)

    sign_in(client, "officer@watford.example")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a-new-password-2",
        "confirm": "a-new-password-2"})
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "officer@watford.example"))
        assert user.password_hash.startswith("scrypt:")
        assert "a-new-password-2" not in user.password_hash
    client.post("/sign-out")
    assert sign_in(client, "officer@watford.example", "a-new-password-2").status_code == 303


def test_change_password_refuses_wrong_current_password(app, client, world):
    sign_in(client, "officer@watford.example")
    response = client.post("/account/password", data={
        "current_password": "not-my-password", "new_password": "a-new-password-2",
        "confirm": "a-new-password-2"})
    assert response.status_code == 422
    assert "Your current password is not right." in response.text
    client.post("/sign-out")
    assert sign_in(client, "officer@watford.example", "a-new-password-2").status_code == 401
    assert sign_in(client, "officer@watford.example", PASSWORD).status_code == 303


def test_change_password_refuses_short_or_mismatched_password(client, world):
    sign_in(client, "officer@watford.example")
    short = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "short", "confirm": "short"})
    assert short.status_code == 422
    mismatched = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a-new-password-2",
        "confirm": "a-new-password-3"})
    assert mismatched.status_code == 422
    assert "Passwords do not match" in mismatched.text


def test_change_password_ends_other_sessions(app, world):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, "officer@watford.example")
    sign_in(elsewhere, "officer@watford.example")
    response = here.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a-new-password-2",
        "confirm": "a-new-password-2"})
    assert response.status_code == 303
    assert signed_in(here)
    assert not signed_in(elsewhere)


def test_new_password_works_and_old_one_does_not(app, client, world):
    sign_in(client, "officer@watford.example")
    client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a-new-password-2",
        "confirm": "a-new-password-2"})
    fresh = app.test_client()
    assert sign_in(fresh, "officer@watford.example", PASSWORD).status_code == 401
    assert sign_in(fresh, "officer@watford.example", "a-new-password-2").status_code == 303
    assert "auth.password_changed" in audit_actions(app, actor_id=world["users"]["officer"])


# The session cookie --------------------------------------------------------------------------

def test_session_cookie_is_httponly_and_samesite_lax(client, world):
    response = sign_in(client, "officer@watford.example")
    [cookie] = set_cookies(response)
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "secure" not in attributes


def test_session_cookie_is_secure_when_configured(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = sign_in(client, "officer@watford.example")
    [cookie] = set_cookies(response)
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in attributes and "httponly" in attributes
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_secure_cookie_setting_is_read_from_the_environment(database_url, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    other = create_app({"SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": database_url,
                        "TESTING": True})
    try:
        assert other.config["SESSION_COOKIE_SECURE"] is True
        assert other.config["SESSION_COOKIE_HTTPONLY"] is True
        assert other.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    finally:
        with other.app_context():
            db.engine.dispose()


def test_sign_in_issues_a_new_session_id_and_cookie(app, client, world):
    client.get("/sign-in")
    with client.session_transaction() as sess:
        sess["sid"] = "planted-by-an-attacker"
    before = session_cookie(client)
    sign_in(client, "officer@watford.example")
    with client.session_transaction() as sess:
        first = sess["sid"]
    assert first != "planted-by-an-attacker"
    assert session_cookie(client) != before

    cookie_after_first = session_cookie(client)
    sign_in(client, "officer@watford.example")
    with client.session_transaction() as sess:
        second = sess["sid"]
    assert second != first
    assert session_cookie(client) != cookie_after_first
    with app.app_context():
        assert db.session.get(UserSession, "planted-by-an-attacker") is None


def test_next_is_honoured_for_a_local_path(client, world):
    response = client.get("/p/own/")
    assert response.headers["Location"] == "/sign-in?next=/p/own/"
    form = client.get(response.headers["Location"])
    assert 'name="next" value="/p/own/"' in form.text
    response = sign_in(client, "officer@watford.example", next_url="/p/own/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/p/own/"


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "///evil.example", "/\t/evil.example", " //evil.example"])
def test_next_is_ignored_unless_a_local_path(client, world, target):
    response = sign_in(client, "officer@watford.example", next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    again = client.get("/sign-in", query_string={"next": target})
    assert again.status_code == 302
    assert again.headers["Location"] == "/"


# Throttling ----------------------------------------------------------------------------------

def test_account_is_throttled_after_repeated_failures(app, client, world):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert sign_in(client, "officer@watford.example", "wrong-password").status_code == 401
    response = sign_in(client, "Officer@Watford.example")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert not signed_in(client)
    other_address = app.test_client()
    response = sign_in(other_address, "officer@watford.example",
                       environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert response.status_code == 429
    assert "auth.sign_in_throttled" in audit_actions(app)


def test_client_address_is_throttled_after_repeated_failures(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 4)
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    client = app.test_client()
    for n in range(4):
        response = sign_in(client, f"guess{n}@watford.example", "wrong-password",
                           environ_base=attacker)
        assert response.status_code == 401
    assert sign_in(client, "officer@watford.example", environ_base=attacker).status_code == 429
    elsewhere = app.test_client()
    response = sign_in(elsewhere, "officer@watford.example",
                       environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert response.status_code == 303


def test_failures_age_out_of_the_throttle(app, client, world):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        sign_in(client, "officer@watford.example", "wrong-password")
    with app.app_context():
        old = utcnow() - timedelta(minutes=app.config["LOGIN_THROTTLE_MINUTES"] + 1)
        for attempt in db.session.scalars(select(LoginAttempt)):
            attempt.at = old
        db.session.commit()
    assert sign_in(client, "officer@watford.example").status_code == 303


def test_failed_sign_ins_are_stored_in_the_database(app, client, world):
    sign_in(client, "Officer@Watford.example", "wrong-password",
            environ_base={"REMOTE_ADDR": "192.0.2.44"})
    with app.app_context():
        rows = db.session.execute(select(LoginAttempt.email, LoginAttempt.address)).all()
    assert rows == [("officer@watford.example", "192.0.2.44")]


@pytest.fixture
def second_process(database_url):
    """Another app on the same database, standing for another server process."""
    other = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                        "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "localhost",
                        "SESSION_COOKIE_SECURE": False, "MAIL_SERVER": ""})
    other.test_client_class = CsrfClient
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_throttle_holds_across_processes(app, client, world, second_process):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        sign_in(client, "officer@watford.example", "wrong-password")
    response = sign_in(second_process.test_client(), "officer@watford.example")
    assert response.status_code == 429


def test_sign_out_holds_across_processes(app, client, world, second_process):
    sign_in(client, "officer@watford.example")
    cookie = session_cookie(client)
    other = second_process.test_client()
    other.set_cookie(COOKIE, cookie, domain="localhost")
    assert signed_in(other)
    client.post("/sign-out")
    assert not signed_in(other)


def _normalised(response, email):
    text = response.text.replace(email, "EMAIL")
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', text)


def test_failure_message_is_the_same_for_unknown_email_and_wrong_password(client, world):
    unknown = sign_in(client, "nobody@watford.example", "wrong-password")
    known = sign_in(client, "member@watford.example", "wrong-password")
    assert unknown.status_code == known.status_code == 401
    assert signin.SIGN_IN_FAILED in known.text
    assert _normalised(unknown, "nobody@watford.example") == \
        _normalised(known, "member@watford.example")


def test_failed_sign_in_is_committed_despite_the_error_status(app, client, world):
    assert sign_in(client, "officer@watford.example", "wrong-password").status_code == 401
    assert sign_in(client, "nobody@watford.example", "wrong-password").status_code == 401
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
            .order_by(AuditEvent.id)).all()
        assert [e.details["email"] for e in events] == ["officer@watford.example",
                                                        "nobody@watford.example"]
        assert events[0].actor_id == world["users"]["officer"]
        assert events[1].actor_id is None
        assert db.session.scalar(select(func.count(LoginAttempt.id))) == 2


def test_validation_errors_do_not_count_as_failures(app, client, world):
    response = client.post("/sign-in", data={"email": "officer@watford.example",
                                             "password": ""})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginAttempt.id))) == 0


# Deactivated users ---------------------------------------------------------------------------

def _deactivate(app, user_id):
    with app.test_request_context():
        user = db.session.get(User, user_id)
        admin = db.session.scalar(select(User).where(User.email == "admin@watford.example"))
        set_active(user, False, admin)
        db.session.commit()


def test_deactivated_user_cannot_sign_in(app, client, world):
    _deactivate(app, world["users"]["officer"])
    response = sign_in(client, "officer@watford.example")
    assert response.status_code == 401
    assert signin.SIGN_IN_FAILED in response.text
    assert not signed_in(client)


def test_deactivated_user_sessions_stop_working(app, client, world):
    sign_in(client, "officer@watford.example")
    assert signed_in(client)
    _deactivate(app, world["users"]["officer"])
    assert not signed_in(client)


def test_reactivation_does_not_revive_old_sessions(app, client, world, login):
    sign_in(client, "officer@watford.example")
    admin = login(app.test_client(), world["users"]["admin"])
    officer = world["users"]["officer"]
    admin.post(f"/organisation/users/{officer}/active", data={"active": "0"})
    admin.post(f"/organisation/users/{officer}/active", data={"active": "1"})
    assert not signed_in(client)
    assert sign_in(client, "officer@watford.example").status_code == 303


def test_inactive_flag_alone_stops_a_live_session(app, client, world):
    sign_in(client, "officer@watford.example")
    with app.app_context():
        db.session.get(User, world["users"]["officer"]).active = False
        db.session.commit()
    assert not signed_in(client)


def test_deactivated_user_history_remains(app, client, world):
    sign_in(client, "officer@watford.example")
    user_id = world["users"]["officer"]
    _deactivate(app, user_id)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None and user.active is False and user.deactivated_at is not None
    assert "auth.sign_in" in audit_actions(app, actor_id=user_id)
    assert "user.deactivated" in audit_actions(app, object_id=user_id, object_type="user")


# Invitations ---------------------------------------------------------------------------------

def invite(client, email="new.person@watford.example", role="member", organisation_id=None,
           name="New Person"):
    """An organisation admin invites a person into their own organisation (organisation_id
    only says which one the test expects)."""
    return client.post("/organisation/invitations", data={
        "name": name, "email": email, "role": role})


def invitation_link(response):
    match = re.search(r'id="invite-link"[^>]*value="(http://localhost/invitation/[^"]+)"',
                      response.text)
    assert match, "the admin page shows the invitation link"
    return match.group(1).replace("http://localhost", "")


@pytest.fixture
def admin_client(client, world):
    sign_in(client, "admin@watford.example")
    return client


def test_admin_creates_an_invitation_and_sees_its_link(app, admin_client, world):
    response = invite(admin_client, organisation_id=world["orgs"]["watford"])
    assert response.status_code == 200
    link = invitation_link(response)
    assert link.startswith("/invitation/")
    assert "new.person@watford.example" in response.text
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert (invitation.email, invitation.role) == ("new.person@watford.example", "member")
        assert invitation.organisation_id == world["orgs"]["watford"]
        assert invitation.invited_by_id == world["users"]["admin"]


def test_accepting_an_invitation_creates_the_user_and_signs_them_in(app, admin_client, world):
    link = invitation_link(invite(admin_client, role="member",
                                  organisation_id=world["orgs"]["watford"]))
    newcomer = app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200
    assert "Watford Borough Council" in page.text
    response = newcomer.post(link, data={"new_password": "my-own-password",
                                         "confirm": "my-own-password"})
    assert response.status_code == 303
    home = newcomer.get("/")
    assert home.status_code == 200
    # The header names the person and authority; the role is for screen readers only there.
    assert ('New Person, Watford Borough Council<span class="govuk-visually-hidden"> '
            '(signed in as Member)</span>') in home.text
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.person@watford.example"))
        assert (user.role, user.organisation_id) == ("member", world["orgs"]["watford"])
        assert db.session.scalar(select(Invitation)).user_id == user.id
    newcomer.post("/sign-out")
    assert sign_in(newcomer, "new.person@watford.example", "my-own-password").status_code == 303


def test_invitation_link_works_once(app, admin_client, world):
    link = invitation_link(invite(admin_client, organisation_id=world["orgs"]["watford"]))
    first = app.test_client()
    assert first.post(link, data={"new_password": "my-own-password",
                                  "confirm": "my-own-password"}).status_code == 303
    second = app.test_client()
    for response in (second.get(link),
                     second.post(link, data={"new_password": "another-password",
                                             "confirm": "another-password"})):
        assert response.status_code == 410
        assert "already been used" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(
            User.email == "new.person@watford.example")) == 1


def test_invitation_is_single_use_even_for_two_clicks_at_once(app, admin_client, world):
    invite(admin_client, organisation_id=world["orgs"]["watford"])
    with app.test_request_context():
        token = invitations.invitation_token(db.session.scalar(select(Invitation)))
        first = invitations.load_invitation(token)
        second = invitations.load_invitation(token)
        invitations.accept_invitation(first, "my-own-password")
        with pytest.raises(signin.AuthError) as refused:
            invitations.accept_invitation(second, "another-password")
        assert refused.value.status == 410
        db.session.rollback()


def test_invitation_past_its_expiry_is_refused(app, admin_client, world):
    link = invitation_link(invite(admin_client, organisation_id=world["orgs"]["watford"]))
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        invitation.expires_at = utcnow().replace(microsecond=0) - \
            (invitation.expires_at - invitation.created_at)
        db.session.commit()
    newcomer = app.test_client()
    response = newcomer.get(link)
    assert response.status_code == 410
    assert "expired" in response.text
    assert newcomer.post(link, data={"new_password": "my-own-password",
                                     "confirm": "my-own-password"}).status_code == 410


def test_invitation_token_older_than_max_age_is_refused(app, admin_client, world,
                                                        monkeypatch):
    link = invitation_link(invite(admin_client, organisation_id=world["orgs"]["watford"]))
    max_age = app.config["INVITATION_MAX_AGE_HOURS"] * 3600
    real_time = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: real_time(self) + max_age + 5)
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert "expired" in response.text


def test_invitation_with_no_hours_to_live_is_expired(app, admin_client, world, monkeypatch):
    monkeypatch.setitem(app.config, "INVITATION_MAX_AGE_HOURS", 0)
    link = invitation_link(invite(admin_client, organisation_id=world["orgs"]["watford"]))
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert "expired" in response.text


def test_tampered_invitation_token_is_not_found(app, admin_client, world):
    link = invitation_link(invite(admin_client, organisation_id=world["orgs"]["watford"]))
    # The third-last character carries six full bits of the signature (the last may not).
    char = link[-3]
    tampered = link[:-3] + ("A" if char != "A" else "B") + link[-2:]
    response = app.test_client().get(tampered)
    assert response.status_code == 404
    assert "not valid" in response.text
    forged = invitations.URLSafeTimedSerializer("another-secret", salt="invitation").dumps(
        {"i": 1, "n": "guess"})
    assert app.test_client().get(f"/invitation/{forged}").status_code == 404


def test_invitation_token_needs_the_matching_nonce(app, admin_client, world):
    invite(admin_client, organisation_id=world["orgs"]["watford"])
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
        token = invitations._serializer().dumps({"i": invitation_id, "n": "wrong-nonce"})
    assert app.test_client().get(f"/invitation/{token}").status_code == 404


def test_inviting_an_existing_email_is_refused(app, admin_client, world):
    response = invite(admin_client, email="Member@Watford.example",
                      organisation_id=world["orgs"]["watford"])
    assert response.status_code == 422
    assert "A user with that email address already exists." in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0


@pytest.fixture
def outbox(monkeypatch):
    """Messages handed to a fake smtplib.SMTP, with the fake connection that sent each."""
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout=None):
            self.host, self.port, self.tls = host, port, False

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            self.tls = True

        def login(self, username, password):
            self.credentials = (username, password)

        def send_message(self, message):
            sent.append((self, message))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return sent


def test_invitation_is_mailed_when_mail_is_configured(app, admin_client, world, outbox,
                                                      monkeypatch, run_jobs):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "mailer")
    response = invite(admin_client, organisation_id=world["orgs"]["watford"])
    assert response.status_code == 200
    invitation_link(response)
    assert "The invitation will be e-mailed to new.person@watford.example" in response.text
    assert outbox == []                  # sent by a background job, not in the request
    run_jobs()
    [(smtp, message)] = outbox
    assert (smtp.host, smtp.tls) == ("smtp.example.org", True)
    assert message["To"] == "new.person@watford.example"
    emailed = re.search(r"http://localhost(/invitation/\S+)", message.get_content()).group(1)
    assert admin_client.get(emailed).status_code == 200      # a working link to the same
    assert "new.person@watford.example" in admin_client.get(emailed).text


def test_no_mail_is_sent_without_a_mail_server(app, admin_client, world, outbox):
    response = invite(admin_client, organisation_id=world["orgs"]["watford"])
    invitation_link(response)
    assert outbox == []
    assert "no email is sent" in response.text


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

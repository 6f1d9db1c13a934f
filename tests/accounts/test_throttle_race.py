"""The sign-in throttle holds under simultaneous attempts, on SQLite and on PostgreSQL.

Forty threads send a wrong password for one account at the same moment (a barrier releases
them together) through the real app. Whatever the interleaving, exactly the limit's worth of
passwords may be checked and recorded as failures; every other attempt is refused with 429
before any password is checked. The password check is slowed down (a short sleep) only to
widen the window in which the old count-then-record code let extra attempts through: the
assertions hold for every ordering, so nothing here depends on timing.
"""
import threading
import time

from sqlalchemy import func, select

from workspace.accounts.models import LoginAttempt, User
from workspace.extensions import db

THREADS = 40
PASSWORD = "correct-horse-1"
EMAIL = "target@watford.example"


def _count_checks(monkeypatch):
    """Count every real password check (slowed, to let racing requests overlap)."""
    checks = []
    lock = threading.Lock()
    original = User.check_password

    def counted(self, password):
        with lock:
            checks.append(password)
        time.sleep(0.02)
        return original(self, password)

    monkeypatch.setattr(User, "check_password", counted)
    return checks


def _together(app, send, prepare=None):
    """Run send(client) in THREADS threads released at once (after prepare(client), if
    given); return the status codes."""
    barrier = threading.Barrier(THREADS)
    statuses = []
    errors = []
    lock = threading.Lock()

    def worker():
        client = app.test_client()
        try:
            if prepare is not None:
                prepare(client)
            barrier.wait(timeout=60)
            status = send(client)
        except Exception as exc:
            with lock:
                errors.append(repr(exc))
            return
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(statuses) == THREADS
    return statuses


def _failures(app, email):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LoginAttempt)
                                 .where(LoginAttempt.email == email))


def test_simultaneous_wrong_passwords_check_exactly_the_limit(app, factory, monkeypatch):
    org = factory.organisation("watford")
    factory.user(org, "officer", email=EMAIL, password=PASSWORD)
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    assert limit < THREADS
    checks = _count_checks(monkeypatch)

    statuses = _together(app, lambda client: client.post(
        "/sign-in", data={"email": EMAIL, "password": "wrong-password"}).status_code)

    assert len(checks) == limit
    assert sorted(statuses) == [401] * limit + [429] * (THREADS - limit)
    assert _failures(app, EMAIL) == limit
    # The right password is refused too now, without being checked.
    client = app.test_client()
    response = client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 429
    assert len(checks) == limit


def test_simultaneous_wrong_current_passwords_check_exactly_the_limit(app, factory, login,
                                                                      monkeypatch):
    org = factory.organisation("watford")
    user_id = factory.user(org, "officer", email=EMAIL, password=PASSWORD)
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    checks = _count_checks(monkeypatch)

    def change(client):
        return client.post("/account/password", data={
            "current_password": "not-my-password", "new_password": "a-new-password-2",
            "confirm": "a-new-password-2"}).status_code

    statuses = _together(app, change, prepare=lambda client: login(client, user_id))

    assert len(checks) == limit
    assert sorted(statuses) == [422] * limit + [429] * (THREADS - limit)
    assert _failures(app, EMAIL) == limit


def test_a_right_password_clears_its_own_attempt(app, factory):
    org = factory.organisation("watford")
    factory.user(org, "officer", email=EMAIL, password=PASSWORD)
    client = app.test_client()
    assert client.post("/sign-in", data={"email": EMAIL, "password": "wrong-password"}
                       ).status_code == 401
    assert client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD}
                       ).status_code == 303
    assert _failures(app, EMAIL) == 0
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a-new-password-2",
        "confirm": "a-new-password-2"})
    assert response.status_code == 303
    assert _failures(app, EMAIL) == 0

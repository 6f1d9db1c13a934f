"""The session cookie: a person's own requests send it again (extending the sign-in) at most
once a minute, so most requests skip re-signing it, and the sign-in still lasts
SESSION_LIFETIME_HOURS after the last one, to within that minute."""
import pytest

from tests.support import cookie_name, sets_cookie, signed_seconds_ago
from workspace.security import REFRESH_EVERY_SECONDS


@pytest.fixture
def signed_in(client, login, world):
    """The officer signed in as /sign-in makes it (a permanent session), with the CSRF token
    already in the session (the first page with a form writes it there)."""
    login(client, world["users"]["officer"])
    with client.session_transaction() as session:
        session.permanent = True
    assert client.get("/").status_code == 200
    return client


def signed_at(app, client):
    serializer = app.session_interface.get_signing_serializer(app)
    _data, when = serializer.loads(client.get_cookie(cookie_name(app)).value,
                                   return_timestamp=True)
    return when.timestamp()


def test_a_cookie_signed_less_than_a_minute_ago_is_not_sent_again(app, signed_in):
    signed_seconds_ago(app, signed_in, REFRESH_EVERY_SECONDS - 5)
    response = signed_in.get("/")
    assert response.status_code == 200 and not sets_cookie(app, response)


def test_a_cookie_signed_a_minute_ago_is_sent_again_and_the_sign_in_extended(app, signed_in):
    signed_seconds_ago(app, signed_in, REFRESH_EVERY_SECONDS + 1)
    before = signed_at(app, signed_in)
    response = signed_in.get("/")
    assert response.status_code == 200 and sets_cookie(app, response)
    assert signed_at(app, signed_in) >= before + REFRESH_EVERY_SECONDS


def test_a_change_to_the_session_is_always_sent(app, signed_in, world):
    """A flash (or any other change) goes out at once, however new the cookie is."""
    signed_seconds_ago(app, signed_in, 1)
    response = signed_in.post("/sign-out")
    assert response.status_code in (302, 303) and sets_cookie(app, response)
    assert signed_in.get("/").status_code in (302, 303)       # signed out


def test_the_sign_in_ends_a_lifetime_after_the_cookie_was_last_signed(app, signed_in):
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    signed_seconds_ago(app, signed_in, lifetime - 30)
    kept = signed_in.get("/")
    assert kept.status_code == 200 and sets_cookie(app, kept)      # and extended
    signed_seconds_ago(app, signed_in, lifetime + 1)
    ended = signed_in.get("/")
    assert ended.status_code in (302, 303) and "/sign-in" in ended.headers["Location"]


def test_a_tampered_cookie_is_a_new_empty_session(app, signed_in):
    value = signed_in.get_cookie(cookie_name(app)).value
    signed_in.set_cookie(cookie_name(app), value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    response = signed_in.get("/")
    assert response.status_code in (302, 303) and "/sign-in" in response.headers["Location"]

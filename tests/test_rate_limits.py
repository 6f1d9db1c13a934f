"""Per-user limits on costly or abusable actions: exports, imports, invitations, password
changes (Flask-Limiter, workspace/rate_limits.py). No test waits for a window to pass: each
sets a small limit and starts from empty counts."""
import io

import pytest
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.extensions import db, limiter
from workspace.rate_limits import DEFAULTS, NEVER_LIMITED

SCG = "/p/sw-herts/d/1"
SETTINGS = ("EXPORT_RATE_LIMIT", "IMPORT_RATE_LIMIT", "INVITE_RATE_LIMIT",
            "PASSWORD_CHANGE_RATE_LIMIT")


@pytest.fixture
def limited(app, monkeypatch, demo):
    """The session app with every limit at 2 a minute, from empty counts."""
    for name in SETTINGS:
        monkeypatch.setitem(app.config, name, "2 per minute")
    limiter.reset()
    yield app
    limiter.reset()


@pytest.fixture
def as_user(app, login):
    """as_user(email): a client signed in as the demo user with that e-mail address."""

    def _as(email):
        with app.app_context():
            user_id = db.session.scalar(select(User.id).where(User.email == email))
        return login(app.test_client(), user_id)

    return _as


def _upload(client, url, **kwargs):
    return client.post(url, data={"file": (io.BytesIO(b"not a document"), "notes.docx")},
                       content_type="multipart/form-data", **kwargs)


def _invite(client, **kwargs):
    return client.post("/organisation/invitations",
                       data={"email": "", "name": "", "role": "officer"}, **kwargs)


def _change_password(client, **kwargs):
    return client.post("/account/password",
                       data={"current_password": "wrong-password-1", "new_password": "x",
                             "confirm_password": "y"}, **kwargs)


# Each action: who may do it, the request, the words of its message.
ACTIONS = {
    "word download": ("officer@watford.example", lambda c, **k: c.get(f"{SCG}/docx", **k),
                      "too many downloads"),
    "evidence pack": ("officer@watford.example",
                      lambda c, **k: c.post(f"{SCG}/evidence", **k), "too many downloads"),
    # The demo Statement is out for agreement: importing into it is the partnership admin's.
    "import into a document": ("admin@swherts.example",
                               lambda c, **k: _upload(c, f"{SCG}/import/", **k),
                               "too many files to import"),
    "import as a new document": ("admin@swherts.example",
                                 lambda c, **k: _upload(c, "/p/sw-herts/documents/new/import",
                                                        **k),
                                 "too many files to import"),
    "invite a user": ("orgadmin@watford.example", _invite, "too many invitations"),
    "invite a partner": ("admin@swherts.example",
                         lambda c, **k: c.post("/p/sw-herts/admin/partners",
                                               data={"code": "nowhere"}, **k),
                         "too many invitations"),
    "add an organisation": ("admin@swherts.example",
                            lambda c, **k: c.post("/p/sw-herts/admin/organisations",
                                                  data={"name": ""}, **k),
                            "too many invitations"),
    "change password": ("officer@watford.example", _change_password,
                        "too many times"),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_answers_429_with_retry_after_past_its_limit(limited, as_user, action):
    email, send, words = ACTIONS[action]
    client = as_user(email)
    allowed = [send(client).status_code for _ in range(2)]
    assert 429 not in allowed
    refused = send(client)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Too many requests" in refused.text
    assert words in refused.text
    assert "Try again in" in refused.text
    assert "changed" in refused.text          # the message says nothing was changed


@pytest.mark.parametrize("action", ["import into a document", "invite a user",
                                    "change password"])
def test_an_htmx_request_gets_the_message_in_the_notifications_area(limited, as_user,
                                                                     action):
    email, send, words = ACTIONS[action]
    client = as_user(email)
    for _ in range(2):
        send(client, headers={"HX-Request": "true"})
    refused = send(client, headers={"HX-Request": "true"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["HX-Retarget"] == "#notifications"
    assert words in refused.text
    assert "<html" not in refused.text        # a notification, not a whole page


def test_counts_are_per_user_not_per_address(limited, as_user):
    one = as_user("officer@watford.example")
    other = as_user("officer@dacorum.example")   # same test address 127.0.0.1
    assert [one.get(f"{SCG}/docx").status_code for _ in range(3)] == [200, 200, 429]
    assert other.get(f"{SCG}/docx").status_code == 200
    assert [_change_password(one).status_code for _ in range(3)][-1] == 429
    assert _change_password(other).status_code != 429


def test_downloads_and_evidence_packs_share_one_budget(limited, as_user):
    client = as_user("officer@watford.example")
    assert client.get(f"{SCG}/docx").status_code == 200
    assert client.get(f"{SCG}/versions/1/docx").status_code != 429
    assert client.post(f"{SCG}/evidence").status_code == 429


def test_the_pdf_being_prepared_page_reloading_itself_is_not_counted(limited, as_user):
    client = as_user("officer@watford.example")
    statuses = [client.get(f"{SCG}/pdf").status_code for _ in range(4)]
    assert statuses == [202] * 4          # the job has not run: the page reloads itself
    assert client.get(f"{SCG}/docx").status_code == 200


def test_an_empty_setting_turns_each_limit_off(limited, as_user, monkeypatch):
    for name in SETTINGS:
        monkeypatch.setitem(limited.config, name, "")
    for email, send, _ in ACTIONS.values():
        client = as_user(email)
        assert 429 not in {send(client).status_code for _ in range(4)}


def test_pages_that_only_show_forms_are_not_limited(limited, as_user):
    officer = as_user("officer@watford.example")
    admin = as_user("admin@swherts.example")
    orgadmin = as_user("orgadmin@watford.example")
    pages = [(officer, "/account/password"), (admin, f"{SCG}/import/"),
             (officer, f"{SCG}/evidence"), (admin, "/p/sw-herts/documents/new/import"),
             (admin, "/p/sw-herts/admin"), (orgadmin, "/organisation/")]
    for client, url in pages:
        assert {client.get(url).status_code for _ in range(4)} == {200}, url


def test_health_checks_and_static_files_are_never_limited(limited):
    """The limiter's request filter exempts them from every limit, present or future."""
    from flask import request
    adapter = limited.url_map.bind("localhost")
    for url in ("/healthz", "/readyz", "/static/app.css"):
        with limited.test_request_context(url):
            request.url_rule, request.view_args = adapter.match(url, return_rule=True)
            assert request.endpoint in NEVER_LIMITED, url
            assert any(f() for f in limiter._request_filters), url
    client = limited.test_client()
    assert {client.get("/healthz").status_code for _ in range(10)} == {200}


def test_defaults_come_from_the_environment(app, monkeypatch):
    from workspace.rate_limits import setting
    assert DEFAULTS == {"EXPORT_RATE_LIMIT": "30 per minute;300 per hour",
                        "IMPORT_RATE_LIMIT": "10 per minute;60 per hour",
                        "INVITE_RATE_LIMIT": "20 per hour",
                        "PASSWORD_CHANGE_RATE_LIMIT": "5 per minute;20 per hour"}
    monkeypatch.delitem(app.config, "INVITE_RATE_LIMIT")
    monkeypatch.delenv("INVITE_RATE_LIMIT", raising=False)
    with app.app_context():
        assert setting("INVITE_RATE_LIMIT") == "20 per hour"
        monkeypatch.setenv("INVITE_RATE_LIMIT", "3 per day")
        assert setting("INVITE_RATE_LIMIT") == "3 per day"
        monkeypatch.setenv("INVITE_RATE_LIMIT", "")
        assert setting("INVITE_RATE_LIMIT") == ""

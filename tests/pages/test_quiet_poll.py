"""The live feed's quiet answer (workspace/pages/live_poll.py): a poll carrying the page's
ticket, when nothing changed, is answered 204 by one statement before the app; anything else
goes on to the app's own view, which checks everything again."""
import base64
import html
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from tests.support import counting_queries
from workspace.accounts.models import User, UserSession
from workspace.documents import editing, service
from workspace.documents.models import Document
from workspace.documents.presence import touch_presence
from workspace.extensions import db
from workspace.partnerships.models import Partner

from .test_document_queries import make_document, page_url
from .test_poll_cost import _sql


def poller(page_html):
    """(path, query parameters) of the page's poller."""
    found = re.search(r'<div id="live" hx-get="([^"]+)"', page_html)
    url = urlsplit(html.unescape(found.group(1)))
    return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


@pytest.fixture
def document_id(app, world):
    return make_document(app, world["partnerships"]["own"], 12)


def _poll(app, client, path, query):
    with counting_queries(app) as statements:
        response = client.get(path, query_string=query)
    return response, _sql(statements)


def test_the_page_gives_its_poller_a_ticket(officer, document_id):
    path, query = poller(officer.get(page_url(document_id)).text)
    assert path == f"/p/own/d/{document_id}/changes"
    assert query["ticket"] and query["cursor"].isdigit() and query["presence"]


def test_nothing_changed_is_one_statement(app, officer, document_id, world):
    with app.app_context():
        section = service.live_sections(db.session.get(Document, document_id))[3]
        touch_presence(section, db.session.get(User, world["users"]["dacorum_officer"]))
        db.session.commit()
    path, query = poller(officer.get(page_url(document_id)).text)
    assert query["presence"] != "0"
    response, statements = _poll(app, officer, path, query)
    assert response.status_code == 204 and response.data == b""
    assert len(statements) == 1, statements
    (statement,) = statements
    assert "user_sessions" in statement and "document_changes" in statement \
        and "presence" in statement


def test_the_quiet_answer_has_the_apps_headers_and_access_line(app, officer, document_id,
                                                               caplog):
    path, query = poller(officer.get(page_url(document_id)).text)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="workspace.access"):
        response, statements = _poll(app, officer, path, query)
    assert response.status_code == 204 and len(statements) == 1
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert "Set-Cookie" not in response.headers
    lines = [r for r in caplog.records if r.name == "workspace.access"]
    assert len(lines) == 1
    assert lines[0].access["status"] == 204 and lines[0].access["path"] == path
    assert lines[0].request_id == response.headers["X-Request-ID"]
    assert "ticket" not in lines[0].getMessage()


def _change_section(app, document_id, world):
    with app.app_context():
        section = service.live_sections(db.session.get(Document, document_id))[0]
        editing.save_section(section, section.body + "\nMore.", section.version,
                             db.session.get(User, world["users"]["dacorum_officer"]))
        db.session.commit()


def test_a_change_goes_on_to_the_view(app, officer, document_id, world):
    path, query = poller(officer.get(page_url(document_id)).text)
    _change_section(app, document_id, world)
    response, statements = _poll(app, officer, path, query)
    assert response.status_code == 200 and "More." in response.text
    assert len(statements) > 1
    # The view's answer carries a new poller with a ticket of its own.
    new_path, new_query = poller(response.text)
    assert new_query["cursor"] != query["cursor"] and new_query["ticket"]
    again, statements = _poll(app, officer, new_path, new_query)
    assert again.status_code == 204 and len(statements) == 1


def test_an_editor_arriving_goes_on_to_the_view(app, officer, document_id, world):
    path, query = poller(officer.get(page_url(document_id)).text)
    with app.app_context():
        section = service.live_sections(db.session.get(Document, document_id))[1]
        touch_presence(section, db.session.get(User, world["users"]["dacorum_officer"]))
        db.session.commit()
    response, _ = _poll(app, officer, path, query)
    assert response.status_code == 200 and "is editing" in response.text


@pytest.mark.parametrize("spoil", ["missing", "tampered", "other document", "bad cursor"])
def test_a_poll_without_a_good_ticket_goes_on_to_the_view(app, officer, document_id, world,
                                                          spoil):
    other = make_document(app, world["partnerships"]["own"], 2, "Other")
    path, query = poller(officer.get(page_url(document_id)).text)
    if spoil == "missing":
        del query["ticket"]
    elif spoil == "tampered":
        query["ticket"] = query["ticket"][:-2] + ("AA" if query["ticket"][-2:] != "AA" else "BB")
    elif spoil == "other document":
        path = f"/p/own/d/{other}/changes"
    else:
        query["cursor"] = "x"
    response, statements = _poll(app, officer, path, query)
    assert len(statements) > 1, "the view answered, with its own checks"
    assert response.status_code in (200, 204)


def test_a_ticket_is_no_use_to_another_session(app, client, login, document_id, world):
    """The Luton viewer holds the Watford officer's ticket: the view refuses them."""
    login(client, world["users"]["officer"])
    path, query = poller(client.get(page_url(document_id)).text)
    outsider = app.test_client()
    login(outsider, world["users"]["foreign_admin"])
    response, statements = _poll(app, outsider, path, query)
    assert response.status_code == 404 and len(statements) > 1


def test_a_ticket_ends_with_its_session(app, officer, document_id):
    path, query = poller(officer.get(page_url(document_id)).text)
    with app.app_context():
        db.session.execute(update(UserSession).values(ended_at=UserSession.created_at))
        db.session.commit()
    response, _ = _poll(app, officer, path, query)
    assert response.status_code in (302, 401) and "sign-in" in response.headers["Location"]


def test_a_ticket_ends_when_the_user_is_deactivated(app, officer, document_id, world):
    path, query = poller(officer.get(page_url(document_id)).text)
    with app.app_context():
        db.session.execute(update(User).where(User.id == world["users"]["officer"])
                           .values(active=False))
        db.session.commit()
    response, _ = _poll(app, officer, path, query)
    assert response.status_code in (302, 401)


def test_an_organisation_that_left_gets_no_quiet_answer(app, officer, document_id, world):
    """Whatever cursor it tries: the view refuses, so the feed tells a former partner
    nothing of the document's activity."""
    path, query = poller(officer.get(page_url(document_id)).text)
    with app.app_context():
        db.session.execute(update(Partner).where(
            Partner.organisation_id == world["orgs"]["watford"],
            Partner.partnership_id == world["partnerships"]["own"]).values(status="left"))
        db.session.commit()
    for cursor in ("0", query["cursor"], "999999"):
        response, _ = _poll(app, officer, path, {**query, "cursor": cursor})
        assert response.status_code == 404, cursor


def test_the_address_must_name_the_documents_partnership(app, officer, document_id):
    path, query = poller(officer.get(page_url(document_id)).text)
    for slug in ("foreign", "no-such-partnership"):
        response, _ = _poll(app, officer, path.replace("/p/own/", f"/p/{slug}/"), query)
        assert response.status_code == 404, slug


@pytest.mark.parametrize("cursor", ["²", "①", "9" * 5000, "-1", " 1"])
def test_an_odd_cursor_goes_on_to_the_view(app, officer, document_id, cursor):
    path, query = poller(officer.get(page_url(document_id)).text)
    response, statements = _poll(app, officer, path, {**query, "cursor": cursor})
    assert response.status_code in (200, 204) and len(statements) > 1


def test_a_malformed_cookie_header_goes_on_to_the_view(app, client, officer, document_id):
    path, query = poller(officer.get(page_url(document_id)).text)
    name = app.config["SESSION_COOKIE_NAME"]
    anonymous = app.test_client()
    response = anonymous.get(path, query_string=query, headers={"Cookie": f"{name}=\xff"})
    assert response.status_code in (302, 401)


def test_the_ticket_does_not_carry_the_session_id(app, officer, document_id):
    _, query = poller(officer.get(page_url(document_id)).text)
    with officer.session_transaction() as session:
        sid = session["sid"]
    payload = query["ticket"].split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert sid not in decoded and sid not in query["ticket"]

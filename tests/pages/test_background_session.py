"""Requests the page makes on its own (the live feed's poll, an editor's presence heartbeat
and its leaving beacon) do not send the session cookie again; the person's own requests do
(the sign-in lasts SESSION_LIFETIME_HOURS after their last one).

Why: a slow poll answering after a form's redirect would put back the session as it stood
before the form, and with it lose the flash message the redirect carried ("Section
renamed."); and a tab left open would keep its sign-in alive for ever."""
import pytest

from workspace.documents import service
from workspace.documents.models import Document
from workspace.extensions import db

from .test_document_queries import feed_query, make_document, page_url

HX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(client, login, world):
    """The officer, signed in as /sign-in does it: a permanent session (the cookie lasts
    SESSION_LIFETIME_HOURS and is sent again with each answer that refreshes it)."""
    login(client, world["users"]["officer"])
    with client.session_transaction() as session:
        session.permanent = True
    return client


def _sets_session_cookie(app, response):
    name = app.config["SESSION_COOKIE_NAME"]
    return any(header.startswith(f"{name}=") for header in response.headers.getlist("Set-Cookie"))


def test_a_page_refreshes_the_session_cookie_and_a_poll_does_not(app, signed_in, world):
    document_id = make_document(app, world["partnerships"]["own"], 3)
    page = signed_in.get(page_url(document_id))
    assert page.status_code == 200 and _sets_session_cookie(app, page)
    cursor, presence = feed_query(page.text)

    nothing = signed_in.get(f"/p/own/d/{document_id}/changes",
                         query_string={"cursor": cursor, "presence": presence})
    assert nothing.status_code == 204 and not _sets_session_cookie(app, nothing)



def test_presence_heartbeats_and_the_leaving_beacon_do_not_refresh_the_cookie(
        app, signed_in, world):
    document_id = make_document(app, world["partnerships"]["own"], 2)
    with app.app_context():
        section_id = service.live_sections(db.session.get(Document, document_id))[0].id
    base = f"/p/own/d/{document_id}/s/{section_id}"
    editor = signed_in.get(f"{base}/edit")
    assert editor.status_code == 200 and _sets_session_cookie(app, editor)
    beat = signed_in.post(f"{base}/presence", headers=HX)
    assert beat.status_code in (200, 204) and not _sets_session_cookie(app, beat)
    leave = signed_in.post(f"{base}/presence/leave")
    assert leave.status_code == 204 and not _sets_session_cookie(app, leave)


def test_a_flash_survives_a_poll_answered_after_the_redirect(app, signed_in, world):
    """The race itself, as a browser lives it: the poll left with the cookie as it stood
    before the form and answers after the form's redirect. Its answer must not put that old
    cookie back, or the page the redirect leads to loses "Section renamed."."""
    document_id = make_document(app, world["partnerships"]["own"], 2)
    with app.app_context():
        section_id = service.live_sections(db.session.get(Document, document_id))[0].id
    name = app.config["SESSION_COOKIE_NAME"]
    page = signed_in.get(page_url(document_id))
    cursor, presence = feed_query(page.text)
    before_the_form = signed_in.get_cookie(name).value

    renamed = signed_in.post(f"/p/own/d/{document_id}/s/{section_id}/rename",
                          data={"title": "Housing need"})
    assert renamed.status_code == 303
    with_the_flash = signed_in.get_cookie(name).value

    signed_in.set_cookie(name, before_the_form)          # what the slow poll carries
    poll = signed_in.get(f"/p/own/d/{document_id}/changes", headers=HX,
                      query_string={"cursor": cursor, "presence": presence})
    assert poll.status_code == 200                     # the rename is news to it
    if not _sets_session_cookie(app, poll):            # the browser keeps what it held
        signed_in.set_cookie(name, with_the_flash)
    assert "Section renamed." in signed_in.get(renamed.headers["Location"]).text


def test_the_persons_requests_note_the_sessions_last_use_at_most_hourly_and_polls_never(
        app, signed_in, world):
    """What retention reads to remove sessions nobody signed out of (retention.py)."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from workspace.accounts.models import UserSession
    from workspace.clock import utcnow

    document_id = make_document(app, world["partnerships"]["own"], 2)

    def last_seen():
        with app.app_context():
            return db.session.scalar(select(UserSession.last_seen_at))

    def seen(ago):
        with app.app_context():
            db.session.execute(update(UserSession).values(last_seen_at=utcnow() - ago))
            db.session.commit()
            return db.session.scalar(select(UserSession.last_seen_at))

    signed_in_at = last_seen()
    assert signed_in_at is not None                          # a sign-in is a use
    long_ago = seen(timedelta(hours=3))
    page = signed_in.get(page_url(document_id))
    assert page.status_code == 200 and last_seen() > long_ago

    half_an_hour_ago = seen(timedelta(minutes=30))
    signed_in.get(page_url(document_id))
    assert last_seen() == half_an_hour_ago                  # not written again within the hour

    two_hours_ago = seen(timedelta(hours=2))
    cursor, presence = feed_query(page.text)
    signed_in.get(f"/p/own/d/{document_id}/changes",
                  query_string={"cursor": cursor, "presence": presence})
    assert last_seen() == two_hours_ago                     # a poll is not the person
    signed_in.get(page_url(document_id))
    assert last_seen() > two_hours_ago


# Pages that check again by themselves ----------------------------------------------------------

@pytest.mark.parametrize("path, headers, background", [
    ("/p/own/d/1/pdf", {}, False),                          # the person asks for the PDF
    ("/p/own/d/1/pdf?reloaded=1", {}, True),                # the preparing page reloads
    ("/p/own/d/1/versions/1/pdf?variant=archive&reloaded=1", {}, True),
    ("/p/own/evidence", {}, False),
    ("/p/own/evidence?reloaded=1", {}, True),
    ("/p/own/d/1/evidence/1/zip?reloaded=1", {}, True),
    ("/p/own/d/1/versions/1/signatures/1/progress", {}, False),
    ("/p/own/d/1/versions/1/signatures/1/progress", HX, True),      # its htmx checks
    ("/p/own/d/1/", {}, False),
])
def test_a_pages_own_checks_are_background_and_the_persons_requests_are_not(
        app, path, headers, background):
    from workspace.web import is_background_request

    with app.test_request_context(path, headers=headers):
        assert is_background_request() is background


def test_a_pdf_page_left_waiting_does_not_keep_the_sign_in_alive(app, signed_in, world):
    """The page saying a PDF is being prepared reloads itself every few seconds (Refresh);
    those reloads do not send the cookie again, so a tab left on it still signs out
    SESSION_LIFETIME_HOURS after the person's last own request."""
    from tests.support import sets_cookie, signed_seconds_ago

    document_id = make_document(app, world["partnerships"]["own"], 2)
    pdf = f"/p/own/d/{document_id}/pdf"
    signed_seconds_ago(app, signed_in, 120)
    first = signed_in.get(pdf)
    assert first.status_code == 202 and sets_cookie(app, first)       # the person's
    reload = first.headers["Refresh"].split("url=", 1)[1]
    assert reload == f"{pdf}?reloaded=1"
    signed_seconds_ago(app, signed_in, 120)
    again = signed_in.get(reload)
    assert again.status_code == 202 and not sets_cookie(app, again)
    assert again.headers["Refresh"] == f"3; url={pdf}?reloaded=1"     # not ?reloaded=1 twice

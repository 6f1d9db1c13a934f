"""What a poll of the live feed costs when nothing changed, and what the document page costs
as it grows.

A poll that finds nothing, asked without the page's ticket (an old tab), is answered by the
app's view after three statements: the signed-in session with its user (one statement), the
membership check that loads the document, and one read of the latest change id with who is
editing. No section, no user of the editors, nothing else. With the ticket it is one
statement (tests/pages/test_quiet_poll.py).
"""
from datetime import timedelta

from sqlalchemy import update

from tests.pages.test_document_queries import feed_query, make_document, page_queries, poll_queries
from tests.support import counting_queries
from workspace.accounts.models import User
from workspace.documents import service
from workspace.documents.models import Document, Presence
from workspace.documents.presence import touch_presence
from workspace.extensions import db


def _poll_statements(app, client, document_id):
    page, _ = page_queries(app, client, document_id)
    cursor, presence = feed_query(page.text)
    poll_queries(app, client, document_id, cursor, presence)          # warm-up
    with counting_queries(app) as statements:
        response = client.get(f"/p/own/d/{document_id}/changes",
                              query_string={"cursor": cursor, "presence": presence})
    assert response.status_code == 204
    return _sql(statements)


def _sql(statements):
    """The statements, normalised, without SQLite's BEGIN (PostgreSQL's is implicit)."""
    found = [" ".join(s.split()).lower() for s in statements]
    return [s for s in found if s not in ("begin", "begin immediate")]


def test_a_poll_with_nothing_changed_costs_three_statements(app, client, login, world):
    document_id = make_document(app, world["partnerships"]["own"], 12)
    with app.app_context():
        section = service.live_sections(db.session.get(Document, document_id))[3]
        touch_presence(section, db.session.get(User, world["users"]["dacorum_officer"]))
        db.session.commit()
    login(client, world["users"]["officer"])
    statements = _poll_statements(app, client, document_id)
    assert len(statements) == 3, statements
    session_user, membership, state = statements
    assert "from users join user_sessions" in session_user
    assert "from partnerships join partners" in membership
    assert "document_changes" in state and "presence" in state
    assert not any("from sections" in s for s in statements)


def test_the_poll_costs_the_same_for_any_size(app, client, login, world):
    own = world["partnerships"]["own"]
    small, large = make_document(app, own, 10), make_document(app, own, 60)
    login(client, world["users"]["officer"])
    assert len(_poll_statements(app, client, small)) == len(
        _poll_statements(app, client, large))


def test_an_editor_leaving_by_time_out_is_a_change(app, client, login, world):
    """Presence ends without a write (its time runs out): the poll still notices."""
    document_id = make_document(app, world["partnerships"]["own"], 3)
    with app.app_context():
        section = service.live_sections(db.session.get(Document, document_id))[0]
        touch_presence(section, db.session.get(User, world["users"]["dacorum_officer"]))
        db.session.commit()
    login(client, world["users"]["officer"])
    page, _ = page_queries(app, client, document_id)
    cursor, presence = feed_query(page.text)
    assert presence != "0"
    with app.app_context():
        db.session.execute(update(Presence).values(
            seen_at=Presence.seen_at - timedelta(minutes=10)))
        db.session.commit()
    response, _ = poll_queries(app, client, document_id, cursor, presence)
    assert response.status_code == 200
    assert feed_query(response.text) == (cursor, "0")


def test_the_document_page_costs_the_same_statements_for_10_and_60_sections(
        app, client, login, world):
    own = world["partnerships"]["own"]
    small, large = make_document(app, own, 10), make_document(app, own, 60)
    login(client, world["users"]["officer"])
    page_queries(app, client, small)                       # warm-up
    _, ten = page_queries(app, client, small)
    _, sixty = page_queries(app, client, large)
    assert sixty <= ten, (ten, sixty)


def test_the_session_and_user_load_in_one_statement(app, client, login, world):
    login(client, world["users"]["officer"])
    client.get("/")
    with counting_queries(app) as statements:
        assert client.get("/").status_code == 200
    loads = [s for s in _sql(statements) if "user_sessions" in s
             or (s.startswith("select users.") and "where users.id =" in s)]
    assert len(loads) == 1, loads

"""The document page and the change feed cost a fixed number of SQL queries.

A document with 200 sections must not cost more queries than one with 10 (no query per
section), and a poll of the change feed that finds nothing new answers 204 after a few small
queries: every open browser tab polls it every two seconds.
"""
import html
import re

import pytest

from tests.support import counting_queries
from workspace.accounts.models import User
from workspace.documents import editing, service
from workspace.documents.models import Document
from workspace.documents.presence import touch_presence
from workspace.extensions import db
from workspace.partnerships.models import Partnership

#: An upper bound for a poll that finds nothing: session, partnership, document, presence,
#: changes, plus the eager loads those bring. Generous enough for harmless refactoring,
#: small enough to catch a query per section.
MAX_POLL_QUERIES = 12

BODY = """Paragraph {i} of the section, with **strong** text and a [link](https://example.org).

| Authority | Position |
|---|---|
| Watford BC | Agreed |
| Dacorum BC | Agreed with reservations |

- first point
- second point
"""


def make_document(app, partnership_id, sections, title="Statement of Common Ground"):
    """A document with `sections` sections, built with the service functions; its id."""
    with app.app_context():
        partnership = db.session.get(Partnership, partnership_id)
        document = service.create_document(partnership, title, "scg")
        for i in range(sections):
            service.append_section(document, f"Section title {i}", BODY.format(i=i),
                                   depth=i % 2, feedback_sought=f"Do we agree with part {i}?")
        db.session.commit()
        return document.id


def page_url(document_id):
    return f"/p/own/d/{document_id}/"


def feed_query(page_html):
    """The cursor and presence tag the page's poller sends back, read from the page."""
    poller = re.search(r'<div id="live" hx-get="([^"]+)"', page_html)
    assert poller, "the page has no live-update poller"
    url = html.unescape(poller.group(1))
    cursor = re.search(r"[?&]cursor=(\d+)", url).group(1)
    presence = re.search(r"[?&]presence=([0-9a-f]+)", url).group(1)
    return cursor, presence


def page_queries(app, client, document_id):
    with counting_queries(app) as statements:
        response = client.get(page_url(document_id))
    assert response.status_code == 200
    return response, len(statements)


def poll_queries(app, client, document_id, cursor, presence):
    with counting_queries(app) as statements:
        response = client.get(f"/p/own/d/{document_id}/changes",
                              query_string={"cursor": cursor, "presence": presence})
    return response, len(statements)


@pytest.fixture
def documents(app, world):
    own = world["partnerships"]["own"]
    return {"small": make_document(app, own, 10, "Small"),
            "large": make_document(app, own, 200, "Large")}


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_document_page_queries_do_not_grow_with_sections(app, client, login, world,
                                                         documents, role):
    login(client, world["users"][role])
    page_queries(app, client, documents["small"])          # warm-up: first request costs
    small_page, small = page_queries(app, client, documents["small"])
    large_page, large = page_queries(app, client, documents["large"])

    assert small_page.text.count('class="cg-section ') == 10
    assert large_page.text.count('class="cg-section ') == 200
    assert "Section title 199" in large_page.text
    assert small == large, f"10 sections: {small} queries, 200 sections: {large}"


def test_document_page_queries_do_not_grow_with_editors(app, client, login, world,
                                                        documents):
    """Others editing sections (presence) are loaded together, not one query a section."""
    large = documents["large"]
    login(client, world["users"]["officer"])
    _, alone = page_queries(app, client, large)
    with app.app_context():
        sections = service.live_sections(db.session.get(Document, large))
        for role in ("dacorum_officer", "admin"):
            user = db.session.get(User, world["users"][role])
            for section in sections[:20]:
                touch_presence(section, user)
        db.session.commit()
    page, with_editors = page_queries(app, client, large)
    assert page.text.count(" is editing</span>") == 40
    assert with_editors == alone


def test_unchanged_feed_answers_204_with_few_queries(app, client, login, world, documents):
    login(client, world["users"]["officer"])
    counts = {}
    for size, document_id in documents.items():
        page, _ = page_queries(app, client, document_id)
        cursor, presence = feed_query(page.text)
        poll_queries(app, client, document_id, cursor, presence)       # warm-up
        response, counts[size] = poll_queries(app, client, document_id, cursor, presence)
        assert response.status_code == 204
        assert response.data == b""
    assert counts["small"] == counts["large"], counts
    assert counts["large"] <= MAX_POLL_QUERIES, counts


def test_unchanged_feed_with_editors_answers_204(app, client, login, world, documents):
    """The presence tag the page gives is the one the feed computes: still nothing new."""
    large = documents["large"]
    with app.app_context():
        sections = service.live_sections(db.session.get(Document, large))
        user = db.session.get(User, world["users"]["dacorum_officer"])
        for section in sections[:5]:
            touch_presence(section, user)
        db.session.commit()
    login(client, world["users"]["officer"])
    page, _ = page_queries(app, client, large)
    cursor, presence = feed_query(page.text)
    assert presence != "0"
    response, count = poll_queries(app, client, large, cursor, presence)
    assert response.status_code == 204
    assert count <= MAX_POLL_QUERIES


def test_feed_answers_with_the_change_after_a_save(app, client, login, world, documents):
    """The 204 is not a constant: a save by someone else shows up in the next poll."""
    large = documents["large"]
    login(client, world["users"]["officer"])
    page, _ = page_queries(app, client, large)
    cursor, presence = feed_query(page.text)
    with app.test_request_context():
        section = service.live_sections(db.session.get(Document, large))[7]
        other = db.session.get(User, world["users"]["dacorum_officer"])
        editing.save_section(section, "New text from Dacorum.\n", section.version, other)
        db.session.commit()
        section_id = section.id
    response, _ = poll_queries(app, client, large, cursor, presence)
    assert response.status_code == 200
    assert "New text from Dacorum." in response.text
    assert f'id="section-{section_id}"' in response.text
    new_cursor, _ = feed_query(response.text)
    assert int(new_cursor) > int(cursor)
    response, _ = poll_queries(app, client, large, new_cursor, presence)
    assert response.status_code == 204

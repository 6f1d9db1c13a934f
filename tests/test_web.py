"""Shared view helpers: section_url builds each endpoint's URL once per request."""
from flask import url_for

from workspace.permissions import can
from workspace.web import section_url

SECTION_ENDPOINTS = ["documents.section", "documents.edit", "documents.structure",
                     "documents.history", "review.new_comment", "review.feedback_form",
                     "review.strategic_matter", "review.record_position"]


def test_section_url_is_url_for(app):
    with app.test_request_context("/"):
        for endpoint in SECTION_ENDPOINTS:
            for section_id in (1, 7, 987, 123456):
                assert section_url(endpoint, section_id, slug="swherts", document_id=12) == \
                    url_for(endpoint, slug="swherts", document_id=12, section_id=section_id)


def test_section_url_builds_each_endpoint_once_per_request(app, monkeypatch):
    from workspace import web
    calls = []
    real = web.url_for
    monkeypatch.setattr(web, "url_for", lambda *a, **k: calls.append(a) or real(*a, **k))
    with app.test_request_context("/"):
        urls = [section_url("documents.edit", i, slug="s", document_id=1) for i in range(50)]
        section_url("documents.edit", 3, slug="s", document_id=2)
    assert urls[49] == "/p/s/d/1/s/49/edit"
    assert len(calls) == 2       # one per (endpoint, other values)


def test_a_slug_holding_the_placeholder_digits_still_gets_its_own_url(app):
    from workspace.web import _SLOT
    with app.test_request_context("/"):
        for _ in range(2):
            assert section_url("documents.edit", 5, slug=_SLOT, document_id=1) == \
                f"/p/{_SLOT}/d/1/s/5/edit"


def test_can_is_asked_afresh_when_the_role_changes_in_the_request(app, login, world, client):
    from flask_login import login_user

    from workspace.accounts.models import User
    from workspace.extensions import db
    with app.test_request_context("/"):
        user = db.session.get(User, world["users"]["viewer"])
        login_user(user)
        assert can("edit") is False
        user.role = "officer"
        assert can("edit") is True
        db.session.rollback()


def test_an_id_beyond_a_database_integer_is_not_found(app, client, login, world):
    """Every `<int:…>` in a route stops at PostgreSQL's integer: a larger id is a 404 like
    any id no row has (PostgreSQL refused to compare it, and the page was a 500)."""
    login(client, world["users"]["officer"])
    for path in ("/p/own/d/{n}/", "/p/own/d/{n}/changes?cursor=0", "/p/own/d/1/s/{n}/history",
                 "/p/own/meetings/{n}", "/p/own/d/{n}/activity"):
        for n in (2**31 - 1, 2**31, 10**12, 10**30):
            response = client.get(path.format(n=n))
            assert response.status_code == 404, (path, n, response.status_code)


def test_a_number_parameter_beyond_a_database_integer_is_not_an_error(app, client, login,
                                                                     world):
    """A revision, cursor or version in the query or the form that no row can have gets the
    ordinary answer (no such revision, the whole feed, a stale form), never a 500."""
    from tests.pages.test_document_queries import make_document
    from workspace.documents import service
    from workspace.documents.models import Document
    from workspace.extensions import db

    document_id = make_document(app, world["partnerships"]["own"], 2)
    with app.app_context():
        section_id = service.live_sections(db.session.get(Document, document_id))[0].id
    login(client, world["users"]["officer"])
    base, huge = f"/p/own/d/{document_id}", str(10**12)
    assert client.get(f"{base}/s/{section_id}/diff?from={huge}&to=1").status_code == 404
    assert client.get(f"{base}/s/{section_id}/diff?from=1&to={huge}").status_code == 200
    assert client.get(f"{base}/changes?cursor={huge}").status_code in (200, 204)
    saved = client.post(f"{base}/s/{section_id}", data={"body": "Text.", "base_version": huge})
    assert saved.status_code == 422

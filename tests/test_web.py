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

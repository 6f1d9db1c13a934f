"""workspace/security.py: security headers on every response, pages the Content-Security-Policy
can serve, and control characters taken out of every request parameter."""
from html.parser import HTMLParser

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from tests.test_permissions import make_document
from workspace.accounts.models import User
from workspace.documents.models import Section
from workspace.extensions import db


def csp_directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def assert_security_headers(response):
    directives = csp_directives(response)
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src and "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in directives.get("style-src", directives["default-src"])
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer",
                                                   "strict-origin-when-cross-origin"}


@pytest.fixture
def signed_in(client, world, login):
    return login(client, world["users"]["admin"])


def test_security_headers_on_a_normal_page(signed_in):
    response = signed_in.get("/p/own/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_security_headers_on_the_sign_in_page(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert_security_headers(response)


def test_security_headers_on_a_not_found_page(client, signed_in):
    for response in (client.get("/no-such-page"), signed_in.get("/p/nowhere/")):
        assert response.status_code == 404
        assert_security_headers(response)


def test_security_headers_on_a_refusal_and_an_htmx_error(client, world, login):
    login(client, world["users"]["viewer"])
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/p/own/admin", headers=headers)
        assert response.status_code == 403
        assert_security_headers(response)


def test_security_headers_on_a_redirect(client):
    response = client.get("/")
    assert response.status_code == 302
    assert_security_headers(response)


def test_security_headers_on_a_static_file(client):
    response = client.get("/static/js/main.js")
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def plausible(rule, name, values):
    """A value for a URL argument: a real one when known, else 1 or "x" by converter."""
    if name in values:
        return values[name]
    return 1 if isinstance(rule._converters[name], IntegerConverter) else "x"


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if not attrs.get("src"):
                self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs.items():
            if name.startswith(("on", "hx-on", "data-hx-on")):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
            if name in {"hx-vars", "data-hx-vars"}:
                self.problems.append(f"<{tag} {name}=...>")


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser


def test_no_inline_script_on_pages_of_a_signed_out_visitor(client):
    for url in ("/sign-in", "/no-such-page", "/invitation/not-a-token"):
        response = client.get(url)
        found = inline_code(response.text)
        assert found.problems == [], url
        assert found.scripts >= 1, url


def test_no_inline_script_on_any_page(app, client, demo, login):
    """Every GET page of the app, as a full page and as an htmx partial, for the demo admin."""
    from workspace.accounts.invitations import create_invitation
    from workspace.documents.models import Document, Section
    with app.test_request_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        member = db.session.scalar(select(User).where(User.email == "member@watford.example"))
        document = db.session.scalar(select(Document).order_by(Document.id))
        section = db.session.scalar(select(Section).where(Section.document_id == document.id)
                                    .order_by(Section.position))
        _, token = create_invitation(member.organisation, "new@watford.example", "New Person",
                                     "viewer", admin)
        db.session.commit()
        orgadmin_id = db.session.scalar(select(User.id).where(
            User.email == "orgadmin@watford.example"))
        values = {"slug": "sw-herts", "user_id": member.id, "document_id": document.id,
                  "section_id": section.id, "number": 1, "token": token,
                  "organisation_id": member.organisation_id}
        admin_id = admin.id

    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in {"static", "health", "auth.login"}:
            continue
        with app.test_request_context():
            pages.append(url_for(rule.endpoint, **{k: plausible(rule, k, values)
                                                   for k in rule.arguments}))
    pages += ["/sign-in", "/no-such-page"]

    newcomer = app.test_client()
    assert "<script" in newcomer.get(f"/invitation/{token}").text
    checked = scripts = 0
    # The partnership admin sees every partnership page; the organisation pages are seen by
    # Watford's organisation admin (anyone else gets the 403 page, checked too).
    visits = [(admin_id, url) for url in pages] + \
        [(orgadmin_id, url) for url in pages if url.startswith("/organisation")]
    for user_id, url in visits:
        login(client, user_id)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            if response.mimetype != "text/html":
                continue
            found = inline_code(response.text)
            assert found.problems == [], (url, headers)
            checked += 1
            scripts += found.scripts
    assert checked >= 10 and scripts >= 10


# Control characters are taken out of every request parameter: a NUL made PostgreSQL refuse
# the statement (a 500 for any visitor, even on the sign-in form) and, stored on SQLite,
# broke the Word export.


def test_a_nul_in_a_form_is_taken_out_not_a_server_error(app, client, world, login):
    document_id, section_id = make_document(app, world["partnerships"]["own"])
    login(client, world["users"]["officer"])
    base = f"/p/own/d/{document_id}/s/{section_id}"
    response = client.post(base, data={"body": "Before\x00after \x01\x0b\x0c\x1f\ufffe.\tTab",
                                       "base_version": "1", "summary": "nul\x00"})
    assert response.status_code == 303
    response = client.post(base + "/comments", data={"body": "A\x00comment"})
    assert response.status_code == 303
    with app.app_context():
        section = db.session.get(Section, section_id)
        assert section.body == "Beforeafter .\tTab\n"
    assert "Acomment" in client.get(f"/p/own/d/{document_id}/").text
    assert client.get(f"/p/own/d/{document_id}/docx").status_code in (200, 404)


def test_a_nul_on_the_sign_in_form_is_an_ordinary_refusal(client, world):
    response = client.post("/sign-in", data={"email": "officer@watford.example\x00",
                                             "password": "x\x00"})
    assert response.status_code in (401, 422)
    response = client.post("/sign-in", data={"email": "officer\x00@watford.example",
                                             "password": "correct-horse-1"})
    assert response.status_code == 303, "the NUL is taken out, the address then matches"


def test_a_nul_in_the_query_string_is_taken_out(client, world, login):
    login(client, world["users"]["viewer"])
    assert client.get("/p/own/", query_string={"filter": "a\x00b"}).status_code == 200
    assert client.get("/sign-in?next=/p/own/%00").status_code in (200, 302)

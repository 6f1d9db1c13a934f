"""Who may do what: roles, partnership membership, and CSRF on every state change."""
import re

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from tests.support import without_csrf_tokens
from workspace.accounts.models import Invitation, User
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.permissions import PERMISSIONS, can

CSRF_MESSAGE = "Your form had expired or came from another site."
#: POST routes with no CSRF token by design: an e-mail's one-click unsubscribe (RFC 8058),
#: where the signed token in the address is the proof and a mail client posts without a
#: session (tests/notifications/test_unsubscribe.py checks that a forged token is refused).
CSRF_EXEMPT = frozenset({"notifications.unsubscribe_post"})

#: DESIGN.md, "Roles and who may do what": roles in one's own organisation ("admin" is the
#: organisation admin). Managing a partnership is a grant, never a role.
DESIGN_TABLE = {
    "read": {"viewer", "officer", "member", "admin"},
    "comment": {"viewer", "officer", "member", "admin"},
    "edit": {"officer"},
    "suggest": {"officer"},
    "position": {"member"},
    "sign": {"member"},
    "manage": set(),
    "manage_organisation": {"admin"},
}
#: What a partnership admin grant adds, in its partnership only.
GRANT_ADDS = {"read", "comment", "edit", "suggest", "manage"}


def rules(app, method, prefix=""):
    return sorted((r for r in app.url_map.iter_rules()
                   if method in r.methods and r.rule.startswith(prefix)),
                  key=lambda r: r.rule)


def build(app, rule, values):
    """The rule's URL with a plausible value for every argument."""
    arguments = {}
    for name in rule.arguments:
        if name in values:
            arguments[name] = values[name]
        else:
            numeric = isinstance(rule._converters[name], IntegerConverter)
            arguments[name] = 1 if numeric else "x"
    with app.test_request_context():
        return url_for(rule.endpoint, **arguments)


def make_document(app, partnership_id, title="A document"):
    """A document with one section in the partnership: (document id, section id)."""
    from workspace.documents.service import append_section, create_document, live_sections
    with app.test_request_context():
        partnership = db.session.get(Partnership, partnership_id)
        document = create_document(partnership, title, "scg")
        append_section(document, "Part 1", "Text of part 1.")
        db.session.commit()
        return document.id, live_sections(document)[0].id


def test_role_table_follows_the_design():
    assert {action: set(roles) for action, roles in PERMISSIONS.items()} == DESIGN_TABLE


@pytest.mark.parametrize("role", ["viewer", "officer", "member", "admin"])
def test_can_answers_by_role(app, world, role):
    with app.test_request_context():
        user = db.session.get(User, world["users"][role])
        for action, roles in DESIGN_TABLE.items():
            assert can(action, user) is (role in roles), (role, action)


@pytest.mark.parametrize("role", ["viewer", "officer", "member"])
def test_a_partnership_admin_grant_adds_managing_that_partnership_only(app, world, factory,
                                                                       role):
    own, foreign = world["partnerships"]["own"], world["partnerships"]["foreign"]
    factory.grant(own, world["users"][role])
    with app.test_request_context():
        user = db.session.get(User, world["users"][role])
        for action, roles in DESIGN_TABLE.items():
            assert can(action, user, own) is (role in roles or action in GRANT_ADDS), action
            assert can(action, user, foreign) is (role in roles), action


def admin_routes(app):
    found = [r for r in app.url_map.iter_rules() if r.rule.startswith("/p/<slug>/admin")]
    assert {r.endpoint for r in found} >= {
        "partnerships.admin", "partnerships.invite_partner", "partnerships.add_organisation",
        "partnerships.confirm_remove_partner", "partnerships.remove_partner",
        "partnerships.grant_admin", "partnerships.revoke_admin"}
    return found


@pytest.mark.parametrize("role", ["viewer", "officer", "member", "orgadmin"])
def test_only_partnership_admins_reach_admin_routes(app, client, world, login, factory, role):
    if role == "orgadmin":   # an organisation admin without the partnership's grant
        login(client, factory.user(world["orgs"]["watford"], "admin", partnership_admin=False))
    else:
        login(client, world["users"][role])
    values = {"slug": "own", "user_id": world["users"]["dacorum_officer"]}
    data = {"role": "admin", "active": "0", "name": "Someone", "code": "someone",
            "email": "someone@watford.example", "organisation_id": world["orgs"]["watford"]}
    for rule in admin_routes(app):
        url = build(app, rule, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data=data if method == "POST" else None)
            assert response.status_code == 403, (role, method, url)
            assert "Only the partnership admin" in response.text
    with app.app_context():
        dacorum = db.session.get(User, world["users"]["dacorum_officer"])
        assert (dacorum.role, dacorum.active) == ("officer", True)
        assert db.session.scalar(select(Invitation.id)) is None


def test_admin_link_is_shown_only_to_admins(client, world, login):
    login(client, world["users"]["officer"])
    assert "/p/own/admin" not in client.get("/p/own/").text
    login(client, world["users"]["admin"])
    assert "/p/own/admin" in client.get("/p/own/").text


@pytest.mark.parametrize("role", ["viewer", "officer", "member", "admin"])
def test_foreign_partnership_is_not_found(app, client, world, login, role):
    document_id, _ = make_document(app, world["partnerships"]["foreign"])
    login(client, world["users"][role])
    for url in ("/p/foreign/", "/p/foreign/admin", f"/p/foreign/d/{document_id}/"):
        response = client.get(url)
        assert response.status_code == 404, url


def test_every_partnership_route_is_not_found_for_a_foreign_partnership(app, client, world,
                                                                       login):
    document_id, section_id = make_document(app, world["partnerships"]["foreign"])
    login(client, world["users"]["admin"])
    values = {"slug": "foreign", "document_id": document_id, "section_id": section_id,
              "user_id": world["users"]["foreign_admin"], "number": 1}
    checked = 0
    for rule in rules(app, "GET", "/p/<slug>") + rules(app, "POST", "/p/<slug>"):
        url = build(app, rule, values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={})
            assert response.status_code == 404, (method, url)
            checked += 1
    assert checked >= 8


def test_foreign_partnership_looks_like_one_that_does_not_exist(client, world, login):
    login(client, world["users"]["admin"])
    foreign, missing = client.get("/p/foreign/"), client.get("/p/no-such-partnership/")
    assert foreign.status_code == missing.status_code == 404
    # The pages' CSRF tokens carry the second each was made in, and each page names its own
    # request's reference: compare all but those.
    def same_part(text):
        return re.sub(r"Reference: (<span[^>]*>)?[0-9a-f]+", "Reference: -",
                      without_csrf_tokens(text))
    assert same_part(foreign.text) == same_part(missing.text)
    assert "csrf_token" in foreign.text and "Foreign Partnership" not in foreign.text


def test_document_of_another_partnership_is_not_found_under_ours(app, client, world, login):
    document_id, _ = make_document(app, world["partnerships"]["foreign"])
    login(client, world["users"]["admin"])
    assert client.get(f"/p/own/d/{document_id}/").status_code == 404


def test_partnership_lists_only_own_partnerships(app, client, world, login):
    make_document(app, world["partnerships"]["own"], "Our statement")
    make_document(app, world["partnerships"]["foreign"], "Their statement")
    login(client, world["users"]["viewer"])
    home = client.get("/")
    assert "Our statement" in home.text and "Own Partnership" in home.text
    assert "Their statement" not in home.text and "Foreign Partnership" not in home.text


# CSRF ----------------------------------------------------------------------------------------

def test_every_post_route_refuses_a_request_without_a_csrf_token(app, client, demo, login):
    from workspace.documents.models import Document, Section
    with app.test_request_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        member = db.session.scalar(select(User).where(User.email == "member@watford.example"))
        document = db.session.scalar(select(Document).order_by(Document.id))
        section = db.session.scalar(select(Section).where(Section.document_id == document.id)
                                    .order_by(Section.position))
        from workspace.accounts.invitations import create_invitation
        _, token = create_invitation(
            member.organisation, "new@watford.example", "New", "viewer", admin)
        db.session.commit()
        values = {"slug": "sw-herts", "user_id": member.id, "document_id": document.id,
                  "section_id": section.id, "number": 1, "token": token,
                  "organisation_id": member.organisation_id}
        admin_id = admin.id
    login(client, admin_id)
    post_rules = rules(app, "POST")
    assert {r.endpoint for r in post_rules} >= {
        "auth.login", "auth.logout", "auth.change_password", "auth.accept_invitation",
        "partnerships.invite_partner", "partnerships.add_organisation",
        "organisation.invite", "organisation.change_role", "organisation.set_active",
        "export.upload_certificate"}
    for rule in post_rules:
        if rule.endpoint in CSRF_EXEMPT:
            continue
        url = build(app, rule, values)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, data={"role": "viewer", "active": "0"},
                                   headers=headers, csrf=False)
            assert response.status_code == 400, url
            assert CSRF_MESSAGE in response.text, url
    assert client.get("/").status_code == 200, "still signed in: sign-out was refused too"


def test_csrf_token_of_another_session_is_refused(app, world, login):
    mine, theirs = app.test_client(), app.test_client()
    login(mine, world["users"]["admin"])
    login(theirs, world["users"]["admin"])
    stolen = theirs.csrf_token()
    officer = world["users"]["officer"]
    response = mine.post(f"/organisation/users/{officer}/role", data={"role": "viewer"},
                         headers={"X-CSRFToken": stolen}, csrf=False)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, officer).role == "officer"


def test_csrf_token_in_the_form_is_accepted(app, client, world):
    page = client.get("/sign-in")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert token
    response = client.post("/sign-in", data={
        "csrf_token": token.group(1), "email": "officer@watford.example",
        "password": "correct-horse-1"}, csrf=False)
    assert response.status_code == 303

"""The authorisation matrix: every route x every role x own and foreign partnership.

Routes come from app.url_map, so a new route cannot be forgotten: one that is not in ACCESS
fails `test_every_route_is_in_the_access_table` by name. ACCESS is the one table of who may
reach what (DESIGN.md, "Roles and who may do what"); the expected answer of every request
follows from it:

* anonymous: a redirect to sign-in (302, ``/sign-in?next=``), or 401 with ``HX-Redirect``
  for htmx, whatever the partnership;
* a signed-in user on a partnership they are not in: 404 (its existence is not revealed);
* a partner whose role lacks the permission: 403;
* allowed: 2xx, 3xx (not to sign-in), 409 or 422 (the point is authorisation, not the
  business rule behind it).

Rules: ``public`` (anyone), ``signed_in`` (any account, no partnership in the URL), ``read``,
``comment``, ``edit``, ``position``, ``sign``, ``manage`` (permissions.PERMISSIONS),
``author`` (the comment's author only) and ``resolve`` (the thread's author, officers and
admins). Requests carry real ids: the demo (sw-herts) for "own", a second partnership with
its own document, section, comment, decision, organisation and user for "foreign".
"""
import io
import itertools
import re
import uuid

import pytest
from flask import url_for
from sqlalchemy import select

from workspace.auth.service import create_invitation
from workspace.documents.models import Document, Section
from workspace.documents.service import append_section
from workspace.extensions import db
from workspace.partnerships.models import Organisation, User
from workspace.permissions import PERMISSIONS
from workspace.review.comments import add_comment
from workspace.review.models import DecisionSought

from .support import (
    ROLES,
    build_foreign,
    freeze_version_1,
    fresh_activity,
    fresh_objective,
    fresh_stakeholder,
    user_by_email,
)

ANONYMOUS = "anonymous"

#: endpoint -> rule, or {method: rule} where the methods of one endpoint differ.
ACCESS = {
    # Anyone, signed in or not.
    "auth.login": "public",
    "auth.accept_invitation": "public",
    "export.verify": "public",
    "health": "public",
    "favicon": "public",
    # Any account; no partnership in the URL.
    "partnerships.home": "signed_in",
    "auth.change_password": "signed_in",
    "auth.logout": "signed_in",
    "review.my_tasks": "signed_in",
    # Read documents, history, comments, positions, versions, exports.
    "partnerships.show": "read",
    "documents.show": "read",
    "documents.changes": "read",
    "documents.activity": "read",
    "documents.section": "read",
    "documents.history": "read",
    "documents.diff": "read",
    "review.comments_block": "read",
    "review.position_history": "read",
    "review.agreement": "read",
    "review.lifecycle": "read",
    "review.versions": "read",
    "review.version": "read",
    "review.decisions": "read",
    "export.document_pdf": "read",
    "export.version_pdf": "read",
    "export.document_docx": "read",
    "export.version_docx": "read",
    "engagement.index": "read",
    "engagement.map_block": "read",
    "engagement.row": "read",
    "engagement.export": "read",
    # Comment and reply: every role.
    "review.add_comment": "comment",
    "review.new_comment": "comment",
    "review.new_reply": "comment",
    "review.reply": "comment",
    # One's own comment only.
    "review.edit_comment": "author",
    "review.save_comment": "author",
    "review.delete_comment": "author",
    # The thread's author, officers and admins.
    "review.resolve": "resolve",
    "review.reopen": "resolve",
    # Officers and admins edit the text and structure.
    "documents.edit": "edit",
    "documents.save": "edit",
    "documents.cancel": "edit",
    "documents.presence": "edit",
    "documents.preview": "edit",
    "documents.restore_revision": "edit",
    "documents.structure": "edit",
    "documents.rename": "edit",
    "documents.add_after": "edit",
    "documents.add_first": "edit",
    "documents.move": "edit",
    "documents.nest": "edit",
    "documents.remove": "edit",
    "documents.restore": "edit",
    "review.feedback": "edit",
    "review.feedback_form": "edit",
    "review.strategic_matter": "edit",
    "new_document.new": "edit",
    "new_document.create": "edit",
    "new_document.import_start": "edit",
    "new_document.import_preview": "edit",
    "new_document.import_confirm": "edit",
    "importing.start": "edit",
    "importing.preview": "edit",
    "importing.confirm": "edit",
    "engagement.add": "edit",
    "engagement.edit": "edit",
    "engagement.save": "edit",
    "engagement.remove": "edit",
    "engagement.import_csv": "edit",
    "engagement.new_activity": "edit",
    "engagement.add_activity": "edit",
    "engagement.edit_activity": "edit",
    "engagement.save_activity": "edit",
    "engagement.remove_activity": "edit",
    "engagement.add_objective": "edit",
    "engagement.edit_objective": "edit",
    "engagement.save_objective": "edit",
    "engagement.remove_objective": "edit",
    # Members record their authority's position and sign for it.
    "review.record_position": "position",
    "review.sign": "sign",
    "review.sign_post": "sign",
    # The partnership admin manages partners, users, signatories and the lifecycle.
    "partnerships.admin": "manage",
    "partnerships.add_partner": "manage",
    "partnerships.invite": "manage",
    "partnerships.change_role": "manage",
    "partnerships.set_active": "manage",
    "export.certificates": "manage",
    "export.upload_certificate": "manage",
    "export.trial_certificate": "manage",
    "review.signatories": "manage",
    "review.move": "manage",
    "review.add_decision": "manage",
    "review.record_decision": "manage",
    "review.record_decision_post": "manage",
}
#: Not routes of the app's own: served files.
EXCLUDED = {"static"}

RULES = {"public", "signed_in", "author", "resolve"} | set(PERMISSIONS)
#: Endpoints whose requests need the spare section (they move, remove or rewrite it).
ON_SPARE_SECTION = {"documents.edit", "documents.save", "documents.cancel",
                    "documents.presence", "documents.restore_revision", "documents.structure",
                    "documents.rename", "documents.move", "documents.nest", "documents.remove",
                    "documents.restore", "documents.add_after"}
#: Ids of rows each request gets fresh (it may change or remove them).
ROW_IDS = {"stakeholder_id", "activity_id", "objective_id"}
#: Query strings some GET routes need to find what they show.
QUERY = {"documents.diff": {"from": 1}}


def _unique():
    return uuid.uuid4().hex[:8]


STAKEHOLDER = {"name": "Matrix stakeholder", "category": "other", "contact": "Clerk",
               "lead_partner": "Watford", "lead_person": "Officer",
               "relationship_now": "coexist", "relationship_target": "cooperate",
               "influence": "3", "quality": "3", "priority": "medium", "actions": "Meet.",
               "objectives": "Unite"}
ACTIVITY = {"audience": "Residents", "groups": "2", "participants": "40",
            "convened_by": "Watford", "led_by": "Officer", "period": "Summer",
            "start_date": "2026-06-01", "end_date": "2026-07-01", "level": "consult",
            "status": "planned"}

#: Plausible form data for POST routes: a dict, or a callable taking the case's values.
FORMS = {
    "auth.login": {"email": "", "password": ""},
    "auth.accept_invitation": {"new_password": "a", "confirm": "b"},
    "auth.change_password": {"current_password": "wrong", "new_password": "a", "confirm": "b"},
    "export.verify": {},
    "auth.logout": {},
    "review.add_comment": {"body": "A comment from the matrix."},
    "review.reply": {"body": "A reply from the matrix."},
    "review.save_comment": {"body": "Changed by the matrix."},
    "review.delete_comment": {},
    "review.resolve": {},
    "review.reopen": {},
    "documents.save": lambda v: {"body": f"Spare text {_unique()}.",
                                 "base_version": str(v["section_version"]),
                                 "summary": "matrix"},
    "documents.cancel": {},
    "documents.presence": {},
    "documents.preview": {"body": "Some *text*."},
    "documents.restore_revision": {},
    "documents.rename": lambda v: {"title": f"Spare {_unique()}"},
    "documents.add_after": lambda v: {"title": f"Added {_unique()}"},
    "documents.add_first": lambda v: {"title": f"First {_unique()}"},
    "documents.move": {"direction": "up"},
    "documents.nest": {"direction": "out"},
    "documents.remove": {},
    "documents.restore": {},
    "review.feedback": {"feedback_sought": "Do we agree with this?"},
    "review.strategic_matter": {"strategic_matter": "1"},
    "review.record_position": lambda v: {"stance": "agreed", "route": "delegation",
                                         "seen_version": str(v["section_version"])},
    "review.sign_post": {"signed_name": "A Member", "signed_position": "Portfolio Holder",
                         "password": "common-ground"},
    "partnerships.add_partner": lambda v: {"name": f"Matrix Partner {_unique()}",
                                           "code": f"matrix{_unique()}"},
    "partnerships.invite": lambda v: {"name": "Invited Person",
                                      "email": f"invited-{_unique()}@watford.example",
                                      "organisation_id": str(v["own_organisation_id"]),
                                      "role": "viewer"},
    "partnerships.change_role": {"role": "officer"},
    "partnerships.set_active": {"active": "1"},
    "export.upload_certificate": {},
    "export.trial_certificate": {},
    "review.signatories": {},
    "review.move": {"to": "draft", "seen": "out_for_agreement"},
    "review.add_decision": {"body": "Matrix Board", "description": "Agree it.",
                            "due_date": "2030-01-01"},
    "review.record_decision_post": {"taken_at": "2026-01-05", "outcome": "Approved",
                                    "minute_ref": "M1"},
    "new_document.create": lambda v: {"template": "no-such-template",
                                      "title": f"Matrix {_unique()}"},
    "importing.preview": lambda v: {"after": "end", "file": (
        io.BytesIO(b"# Imported\n\nImported text.\n"), "matrix.md")},
    "importing.confirm": lambda v: {"after": "end", "token": v["import_token"]},
    "new_document.import_preview": lambda v: {"title": f"Matrix {_unique()}", "kind": "scg",
                                              "file": (io.BytesIO(b"# Imported\n\nText.\n"),
                                                       "matrix.md")},
    "new_document.import_confirm": lambda v: {"token": v["new_import_token"]},
    # Objectives are checkboxes (ids) in the form; the CSV names them ("Unite" is the demo's).
    "engagement.add": lambda v: dict(STAKEHOLDER, name=f"Stakeholder {_unique()}",
                                     objectives=""),
    "engagement.save": lambda v: dict(STAKEHOLDER, name=f"Renamed {_unique()}",
                                      objectives=""),
    "engagement.remove": {},
    "engagement.import_csv": lambda v: {"file": (io.BytesIO(
        (",".join(STAKEHOLDER) + "\r\n" + ",".join(STAKEHOLDER.values()) + "\r\n")
        .encode()), "register.csv")},
    "engagement.add_activity": ACTIVITY,
    "engagement.save_activity": ACTIVITY,
    "engagement.remove_activity": {},
    "engagement.add_objective": lambda v: {"name": f"Objective {_unique()}",
                                           "description": "From the matrix."},
    "engagement.save_objective": lambda v: {"name": f"Renamed {_unique()}",
                                            "description": "Changed by the matrix."},
    "engagement.remove_objective": {},
}


def rule_for(endpoint, method):
    rule = ACCESS[endpoint]
    return rule[method] if isinstance(rule, dict) else rule


def app_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in EXCLUDED]


def methods_of(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


# The table itself ----------------------------------------------------------------------------

def test_every_route_is_in_the_access_table(app):
    missing = sorted({r.endpoint for r in app_rules(app)} - set(ACCESS))
    assert not missing, ("routes without a rule in tests/security/test_authorization_matrix.py "
                         "ACCESS (say who may reach them): " + ", ".join(missing))


def test_access_table_is_consistent(app):
    problems = []
    for rule in app_rules(app):
        for method in methods_of(rule):
            name = rule_for(rule.endpoint, method)
            if name not in RULES:
                problems.append(f"{rule.endpoint} {method}: unknown rule {name!r}")
            in_partnership = "slug" in rule.arguments
            if in_partnership and name in {"public", "signed_in"}:
                problems.append(f"{rule.endpoint}: a partnership route cannot be {name}")
            if not in_partnership and name not in {"public", "signed_in"}:
                problems.append(f"{rule.endpoint}: {name} needs a partnership in the URL")
            if method == "POST" and name not in {"public", "signed_in"} and \
                    rule.endpoint not in FORMS:
                problems.append(f"{rule.endpoint}: POST without plausible data in FORMS")
    assert not problems, "\n".join(problems)


# The world the requests run in ---------------------------------------------------------------

@pytest.fixture
def matrix_world(app, demo, login):
    """Ids for "own" (the demo) and "foreign", a signed-in user per role, an invitation."""
    with app.test_request_context():
        admin = user_by_email("admin@swherts.example")
        watford = db.session.scalar(select(Organisation).where(Organisation.code == "watford"))
        viewer = User(email="viewer@watford.example", name="Watford Viewer",
                      organisation=watford, role="viewer")
        viewer.set_password("common-ground")
        db.session.add(viewer)
        scg = db.session.scalar(select(Document).where(Document.kind == "scg"))
        housing = db.session.scalar(select(Section).where(
            Section.document_id == scg.id, Section.title == "Housing need and distribution"))
        spare = append_section(scg, "Spare section", "Spare text.", user=admin)
        db.session.flush()
        freeze_version_1(scg, admin)
        decision = db.session.scalar(select(DecisionSought.id).where(
            DecisionSought.document_id == scg.id))
        _, token = create_invitation(scg.partnership, watford, "newcomer@watford.example",
                                     "New Comer", "viewer", admin)
        foreign = build_foreign()
        own_partnership, spare_id = scg.partnership_id, spare.id
        db.session.commit()
        users = {"viewer": viewer.id, "officer": user_by_email("officer@watford.example").id,
                 "member": user_by_email("member@watford.example").id, "admin": admin.id}
        own = {"slug": "sw-herts", "document_id": scg.id, "section_id": housing.id,
               "decision_id": decision, "organisation_id": watford.id,
               "user_id": user_by_email("officer@dacorum.example").id, "number": 1,
               "token": token}
        foreign.update(number=1, token=token)
        theirs = user_by_email("officer@hertsmere.example").id
    world = {"users": users, "own": own, "foreign": foreign, "spare": spare_id,
             "theirs": theirs, "own_partnership": own_partnership}
    world["import_token"] = import_token(app, login, own, users["officer"])
    world["new_import_token"] = new_import_token(app, login, own, users["officer"])
    return world


def import_token(app, login, own, officer):
    """A previewed import for the confirm route (the token the preview page carries)."""
    client = login(app.test_client(), officer)
    with app.test_request_context():
        url = url_for("importing.preview", slug=own["slug"], document_id=own["document_id"])
    response = client.post(url, data={"after": "end", "file": (
        io.BytesIO(b"# Imported\n\nImported text.\n"), "matrix.md")})
    assert response.status_code == 200, response.status_code
    found = re.search(r'name="token" value="([^"]+)"', response.text)
    assert found, "no import token on the preview page"
    return found.group(1)


def new_import_token(app, login, own, officer):
    """A previewed new document from a file, for the confirm route."""
    client = login(app.test_client(), officer)
    with app.test_request_context():
        url = url_for("new_document.import_preview", slug=own["slug"])
    response = client.post(url, data={"title": "Imported", "kind": "mou", "file": (
        io.BytesIO(b"# Imported\n\nImported text.\n"), "matrix.md")})
    assert response.status_code == 200, response.status_code
    return re.search(r'name="token" value="([^"]+)"', response.text).group(1)


def fresh_row(app, kind, partnership_id):
    """A new stakeholder, activity or objective of the partnership: each request gets its
    own."""
    with app.app_context():
        made = {"stakeholder_id": fresh_stakeholder, "activity_id": fresh_activity,
                "objective_id": fresh_objective}[kind](partnership_id)
        db.session.commit()
        return made


def fresh_comment(app, section_id, author_id):
    """A new open thread on the section by the author: each request gets its own."""
    with app.test_request_context():
        comment = add_comment(db.session.get(Section, section_id), "A thread.",
                              db.session.get(User, author_id))
        db.session.commit()
        return comment.id


def section_version(app, section_id):
    with app.app_context():
        return db.session.get(Section, section_id).version


# Expectations ---------------------------------------------------------------------------------

def expected(rule, role, where, owner):
    """What the request should answer: allowed, sign-in, not-found or forbidden."""
    if rule == "public":
        return "allowed"
    if role == ANONYMOUS:
        return "sign-in"
    if where == "foreign":
        return "not-found"
    if rule == "signed_in":
        return "allowed"
    if rule == "author":
        return "allowed" if owner == "mine" else "forbidden"
    if rule == "resolve":
        return "allowed" if owner == "mine" or role in {"officer", "admin"} else "forbidden"
    return "allowed" if role in PERMISSIONS[rule] else "forbidden"


def problem_with(response, expectation, htmx):
    """None when the answer matches the expectation, else why not."""
    status, location = response.status_code, response.headers.get("Location", "")
    if expectation == "sign-in":
        if htmx:
            ok = status == 401 and response.headers.get("HX-Redirect") == "/sign-in"
        else:
            ok = status == 302 and location.startswith("/sign-in?next=")
    elif expectation == "not-found":
        ok = status == 404
    elif expectation == "forbidden":
        ok = status == 403
    else:
        bounced = status == 302 and location.startswith("/sign-in")
        ok = (200 <= status < 400 or status in (409, 422)) and not bounced
    if ok:
        return None
    return f"expected {expectation}, got {status}" + (f" -> {location}" if location else "")


# The matrix ------------------------------------------------------------------------------------

def _cases(app, world):
    """(endpoint, method, role, where, owner) for every route, role and partnership."""
    cases = []
    for rule in sorted(app_rules(app), key=lambda r: r.endpoint):
        for method in methods_of(rule):
            kind = rule_for(rule.endpoint, method)
            places = ("own", "foreign") if "slug" in rule.arguments else ("own",)
            for role, where in itertools.product((ANONYMOUS,) + ROLES, places):
                owners = ("theirs",)
                if kind in {"author", "resolve"} and role != ANONYMOUS and where == "own":
                    owners = ("mine", "theirs")
                for owner in owners:
                    cases.append((rule, method, kind, role, where, owner))
    # Reads first, so that every page is seen before anything changes.
    return sorted(cases, key=lambda c: (c[1] != "GET",))


@pytest.fixture
def quick_pdf(monkeypatch):
    """The PDF routes answer as usual, but without WeasyPrint's seconds per render: who may
    download is the question here (test_hostile_input renders a real one)."""
    from workspace.export import service
    monkeypatch.setattr(service, "render_pdf",
                        lambda html, variant="ua": (b"%PDF-1.7\n%stub\n", {}, 1))


def test_authorization_matrix(app, matrix_world, login, quick_pdf):
    world = matrix_world
    clients = {}
    for role in ROLES:
        clients[role] = login(app.test_client(), world["users"][role])
    failures, checked = [], 0
    for rule, method, kind, role, where, owner in _cases(app, world):
        values = dict(world[where])
        endpoint = rule.endpoint
        if where == "own":
            if endpoint in ON_SPARE_SECTION:
                values["section_id"] = world["spare"]
            if "comment_id" in rule.arguments:
                author = world["users"].get(role) if owner == "mine" else world["theirs"]
                values["comment_id"] = fresh_comment(app, values["section_id"], author)
            for row_id in ROW_IDS & set(rule.arguments):
                values[row_id] = fresh_row(app, row_id, world["own_partnership"])
        values["import_token"] = world["import_token"]
        values["new_import_token"] = world["new_import_token"]
        values["section_version"] = section_version(app, values["section_id"])
        values["own_organisation_id"] = world["own"]["organisation_id"]
        arguments = {name: values[name] for name in rule.arguments}
        with app.test_request_context():
            url = url_for(endpoint, **arguments, **QUERY.get(endpoint, {}))
        for htmx in ((False, True) if role == ANONYMOUS else (False,)):
            data = FORMS.get(endpoint, {}) if method == "POST" else None
            if callable(data):
                data = data(values)
            client = clients.get(role) or app.test_client()
            headers = {"HX-Request": "true"} if htmx else {}
            response = client.open(url, method=method, data=data, headers=headers)
            response.close()
            checked += 1
            problem = problem_with(response, expected(kind, role, where, owner), htmx)
            if problem:
                failures.append(f"{method} {url} [{endpoint}: {kind}] as {role} "
                                f"({where} partnership{', ' + owner + ' comment' if 'comment_id' in rule.arguments else ''}"
                                f"{', htmx' if htmx else ''}): {problem}")
        if role != ANONYMOUS and endpoint == "auth.logout":
            clients[role] = login(app.test_client(), world["users"][role])
    assert not failures, f"{len(failures)} of {checked} requests:\n" + "\n".join(failures)
    assert checked > 500


# Ids from elsewhere under our own partnership -----------------------------------------------

#: The role that passes each rule's check, so that only the id decides the answer.
ALLOWED_ROLE = {"read": "viewer", "comment": "viewer", "author": "viewer", "resolve": "admin",
                "edit": "officer", "position": "member", "sign": "member", "manage": "admin"}


def test_ids_from_another_document_or_partnership_are_not_found(app, matrix_world, login,
                                                               quick_pdf):
    """Our partnership in the URL, but one id (document, section, comment, decision,
    organisation, user) from the other document of our partnership or from the foreign
    partnership: 404 for a user whose role would otherwise be allowed."""
    world = matrix_world
    with app.test_request_context():
        own_doc = world["own"]["document_id"]
        plan = db.session.scalar(select(Document).where(Document.id != own_doc,
                                                        Document.partnership_id == db.session.get(
                                                            Document, own_doc).partnership_id))
        plan_section = db.session.scalar(select(Section.id).where(Section.document_id == plan.id))
        plan_decision = db.session.scalar(select(DecisionSought.id).where(
            DecisionSought.document_id == plan.id))
        plan_comment = add_comment(db.session.get(Section, plan_section), "Plan thread.",
                                   db.session.get(User, world["users"]["viewer"])).id
        db.session.commit()
    elsewhere = {
        "sibling": {"document_id": None, "section_id": plan_section, "comment_id": plan_comment,
                    "decision_id": plan_decision},
        "foreign": {key: world["foreign"][key] for key in (
            "document_id", "section_id", "comment_id", "decision_id", "organisation_id",
            "user_id", "stakeholder_id", "activity_id", "objective_id")
            if key in world["foreign"]},
    }
    clients = {role: login(app.test_client(), world["users"][role]) for role in ROLES}
    failures, checked = [], 0
    for rule in sorted(app_rules(app), key=lambda r: r.endpoint):
        if "slug" not in rule.arguments:
            continue
        for method in methods_of(rule):
            kind = rule_for(rule.endpoint, method)
            role = ALLOWED_ROLE[kind]
            for source, ids in elsewhere.items():
                for name, other in ids.items():
                    if name not in rule.arguments or other is None:
                        continue
                    values = dict(world["own"])
                    if rule.endpoint in ON_SPARE_SECTION:
                        values["section_id"] = world["spare"]
                    if "comment_id" in rule.arguments:
                        values["comment_id"] = fresh_comment(app, values["section_id"],
                                                             world["users"][role])
                    for row_id in ROW_IDS & set(rule.arguments):
                        values[row_id] = fresh_row(app, row_id, world["own_partnership"])
                    values["import_token"] = world["import_token"]
                    values[name] = other
                    values["section_version"] = 1
                    values["own_organisation_id"] = world["own"]["organisation_id"]
                    with app.test_request_context():
                        url = url_for(rule.endpoint,
                                      **{k: values[k] for k in rule.arguments},
                                      **QUERY.get(rule.endpoint, {}))
                    data = FORMS.get(rule.endpoint, {}) if method == "POST" else None
                    if callable(data):
                        data = data(values)
                    response = clients[role].open(url, method=method, data=data)
                    response.close()
                    checked += 1
                    if response.status_code != 404:
                        failures.append(f"{method} {url} [{rule.endpoint}] as {role} with "
                                        f"{name} from the {source} document/partnership: "
                                        f"{response.status_code}")
    assert not failures, "\n".join(failures)
    assert checked >= 40

"""Anonymous access to every route of the public register: published × agreed but not
published × draft, with publishing on and off. 200 only for what is published on a register
that is on; 404 otherwise; nothing unpublished or internal in any answer; no cookie ever.

The routes are read from the app's URL map (endpoints "public.*"), so a new public route is
in the matrix without a change here; a route with an argument this test cannot fill fails it.
"""
import html
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from tests.support import agree
from tests.test_seed import seed
from workspace.accounts.models import User
from workspace.documents.models import Document, Section
from workspace.documents.service import append_section, create_document
from workspace.extensions import db
from workspace.jobs import runner
from workspace.partnerships.models import Partnership
from workspace.publishing.addresses import slug_for
from workspace.review import lifecycle
from workspace.review.models import Comment, DocumentVersion, Signatory
from workspace.review.positions import record_position
from workspace.suggestions import demo as suggestion_demo
from workspace.suggestions.models import Suggestion, SuggestionComment

PASSWORD = "common-ground"
ADMIN = "admin@swherts.example"
SCG = "Statement of Common Ground"
PLAN = "JSP Vision: Engagement Plan"
MEMO = "Water Cycle Memorandum"
#: Endpoints that answer 404 whatever is published: the register's not-found page. (The
#: registers page, public.index, names only partnerships whose register is on.)
NOT_FOUND_ENDPOINTS = {"public.unknown"}
#: Values for a `<path:rest>` argument (the catch-all under a register).
REST = "no-such-page/here"


# Building the states ------------------------------------------------------------------------

def seed_published_demo(app):
    """`flask seed-demo`: version 1 of the Statement published, version 2 out for agreement
    (a draft of a published document); its signed PDFs made by the jobs."""
    result = seed(app)
    assert result.exit_code == 0, result.output
    with app.app_context():
        runner.run_pending(ignore_schedule=True)


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _document(title):
    return db.session.scalar(select(Document).where(Document.title == title))


def agree_memorandum(app):
    """A second document, agreed (version 1 frozen) and never published. Returns the slug it
    would have on the register."""
    with app.app_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))
        admin = _user(ADMIN)
        memo = create_document(partnership, MEMO, "mou", admin)
        matter = append_section(memo, "Water supply", "Affinity Water's plan serves the area.\n",
                                user=admin)
        matter.strategic_matter = True
        member = _user("member@watford.example")
        db.session.add(Signatory(document_id=memo.id, organisation_id=member.organisation_id,
                                 all_matters=True))
        db.session.flush()
        lifecycle.send_out(memo, admin)
        record_position(matter, member, "agreed", route="delegation")
        agree(memo, admin)
        slug = slug_for(memo)
        db.session.commit()
        return slug


def agree_next_version(app):
    """The Statement's version 2, agreed by every signatory on every matter: frozen, not
    published."""
    with app.app_context():
        scg = _document(SCG)
        signatories = db.session.scalars(
            select(Signatory).where(Signatory.document_id == scg.id)).all()
        matters = db.session.scalars(select(Section).where(
            Section.document_id == scg.id, Section.strategic_matter.is_(True))).all()
        for signatory in signatories:
            member = _user(f"member@{signatory.organisation.code}.example")
            scope = {m.section_id for m in signatory.matters}
            for section in matters:
                if signatory.all_matters or section.id in scope:
                    record_position(section, member, "agreed", route="partnership_board",
                                    route_body="SPMG", minute_ref="SPMG 12/26 item 2")
        agree(scg, _user(ADMIN))
        db.session.commit()


def publish_next_version(app):
    """Version 2 signed by every signatory, its PDFs made, and published (after
    agree_next_version)."""
    with app.app_context():
        scg = _document(SCG)
        for signatory in db.session.scalars(
                select(Signatory).where(Signatory.document_id == scg.id)).all():
            member = _user(f"member@{signatory.organisation.code}.example")
            lifecycle.sign(scg, member, PASSWORD, member.name, member.job_title)
        db.session.commit()
        runner.run_pending(ignore_schedule=True)
        lifecycle.publish(_document(SCG), _user(ADMIN))
        db.session.commit()


def set_publishing(app, on):
    with app.app_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))
        partnership.publishes_register = on
        db.session.commit()


# What must never be public ------------------------------------------------------------------

def secrets_of(app, unpublished_titles):
    """Text that no public answer may hold: unpublished documents' titles, every comment,
    every suggestion (its reason, its proposed words, its discussion), internal e-mails."""
    with app.app_context():
        found = {f"title {t!r}": t for t in unpublished_titles}
        for body in db.session.scalars(select(Comment.body)):
            found[f"comment {body[:30]!r}"] = body.strip()[:60]
        for suggestion in db.session.scalars(select(Suggestion)):
            for text in (suggestion.reason, suggestion.decision_reason):
                if text:
                    found[f"suggestion {text[:30]!r}"] = text.strip()[:60]
        for body in db.session.scalars(select(SuggestionComment.body)):
            found[f"suggestion comment {body[:30]!r}"] = body.strip()[:60]
        for before, after in ((suggestion_demo.GREEN_BELT_FROM, suggestion_demo.GREEN_BELT_TO),
                              (suggestion_demo.HOUSING_FROM, suggestion_demo.HOUSING_TO)):
            words = after.removeprefix(before.rstrip(".")).strip(" .,")
            found[f"suggested words {words[:30]!r}"] = words
        for email in db.session.scalars(select(User.email)):
            found[f"e-mail {email}"] = email
    return found


# Filling in the routes ----------------------------------------------------------------------

@dataclass
class Case:
    state: str          # published, agreed, draft, partnership, always-404
    values: dict


def public_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("public.")]
    assert rules, "the public blueprint has no routes"
    return rules


def cases_for(rule, documents):
    """Every (state, URL values) to try for a rule. `documents` maps a state to the
    (document slug, version number) addresses in that state."""
    arguments = set(rule.arguments)
    unknown = arguments - {"slug", "document_slug", "number", "rest"}
    assert not unknown, (f"{rule.endpoint} ({rule.rule}) takes {sorted(unknown)}: teach "
                         "tests/publishing/test_access_matrix.py how to fill them")
    if rule.endpoint in NOT_FOUND_ENDPOINTS:
        values = {"slug": "sw-herts", "rest": REST} if "slug" in arguments else {}
        return [Case("always-404", {k: v for k, v in values.items() if k in arguments})]
    if arguments <= {"slug"}:
        cases = [Case("partnership", {"slug": "sw-herts"} if arguments else {})]
    else:
        cases = document_cases(arguments, documents)
    if "slug" in arguments:                  # the same address under a register that is not
        cases.append(Case("always-404", {**cases[0].values, "slug": "no-such-register"}))
    return cases


def document_cases(arguments, documents):
    """A document's or a version's address in each state."""
    cases = []
    published = {document_slug for document_slug, _ in documents["published"]}
    for state, addresses in documents.items():
        for document_slug, number in addresses:
            values = {"slug": "sw-herts", "document_slug": document_slug}
            if "number" in arguments:
                values["number"] = number
            # A page of the document, not of a version: public once any version is.
            case = Case("published" if "number" not in arguments and document_slug in published
                        else state, values)
            if case not in cases:
                cases.append(case)
    return cases


def expected_status(case, publishing):
    if case.state == "always-404":
        return 404
    if not publishing and "slug" in case.values:
        return 404
    return 200 if case.state in ("published", "partnership") else 404


def check_matrix(app, documents, secrets, publishing):
    """Every public route × every state: the problems found, as readable lines."""
    problems = []
    client = app.test_client()
    for rule in public_rules(app):
        if not rule.methods <= {"GET", "HEAD", "OPTIONS"}:
            problems.append(f"{rule.endpoint} accepts {sorted(rule.methods)}: the register "
                            "only reads")
        for case in cases_for(rule, documents):
            with app.test_request_context():
                url = url_for(rule.endpoint, **case.values)
            response = client.get(url)
            want = expected_status(case, publishing)
            where = f"{url} ({case.state}, publishing {'on' if publishing else 'off'})"
            if response.status_code != want:
                problems.append(f"{where}: {response.status_code}, expected {want}")
            if response.headers.get("Set-Cookie"):
                problems.append(f"{where}: sets a cookie")
            text = html.unescape(response.get_data(as_text=True)) \
                if not response.mimetype.startswith(("application/pdf", "application/vnd")) \
                else ""
            problems += [f"{where}: shows {name}" for name, secret in secrets.items()
                         if secret and secret in text]
    return problems


def test_every_public_route_shows_only_what_is_published_on_a_register_that_is_on(app):
    seed_published_demo(app)
    memo_slug = agree_memorandum(app)
    with app.app_context():
        plan_slug = slug_for(_document(PLAN))
    scg_slug = "statement-of-common-ground"
    secrets = secrets_of(app, [PLAN, MEMO])
    # Version 2 out for agreement, the plan a draft, the memorandum agreed: none of it public.
    documents = {"published": [(scg_slug, 1)],
                 "draft": [(scg_slug, 2), (scg_slug, 3), (plan_slug, 1)],
                 "agreed": [(memo_slug, 1)]}
    problems = check_matrix(app, documents, secrets, publishing=True)

    agree_next_version(app)         # version 2 frozen, agreed, not published
    documents["agreed"].append((scg_slug, 2))
    documents["draft"].remove((scg_slug, 2))
    with app.app_context():
        assert db.session.scalar(select(DocumentVersion).where(
            DocumentVersion.number == 2,
            DocumentVersion.document_id == _document(SCG).id)).published_at is None
    problems += check_matrix(app, documents, secrets, publishing=True)

    set_publishing(app, False)
    problems += check_matrix(app, documents, secrets, publishing=False)
    assert not problems, "\n".join(problems)


def test_the_matrix_covers_every_public_route(app):
    """The routes tried are the blueprint's own, found in the URL map: each is tried for
    every state that applies to it."""
    documents = {"published": [("doc", 1)], "agreed": [("memo", 1)], "draft": [("plan", 1)]}
    endpoints = {r.endpoint for r in public_rules(app)}
    tried = {r.endpoint: {c.state for c in cases_for(r, documents)} for r in public_rules(app)}
    assert {"public.feed", "public.accessibility", "public.register",
            "public.version"} <= endpoints
    assert tried["public.version"] == {"published", "agreed", "draft", "always-404"}
    assert tried["public.feed"] == {"partnership", "always-404"}
    assert tried["public.unknown"] == {"always-404"}

"""Lifecycle and sign-off: Draft -> Out for agreement -> Agreed -> Signed -> Published, the
frozen version and its fingerprint, signing, the locked text, back to Draft, next version,
and decisions sought."""
import hashlib
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workspace.accounts.models import User
from workspace.audit import AuditEvent
from workspace.documents import editing, service, structure
from workspace.documents.models import Document, Section, SectionRevision
from workspace.extensions import db
from workspace.partnerships.models import Partner, Partnership
from workspace.review import lifecycle
from workspace.review.models import (
    DecisionSought,
    DocumentVersion,
    Signatory,
    Signature,
    SupersededFreeze,
)
from workspace.review.positions import record_position

PASSWORD = "correct-horse-1"
HOUSING_TEXT = "The housing need is 3,000 homes a year.\n"


@pytest.fixture
def people(factory, world):
    """A Member for Dacorum, and Hertsmere: a partner that is not a signatory."""
    hertsmere = factory.organisation("hertsmere", "Hertsmere Borough Council")
    with factory.app.app_context():
        db.session.add(Partner(partnership_id=world["partnerships"]["own"],
                               organisation_id=hertsmere))
        db.session.commit()
    users = dict(world["users"])
    users["dacorum_member"] = factory.user(world["orgs"]["dacorum"], "member",
                                           email="member@dacorum.example",
                                           name="Cllr Dacorum")
    users["watford_member2"] = factory.user(world["orgs"]["watford"], "member",
                                            email="member2@watford.example")
    users["hertsmere_member"] = factory.user(hertsmere, "member",
                                             email="member@hertsmere.example")
    with factory.app.app_context():
        member = db.session.get(User, users["member"])
        member.name, member.job_title = "Cllr Watford", "Portfolio Holder for Planning"
        db.session.commit()
    return users


@pytest.fixture
def scg(app, world, people):
    """A Statement of Common Ground with two strategic matters, signed by Watford and
    Dacorum for all matters."""
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        sections = [service.append_section(document, title, body) for title, body in [
            ("Strategic context", "The area and its partners.\n"),
            ("Housing need", HOUSING_TEXT),
            ("Green Belt", "A joint Green Belt review.\n"),
        ]]
        for section in sections[1:]:
            section.strategic_matter = True
        for code in ("watford", "dacorum"):
            db.session.add(Signatory(document_id=document.id,
                                     organisation_id=world["orgs"][code], all_matters=True))
        db.session.commit()
        base = f"/p/own/d/{document.id}"
        return {"id": document.id, "sections": [s.id for s in sections], "base": base,
                "lifecycle": base + "/lifecycle", "sign": base + "/sign"}


def as_user(app, login, user_id):
    return login(app.test_client(), user_id)


@pytest.fixture
def admin(app, login, people):
    return as_user(app, login, people["admin"])


def doc_row(app, scg):
    with app.app_context():
        return db.session.get(Document, scg["id"])


def position(app, scg, section_index, user_id, stance="agreed", reason=""):
    with app.test_request_context():
        section = db.session.get(Section, scg["sections"][section_index])
        record_position(section, db.session.get(User, user_id), stance, reason)
        db.session.commit()


def set_status(app, scg, status):
    with app.app_context():
        db.session.get(Document, scg["id"]).status = status
        db.session.commit()


def all_agree(app, scg, people):
    for i in (1, 2):
        for member in ("member", "dacorum_member"):
            position(app, scg, i, people[member])


#: The fixture's Statement is a partial one (three sections): it goes out with gaps, so the
#: admin gives the reason to proceed (test_completeness_gate.py tests the gate itself).
REASON = "A short statement to try the lifecycle with."


def move(client, scg, to, **form):
    if to == "out_for_agreement":
        form.setdefault("proceed_reason", REASON)
    if to == "published":
        form.setdefault("confirm_publish", "y")
    return client.post(scg["lifecycle"], data={"to": to, **form})


def sign(client, scg, password=PASSWORD, name="Cllr Signer", job="Leader"):
    return client.post(scg["sign"], data={"declaration": "y", "signed_name": name,
                                          "signed_position": job, "password": password})


def save(client, app, scg, index, body):
    with app.app_context():
        section = db.session.get(Section, scg["sections"][index])
        version = section.version
        # Saves here make positions stale on purpose: confirmed (issue 14), with the answer
        # the question would show (the digest of the positions it lists).
        answer = editing.impact_digest(editing.change_impact(section, body))
    return client.post(f"{scg['base']}/s/{scg['sections'][index]}",
                       data={"body": body, "base_version": str(version), "confirm_stale": answer},
                       headers={"HX-Request": "true"})


def events(app, action):
    with app.app_context():
        return [e.details for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def to_agreed(app, scg, people, admin):
    assert move(admin, scg, "out_for_agreement").status_code == 303
    all_agree(app, scg, people)
    assert move(admin, scg, "agreed").status_code == 303


def signatures(app):
    with app.app_context():
        return db.session.scalars(select(Signature).order_by(Signature.id)).all()


# The walk -----------------------------------------------------------------------------------

def test_full_walk_to_a_published_signed_version_1_and_version_2(app, login, scg, people,
                                                                 admin):
    page = admin.get(scg["lifecycle"])
    assert page.status_code == 200 and "Send out for agreement" in page.text

    assert move(admin, scg, "out_for_agreement", seen="draft").status_code == 303
    all_agree(app, scg, people)
    assert move(admin, scg, "agreed", seen="out_for_agreement").status_code == 303

    with app.app_context():
        version = db.session.scalar(select(DocumentVersion))
        content = json.loads(version.content)
        assert version.number == 1 and not version.agreed_with_exceptions
        assert version.content_sha256 == hashlib.sha256(version.content.encode()).hexdigest()
        assert version.content == json.dumps(content, sort_keys=True, ensure_ascii=False,
                                             separators=(",", ":"))
        assert [s["number"] for s in content["sections"]] == ["1", "2", "3"]
        assert content["sections"][1]["body"] == HOUSING_TEXT
        assert content["sections"][1]["strategic_matter"] is True
        assert [m["status"] for m in content["record_of_agreement"]] == ["agreed", "agreed"]
        sha = version.content_sha256

    watford = as_user(app, login, people["member"])
    form = watford.get(scg["sign"])
    assert form.status_code == 200
    assert 'value="Cllr Watford"' in form.text
    assert 'value="Portfolio Holder for Planning"' in form.text and sha in form.text
    assert sign(watford, scg, name="Cllr Watford", job="Portfolio Holder").status_code == 303
    assert "Mark as signed" not in admin.get(scg["lifecycle"]).text
    assert sign(as_user(app, login, people["dacorum_member"]), scg).status_code == 303
    assert [s.content_sha256 for s in signatures(app)] == [sha, sha]
    assert doc_row(app, scg).status == "signed"     # the last signature moved it on

    assert move(admin, scg, "published", seen="signed").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(DocumentVersion)).published_at is not None
    assert doc_row(app, scg).status == "published"

    published = admin.get(f"{scg['base']}/versions/1")
    assert published.status_code == 200
    assert "Published" in published.text and sha in published.text
    assert "3,000 homes" in published.text and "Record of agreement" in published.text
    assert "Cllr Watford" in published.text and "Portfolio Holder" in published.text
    # The record's tables are the public page's (review/_record_tables.html): the decision
    # route and the minute in columns of their own, stacked on a phone.
    assert '<table class="govuk-table cg-stack-table">' in published.text
    assert ">Decision route</th>" in published.text and ">Minute reference</th>" in published.text
    assert "Version 1" in admin.get(f"{scg['base']}/versions").text

    assert move(admin, scg, "next_version", seen="published").status_code == 303
    document = doc_row(app, scg)
    assert (document.status, document.version_number) == ("draft", 2)
    assert save(as_user(app, login, people["officer"]), app, scg, 1,
                "The housing need is 3,200 homes a year.\n").status_code == 200
    steps = [(e["old"], e["new"]) for e in events(app, "document.status_changed")]
    assert steps == [("draft", "out_for_agreement"), ("out_for_agreement", "agreed"),
                     ("agreed", "signed"), ("signed", "published"), ("published", "draft")]


def test_open_suggestions_stop_the_document_being_marked_agreed(app, login, scg, people,
                                                                admin):
    """Once agreed the text is frozen and a suggestion on it could never be decided: the
    admin decides them first, told so before pressing the button and if they press it."""
    from workspace.suggestions import service as suggestions
    assert move(admin, scg, "out_for_agreement", seen="draft").status_code == 303
    with app.test_request_context():
        section = db.session.get(Section, scg["sections"][2])
        suggestion_id = suggestions.suggest(section, "A joint review, led by Dacorum.\n", 1,
                                            db.session.get(User, people["officer"])).id
        db.session.commit()
    all_agree(app, scg, people)

    page = admin.get(scg["lifecycle"]).text
    assert "The document cannot be marked agreed yet. 1 suggested change is still " \
        "undecided. Accept or reject it first" in page
    assert "filter=suggestions" in page and "Mark as agreed" not in page
    refused = move(admin, scg, "agreed", seen="out_for_agreement")
    assert refused.status_code == 409 and "1 suggested change is still undecided" in \
        refused.text
    assert doc_row(app, scg).status == "out_for_agreement"

    with app.test_request_context():
        suggestions.reject(db.session.get(suggestions.Suggestion, suggestion_id),
                           db.session.get(User, people["admin"]), "Not needed.")
        db.session.commit()
    assert "Mark as agreed" in admin.get(scg["lifecycle"]).text
    assert move(admin, scg, "agreed", seen="out_for_agreement").status_code == 303
    assert doc_row(app, scg).status == "agreed"


@pytest.mark.parametrize("role", ["viewer", "officer", "member"])
def test_only_the_partnership_admin_moves_the_lifecycle(app, login, scg, people, role):
    client = as_user(app, login, people[role])
    response = move(client, scg, "out_for_agreement")
    assert response.status_code == 403
    assert "Only the partnership admin" in response.text
    assert doc_row(app, scg).status == "draft"
    assert "Send out for agreement" not in client.get(scg["lifecycle"]).text


def test_an_admin_of_another_partnership_gets_404(app, login, scg, people):
    client = as_user(app, login, people["foreign_admin"])
    assert move(client, scg, "out_for_agreement").status_code == 404
    assert client.get(scg["lifecycle"]).status_code == 404


def test_a_stale_form_cannot_skip_a_step(app, scg, admin):
    assert move(admin, scg, "out_for_agreement", seen="draft").status_code == 303
    again = move(admin, scg, "out_for_agreement", seen="draft")
    assert again.status_code == 409 and "moved on" in again.text
    assert len(events(app, "document.status_changed")) == 1


# Agreed -------------------------------------------------------------------------------------

def test_agreed_is_refused_while_positions_are_outstanding(app, scg, people, admin):
    move(admin, scg, "out_for_agreement")
    position(app, scg, 1, people["member"])
    position(app, scg, 1, people["dacorum_member"])
    position(app, scg, 2, people["member"])
    response = move(admin, scg, "agreed")
    assert response.status_code == 409
    assert "1 position is still outstanding" in response.text
    assert doc_row(app, scg).status == "out_for_agreement"
    with app.app_context():
        assert db.session.scalar(select(func.count(DocumentVersion.id))) == 0


def test_a_position_on_an_earlier_version_counts_as_outstanding(app, login, scg, people,
                                                                 admin):
    move(admin, scg, "out_for_agreement")
    all_agree(app, scg, people)
    # Out for agreement the text changes directly by partnership admins only (issue 17).
    save(as_user(app, login, people["admin"]), app, scg, 1, "Changed housing need.\n")
    response = move(admin, scg, "agreed")
    assert response.status_code == 409 and "2 positions are still outstanding" in response.text


def test_agreed_except_not_agreed_matters_needs_the_admins_explicit_decision(app, scg,
                                                                              people, admin):
    move(admin, scg, "out_for_agreement")
    position(app, scg, 1, people["member"])
    position(app, scg, 1, people["dacorum_member"], "not_agreed", "Numbers first.")
    position(app, scg, 2, people["member"], "reservations", "Subject to the review.")
    position(app, scg, 2, people["dacorum_member"])
    page = admin.get(scg["lifecycle"])
    assert "Agreed except the matters recorded as not agreed" in page.text
    # The totals call a stale position what the document page calls it.
    assert ">To re-confirm (given on an earlier text)</th>" in page.text

    refused = move(admin, scg, "agreed")
    assert refused.status_code == 422 and "confirm that the document is agreed" in refused.text
    # The error summary leads to the box to tick, which carries the message too.
    assert 'href="#with_exceptions"' in refused.text
    assert 'id="with_exceptions-error"' in refused.text
    assert doc_row(app, scg).status == "out_for_agreement"

    assert move(admin, scg, "agreed", with_exceptions="y").status_code == 303
    with app.app_context():
        version = db.session.scalar(select(DocumentVersion))
        assert version.agreed_with_exceptions is True
        record = json.loads(version.content)["record_of_agreement"]
        assert [m["status"] for m in record] == ["not_agreed", "agreed"]
    assert events(app, "document.status_changed")[-1]["agreed_with_exceptions"] is True


def test_the_exceptions_decision_is_refused_while_anything_is_outstanding(app, scg, people,
                                                                           admin):
    move(admin, scg, "out_for_agreement")
    position(app, scg, 1, people["dacorum_member"], "not_agreed", "Numbers first.")
    response = move(admin, scg, "agreed", with_exceptions="y")
    assert response.status_code == 409 and "still outstanding" in response.text
    assert doc_row(app, scg).status == "out_for_agreement"


# The locked text ----------------------------------------------------------------------------

def test_the_text_is_locked_while_signatures_are_collected(app, login, scg, people, admin):
    to_agreed(app, scg, people, admin)
    officer = as_user(app, login, people["officer"])
    response = save(officer, app, scg, 1, "Sneaky change.\n")
    assert response.status_code == 409
    assert "The text is locked while signatures are collected" in response.text
    assert "Sneaky change." in response.text          # the user's text is kept in the form
    with app.app_context():
        section = db.session.get(Section, scg["sections"][1])
        assert section.body == HOUSING_TEXT and section.version == 1
        assert db.session.scalar(select(func.count(SectionRevision.id)).where(
            SectionRevision.section_id == section.id)) == 1
    section_url = f"{scg['base']}/s/{scg['sections'][1]}"
    moved = officer.post(section_url + "/move", data={"direction": "up"})
    assert moved.status_code == 409 and "locked" in moved.text
    assert officer.post(section_url + "/remove").status_code == 409
    with app.test_request_context():
        document = db.session.get(Document, scg["id"])
        user = db.session.get(User, people["officer"])
        for change in (lambda: structure.add_section_after(document, None, "New", user),
                       lambda: structure.rename_section(db.session.get(
                           Section, scg["sections"][1]), "Renamed", user)):
            with pytest.raises(editing.EditError) as refused:
                change()
            assert refused.value.status == 409
        db.session.rollback()
    assert [s.title for s in service_sections(app, scg)] == [
        "Strategic context", "Housing need", "Green Belt"]


def test_a_save_racing_the_freeze_never_changes_the_frozen_text(app, login, scg, people,
                                                                admin):
    """Agreeing and saving at once: either the save lands before the freeze (and is in the
    frozen text) or it is refused; the frozen text is always the current text."""
    move(admin, scg, "out_for_agreement")
    all_agree(app, scg, people)
    # Out for agreement the text changes directly by partnership admins only (issue 17).
    officers = [as_user(app, login, people["admin"]) for _ in range(4)]
    barrier = threading.Barrier(len(officers) + 1)
    results = []

    def saver(n, client):
        barrier.wait()
        results.append(save(client, app, scg, 0, f"Context, edit {n}.\n").status_code)

    def agreer():
        barrier.wait()
        results.append(move(admin, scg, "agreed").status_code)

    threads = [threading.Thread(target=saver, args=(n, c)) for n, c in enumerate(officers)]
    threads.append(threading.Thread(target=agreer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results) <= {200, 303, 409}
    assert doc_row(app, scg).status == "agreed"
    with app.app_context():
        frozen = json.loads(db.session.scalar(select(DocumentVersion.content)))
        assert frozen["sections"][0]["body"] == db.session.get(
            Section, scg["sections"][0]).body


def service_sections(app, scg):
    with app.app_context():
        return service.live_sections(db.session.get(Document, scg["id"]))


def test_a_published_version_says_so_when_an_edit_is_refused(app, scg, admin):
    set_status(app, scg, "published")
    response = save(admin, app, scg, 1, "Change.\n")
    assert response.status_code == 409 and "This version is published" in response.text


# Signing ------------------------------------------------------------------------------------

def test_a_wrong_password_signs_nothing_and_is_audited(app, login, scg, people, admin):
    to_agreed(app, scg, people, admin)
    member = as_user(app, login, people["member"])
    response = sign(member, scg, password="not-my-password")
    assert response.status_code == 422
    assert "The password is not right" in response.text
    assert signatures(app) == []
    failed = events(app, "signature.failed")
    assert len(failed) == 1 and failed[0]["organisation"] == "Watford Borough Council"


def test_missing_name_or_position_is_a_422(app, login, scg, people, admin):
    to_agreed(app, scg, people, admin)
    member = as_user(app, login, people["member"])
    response = sign(member, scg, job="  ")
    assert response.status_code == 422 and "Enter your position" in response.text
    assert signatures(app) == []


def test_signing_twice_for_an_authority_is_harmless(app, login, scg, people, admin):
    to_agreed(app, scg, people, admin)
    member = as_user(app, login, people["member"])
    assert sign(member, scg).status_code == 303
    again = sign(member, scg)
    assert again.status_code == 303
    colleague = as_user(app, login, people["watford_member2"])
    assert sign(colleague, scg, password="wrong").status_code == 303
    page = colleague.get(scg["lifecycle"])
    assert "has already signed version 1" in page.text
    assert colleague.get(scg["sign"]).status_code == 303
    assert len(signatures(app)) == 1
    assert len(events(app, "signature.recorded")) == 1


def test_members_signing_at_once_for_one_authority_record_one_signature(app, login, scg,
                                                                         people, admin):
    to_agreed(app, scg, people, admin)
    clients = [as_user(app, login, people[m]) for m in ("member", "watford_member2") * 3]
    barrier = threading.Barrier(len(clients))
    results = []

    def worker(client):
        barrier.wait()
        results.append(sign(client, scg).status_code)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [303] * len(clients)
    assert len(signatures(app)) == 1


@pytest.mark.parametrize("role", ["viewer", "officer", "admin"])
def test_only_members_sign(app, login, scg, people, admin, role):
    to_agreed(app, scg, people, admin)
    client = as_user(app, login, people[role])
    assert client.get(scg["sign"]).status_code == 403
    response = sign(client, scg)
    assert response.status_code == 403 and "Only Members can sign" in response.text
    assert signatures(app) == []


def test_a_member_of_a_non_signatory_authority_cannot_sign(app, login, scg, people, admin):
    to_agreed(app, scg, people, admin)
    client = as_user(app, login, people["hertsmere_member"])
    assert client.get(scg["sign"]).status_code == 403
    response = sign(client, scg)
    assert response.status_code == 403 and "is not a signatory" in response.text
    assert signatures(app) == []


def test_nothing_can_be_signed_before_the_document_is_agreed(app, login, scg, people, admin):
    move(admin, scg, "out_for_agreement")
    response = sign(as_user(app, login, people["member"]), scg)
    assert response.status_code == 409 and "not waiting for signatures" in response.text
    assert signatures(app) == []


def test_signed_waits_for_every_signatory(app, login, scg, people, admin):
    to_agreed(app, scg, people, admin)
    sign(as_user(app, login, people["member"]), scg)
    assert doc_row(app, scg).status == "agreed"
    response = move(admin, scg, "signed")
    assert response.status_code == 409
    assert "Still waiting for signatures from: Dacorum Borough Council" in response.text
    assert doc_row(app, scg).status == "agreed"


# Back to draft ------------------------------------------------------------------------------

def test_back_to_draft_needs_confirmation_and_voids_the_signatures(app, login, scg, people,
                                                                   admin):
    to_agreed(app, scg, people, admin)
    sign(as_user(app, login, people["member"]), scg)
    refused = move(admin, scg, "draft")
    assert refused.status_code == 422 and "Confirm" in refused.text
    assert doc_row(app, scg).status == "agreed"

    assert move(admin, scg, "draft", confirm="y").status_code == 303
    assert doc_row(app, scg).status == "draft"
    [signature] = signatures(app)               # kept, not deleted
    assert signature.voided_at is not None
    assert len(events(app, "signature.voided")) == 1
    assert events(app, "document.status_changed")[-1]["voided_signatures"] == 1

    officer = as_user(app, login, people["officer"])
    assert save(officer, app, scg, 0, "Unlocked again.\n").status_code == 200

    # Agreeing again re-freezes version 1 and asks for the signatures again.
    move(admin, scg, "out_for_agreement")
    assert move(admin, scg, "agreed").status_code == 303
    with app.app_context():
        version = db.session.scalar(select(DocumentVersion))
        assert "Unlocked again." in version.content
        assert signature.content_sha256 != version.content_sha256
        document = db.session.get(Document, scg["id"])
        assert not lifecycle.all_signed(document)
    assert "Not signed yet" in admin.get(scg["lifecycle"]).text
    versions_page = admin.get(f"{scg['base']}/versions/1").text
    assert "Voided signatures" in versions_page


# Published versions -------------------------------------------------------------------------

def publish_version_1(app, login, scg, people, admin):
    to_agreed(app, scg, people, admin)
    for member in ("member", "dacorum_member"):
        sign(as_user(app, login, people[member]), scg)
    move(admin, scg, "published")


def test_a_published_version_is_readable_and_unchanged_after_later_edits(app, login, scg,
                                                                          people, admin):
    publish_version_1(app, login, scg, people, admin)
    with app.app_context():
        before = db.session.scalar(select(DocumentVersion))
        content, sha = before.content, before.content_sha256
    assert move(admin, scg, "next_version").status_code == 303
    officer = as_user(app, login, people["officer"])
    assert save(officer, app, scg, 1, "A brand new housing figure.\n").status_code == 200

    viewer = as_user(app, login, people["viewer"])
    page = viewer.get(f"{scg['base']}/versions/1")
    assert page.status_code == 200
    assert "3,000 homes" in page.text and "brand new housing figure" not in page.text
    assert sha in page.text
    with app.app_context():
        after = db.session.scalar(select(DocumentVersion))
        assert (after.content, after.content_sha256) == (content, sha)
    assert viewer.get(f"{scg['base']}/versions/2").status_code == 404


def test_next_version_only_after_publication(app, scg, admin):
    response = move(admin, scg, "next_version")
    assert response.status_code == 409
    assert doc_row(app, scg).version_number == 1


# Decisions sought ---------------------------------------------------------------------------

def add_decision(app, scg, body, days, taken=None):
    with app.app_context():
        decision = DecisionSought(document_id=scg["id"], body=body, description="Approve",
                                  due_date=lifecycle.today() + timedelta(days=days),
                                  taken_at=taken, outcome="Approved" if taken else "")
        db.session.add(decision)
        db.session.commit()
        return decision.id


def test_decisions_show_as_upcoming_overdue_or_taken(app, scg, admin):
    add_decision(app, scg, "Steering Group", 14)
    add_decision(app, scg, "SPMG", -3)
    add_decision(app, scg, "Cabinet", -10, taken=lifecycle.today() - timedelta(days=9))
    page = admin.get(f"{scg['base']}/decisions").text
    assert "Upcoming" in page and "Overdue" in page and "not recorded as taken" in page
    assert "Taken</strong> on" in page
    with app.app_context():
        states = {d.body: lifecycle.decision_state(d) for d in db.session.scalars(
            select(DecisionSought))}
    assert states == {"Steering Group": "upcoming", "SPMG": "overdue", "Cabinet": "taken"}
    assert "Overdue" in admin.get(scg["lifecycle"]).text


def parts(name, day):
    """A date as GOV.UK's three boxes post it."""
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month),
            f"{name}-year": str(day.year)}


def test_the_admin_adds_and_records_decisions(app, scg, admin):
    due = lifecycle.today() + timedelta(days=20)
    response = admin.post(f"{scg['base']}/decisions",
                          data={"body": "JSP Steering Group", "description": "Approve the plan",
                                **parts("due_date", due)})
    assert response.status_code == 303
    with app.app_context():
        decision_id = db.session.scalar(select(DecisionSought.id))
    url = f"{scg['base']}/decisions/{decision_id}/record"
    assert admin.get(url).status_code == 200
    future = admin.post(url, data={**parts("taken_at", due), "outcome": "Approved"})
    assert future.status_code == 422 and "cannot be in the future" in future.text
    assert 'id="taken_at-day"' in future.text       # the three boxes keep what was typed
    taken = lifecycle.today()
    assert admin.post(url, data={**parts("taken_at", taken), "outcome": "Approved",
                                 "minute_ref": "SG 14/06"}).status_code == 303
    with app.app_context():
        decision = db.session.get(DecisionSought, decision_id)
        assert (decision.outcome, decision.minute_ref) == ("Approved", "SG 14/06")
        assert lifecycle.decision_state(decision) == "taken"
    assert [e["body"] for e in events(app, "decision.recorded")] == ["JSP Steering Group"]


def test_a_decision_needs_a_body_and_a_date(app, scg, admin):
    response = admin.post(f"{scg['base']}/decisions", data={"body": "", "due_date-day": "",
                                                            "due_date-month": "",
                                                            "due_date-year": ""})
    assert response.status_code == 422 and "Enter the body" in response.text


def test_a_decision_date_must_be_a_real_date(app, scg, admin):
    response = admin.post(f"{scg['base']}/decisions", data={
        "body": "SPMG", "due_date-day": "31", "due_date-month": "2", "due_date-year": "2027"})
    assert response.status_code == 422 and "Date must be a real date" in response.text
    assert 'href="#due_date-day"' in response.text
    response = admin.post(f"{scg['base']}/decisions", data={
        "body": "SPMG", "due_date-day": "3", "due_date-month": "", "due_date-year": "2027"})
    assert response.status_code == 422 and "Date must include a month" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(DecisionSought.id))) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(DecisionSought.id))) == 0


@pytest.mark.parametrize("role", ["officer", "member"])
def test_only_the_admin_adds_decisions(app, login, scg, people, role):
    client = as_user(app, login, people[role])
    response = client.post(f"{scg['base']}/decisions",
                           data={"body": "SPMG", **parts("due_date", lifecycle.today())})
    assert response.status_code == 403
    assert client.get(f"{scg['base']}/decisions").status_code == 200


# Every freeze kept; one live signature per authority -----------------------------------------

def test_refreezing_with_other_text_keeps_what_was_frozen_and_signed_before(app, login, scg,
                                                                            people, admin):
    to_agreed(app, scg, people, admin)
    with app.app_context():
        first = db.session.scalar(select(DocumentVersion))
        first_content, first_sha = first.content, first.content_sha256
    sign(as_user(app, login, people["member"]), scg)
    move(admin, scg, "draft", confirm="y")
    save(as_user(app, login, people["officer"]), app, scg, 0, "Changed after signing.\n")
    move(admin, scg, "out_for_agreement")
    assert move(admin, scg, "agreed").status_code == 303
    with app.app_context():
        version = db.session.scalar(select(DocumentVersion))
        [kept] = db.session.scalars(select(SupersededFreeze)).all()
        assert (kept.version_id, kept.content, kept.content_sha256) == \
            (version.id, first_content, first_sha)
        assert version.content_sha256 != first_sha
        # What the voided signature signed can still be read in full.
        [signature] = db.session.scalars(select(Signature)).all()
        assert signature.content_sha256 == kept.content_sha256
    page = admin.get(f"{scg['base']}/versions/1").text
    assert "Earlier content of version 1" in page and first_sha in page
    with app.app_context():
        kept = db.session.scalars(select(SupersededFreeze)).one()
        kept.content = "rewritten"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()


def test_refreezing_the_same_text_keeps_no_copy(app, login, scg, people, admin):
    to_agreed(app, scg, people, admin)
    move(admin, scg, "draft", confirm="y")
    move(admin, scg, "out_for_agreement")
    all_agree(app, scg, people)
    assert move(admin, scg, "agreed").status_code == 303
    with app.app_context():
        assert db.session.scalars(select(SupersededFreeze)).all() == []


def test_the_database_allows_one_live_signature_per_authority_and_version(app, login, scg,
                                                                          people, admin):
    to_agreed(app, scg, people, admin)
    sign(as_user(app, login, people["member"]), scg)
    with app.app_context():
        [signature] = db.session.scalars(select(Signature)).all()
        copy = {c: getattr(signature, c) for c in ("version_id", "organisation_id", "user_id",
                                                   "signed_name", "signed_position",
                                                   "content_sha256")}
        db.session.add(Signature(**copy))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        signature = db.session.get(Signature, signature.id)
        signature.voided_at = signature.signed_at
        db.session.add(Signature(**copy))
        db.session.commit()                      # a voided one does not count
        assert len(db.session.scalars(select(Signature)).all()) == 2

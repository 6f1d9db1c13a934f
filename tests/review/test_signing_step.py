"""Signing like a signing service (issue 16): the declaration, what is signed and what is not
agreed, the bad answers (declaration not ticked, wrong password, signing twice, a version gone
back to draft, a partner that does not sign), the move to Signed by the last signature, and
the confirmation before publishing."""
import re

import pytest
from sqlalchemy import select

from tests.signing_support import (
    NO_REVIEW,
    UNMET,
    agreed_scg,
    fingerprint_on,
    receipt_url,
    sign_form,
    signatures,
)
from workspace.audit import AuditEvent
from workspace.documents.models import Document
from workspace.extensions import db


@pytest.fixture
def scg(app, world, factory):
    return agreed_scg(app, world, factory)


def client_of(app, login, scg, who):
    return login(app.test_client(), scg["users"][who])


def status(app, scg):
    with app.app_context():
        return db.session.get(Document, scg["id"]).status


def events(app, action):
    with app.app_context():
        return [(e.actor_id, e.details) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_the_sign_page_shows_the_declaration_what_is_signed_and_what_is_not_agreed(
        app, login, scg):
    page = client_of(app, login, scg, "member").get(scg["sign"])
    assert page.status_code == 200
    text = page.text
    assert "I am authorised to sign for Watford Borough Council" in text
    assert 'type="checkbox"' in text and 'name="declaration"' in text
    assert scg["sha"] in text and fingerprint_on(text) == scg["sha"]
    assert "Version" in text and "Agreed on" in text
    assert "except the matters recorded as not agreed" in text
    # The matters not agreed, and agreed with reservations, with the reasons recorded.
    assert "Not agreed" in text and "Agreed with reservations" in text
    assert "Matters not agreed, or agreed with reservations</h2>" in text   # says both
    assert not re.search(r" on \d+(\.\d+)*\. ", text)        # "on 2.2 The…", as numbered
    assert NO_REVIEW.replace("'", "&#39;") in text and UNMET in text
    assert text.index("Not agreed</strong>") < text.index("Agreed with reservations</strong>")
    # Printed name and position (from the account), and the password.
    assert 'value="Cllr Watford"' in text and 'value="Portfolio Holder for Planning"' in text
    assert 'name="password"' in text and 'autocomplete="current-password"' in text


def test_without_the_declaration_nothing_is_signed_and_an_error_summary_says_why(
        app, login, scg):
    client = client_of(app, login, scg, "member")
    response = client.post(scg["sign"], data=sign_form(scg["sha"], declaration=False))
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text
    assert ('<a href="#declaration">Confirm that you are authorised to sign for Watford '
            'Borough Council</a>') in response.text
    assert response.text.startswith("<!DOCTYPE html>") and "<title>Error:" in response.text
    assert 'value="Cllr Typed"' in response.text            # what was typed is kept
    assert signatures(app) == []
    assert status(app, scg) == "agreed"


def test_a_wrong_password_keeps_name_position_and_declaration_and_records_nothing(
        app, login, scg):
    client = client_of(app, login, scg, "member")
    response = client.post(scg["sign"], data=sign_form(scg["sha"], password="wrong"))
    assert response.status_code == 422
    assert "The password is not right." in response.text
    assert response.text.count("Nothing has been signed") == 1       # said once, not twice
    assert 'value="Cllr Typed"' in response.text
    assert 'value="Leader of the Council"' in response.text
    assert 'id="declaration" name="declaration" type="checkbox" value="y" checked' in \
        response.text
    assert 'value="wrong"' not in response.text
    assert signatures(app) == []
    assert len(events(app, "signature.failed")) == 1       # audited, nothing else


def test_signing_goes_to_the_progress_page_and_signing_twice_answers_with_the_receipt(
        app, login, scg):
    client = client_of(app, login, scg, "member")
    first = client.post(scg["sign"], data=sign_form(scg["sha"]))
    assert first.status_code == 303
    [signature] = signatures(app)
    assert (signature.signed_name, signature.signed_position) == \
        ("Cllr Typed", "Leader of the Council")
    assert signature.content_sha256 == scg["sha"]
    assert first.headers["Location"] == receipt_url(scg, signature.id, progress=True)

    again = client.post(scg["sign"], data=sign_form(scg["sha"], name="Someone Else"))
    assert again.status_code == 303
    assert again.headers["Location"] == receipt_url(scg, signature.id)
    # A colleague of the same authority, and the sign page itself, get the same receipt.
    colleague = client_of(app, login, scg, "watford_member2")
    assert colleague.post(scg["sign"], data=sign_form(scg["sha"])).headers["Location"] == \
        receipt_url(scg, signature.id)
    assert client.get(scg["sign"]).headers["Location"] == receipt_url(scg, signature.id)
    assert [s.id for s in signatures(app)] == [signature.id]
    assert len(events(app, "signature.recorded")) == 1
    receipt = client.get(receipt_url(scg, signature.id))
    assert "already signed version 1" in receipt.text and "Nothing more was recorded" in \
        receipt.text


def test_signing_a_version_that_went_back_to_draft_meanwhile_is_refused(app, login, scg):
    client = client_of(app, login, scg, "member")
    sha = fingerprint_on(client.get(scg["sign"]).text)
    admin = client_of(app, login, scg, "admin")
    assert admin.post(scg["lifecycle"], data={"to": "draft", "seen": "agreed",
                                              "confirm": "y"}).status_code == 303
    response = client.post(scg["sign"], data=sign_form(sha))
    assert response.status_code == 409
    assert "Nothing has been signed" in response.text and "gone back to Draft" in \
        response.text
    assert response.text.count("Nothing has been signed") == 1       # said once, not twice
    assert signatures(app) == []


def test_signing_content_other_than_the_page_showed_is_refused(app, login, scg):
    client = client_of(app, login, scg, "member")
    response = client.post(scg["sign"], data=sign_form("0" * 64))
    assert response.status_code == 409
    assert "changed since you opened the signing page" in response.text
    assert signatures(app) == []


def test_a_member_of_an_authority_that_does_not_sign_is_refused(app, login, scg):
    client = client_of(app, login, scg, "hertsmere_member")
    assert client.get(scg["sign"]).status_code == 403
    for declaration in (True, False):
        response = client.post(scg["sign"], data=sign_form(scg["sha"],
                                                           declaration=declaration))
        assert response.status_code == 403
        assert "Hertsmere Borough Council is not a signatory" in response.text
    assert signatures(app) == []


def test_the_last_signature_moves_the_document_to_signed_by_itself(app, login, scg):
    admin = client_of(app, login, scg, "admin")
    client_of(app, login, scg, "member").post(scg["sign"], data=sign_form(scg["sha"]))
    assert status(app, scg) == "agreed"
    page = admin.get(scg["lifecycle"]).text
    assert "Mark as signed" not in page
    assert "moves to Signed by itself when the last signatory signs" in page
    last = client_of(app, login, scg, "dacorum_member").post(scg["sign"],
                                                            data=sign_form(scg["sha"]))
    assert last.status_code == 303
    assert status(app, scg) == "signed"
    [(actor, detail)] = [e for e in events(app, "document.status_changed")
                         if e[1]["new"] == "signed"]
    assert actor == scg["users"]["dacorum_member"]
    assert detail["automatic"] is True and detail["old"] == "agreed"
    page = admin.get(scg["lifecycle"]).text
    assert "Mark as signed" not in page and "Publish version 1" in page
    # A return to draft still works from Signed, and voids both signatures.
    assert admin.post(scg["lifecycle"], data={"to": "draft", "seen": "signed",
                                              "confirm": "y"}).status_code == 303
    assert status(app, scg) == "draft"
    assert all(s.voided_at is not None for s in signatures(app))


def _sign_all(app, login, scg):
    for who in ("member", "dacorum_member"):
        client_of(app, login, scg, who).post(scg["sign"], data=sign_form(scg["sha"]))
    assert status(app, scg) == "signed"


def test_publishing_asks_to_confirm_what_will_be_public_and_permanent(app, login, scg):
    _sign_all(app, login, scg)
    admin = client_of(app, login, scg, "admin")
    assert scg["publish"] in admin.get(scg["lifecycle"]).text
    page = admin.get(scg["publish"])
    assert page.status_code == 200
    for words in ("Publish version 1", "public", "permanent", scg["sha"], "Cllr Typed",
                  "Dacorum Borough Council"):
        assert words in page.text
    move = {"to": "published", "seen": "signed", "fingerprint": scg["sha"]}
    refused = admin.post(scg["lifecycle"], data=move)
    assert refused.status_code == 422
    assert "govuk-error-summary" in refused.text
    assert '<a href="#confirm_publish">Confirm that you want to publish' in refused.text
    assert status(app, scg) == "signed"
    assert admin.post(scg["lifecycle"], data=dict(move, confirm_publish="y")) \
        .status_code == 303
    assert status(app, scg) == "published"


def test_publishing_other_content_than_confirmed_is_refused(app, login, scg):
    _sign_all(app, login, scg)
    admin = client_of(app, login, scg, "admin")
    response = admin.post(scg["lifecycle"], data={
        "to": "published", "seen": "signed", "fingerprint": "f" * 64, "confirm_publish": "y"})
    assert response.status_code == 409
    assert "not the content you confirmed" in response.text
    assert status(app, scg) == "signed"


def test_only_partnership_admins_see_the_confirmation_and_only_for_a_signed_document(
        app, login, scg):
    assert client_of(app, login, scg, "member").get(scg["publish"]).status_code == 403
    admin = client_of(app, login, scg, "admin")
    response = admin.get(scg["publish"])
    assert response.status_code == 303 and response.headers["Location"].endswith("/lifecycle")


@pytest.mark.parametrize("seen", ["agreed", "signed"])
def test_asking_to_publish_an_unsigned_document_says_why_not_confirm(app, login, scg, seen):
    """Unconfirmed, a document that is not signed is refused for that (409), not asked for a
    confirmation of a version there is none to show (it was a 500); a page that showed
    another status is told the document moved on."""
    admin = client_of(app, login, scg, "admin")
    refused = admin.post(scg["lifecycle"], data={"to": "published", "seen": seen})
    assert refused.status_code == 409
    assert ("Only a signed document can be published." if seen == "agreed"
            else "The document moved on since you opened this page") in refused.text
    assert status(app, scg) == "agreed"


def test_opening_the_sign_page_too_early_says_it_cannot_be_done_yet(app, login, scg):
    """A GET changes nothing, so its 409 is not "changed while you were reading it"."""
    admin = client_of(app, login, scg, "admin")
    assert admin.post(scg["lifecycle"], data={"to": "draft", "seen": "agreed",
                                              "confirm": "y"}).status_code == 303
    page = client_of(app, login, scg, "member").get(scg["sign"])
    assert page.status_code == 409
    assert "This cannot be done at this stage" in page.text
    assert "changed while you were reading" not in page.text
    assert "This document is not waiting for signatures: it is Draft." in page.text

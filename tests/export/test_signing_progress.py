"""After signing (issue 16): the signing job's progress until the signed PDF is ready, then
the receipt; a failed job is told, with its reason, and the signer (or a partnership admin)
tries it again; an authority without a certificate gets a receipt that says its signature
stands in the workspace's record; nothing half-signed is published."""
import io

import pytest
from sqlalchemy import select

from tests.signing_support import agreed_scg, receipt_url, sign_form, signatures
from tests.support import download
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.jobs.models import Job


@pytest.fixture
def scg(app, world, factory):
    """Watford alone signs, and holds a trial certificate."""
    return agreed_scg(app, world, factory, signatories=("watford",), keys=("watford",))


def client_of(app, login, scg, who):
    return login(app.test_client(), scg["users"][who])


def signed(app, login, scg):
    """Watford's Member signs: (their client, the signature's id, the answer)."""
    client = client_of(app, login, scg, "member")
    response = client.post(scg["sign"], data=sign_form(scg["sha"]))
    assert response.status_code == 303
    [signature] = signatures(app)
    assert response.headers["Location"] == receipt_url(scg, signature.id, progress=True)
    return client, signature.id


def sign_jobs(app):
    with app.app_context():
        db.session.rollback()
        return db.session.scalars(select(Job).where(Job.kind == "export.sign_pdf")
                                  .order_by(Job.id)).all()


def test_the_progress_page_checks_itself_until_the_receipt_is_ready(app, login, scg,
                                                                    run_jobs):
    client, signature_id = signed(app, login, scg)
    progress_url = receipt_url(scg, signature_id, progress=True)
    page = client.get(progress_url)
    assert page.status_code == 200
    assert "Adding your digital signature to the PDF…" in page.text
    assert 'role="status"' in page.text and 'hx-trigger="every 3s"' in page.text
    assert "Check now" in page.text                      # without JavaScript
    assert "Signed for Watford Borough Council" in page.text      # the flash and caption
    # htmx polls: nothing new answers 204 (nothing announced again).
    seen = page.text.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    assert client.get(seen, headers={"HX-Request": "true"}).status_code == 204
    # The admin cannot publish meanwhile: the lifecycle page says why.
    admin = client_of(app, login, scg, "admin")
    lifecycle = admin.get(scg["lifecycle"]).text
    assert "cannot be published yet" in lifecycle and "still being prepared" in lifecycle
    assert scg["publish"] not in lifecycle.split('id="publication-blockers"')[0]
    refused = admin.post(scg["lifecycle"], data={"to": "published", "seen": "signed",
                                                 "confirm_publish": "y"})
    assert refused.status_code == 409 and "still being prepared" in refused.text
    assert "govuk-error-summary" in refused.text

    run_jobs()
    done = client.get(seen, headers={"HX-Request": "true"})
    assert done.headers["HX-Redirect"] == receipt_url(scg, signature_id)
    answer = client.get(progress_url)
    assert answer.status_code == 303
    assert answer.headers["Location"] == receipt_url(scg, signature_id)
    receipt = client.get(receipt_url(scg, signature_id)).text
    for words in ("Signed for Watford Borough Council", "Version 1 of Statement of Common Ground",
                  "Cllr Typed", "Leader of the Council", "(UK time)", scg["sha"],
                  "Watford Borough Council's digital signature",
                  f"{scg['base']}/versions/1/pdf", "/verify"):
        assert words in receipt, words
    pdf = download(client, f"{scg['base']}/versions/1/pdf", run_jobs)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    from pyhanko.pdf_utils.reader import PdfFileReader
    [embedded] = PdfFileReader(io.BytesIO(pdf.data)).embedded_signatures
    assert embedded.field_name == "Signature-watford"
    assert scg["publish"] in admin.get(scg["lifecycle"]).text     # publishable now


def test_a_failed_signing_job_is_told_and_the_signer_tries_again(app, login, scg, run_jobs,
                                                                 monkeypatch):
    import workspace.export.signing as pdf_signing

    def broken(*_args, **_kwargs):
        raise RuntimeError("the key could not be read")

    monkeypatch.setattr(pdf_signing, "sign_pdf", broken)
    client, signature_id = signed(app, login, scg)
    progress_url = receipt_url(scg, signature_id, progress=True)
    run_jobs()
    assert [j.status for j in sign_jobs(app)] == ["failed"]
    page = client.get(progress_url)
    assert page.status_code == 200
    assert "The signed PDF could not be made" in page.text
    assert "RuntimeError: the key could not be read" in page.text
    assert 'role="alert"' in page.text and ">Try again</button>" in page.text
    assert client.get(progress_url + "?seen=x", headers={"HX-Request": "true"}) \
        .headers.get("HX-Refresh") == "true"
    receipt = client.get(receipt_url(scg, signature_id)).text
    assert "could not be made" in receipt and "try again" in receipt
    # Nothing half-signed is published.
    admin = client_of(app, login, scg, "admin")
    assert "could not be made (RuntimeError" in admin.get(scg["lifecycle"]).text
    assert admin.post(scg["lifecycle"], data={"to": "published", "seen": "signed",
                                              "confirm_publish": "y"}).status_code == 409

    # Only the Member who signed, or a partnership admin, may try again.
    for who in ("viewer", "officer", "watford_member2"):
        other = client_of(app, login, scg, who)
        assert ">Try again</button>" not in other.get(progress_url).text
        assert other.post(progress_url[:-len("/progress")] + "/retry").status_code == 403
    assert [j.status for j in sign_jobs(app)] == ["failed"]
    assert client.post(progress_url[:-len("/progress")] + "/retry",
                       data={}, csrf=False).status_code == 400
    monkeypatch.undo()
    retried = client.post(progress_url[:-len("/progress")] + "/retry")
    assert retried.status_code == 303 and retried.headers["Location"] == progress_url
    assert [j.status for j in sign_jobs(app)] == ["pending"]
    assert "Adding your digital signature" in client.get(progress_url).text
    run_jobs()
    assert client.get(progress_url).status_code == 303
    with app.app_context():
        assert db.session.get(Document, scg["id"]).status == "signed"
    assert admin.post(scg["lifecycle"], data={"to": "published", "seen": "signed",
                                              "confirm_publish": "y"}).status_code == 303


def test_a_partnership_admin_may_try_the_signing_again(app, login, scg, run_jobs,
                                                       monkeypatch):
    import workspace.export.signing as pdf_signing
    monkeypatch.setattr(pdf_signing, "sign_pdf", lambda *a, **k: 1 / 0)
    _client, signature_id = signed(app, login, scg)
    run_jobs()
    admin = client_of(app, login, scg, "admin")
    url = receipt_url(scg, signature_id)
    assert ">Try again</button>" in admin.get(url + "/progress").text
    assert admin.post(url + "/retry").status_code == 303
    assert [j.status for j in sign_jobs(app)] == ["pending"]


def test_without_a_certificate_the_receipt_says_the_signature_is_in_the_record_only(
        app, world, factory, login):
    scg = agreed_scg(app, world, factory, signatories=("watford",))
    client, signature_id = signed(app, login, scg)
    answer = client.get(receipt_url(scg, signature_id, progress=True))
    assert answer.status_code == 303
    receipt = client.get(answer.headers["Location"]).text
    assert "Watford Borough Council has no signing certificate" in receipt
    assert "stands in the workspace's record" in receipt
    assert "carries no digital signature for Watford Borough Council" in receipt
    assert "organisation admin can add a certificate" in receipt
    assert "Cllr Typed" in receipt and scg["sha"] in receipt


def test_the_receipt_of_a_voided_signature_says_it_no_longer_counts(app, login, scg):
    client, signature_id = signed(app, login, scg)
    admin = client_of(app, login, scg, "admin")
    assert admin.post(scg["lifecycle"], data={"to": "draft", "seen": "signed",
                                              "confirm": "y"}).status_code == 303
    assert client.get(receipt_url(scg, signature_id, progress=True)).status_code == 303
    receipt = client.get(receipt_url(scg, signature_id)).text
    assert "This signature no longer counts" in receipt


def test_a_receipt_is_found_only_under_its_own_document_and_version(app, login, scg):
    client, signature_id = signed(app, login, scg)
    assert client.get(receipt_url(scg, signature_id)).status_code == 200
    wrong_version = f"{scg['base']}/versions/2/signatures/{signature_id}"
    assert client.get(wrong_version).status_code == 404
    assert client.get(receipt_url(scg, signature_id + 1000)).status_code == 404
    other = f"/p/own/d/{scg['id'] + 1000}/versions/1/signatures/{signature_id}"
    assert client.get(other).status_code == 404


def test_publication_names_a_failure_only_while_it_is_the_latest_word_on_its_work(
        app, login, scg, run_jobs, monkeypatch):
    """A failed signing job followed by a later job for the same work (asked again) is not
    named as the reason publication waits: the later one is, "still being prepared"."""
    import workspace.export.signing as pdf_signing
    monkeypatch.setattr(pdf_signing, "sign_pdf", lambda *a, **k: 1 / 0)
    _client, _signature_id = signed(app, login, scg)
    run_jobs()
    [failed] = sign_jobs(app)
    assert failed.status == "failed"
    admin = client_of(app, login, scg, "admin")
    assert "could not be made (ZeroDivisionError" in admin.get(scg["lifecycle"]).text
    with app.app_context():
        db.session.add(Job(kind=failed.kind, key=failed.key, payload=failed.payload,
                           partnership_id=failed.partnership_id, label=failed.label))
        db.session.commit()
    lifecycle = admin.get(scg["lifecycle"]).text
    assert "could not be made" not in lifecycle and "still being prepared" in lifecycle

"""An honest Verify page and `flask verify-pdf`: a draft, a superseded version, a file cut back
to an earlier revision (missing a signature the version received), trial and untrusted
certificates, and the genuine, complete, current and trusted file, each said in words, with
the exit status the command documents; and bad uploads refused with nothing stored."""
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pypdf import PdfWriter
from sqlalchemy import func, select

from tests.support import agree
from workspace import clock
from workspace.accounts.models import Organisation, User
from workspace.audit import AuditEvent
from workspace.documents.models import Document
from workspace.export import keys
from workspace.export.models import PdfExport, PdfFile
from workspace.extensions import db
from workspace.jobs import runner
from workspace.review import lifecycle, positions

from ..support import download

SCG = "/p/sw-herts/d/1"


def post(client, data, name="file.pdf"):
    return client.post("/verify", data={"pdf": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def cli(app, data):
    return app.test_cli_runner().invoke(args=["verify-pdf", "-"], input=data)


def text_of(page):
    """The page's words, tags and runs of space removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


def cut_back(data, signatures):
    """The file as it stood after its first `signatures` signatures: each signature is an
    incremental update ending in %%EOF, the rendering ends in the first one."""
    ends = [m.end() for m in re.finditer(rb"%%EOF\r?\n?", data)]
    return data[:ends[signatures]]


def stored_counts(app):
    with app.app_context():
        db.session.rollback()
        return tuple(db.session.scalar(select(func.count(model.id)))
                     for model in (PdfFile, PdfExport, AuditEvent))


@pytest.fixture
def published(app):
    """The demo as `make run` seeds it: version 1 agreed, signed by all six authorities with
    trial certificates and published; version 2 out for agreement."""
    from workspace.demo import seed_demo
    with app.app_context():
        seed_demo("common-ground", published_version=True)
        db.session.commit()
        runner.run_pending(ignore_schedule=True)


@pytest.fixture
def member(app, client, login):
    def signed_in():
        with app.app_context():
            uid = db.session.scalar(select(User.id).where(
                User.email == "member@watford.example"))
        return login(client, uid)
    return signed_in


def _agree_sign_and_publish(app, run_jobs, keyed=None):
    """Agree the current version of the SCG (every outstanding position given), every
    authority signs, its PDFs are signed by the jobs, and it is published. `keyed`: give
    these authorities a signing key first (code -> SigningKey maker)."""
    with app.test_request_context():
        document = db.session.get(Document, 1)
        members = db.session.scalars(select(User).where(User.role == "member")).all()
        for cell in positions.agreement_grid(document).outstanding:
            who = next(u for u in members if u.organisation_id ==
                       cell.signatory.organisation_id)
            positions.record_position(cell.section, who, "agreed")
        for organisation in db.session.scalars(select(Organisation)):
            if keyed and organisation.code in keyed:
                keyed[organisation.code](organisation)
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        agree(document, admin, with_exceptions=True)
        for who in members:
            lifecycle.sign(document, who, "common-ground", who.name, who.job_title)
        lifecycle.mark_signed(document, admin)
        db.session.commit()
    run_jobs()
    with app.test_request_context():
        db.session.rollback()
        document = db.session.get(Document, 1)
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        row = lifecycle.publish(document, admin)
        db.session.commit()
        number, published_on = row.number, clock.display(row.published_at, clock.DATE)
    run_jobs()      # the published files (their cover names the publication) are made by a job
    return number, published_on


def test_a_file_signed_with_trial_certificates_says_they_are_not_trusted(app, published,
                                                                        member):
    client = member()
    data = client.get(f"{SCG}/versions/1/pdf").data
    before = stored_counts(app)
    page = post(client, data)
    assert page.status_code == 200
    words = text_of(page)
    assert "Result Trial certificates – not trusted for publication" in words
    assert "Genuine" not in words
    assert 'id="result-heading" tabindex="-1" autofocus' in page.text
    assert "cg-verdict--warn" in page.text
    with app.app_context():
        published_on = clock.display(lifecycle.version(db.session.get(Document, 1), 1)
                                     .published_at, clock.DATE)
    assert f"Version 1, published on {published_on}" in words
    assert "South West Hertfordshire Joint Strategic Plan" in words
    for name in ("Dacorum Borough Council", "Hertfordshire County Council", "Watford Member"):
        assert name in words
    assert words.count("Trial certificate – not trusted for publication") == 6
    assert stored_counts(app) == before                     # nothing uploaded is kept

    result = cli(app, data)
    assert result.exit_code == 5, result.output
    assert "Trial certificates – not trusted for publication" in result.output
    assert "Hertfordshire County Council by Hertfordshire Member" in result.output


def test_a_file_cut_back_to_an_earlier_revision_names_the_missing_signature(app, published,
                                                                           member):
    client = member()
    data = client.get(f"{SCG}/versions/1/pdf").data
    with app.app_context():
        last = db.session.scalar(select(Organisation.name).join(
            PdfFile, PdfFile.signed_for_id == Organisation.id)
            .order_by(PdfFile.signature_count.desc()).limit(1))
    five = cut_back(data, 5)
    words = text_of(post(client, five))
    expected = ("Incomplete: carries 5 of the 6 signatures this version received; "
                f"missing: {last}")
    assert f"Result {expected}" in words
    assert "Signatures missing from this file" in words
    result = cli(app, five)
    assert result.exit_code == 2 and expected in result.output
    assert re.search(rf"Missing:\s+{last}", result.output)

    # Cut back to the rendering itself: no signature at all.
    words = text_of(post(client, cut_back(data, 0)))
    assert "Incomplete: carries 0 of the 6 signatures this version received" in words


def test_a_draft_says_it_is_a_draft(app, published, member, run_jobs):
    client = member()
    draft = download(client, f"{SCG}/pdf", run_jobs).data
    page = post(client, draft)
    assert page.status_code == 200
    words = text_of(page)
    assert "Result Draft – not agreed, carries no signatures" in words
    assert "The current published version is version 1" in words
    assert "Version A draft, not agreed" in words
    assert cli(app, draft).exit_code == 4


def test_a_pruned_draft_is_not_recognised_and_the_page_says_why(app, published, member,
                                                               run_jobs):
    """Retention removes old draft renderings: such a file is not recognised (not genuine,
    exit 1), and the page says a draft's PDFs are not kept rather than calling it altered."""
    client = member()
    draft = download(client, f"{SCG}/pdf", run_jobs).data
    with app.app_context():
        drafts = select(PdfExport.id).where(PdfExport.version_id.is_(None))
        db.session.execute(PdfFile.__table__.delete().where(PdfFile.export_id.in_(drafts)))
        db.session.execute(PdfExport.__table__.delete().where(PdfExport.version_id.is_(None)))
        db.session.commit()
    words = html.unescape(text_of(post(client, draft)))
    assert "Result Not recognised" in words
    assert "If it is a draft's PDF: a draft's PDFs are kept for 30 days" in words
    assert "Altered" not in words
    assert cli(app, draft).exit_code == 1


def test_a_superseded_version_names_the_newer_one(app, published, member, run_jobs):
    client = member()
    v1 = client.get(f"{SCG}/versions/1/pdf").data
    number, published_on = _agree_sign_and_publish(app, run_jobs)
    assert number == 2
    words = text_of(post(client, v1))
    title = f"Superseded by version 2, published on {published_on}"
    assert f"Result {title}" in words
    assert "Trial certificates – not trusted for publication" in words    # also found
    result = cli(app, v1)
    assert result.exit_code == 3 and title in result.output
    v2 = client.get(f"{SCG}/versions/2/pdf").data
    assert cli(app, v2).exit_code == 5                       # current, but trial certificates


# Uploaded certificates and the trust list ---------------------------------------------------

def _ca(name):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _issued_by(ca, organisation):
    ca_key, ca_cert = ca
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                        organisation.name)]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=20))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    return keys.store_key(organisation, key, cert, "uploaded")


def _bundle(tmp_path, name, *certs):
    path = tmp_path / name
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    return str(path)


def test_uploaded_certificates_are_trusted_only_through_the_trust_list(
        app, demo, member, run_jobs, tmp_path, monkeypatch):
    ca = _ca("Test Signing Root CA")
    number, published_on = _agree_sign_and_publish(
        app, run_jobs, keyed={"watford": lambda o: _issued_by(ca, o)})
    client = member()
    data = client.get(f"{SCG}/versions/{number}/pdf").data

    # No trust list: said honestly, never "trusted".
    words = text_of(post(client, data))
    assert "Result Certificates not checked against a trust list" in words
    assert "Not checked against a trust list (none is configured)" in words
    assert "Trusted" not in words
    assert cli(app, data).exit_code == 6

    # Trust list holding the root: genuine, complete, current and trusted.
    monkeypatch.setitem(app.config, "SIGNING_TRUST_ROOTS",
                        _bundle(tmp_path, "roots.pem", ca[1]))
    page = post(client, data)
    words = text_of(page)
    assert "Result Genuine, complete and current" in words
    assert "cg-verdict--ok" in page.text
    assert (f"This is version {number} of Statement of Common Ground (South West "
            f"Hertfordshire Joint Strategic Plan), published on {published_on}, with all 1 "
            "signature it received") in words
    assert "Trusted: chains to Test Signing Root CA in the trust list" in words
    # The five authorities without a key signed in the record only, not in the file.
    assert "Signed in the workspace's record only" in words
    assert "Dacorum Borough Council: Dacorum Member" in words
    result = cli(app, data)
    assert result.exit_code == 0, result.output
    assert re.search(r"Result:\s+Genuine, complete and current", result.output)

    # A trust list of another root: not trusted.
    monkeypatch.setitem(app.config, "SIGNING_TRUST_ROOTS",
                        _bundle(tmp_path, "other.pem", _ca("Another Root")[1]))
    words = text_of(post(client, data))
    assert "Result Certificate not trusted" in words
    assert "Not trusted: it does not chain to a root in the trust list" in words
    assert cli(app, data).exit_code == 5


def test_an_agreed_version_not_yet_published_says_so(app, demo, member, run_jobs):
    from tests.export.test_export_jobs import _agree
    _agree(app, signing_codes=("watford",), keyed=())
    client = member()
    data = download(client, f"{SCG}/versions/1/pdf", run_jobs).data
    words = text_of(post(client, data))
    assert "Result Agreed, not published yet" in words
    assert "Watford Borough Council: Watford Member" in words     # in the record only
    assert cli(app, data).exit_code == 7


# Bad input ------------------------------------------------------------------------------------

def _pdf(encrypt=False, keywords=None):
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    if keywords:
        writer.add_metadata({"/Keywords": keywords})
    if encrypt:
        writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _docx():
    from docx import Document as WordDocument
    buffer = io.BytesIO()
    WordDocument().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("kind,status,message", [
    ("docx", 422, "This file is not a PDF: it is a Word document or another zip file"),
    ("text", 422, "This file is not a PDF."),
    ("encrypted", 422, "This PDF is encrypted"),
    ("empty", 422, "The file you chose is empty (0 bytes)"),
    ("none", 422, "Choose a PDF file to check."),
    ("damaged", 422, "This PDF is damaged and cannot be read."),
])
def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_stored(
        app, client, kind, status, message):
    data = {"docx": _docx, "text": lambda: b"hello", "encrypted": lambda: _pdf(True),
            "empty": lambda: b"", "none": lambda: None,
            "damaged": lambda: b"%PDF-1.7\n" + b"\x00" * 200}[kind]()
    before = stored_counts(app)
    if data is None:
        page = client.post("/verify", data={}, content_type="multipart/form-data")
    else:
        page = post(client, data, "report.pdf")
    assert page.status_code == status
    assert message in page.text
    assert "govuk-error-summary" in page.text and "Result" not in text_of(page)
    assert stored_counts(app) == before
    if data is not None:
        result = cli(app, data)
        assert result.exit_code == 1 and message in result.output


def test_a_pdf_from_elsewhere_is_not_an_error_but_not_made_here(app, client):
    page = post(client, _pdf())
    assert page.status_code == 200
    words = text_of(page)
    assert "Result Not a file made by this workspace" in words
    assert "That is not an error" in words
    assert "govuk-error-summary" not in page.text
    assert "cg-verdict--bad" in page.text
    assert cli(app, _pdf()).exit_code == 1


def test_a_file_over_the_size_limit_is_refused(app, client, monkeypatch):
    # The real cap (10 MB) is test_verify_limits.test_the_upload_cap_is_10_mb; a body that
    # large through the test client leaves its temporary file open.
    import workspace.export.verify as verify_module
    monkeypatch.setattr(verify_module, "MAX_VERIFY_BYTES", 100)
    before = stored_counts(app)
    page = post(client, b"%PDF-1.7\n" + b"0" * 200)
    assert page.status_code == 413 and "The file is larger than" in page.text
    assert "PDF file (10 MB at most)" in page.text
    assert stored_counts(app) == before


@pytest.mark.parametrize("keywords", [
    "common-ground-document:ff common-ground-version:a common-ground-sha256:ab",
    "common-ground-document:99999999999999999999 common-ground-version:99999999999999999999 "
    "common-ground-sha256:" + "a" * 64])
def test_a_pdf_claiming_odd_numbers_is_reported_on_not_a_500(app, client, keywords):
    """What a file claims is anyone's to write: a hexadecimal or huge document or version
    number names no document (it was a 500: int() of 'ff', or a number no database holds)."""
    page = post(client, _pdf(keywords=keywords), "claims.pdf")
    assert page.status_code == 200
    assert "Result" in text_of(page)


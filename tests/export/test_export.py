"""PDF export, signing certificates, PAdES signatures and verification."""
import io
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from tests.support import agree
from workspace.accounts.models import Organisation, User
from workspace.documents.models import Document
from workspace.export import keys, pdf, service
from workspace.export.models import PdfFile, SigningKey
from workspace.extensions import db
from workspace.review import lifecycle, positions

from ..support import download

SCG = "/p/sw-herts/d/1"


@pytest.fixture
def admin_client(app, login, demo):
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == "admin@swherts.example"))
    return login(app.test_client(), uid)


@pytest.fixture
def watford_admin(app, login, demo):
    """Watford's organisation admin: the only one who manages Watford's signing key."""
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == "orgadmin@watford.example"))
    return login(app.test_client(), uid)


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_draft_pdf_downloads_with_a_meaningful_name_and_a_draft_mark_on_every_page(
        app, member, monkeypatch, run_jobs):
    response = download(member, f"{SCG}/pdf", run_jobs)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="SW-Herts-Statement-of-Common-Ground-v1-')
    reader = PdfReader(io.BytesIO(response.data))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 5
    assert all("DRAFT – not agreed" in text for text in pages)
    text = "\n".join(pages)
    for expected in ("Part 1: Strategic context", "Housing need and distribution",
                     "Record of agreement", "Agreement has not been reached",
                     "Hertsmere cannot agree", "Contents"):
        assert expected in text
    assert "Signatures" not in text                 # a draft has no empty Signatures page
    with app.app_context():
        document = db.session.get(Document, 1)
        _content, fingerprint = lifecycle.canonical_content(document)
    assert fingerprint in text                      # full on the cover
    assert all(f"SHA-256 {fingerprint[:16]}" in t for t in pages[1:])   # short in the footer
    assert f"Page 2 of {len(pages)}" in pages[1]

    # Rendered once: the second download serves the stored file.
    def no_render(*args, **kwargs):
        raise AssertionError("rendered twice")
    monkeypatch.setattr(service, "render_pdf", no_render)
    again = member.get(f"{SCG}/pdf")
    assert again.status_code == 200 and again.data == response.data
    with app.app_context():
        assert db.session.scalar(select(func.count(PdfFile.id))) == 1


def test_pdf_is_tagged_with_language_title_and_bookmarks(member, run_jobs):
    reader = PdfReader(io.BytesIO(download(member, f"{SCG}/pdf", run_jobs).data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("Statement of Common Ground")
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert any("Part 1: Strategic context" in t for t in titles)


def test_archive_variant_is_pdf_a(member, run_jobs):
    response = download(member, f"{SCG}/pdf?variant=archive", run_jobs)
    assert response.status_code == 200
    xmp = PdfReader(io.BytesIO(response.data)).xmp_metadata
    assert b"pdfaid" in xmp.stream.get_data() and b"3" in xmp.stream.get_data()
    assert member.get(f"{SCG}/pdf?variant=word").status_code == 422


def test_export_of_a_document_the_user_cannot_see_is_404(app, client, login, factory, demo):
    luton = factory.organisation("luton")
    factory.partnership("foreign", [luton])
    login(client, factory.user(luton, "admin"))
    assert client.get(f"{SCG}/pdf").status_code == 404
    assert client.get(f"{SCG}/versions/1/pdf").status_code == 404


def test_renderer_fetches_only_the_apps_print_files(app):
    with app.app_context():
        fetcher = pdf.StaticOnlyFetcher(pdf.print_root())
        assert fetcher.fetch((pdf.print_root() / "print.css").as_uri())
        for url in ("http://127.0.0.1:9/x.css", "https://example.org/a.png",
                    "file:///etc/passwd", (pdf.print_root() / ".." / ".." / "wsgi.py").as_uri()):
            with pytest.raises(ValueError):
                fetcher.fetch(url)


def _agree_and_sign_everything(app):
    """Give every outstanding position, agree with exceptions, every authority signs."""
    with app.test_request_context():
        document = db.session.get(Document, 1)
        members = db.session.scalars(select(User).where(User.role == "member")).all()
        for cell in positions.agreement_grid(document).outstanding:
            member = next(u for u in members if u.organisation_id ==
                          cell.signatory.organisation_id)
            positions.record_position(cell.section, member, "agreed")
        for organisation in db.session.scalars(select(Organisation)):
            keys.make_self_signed(organisation)
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        agree(document, admin, with_exceptions=True)
        for member in members:
            lifecycle.sign(document, member, "common-ground", member.name, member.job_title)
        db.session.commit()


def test_signed_version_carries_six_intact_signatures_and_tampering_is_detected(
        app, member, admin_client, run_jobs):
    _agree_and_sign_everything(app)
    response = download(member, f"{SCG}/versions/1/pdf", run_jobs)
    assert response.status_code == 200
    data = response.data
    text = pdf_text(data)
    assert "DRAFT" not in text
    widgets = [annot.get_object()
               for page in PdfReader(io.BytesIO(data)).pages for annot in page.get("/Annots", [])
               if annot.get_object().get("/FT") == "/Sig"]
    assert len(widgets) == 6                    # invisible fields; the page names who signed
    assert all([float(x) for x in w["/Rect"]] == [0, 0, 0, 0] for w in widgets)
    assert "Digital signature of Watford Borough Council" in [w["/TU"] for w in widgets]
    assert "carries the digital signature of Watford Borough Council" in " ".join(text.split())

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature

    from workspace.export.asyncrun import run
    from workspace.export.verify import _validation_context
    with app.app_context():
        context = _validation_context()
        embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures
        assert len(embedded) == 6
        for sig in embedded:
            status = run(lambda sig=sig: async_validate_pdf_signature(sig, context))
            assert status.intact and status.valid and status.trusted
            assert str(sig.sig_object["/Reason"]).startswith("Signed for ")
            assert status.signer_reported_dt is not None

    page = admin_client.post("/verify", data={"pdf": (io.BytesIO(data), "scg.pdf")},
                             content_type="multipart/form-data")
    assert page.status_code == 200
    # Genuine and complete, but honest about its self-signed trial certificates (see
    # test_verify_findings.py for every result the page gives).
    assert "Trial certificates – not trusted for publication" in page.text
    assert page.text.count('<dd class="govuk-summary-list__value">Intact</dd>') == 6
    assert "Statement of Common Ground" in page.text

    tampered = bytearray(data)
    spot = tampered.find(b"stream", 3000) + 100
    tampered[spot] ^= 0x01
    page = admin_client.post("/verify", data={"pdf": (io.BytesIO(bytes(tampered)), "x.pdf")},
                             content_type="multipart/form-data")
    assert page.status_code == 200 and "Altered" in page.text and "Genuine" not in page.text

    runner = app.test_cli_runner()
    good = runner.invoke(args=["verify-pdf", "-"], input=data)
    assert good.exit_code == 5 and "Trial certificates" in good.output     # 5: trial
    bad = runner.invoke(args=["verify-pdf", "-"], input=bytes(tampered))
    assert bad.exit_code == 1 and "Altered" in bad.output


def test_verify_page_is_public_and_refuses_bad_files(client, monkeypatch):
    assert client.get("/verify").status_code == 200
    not_pdf = client.post("/verify", data={"pdf": (io.BytesIO(b"hello"), "a.pdf")},
                          content_type="multipart/form-data")
    assert not_pdf.status_code == 422 and "not a PDF" in not_pdf.text
    empty = client.post("/verify", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    encrypted = client.post("/verify", data={"pdf": (io.BytesIO(buffer.getvalue()), "e.pdf")},
                            content_type="multipart/form-data")
    assert encrypted.status_code == 422 and "encrypted" in encrypted.text

    import workspace.export.verify as verify_module
    monkeypatch.setattr(verify_module, "MAX_VERIFY_BYTES", 10)
    big = client.post("/verify", data={"pdf": (io.BytesIO(b"%PDF-1.7 " + b"x" * 20), "b.pdf")},
                      content_type="multipart/form-data")
    assert big.status_code == 413 and "10 MB at most" in big.text


def test_an_unknown_pdf_is_not_recognised(client):
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    buffer = io.BytesIO()
    writer.write(buffer)
    page = client.post("/verify", data={"pdf": (io.BytesIO(buffer.getvalue()), "n.pdf")},
                       content_type="multipart/form-data")
    assert page.status_code == 200 and "Not a file made by this workspace" in page.text


def _p12(password=b"pw", days=365, not_before_days=-1):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Watford signing")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + timedelta(days=not_before_days))
            .not_valid_after(now + timedelta(days=days)).sign(key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(
        b"watford", key, cert, None, serialization.BestAvailableEncryption(password)), key


def _upload(client, data, password):
    return client.post("/organisation/certificates",
                       data={"p12": (io.BytesIO(data), "w.p12"), "password": password},
                       content_type="multipart/form-data")


def test_p12_upload_stores_the_key_encrypted_and_never_shows_it(app, watford_admin):
    data, key = _p12()
    response = _upload(watford_admin, data, "pw")
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(select(SigningKey))
        assert row.organisation.code == "watford" and row.source == "uploaded"
        plain = key.private_bytes(serialization.Encoding.DER,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
        assert plain not in row.encrypted_key
        assert keys.decrypt(row)[0].private_numbers() == key.private_numbers()
    page = watford_admin.get("/organisation/certificates")
    assert "Watford signing" in page.text and "PRIVATE KEY" not in page.text


@pytest.mark.parametrize("kind,message", [
    ("wrong-password", "password is wrong"), ("missing", "Choose a PKCS#12 file"),
    ("expired", "expired"), ("garbage", "not a PKCS#12 file")])
def test_bad_certificates_are_refused_and_nothing_is_stored(app, watford_admin, kind, message):
    data, _key = _p12(days=-1, not_before_days=-30) if kind == "expired" else _p12()
    payload = {"wrong-password": (data, "nope"), "missing": (b"", ""),
               "expired": (data, "pw"), "garbage": (b"not a certificate", "pw")}[kind]
    response = _upload(watford_admin, *payload)
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(SigningKey.id))) == 0


def test_only_the_organisations_own_admins_manage_its_certificate(app, member, admin_client):
    for client in (member, admin_client):   # a Member; the partnership admin
        assert client.get("/organisation/certificates").status_code == 403
        assert client.post("/organisation/certificates/trial").status_code == 403


def test_make_signing_cert_command_creates_a_trial_certificate(app, demo):
    result = app.test_cli_runner().invoke(args=["make-signing-cert", "watford"])
    assert result.exit_code == 0
    assert "Trial certificate for Watford Borough Council" in result.output
    missing = app.test_cli_runner().invoke(args=["make-signing-cert", "nowhere"])
    assert missing.exit_code != 0


# X.509 limits a common name to 64 bytes, not characters: a partner named in accented or
# non-Latin letters could not get a trial signing certificate (a 500).


def test_trial_certificate_for_a_name_in_non_latin_letters(app, client, world, login):
    name = "Σύνδεσμος Δήμων Νοτιοδυτικού Χέρτφορντσαϊρ — Cyngor Sir Ynys Môn"
    assert len(name) <= 64 < len(name.encode("utf-8"))
    with app.app_context():
        organisation = db.session.get(Organisation, world["orgs"]["watford"])
        organisation.name = name
        db.session.commit()
    login(client, world["users"]["admin"])        # Watford's organisation admin
    response = client.post("/organisation/certificates/trial")
    assert response.status_code == 303
    page = client.get("/organisation/certificates").text
    assert "Σύνδεσμος" in page

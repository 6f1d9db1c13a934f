"""The public "Verify a PDF" page: attempts limited per client address (Flask-Limiter) and the
work of one check bounded. No test waits for a window to pass: each sets a limit per hour and
starts from empty counts."""
import io
import os
import struct
import uuid
import zlib

import pytest

import workspace.export.verify as verify_module
from tests.conftest import TEST_SECRET, CsrfClient
from workspace import create_app
from workspace.extensions import db, limiter

NOT_A_PDF = b"hello"


def post_verify(client, data=NOT_A_PDF, address="192.0.2.10", **kwargs):
    environ = {"REMOTE_ADDR": address}
    return client.post("/verify", data={"pdf": (io.BytesIO(data), "a.pdf")},
                       content_type="multipart/form-data", environ_base=environ, **kwargs)


@pytest.fixture
def limited(app, monkeypatch):
    """The session app with a limit of 2 checks an hour, from empty counts."""
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "2 per hour")
    limiter.reset()
    yield app
    limiter.reset()


def test_verify_is_limited_per_client_address(limited):
    client = limited.test_client()
    assert [post_verify(client).status_code for _ in range(2)] == [422, 422]
    refused = post_verify(client)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert "Too many requests" in refused.text
    assert "You have checked too many PDFs from this address." in refused.text
    assert "Try again in" in refused.text
    # Opening the page is not counted; another address has its own count.
    assert client.get("/verify", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200
    assert post_verify(client, address="192.0.2.11").status_code == 422


def test_an_htmx_request_gets_the_message_and_retry_after(limited):
    client = limited.test_client()
    for _ in range(2):
        post_verify(client)
    refused = post_verify(client, headers={"HX-Request": "true"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["HX-Retarget"] == "#notifications"
    assert "too many PDFs" in refused.text


def test_an_empty_setting_turns_the_limit_off(app, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "")
    limiter.reset()
    client = app.test_client()
    assert {post_verify(client).status_code for _ in range(5)} == {422}


def _app_with(database_url, **config):
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                      "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "localhost",
                      "SESSION_COOKIE_SECURE": False, "VERIFY_RATE_LIMIT": "2 per hour",
                      **config})
    app.test_client_class = CsrfClient
    return app


@pytest.fixture
def own_app(app, database_url):
    """make(**config): another app on the same database. The Limiter is one object, so the
    session app's storage is restored afterwards."""
    made = []

    def make(fresh=True, **config):
        made.append(_app_with(database_url, **config))
        if fresh:
            limiter.reset()
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            limiter.reset()
            db.session.remove()
            db.engine.dispose()
    limiter.init_app(app)
    limiter.reset()


def test_the_limit_counts_the_address_the_trusted_proxy_names(own_app):
    proxied = own_app(TRUSTED_PROXIES=1)
    client = proxied.test_client()

    def via_proxy(client_address):
        return post_verify(client, address="10.0.0.1",
                           headers={"X-Forwarded-For": client_address})

    assert [via_proxy("203.0.113.5").status_code for _ in range(3)] == [422, 422, 429]
    assert via_proxy("203.0.113.6").status_code == 422   # same proxy, another client


def test_without_trusted_proxies_a_forwarded_address_is_ignored(limited):
    client = limited.test_client()
    statuses = [post_verify(client, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
                for n in range(3)]
    assert statuses == [422, 422, 429]


def test_storage_is_memory_by_default_and_redis_when_configured(monkeypatch, tmp_path):
    from flask import Flask

    from workspace.config import load_config
    for name in ("RATELIMIT_STORAGE_URI", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    bare = Flask(__name__, instance_path=str(tmp_path))
    load_config(bare)
    assert bare.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert bare.config["VERIFY_RATE_LIMIT"] == "5 per minute;30 per hour"
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    load_config(bare)
    assert bare.config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://limits:6379/1")
    load_config(bare)
    assert bare.config["RATELIMIT_STORAGE_URI"] == "redis://limits:6379/1"


#: Redis is tried only when the environment names a server (.ci/run always does, as it does
#: for PostgreSQL); without one the test below is not defined, rather than skipped.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()


def _counts_are_kept_in_redis_when_configured(own_app, url=REDIS_URL):
    import redis
    shared = own_app(RATELIMIT_STORAGE_URI=url)
    assert type(limiter.storage).__name__ == "RedisStorage"
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    client = shared.test_client()
    assert [post_verify(client, address=address).status_code for _ in range(3)] == \
        [422, 422, 429]
    keys = redis.Redis.from_url(url).keys(f"LIMITS:*{address}*")
    assert keys, "the counts should be in Redis"
    # A second app (another worker or machine) on the same Redis sees the same count.
    other = own_app(fresh=False, RATELIMIT_STORAGE_URI=url)
    assert post_verify(other.test_client(), address=address).status_code == 429


if REDIS_URL:
    test_counts_are_kept_in_redis_when_configured = _counts_are_kept_in_redis_when_configured


# Bounded work --------------------------------------------------------------------------------

def _xref_stream_bomb(entries):
    """A small PDF whose compressed cross-reference stream declares millions of objects."""
    out = bytearray(b"%PDF-1.7\n")
    first = len(out)
    out += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    second = len(out)
    out += b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    xref = len(out)
    rows = struct.pack(">BIH", 0, 0, 65535) + struct.pack(">BIH", 1, first, 0)
    rows += struct.pack(">BIH", 1, second, 0) + struct.pack(">BIH", 1, xref, 0)
    rows += struct.pack(">BIH", 1, second, 0) * (entries - 4)
    packed = zlib.compress(rows, 9)
    out += (b"3 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
            b"/Length %d >>\nstream\n" % (entries, len(packed)))
    out += packed + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_a_pdf_declaring_millions_of_objects_is_refused_unread(client):
    bomb = _xref_stream_bomb(3_000_000)     # 30 KB; it took 17 s of CPU before the bound
    assert len(bomb) < 100_000
    response = post_verify(client, bomb)
    assert response.status_code == 422
    assert "too complex to check" in response.text


def test_the_upload_cap_is_10_mb(ctx):
    assert verify_module.MAX_VERIFY_BYTES == 10 * 1024 * 1024
    big = b"%PDF-1.7\n" + b"0" * verify_module.MAX_VERIFY_BYTES
    with pytest.raises(verify_module.VerifyError) as refused:
        verify_module.verify_pdf(big)
    assert refused.value.status == 413
    assert "larger than 10 MB" in refused.value.message


def _signed_twice():
    """A tiny PDF with two signatures, made with a throwaway self-signed key."""
    import datetime

    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.writer import PdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

    from workspace.export.asyncrun import run

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Someone Else")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        cert_registry=None)
    buffer = io.BytesIO()
    writer = PdfFileWriter()
    writer.insert_page(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(n) for n in (0, 0, 595, 842)])}))
    writer.write(buffer)
    data = buffer.getvalue()

    def sign(data, field):
        output = io.BytesIO()
        pdf_signer = PdfSigner(PdfSignatureMetadata(field_name=field), signer=signer)
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        run(lambda: pdf_signer.async_sign_pdf(writer, output=output))
        return output.getvalue()

    return sign(sign(data, "S0"), "S1")


def test_signatures_past_the_cap_are_not_checked(client, monkeypatch):
    data = _signed_twice()
    checked = []
    original = verify_module.async_validate_pdf_signature

    def counting(*args, **kwargs):
        checked.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(verify_module, "async_validate_pdf_signature", counting)
    monkeypatch.setattr(verify_module, "MAX_SIGNATURES", 1)
    response = post_verify(client, data)
    assert response.status_code == 422
    assert "carries 2 signatures" in response.text
    assert checked == []
    monkeypatch.setattr(verify_module, "MAX_SIGNATURES", 2)
    assert post_verify(client, data).status_code == 200
    assert len(checked) == 2


def _small_pdf(objects, trailer=b"", catalog=b"<< /Type /Catalog /Pages 2 0 R >>"):
    """A one-page PDF with a correct cross-reference table: `objects` after the catalog,
    the pages and the page (numbered from 4); `trailer` added to the trailer."""
    body = [catalog, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>", *objects]
    out, offsets = b"%PDF-1.7\n", []
    for number, obj in enumerate(body, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R " % (len(body) + 1) + trailer
            + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out


@pytest.mark.parametrize("data, status, message", [
    # /Info that is not a dictionary (directly, or through a reference): read as a PDF that
    # states nothing, so not one this workspace made.
    (_small_pdf([], b"/Info 5"), 200, "Not a file made by this workspace"),
    (_small_pdf([], b"/Info [1 2]"), 200, "Not a file made by this workspace"),
    (_small_pdf([b"42"], b"/Info 4 0 R"), 200, "Not a file made by this workspace"),
    # A signature field whose value is a number, not a signature dictionary.
    (_small_pdf([b"<< /FT /Sig /T (s) /V 7 >>"],
                catalog=b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>"),
     422, "damaged"),
    # Arrays nested 50,000 deep (100 KB): the reader recurses past Python's limit.
    (_small_pdf([], b"/Info << /Keywords " + b"[" * 50_000 + b"]" * 50_000 + b" >>"),
     422, "too complex to check"),
    # /Encrypt that is a number, or names an unknown handler version; a catalog that is a
    # number (found by a review).
    (_small_pdf([], b"/Encrypt 5"), 422, "damaged"),
    (_small_pdf([], b"/Encrypt << /Filter /Standard /V 99 >>"), 422, "damaged"),
    (_small_pdf([], catalog=b"5"), 422, "damaged"),
], ids=["info-number", "info-array", "info-reference-to-number", "signature-value-number",
        "nested-arrays", "encrypt-number", "encrypt-unknown", "catalog-number"])
def test_a_malformed_pdf_gets_a_page_not_a_server_error(client, data, status, message):
    """Found by a hostile tester: each of these was a 500 on the public Verify page."""
    response = post_verify(client, data)
    assert response.status_code == status
    assert message in response.text

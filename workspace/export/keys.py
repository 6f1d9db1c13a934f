"""Authorities' signing certificates: upload a PKCS#12, or make a self-signed one for a trial.

Private keys are stored encrypted (PKCS#8 with the best available encryption) under a key
derived from SIGNING_KEY_SECRET (default: SECRET_KEY). No route ever returns a private key.
"""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import current_app
from sqlalchemy import select

from .. import audit
from ..accounts.models import Organisation, User
from ..clock import utcnow
from ..extensions import db
from .models import SigningKey

MAX_P12_BYTES = 1024 * 1024


class KeyRefused(Exception):
    """A certificate that cannot be used; the message is for the admin."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _wrapping_password():
    secret = current_app.config.get("SIGNING_KEY_SECRET") or current_app.config["SECRET_KEY"]
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"common-ground-signing-keys",
                info=b"private-key-encryption").derive(secret.encode("utf-8"))


def _naive_utc(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


def store_key(organisation: Organisation, private_key, certificate: x509.Certificate,
              source: str, user: User | None = None) -> SigningKey:
    """Encrypt and store a key pair; retire the organisation's previous key."""
    now = utcnow()
    if _naive_utc(certificate.not_valid_after_utc) <= now:
        raise KeyRefused("This certificate has expired: it cannot sign.")
    if _naive_utc(certificate.not_valid_before_utc) > now:
        raise KeyRefused("This certificate is not valid yet.")
    for old in active_keys(organisation):
        old.retired_at = now
    encrypted = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_wrapping_password()))
    der = certificate.public_bytes(serialization.Encoding.DER)
    row = SigningKey(
        organisation_id=organisation.id,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        encrypted_key=encrypted, subject=certificate.subject.rfc4514_string()[:300],
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        not_before=_naive_utc(certificate.not_valid_before_utc),
        not_after=_naive_utc(certificate.not_valid_after_utc), source=source, created_at=now)
    db.session.add(row)
    db.session.flush()
    audit.record("signing_key.added", row, actor=user, organisation=organisation.name,
                 source=source, subject=row.subject, fingerprint=row.fingerprint_sha256)
    return row


def load_p12(data: bytes, password: str | None) -> tuple:
    """(private key, certificate, chain) from PKCS#12 bytes, or KeyRefused saying why not."""
    if not data:
        raise KeyRefused("Choose a PKCS#12 file (.p12 or .pfx).")
    if len(data) > MAX_P12_BYTES:
        raise KeyRefused("That file is too large for a PKCS#12 certificate (1 MB at most).",
                        413)
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            data, password.encode("utf-8") if password else None)
    except ValueError:
        raise KeyRefused("The file could not be opened: it is not a PKCS#12 file, or the "
                        "password is wrong.") from None
    if key is None or cert is None:
        raise KeyRefused("The PKCS#12 file must hold a private key and its certificate.")
    if not isinstance(key, rsa.RSAPrivateKey) and not hasattr(key, "curve"):
        raise KeyRefused("Only RSA and elliptic-curve keys are supported.")
    return key, cert, chain


def upload_p12(organisation: Organisation, data: bytes, password: str | None,
               user: User) -> SigningKey:
    key, cert, _chain = load_p12(data, password)
    return store_key(organisation, key, cert, "uploaded", user)


def _cut(text, limit):
    """At most `limit` UTF-8 bytes of the text, cut between characters: X.509 limits names
    in bytes, so a name in accented or non-Latin letters is longer than it looks."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def make_self_signed(organisation: Organisation, years: int = 5,
                     user: User | None = None) -> SigningKey:
    """A trial certificate for the organisation, signed by itself."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    suffix = " (trial signing)"
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cut(organisation.name, 64)),
        x509.NameAttribute(NameOID.COMMON_NAME,
                           _cut(organisation.name, 64 - len(suffix)) + suffix),
    ])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return store_key(organisation, key, cert, "trial", user)


def active_keys(organisation: Organisation) -> list[SigningKey]:
    return db.session.scalars(select(SigningKey).where(
        SigningKey.organisation_id == organisation.id, SigningKey.retired_at.is_(None))).all()


def signing_key_for(organisation_id: int) -> SigningKey | None:
    """The newest usable key of an organisation, or None."""
    return db.session.scalar(
        select(SigningKey).where(SigningKey.organisation_id == organisation_id,
                                 SigningKey.retired_at.is_(None),
                                 SigningKey.not_after > utcnow())
        .order_by(SigningKey.id.desc()).limit(1))


def decrypt(row: SigningKey) -> tuple:
    """(private key, certificate) for signing: used inside the server only."""
    key = serialization.load_der_private_key(row.encrypted_key, _wrapping_password())
    cert = x509.load_pem_x509_certificate(row.certificate_pem.encode())
    return key, cert


def trusted_certificates() -> list[x509.Certificate]:
    """Every certificate this workspace has held, for validating signatures it made."""
    return [x509.load_pem_x509_certificate(pem.encode()) for pem in
            db.session.scalars(select(SigningKey.certificate_pem))]

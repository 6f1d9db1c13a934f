"""PAdES signatures with pyHanko, added to a stored PDF as incremental updates.

Each authority's signature is a new revision appended to the file, so the earlier ones stay
intact: a PDF signed by six authorities carries six signatures any validator lists. The
signing job (jobs.py) calls `sign_pdf` with no database transaction open.
"""
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..clock import display, utcnow
from .asyncrun import run
from .keys import decrypt

#: The visible stamp; `when` is the time the authority signed, in UK time (clock.display).
STAMP = TextStampStyle(
    stamp_text="Signed for %(organisation)s\nby %(name)s, %(position)s\n%(when)s",
    border_width=1)
STAMP_TIME = "%-d %B %Y %H:%M %Z"


def _asn1(key, cert):
    der_cert = cert.public_bytes(serialization.Encoding.DER)
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return asn1_keys.PrivateKeyInfo.load(der_key), asn1_x509.Certificate.load(der_cert)


def field_name(organisation):
    return f"Signature-{organisation.code}"


def sign_pdf(data, key_row, organisation, name, position, box=None, reason=None,
             signed_at=None):
    """Return `data` with one more PAdES signature, visible in `box` when given; its stamp
    shows `signed_at` (naive UTC, default now) in UK time."""
    key, cert = decrypt(key_row)
    asn1_key, asn1_cert = _asn1(key, cert)
    signer = signers.SimpleSigner(signing_cert=asn1_cert, signing_key=asn1_key,
                                  cert_registry=SimpleCertificateStore.from_certs([asn1_cert]))
    writer = IncrementalPdfFileWriter(BytesIO(data))
    sig_field = field_name(organisation)
    if box is not None:
        page, rect = box
        fields.append_signature_field(
            writer, fields.SigFieldSpec(sig_field_name=sig_field, on_page=page,
                                        box=tuple(rect)))
    meta = PdfSignatureMetadata(
        field_name=sig_field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or f"Signed for {organisation.name}", name=name,
        location="Common Ground")
    output = BytesIO()
    pdf_signer = PdfSigner(meta, signer=signer, stamp_style=STAMP)
    run(lambda: pdf_signer.async_sign_pdf(writer, output=output, appearance_text_params={
        "organisation": organisation.name, "name": name, "position": position,
        "when": display(signed_at or utcnow(), STAMP_TIME)}))
    return output.getvalue()

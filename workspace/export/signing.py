"""PAdES signatures with pyHanko, added to a stored PDF as incremental updates.

Each authority's signature is a new revision appended to the file, so the earlier ones stay
intact: a PDF signed by six authorities carries six signatures any validator lists.
"""
import json
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from sqlalchemy import select

from .. import audit
from ..clock import display, utcnow
from ..documents.models import Document
from ..extensions import db
from .asyncrun import run
from .keys import decrypt, signing_key_for
from .models import PdfExport, PdfFile
from .pdf import sha256_bytes

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


def add_signature(export, latest, signature, user=None):
    """Sign the export's latest file for the signature's authority, if it holds a key.

    Returns the new PdfFile, or None when the authority has no usable certificate (the
    signature then stands in the workspace's record, and a wet-ink signature can be added
    to the printed page).
    """
    organisation = signature.organisation
    key_row = signing_key_for(organisation.id)
    if key_row is None:
        return None
    box = json.loads(export.stamp_boxes or "{}").get(organisation.code)
    data = sign_pdf(latest.data, key_row, organisation, signature.signed_name,
                    signature.signed_position, box=box, signed_at=signature.signed_at)
    signed = PdfFile(export_id=export.id, signature_count=latest.signature_count + 1,
                     signed_for_id=organisation.id, data=data, file_sha256=sha256_bytes(data),
                     size=len(data), created_at=utcnow())
    db.session.add(signed)
    db.session.flush()
    audit.record("pdf.signed", signed, actor=user,
                 document=db.session.get(Document, export.document_id),
                 organisation=organisation.name, certificate=key_row.fingerprint_sha256,
                 file_sha256=signed.file_sha256)
    return signed


def exports_of_version(version_row):
    return db.session.scalars(select(PdfExport).where(
        PdfExport.version_id == version_row.id)).all()

"""PAdES signatures with pyHanko, added to a rendered PDF as incremental updates.

Each authority's signature is a new revision appended to the file, so the earlier ones stay
intact: a PDF signed by six authorities carries six signatures any validator lists, and a file
cut back to an earlier revision carries fewer. The signature field is invisible: who signed,
in what capacity and when is printed on the signature page of the tagged content itself
(templates/export/print.html), so signing adds no untagged widget and no font. Its rectangle is
zero-sized; in the accessible (PDF/UA) variant it is hidden, in the archive (PDF/A) variant it
is printable, as each standard asks of a widget outside the structure tree. The signing time
in the CMS signed attributes and in the signature dictionary (/M) is the time the Member
signed, not the time the job ran. The signing job (jobs.py) calls `sign_pdf` with no database
transaction open.
"""
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .asyncrun import run
from .keys import decrypt
from .printing import SIGNED_AT, signing_time

#: How the signing time is printed (UK time, clock.display), e.g. 2 July 2026 00:30 BST.
STAMP_TIME = SIGNED_AT
#: Invisible widgets: PDF/UA-1 wants a widget outside the structure tree hidden; PDF/A-3 wants
#: every widget printable (a zero-sized one needs no appearance).
INVISIBLE = {"ua": fields.InvisSigSettings(set_print_flag=False, set_hidden_flag=True),
             "archive": fields.InvisSigSettings(set_print_flag=True, set_hidden_flag=False)}


def _asn1(key, cert):
    der_cert = cert.public_bytes(serialization.Encoding.DER)
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return asn1_keys.PrivateKeyInfo.load(der_key), asn1_x509.Certificate.load(der_cert)


def field_name(organisation):
    return f"Signature-{organisation.code}"


class _Writer(IncrementalPdfFileWriter):
    """An incremental writer whose XMP Producer stays equal to the Info dictionary's.

    pyHanko appends itself to the Info /Producer ("WeasyPrint 70.0; pyHanko 0.38.0") but
    writes only itself in the XMP pdf:Producer; PDF/A wants the two to say the same.
    """

    def _update_meta(self):
        super()._update_meta()
        from pyhanko.pdf_utils.metadata import model, xmp_xml
        info = self._info.get_object() if self._info is not None else None
        try:
            metadata = self.root["/Metadata"]      # dereferenced (.get() would not)
        except KeyError:
            return
        if info is None or not isinstance(metadata, xmp_xml.MetadataStream) \
                or "/Producer" not in info:
            return
        fields = {k: v for root in metadata.xmp for k, v in root}
        fields[model.PDF_PRODUCER] = model.XmpValue(str(info["/Producer"]))
        metadata._xmp = [model.XmpStructure(fields)]
        metadata._reserialise()
        metadata._encoded_data = None
        self.update_container(metadata)


class _SignerAt(PdfSigner):
    """A PdfSigner whose signing time is given (pyHanko takes the clock's otherwise): it
    goes in the CMS signingTime attribute and the signature dictionary's /M."""

    def __init__(self, *args, at, **kwargs):
        super().__init__(*args, **kwargs)
        self.at = at

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self.at
        return session


def sign_pdf(data, key_row, organisation, name, position, *, signed_at, variant="ua",
             reason=None):
    """Return `data` with one more PAdES signature for `organisation` in an invisible field,
    made at `signed_at` (naive UTC: when the Member signed)."""
    key, cert = decrypt(key_row)
    asn1_key, asn1_cert = _asn1(key, cert)
    signer = signers.SimpleSigner(signing_cert=asn1_cert, signing_key=asn1_key,
                                  cert_registry=SimpleCertificateStore.from_certs([asn1_cert]))
    writer = _Writer(BytesIO(data))
    sig_field = field_name(organisation)
    fields.append_signature_field(writer, fields.SigFieldSpec(
        sig_field_name=sig_field, box=None, invis_sig_settings=INVISIBLE[variant],
        readable_field_name=f"Digital signature of {organisation.name}"))
    meta = PdfSignatureMetadata(
        field_name=sig_field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or f"Signed for {organisation.name}", name=name,
        location="Common Ground")
    output = BytesIO()
    pdf_signer = _SignerAt(meta, signer=signer, at=signing_time(signed_at))
    run(lambda: pdf_signer.async_sign_pdf(writer, output=output, existing_fields_only=True))
    return output.getvalue()

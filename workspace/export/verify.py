"""Verify a PDF, reading the file: is it a PDF that can be checked, which document, version and
content it states, which signatures it carries (intact? covering the rest of the file? made
with which certificate?). What that means against the workspace's record (draft, superseded,
incomplete, trial or untrusted certificates) is decided in verify_findings.py.

Nothing is stored: a check only reads the database."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.misc import PdfDecodeLimitError, PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from ..extensions import db
from ..numbers import whole_number
from .asyncrun import run
from .keys import trusted_certificates
from .models import PdfExport, PdfFile
from .pdf import sha256_bytes
from .verify_findings import NOT_GENUINE, Finding, assess

MiB = 1024 * 1024
#: Bounds on the work one check may do (a public page: anyone can upload). An export of this
#: workspace is well under 1 MB with one signature per signing authority; reading the file's
#: cross-reference table costs about 3.5 us an entry (1.7 s for a 10 MB file of nothing else),
#: each signature hashes the file once, and compressed cross-reference streams may unpack to
#: at most 1 MiB each and 8 MiB in all (a 30 KB file declaring 3 million objects cost 17 s of
#: CPU before). See "Verify a PDF" in the README.
MAX_VERIFY_BYTES = 10 * MiB
MAX_SIGNATURES = 30
DECODE_LIMITS = DecodeLimits(
    per_purpose={**DEFAULT_PURPOSE_LIMITS,
                 DecodePurpose.XREF_STREAM: StreamDecodeLimits(max_ratio=None,
                                                               max_output_size=MiB)},
    document_budget=DocumentDecodeBudget(base_allowance=8 * MiB, max_ratio=0))
TOO_COMPLEX = ("This PDF is too complex to check here: it holds far more structure than any "
               "export of this workspace.")
DAMAGED = "This PDF is damaged and cannot be read."
#: Where a PDF of this workspace states what it is: the document's keywords (print.html's
#: <meta name="keywords">, which WeasyPrint writes to the PDF's /Info /Keywords).
_KEYWORDS = re.compile(r"common-ground-(document|version|sha256):([0-9a-f]+)")


class VerifyError(Exception):
    """A file that cannot be checked at all; the message is for the person who uploaded it."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class SignatureReport:
    """One signature found in the file, as the file shows it."""
    field: str
    signer: str
    reason: str
    signed_at: object
    intact: bool
    valid: bool
    #: Made with a certificate this workspace holds or held.
    trusted: bool
    covers_rest: bool
    #: SHA-256 of the signing certificate (DER), as SigningKey.fingerprint_sha256.
    cert_sha256: str = ""
    certificate: object = None
    other_certs: list = field(default_factory=list)
    # Filled in by verify_findings.assess:
    key: object = None                  #: the SigningKey row that made it, if any
    organisation: object = None         #: the authority it was made for
    recorded: object = None             #: the version's Signature row it stands for
    certificate_status: str = ""        #: trusted | trial | untrusted | unchecked | unknown
    certificate_label: str = ""
    state: str = ""                     #: "Intact", or what is wrong, in words
    when: str = ""                      #: when it was signed (as recorded), in UK time

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


@dataclass
class Report:
    file_sha256: str
    claims: dict
    known_file: PdfFile | None = None
    export: PdfExport | None = None
    signatures: list = field(default_factory=list)
    altered: bool = False
    problems: list = field(default_factory=list)
    # Filled in by verify_findings.assess:
    document: object = None
    version_row: object = None
    findings: list = field(default_factory=list)
    #: Recorded signatures of authorities holding a signing key that the file should carry.
    expected: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    #: Recorded signatures of authorities without a signing key (in the record only).
    record_only: list = field(default_factory=list)

    @property
    def genuine(self) -> bool:
        """A file this workspace produced, unaltered (its signatures, if any, all intact and
        made with certificates it holds)."""
        if self.findings:
            return all(f.code != NOT_GENUINE for f in self.findings)
        if self.altered or self.export is None:
            return False
        return all(s.ok for s in self.signatures)

    @property
    def code(self) -> int:
        """The gravest finding's code: 0 only for a genuine, complete, current file whose
        certificates are all trusted."""
        codes = [f.code for f in self.findings if f.code]
        return min(codes) if codes else 0

    @property
    def tone(self) -> str:
        """How the result is coloured (a supplement to its words): ok, bad or warn."""
        return "ok" if self.code == 0 and self.findings else "bad" if self.code in (0, 1) \
            else "warn"

    @property
    def verdict(self) -> Finding | None:
        """The finding that heads the result: the gravest one, else the good verdict."""
        for finding in self.findings:
            if finding.code == self.code:
                return finding
        return None

    @property
    def document_id(self) -> int | None:
        # What a file claims is anyone's to write: a number a row could have, or none.
        return whole_number(self.claims.get("document"))

    @property
    def version(self) -> int | None:
        if self.version_row is not None:
            return self.version_row.number
        return whole_number(self.claims.get("version"))

    @property
    def fingerprint(self) -> str | None:
        return self.claims.get("sha256")


def file_claims(reader) -> dict:
    """What the file says it is: {"document", "version", "sha256"} (any may be missing).

    The one place that knows where an export states its content fingerprint: change it here
    if the print pipeline moves it."""
    info = reader.trailer_view.get("/Info")
    if hasattr(info, "get_object"):
        info = info.get_object()
    # A damaged or hostile file may give /Info as a number, a string or an array.
    keywords = str(info.get("/Keywords", "")) if isinstance(info, generic.DictionaryObject) \
        else ""
    return dict(_KEYWORDS.findall(keywords))


def _validation_context():
    roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
             for c in trusted_certificates()]
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def _refuse_unreadable(data: bytes | None) -> None:
    """VerifyError when the upload is missing, empty, too large or not a PDF at all."""
    if data is None:
        raise VerifyError("Choose a PDF file to check.")
    if not data:
        raise VerifyError("The file you chose is empty (0 bytes). Choose the PDF again.")
    if len(data) > MAX_VERIFY_BYTES:
        raise VerifyError(f"The file is larger than {MAX_VERIFY_BYTES // MiB} MB: it cannot be "
                          "an export of this workspace.", 413)
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        if data.startswith(b"PK\x03\x04"):
            raise VerifyError("This file is not a PDF: it is a Word document or another zip "
                              "file, perhaps renamed to end in .pdf. Choose the PDF itself.")
        raise VerifyError("This file is not a PDF. Choose a PDF file to check.")


#: What reading a damaged or hostile file's structure may raise (pyHanko assumes well-formed
#: objects: a signature's /V as a number gives AttributeError, a catalog that is not a
#: dictionary an AssertionError).
UNREADABLE = (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError,
              AssertionError)


def _open(data: bytes):
    """(reader, claims, embedded signatures) of the bytes, or VerifyError."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False, decode_limits=DECODE_LIMITS)
        encrypted = reader.encrypted             # reads /Encrypt, which may be malformed
    except (PdfDecodeLimitError, RecursionError):      # e.g. arrays nested 50,000 deep
        raise VerifyError(TOO_COMPLEX, 422) from None
    except UNREADABLE:
        raise VerifyError(DAMAGED, 422) from None
    if encrypted:
        raise VerifyError("This PDF is encrypted (it has a password or restrictions). Exports "
                          "of this workspace are never encrypted: it cannot be checked.", 422)
    try:
        claims = file_claims(reader)
        embedded = list(reader.embedded_signatures)
    except (PdfDecodeLimitError, RecursionError):
        raise VerifyError(TOO_COMPLEX, 422) from None
    except UNREADABLE:
        raise VerifyError(DAMAGED, 422) from None
    if len(embedded) > MAX_SIGNATURES:
        raise VerifyError(f"This PDF carries {len(embedded)} signatures: more than any export "
                          f"of this workspace ({MAX_SIGNATURES} at most). It was not checked.",
                          422)
    return reader, claims, embedded


def _check_signatures(report: Report, embedded: list) -> None:
    """Validate each signature: intact, valid, covering what follows it."""
    context = _validation_context() if embedded else None
    for index, sig in enumerate(embedded):
        try:
            # No diff analysis (it costs seconds a signature): the last signature must cover
            # the whole file, and every signature must be intact and made with a certificate
            # this workspace holds, so no one else can have added a revision in between.
            status = run(lambda sig=sig: async_validate_pdf_signature(sig, context,
                                                                      skip_diff=True))
        except (PdfDecodeLimitError, RecursionError):
            raise VerifyError(TOO_COMPLEX, 422) from None
        except UNREADABLE as exc:
            report.problems.append(f"Signature {sig.field_name} could not be read: {exc}")
            report.altered = True
            continue
        last = index == len(embedded) - 1
        covers_rest = status.coverage == SignatureCoverageLevel.ENTIRE_FILE if last else \
            status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION
        cert = status.signing_cert
        signer = cert.subject.human_friendly if cert else "?"
        item = SignatureReport(
            field=sig.field_name or "", signer=signer,
            reason=str(sig.sig_object.get("/Reason", "")),
            signed_at=status.signer_reported_dt, intact=status.intact, valid=status.valid,
            trusted=status.trusted, covers_rest=covers_rest,
            cert_sha256=hashlib.sha256(cert.dump()).hexdigest() if cert else "",
            certificate=cert, other_certs=list(sig.other_embedded_certs or []))
        report.signatures.append(item)
        if not item.intact or not item.valid or not covers_rest:
            report.altered = True


def verify_pdf(data: bytes | None) -> Report:
    """A Report on the PDF bytes (None: no file chosen); VerifyError when it is not a PDF
    that can be checked. Reads only: nothing uploaded is stored."""
    _refuse_unreadable(data)
    _reader, claims, embedded = _open(data)
    report = Report(file_sha256=sha256_bytes(data), claims=claims)
    report.known_file = db.session.scalar(select(PdfFile).where(
        PdfFile.file_sha256 == report.file_sha256).limit(1))
    _check_signatures(report, embedded)
    assess(report)
    return report

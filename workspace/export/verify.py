"""Verify a PDF: is it a genuine export of this workspace, of which document and version, are
its signatures intact and whose are they, and has anything been changed?"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
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
from .asyncrun import run
from .keys import trusted_certificates
from .models import PdfExport, PdfFile
from .pdf import sha256_bytes

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
_KEYWORDS = re.compile(r"common-ground-(document|version|sha256):([0-9a-f]+)")


class VerifyError(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class SignatureReport:
    field: str
    signer: str
    reason: str
    signed_at: object
    intact: bool
    valid: bool
    trusted: bool
    covers_rest: bool

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

    @property
    def genuine(self) -> bool:
        """A file this workspace produced, unaltered (its signatures, if any, all intact)."""
        if self.altered or self.export is None:
            return False
        return all(s.ok for s in self.signatures)

    @property
    def document_id(self) -> int | None:
        return int(self.claims["document"]) if "document" in self.claims else None

    @property
    def version(self) -> int | None:
        return int(self.claims["version"]) if "version" in self.claims else None

    @property
    def fingerprint(self) -> str | None:
        return self.claims.get("sha256")


def _claims(reader):
    info = reader.trailer_view.get("/Info")
    if hasattr(info, "get_object"):
        info = info.get_object()
    keywords = str(info.get("/Keywords", "")) if info is not None else ""
    return dict(_KEYWORDS.findall(keywords))


def _validation_context():
    roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
             for c in trusted_certificates()]
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def verify_pdf(data: bytes) -> Report:
    """A Report on the PDF bytes; VerifyError when it is not a PDF that can be checked."""
    if not data:
        raise VerifyError("Choose a PDF file to check.")
    if len(data) > MAX_VERIFY_BYTES:
        raise VerifyError(f"The file is larger than {MAX_VERIFY_BYTES // MiB} MB: it cannot be "
                          "an export of this workspace.", 413)
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise VerifyError("This file is not a PDF.", 422)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False, decode_limits=DECODE_LIMITS)
    except PdfDecodeLimitError:
        raise VerifyError(TOO_COMPLEX, 422) from None
    except (PdfError, ValueError, KeyError, IndexError, TypeError):
        raise VerifyError("This PDF is damaged and cannot be read.", 422) from None
    if reader.encrypted:
        raise VerifyError("This PDF is encrypted. Exports of this workspace are never "
                          "encrypted: it cannot be checked.", 422)
    try:
        claims = _claims(reader)
        embedded = list(reader.embedded_signatures)
    except PdfDecodeLimitError:
        raise VerifyError(TOO_COMPLEX, 422) from None
    except (PdfError, ValueError, KeyError, IndexError, TypeError):
        raise VerifyError("This PDF is damaged and cannot be read.", 422) from None

    if len(embedded) > MAX_SIGNATURES:
        raise VerifyError(f"This PDF carries {len(embedded)} signatures: more than any export "
                          f"of this workspace ({MAX_SIGNATURES} at most). It was not checked.",
                          422)

    report = Report(file_sha256=sha256_bytes(data), claims=claims)
    report.known_file = db.session.scalar(select(PdfFile).where(
        PdfFile.file_sha256 == report.file_sha256).limit(1))
    if report.fingerprint:
        report.export = db.session.scalar(select(PdfExport).where(
            PdfExport.content_sha256 == report.fingerprint,
            PdfExport.document_id == (report.document_id or 0)).limit(1))
    if report.known_file is not None:
        report.export = report.known_file.export

    context = _validation_context() if embedded else None
    for index, sig in enumerate(embedded):
        try:
            # No diff analysis (it costs seconds a signature): the last signature must cover
            # the whole file, and every signature must be intact and made with a certificate
            # this workspace holds, so no one else can have added a revision in between.
            status = run(lambda sig=sig: async_validate_pdf_signature(sig, context,
                                                                      skip_diff=True))
        except PdfDecodeLimitError:
            raise VerifyError(TOO_COMPLEX, 422) from None
        except (PdfError, ValueError, KeyError, TypeError) as exc:
            report.problems.append(f"Signature {sig.field_name} could not be read: {exc}")
            report.altered = True
            continue
        last = index == len(embedded) - 1
        covers_rest = status.coverage == SignatureCoverageLevel.ENTIRE_FILE if last else \
            status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION
        signer = status.signing_cert.subject.human_friendly if status.signing_cert else "?"
        reason = str(sig.sig_object.get("/Reason", ""))
        item = SignatureReport(field=sig.field_name or "", signer=signer, reason=reason,
                               signed_at=status.signer_reported_dt, intact=status.intact,
                               valid=status.valid, trusted=status.trusted,
                               covers_rest=covers_rest)
        report.signatures.append(item)
        if not item.intact or not item.valid or not covers_rest:
            report.altered = True
    if not embedded and report.export is not None and report.known_file is None:
        report.altered = True   # claims to be an export, but is not a file we produced
    if embedded and report.export is not None and report.known_file is None:
        # Every signature intact and covering the file: genuine even if we never stored this
        # exact file (e.g. signed outside); otherwise it was altered after signing.
        report.altered = report.altered or not all(s.covers_rest for s in report.signatures)
    return report

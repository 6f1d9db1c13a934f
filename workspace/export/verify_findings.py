"""What a checked PDF is, against the workspace's record, in words: which export and version it
is; whether it is genuine; a draft; a version withdrawn or superseded by a newer published one;
incomplete (cut back to an earlier revision, or missing a signature the version received);
signed with trial or untrusted certificates; or genuine, complete, current and trusted.

Each finding carries a code, the exit status of `flask verify-pdf` (the gravest one wins):

    0  genuine, complete and current, every certificate trusted
    1  not genuine: not made by this workspace, not recognised, or altered
    2  incomplete: carries fewer signatures than the version received
    3  superseded by a newer published version, or withdrawn (sent back to draft)
    4  a draft: not agreed, carries no signatures
    5  a trial certificate, or one that does not chain to the trust list
    6  certificates not checked: no trust list configured (SIGNING_TRUST_ROOTS)
    7  agreed but not published yet
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select

from .. import clock
from ..documents.models import Document
from ..extensions import db
from ..review.models import DocumentVersion, Signature
from .asyncrun import run
from .models import PdfExport, SigningKey

GENUINE, NOT_GENUINE, INCOMPLETE, SUPERSEDED, DRAFT, UNTRUSTED, UNCHECKED, UNPUBLISHED = \
    range(8)
#: A signature's time as a person reads it, in UK time.
WHEN = "%-d %B %Y at %H:%M %Z"
log = logging.getLogger(__name__)


@dataclass
class Finding:
    """One thing the check found, stated in words; `code` as listed above."""
    code: int
    title: str
    detail: str = ""


def _names(items) -> str:
    items = list(items)
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def _date(value) -> str:
    return clock.display(value, clock.DATE)


# Which export, document and version -----------------------------------------------------------

def _identify(report) -> None:
    """The export and version the file is: the stored file with the same bytes, else the
    export whose content fingerprint the file states (a file cut back to an earlier revision
    is no stored file, but states its fingerprint)."""
    if report.known_file is not None:
        report.export = report.known_file.export
    elif report.fingerprint and report.document_id:
        candidates = db.session.scalars(select(PdfExport).where(
            PdfExport.document_id == report.document_id,
            PdfExport.content_sha256 == report.fingerprint)).all()
        signed = bool(report.signatures)
        # A signed file is a version's; the export still in use before a retired one.
        candidates.sort(key=lambda e: ((e.version_id is not None) != signed,
                                       e.retired_at is not None, -e.id))
        report.export = candidates[0] if candidates else None
    if report.export is not None:
        report.document = db.session.get(Document, report.export.document_id)
        if report.export.version_id is not None:
            report.version_row = db.session.get(DocumentVersion, report.export.version_id)
    elif report.fingerprint and report.document_id and report.signatures:
        report.version_row = db.session.scalar(select(DocumentVersion).where(
            DocumentVersion.document_id == report.document_id,
            DocumentVersion.content_sha256 == report.fingerprint))
        if report.version_row is not None:
            report.document = db.session.get(Document, report.document_id)


def _withdrawn(report) -> bool:
    """The file's version was sent back to draft: its exports retired, its signatures void
    (and version N perhaps frozen again with other content)."""
    row, export = report.version_row, report.export
    if export is not None and export.retired_at is not None:
        return True
    return row.content_sha256 != (export.content_sha256 if export else report.fingerprint)


def _held_key(organisation_id: int, at) -> bool:
    """Whether the authority held a usable signing key at `at` (naive UTC; None: now)."""
    at = at or clock.utcnow()
    return db.session.scalar(select(SigningKey.id).where(
        SigningKey.organisation_id == organisation_id, SigningKey.created_at <= at,
        or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > at),
        SigningKey.not_after > at).limit(1)) is not None


def _match_signatures(report, withdrawn: bool) -> None:
    """Each signature in the file: the key that made it, its authority, the recorded
    signature it stands for; and the version's recorded signatures the file should carry."""
    fingerprints = [s.cert_sha256 for s in report.signatures if s.cert_sha256]
    keys = {k.fingerprint_sha256: k for k in db.session.scalars(select(SigningKey).where(
        SigningKey.fingerprint_sha256.in_(fingerprints)))} if fingerprints else {}
    recorded = []
    if report.version_row is not None:
        stmt = select(Signature).where(Signature.version_id == report.version_row.id)
        if not withdrawn:
            stmt = stmt.where(Signature.voided_at.is_(None))
        recorded = sorted(db.session.scalars(stmt),
                          key=lambda s: (s.voided_at is None, s.signed_at, s.id))
    by_organisation = {s.organisation_id: s for s in recorded}
    for sig in report.signatures:
        sig.key = keys.get(sig.cert_sha256)
        if sig.key is not None:
            sig.organisation = sig.key.organisation
            sig.recorded = by_organisation.get(sig.key.organisation_id)
        when = sig.recorded.signed_at if sig.recorded is not None else sig.signed_at
        sig.when = clock.display(when, WHEN) if when else "Unknown"
        sig.state = "Intact" if sig.intact and sig.valid and sig.covers_rest else \
            "Broken: the content changed after it was signed" if not (sig.intact and sig.valid) \
            else "Intact, but the file was changed after it"
    if withdrawn or report.version_row is None:
        return
    in_file = {s.key.organisation_id for s in report.signatures if s.key is not None}
    published = report.version_row.published_at
    for signature in sorted(recorded, key=lambda s: s.organisation.name):
        if signature.organisation_id in in_file or _held_key(signature.organisation_id,
                                                             published):
            report.expected.append(signature)
        else:
            report.record_only.append(signature)
    report.missing = [s for s in report.expected if s.organisation_id not in in_file]


# Certificates -------------------------------------------------------------------------------

def trust_roots():
    """The certificates of the configured trust list (SIGNING_TRUST_ROOTS, a PEM bundle), as
    asn1crypto certificates; None when no trust list is configured or it cannot be read."""
    path = (current_app.config.get("SIGNING_TRUST_ROOTS") or "").strip()
    if not path:
        return None
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    try:
        data = Path(path).read_bytes()
        roots = [asn1_x509.Certificate.load(der) for _kind, _headers, der in
                 pem.unarmor(data, multiple=True)]
    except (OSError, ValueError) as exc:
        log.error("SIGNING_TRUST_ROOTS %s cannot be read: %s", path, exc)
        return None
    return roots or None


def _chains_to(sig, roots):
    """The trust root the signing certificate chains to (at the time it signed), or None."""
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
    context = ValidationContext(trust_roots=roots, other_certs=sig.other_certs,
                                allow_fetching=False, moment=sig.signed_at or None,
                                revocation_mode="soft-fail")
    validator = CertificateValidator(sig.certificate, validation_context=context)
    try:
        path = run(validator.async_validate_path)
    except (PathBuildingError, PathValidationError, ValueError):
        return None
    return path.trust_anchor


def _anchor_name(anchor) -> str:
    """The common name (else the whole name) of a trust anchor."""
    name = getattr(getattr(anchor, "authority", None), "name", None)
    if name is None:
        return "a root"
    return name.native.get("common_name") or name.human_friendly


def _check_certificates(report) -> None:
    """Each signature's certificate: trial, trusted (chains to the trust list), untrusted, or
    not checked (no trust list)."""
    roots = None
    configured = bool((current_app.config.get("SIGNING_TRUST_ROOTS") or "").strip())
    for sig in report.signatures:
        if sig.key is None:
            sig.certificate_status = "unknown"
            sig.certificate_label = "Not a certificate this workspace holds"
        elif sig.key.source == "trial":
            sig.certificate_status = "trial"
            sig.certificate_label = "Trial certificate – not trusted for publication"
        else:
            roots = roots if roots is not None else (trust_roots() or [])
            anchor = _chains_to(sig, roots) if roots else None
            if anchor is not None:
                sig.certificate_status = "trusted"
                sig.certificate_label = f"Trusted: chains to {_anchor_name(anchor)} in the " \
                    "trust list"
            elif roots:
                sig.certificate_status = "untrusted"
                sig.certificate_label = ("Not trusted: it does not chain to a root in the "
                                         "trust list")
            else:
                sig.certificate_status = "unchecked"
                sig.certificate_label = ("Not checked against a trust list: the configured "
                                         "trust list cannot be read" if configured else
                                         "Not checked against a trust list (none is "
                                         "configured)")


def _who(sig) -> str:
    return sig.organisation.name if sig.organisation is not None else sig.signer


def _certificate_findings(report) -> list[Finding]:
    found = []
    trial = [_who(s) for s in report.signatures if s.certificate_status == "trial"]
    if trial:
        found.append(Finding(
            UNTRUSTED, f"Trial certificate{'s' if len(trial) > 1 else ''} – not trusted for "
            "publication",
            f"Signed with self-signed trial certificates: {_names(trial)}. A trial certificate "
            "shows that the file has not changed since it was signed, but no certificate "
            "authority vouches for who signed it."))
    untrusted = [_who(s) for s in report.signatures if s.certificate_status == "untrusted"]
    if untrusted:
        found.append(Finding(
            UNTRUSTED, "Certificate not trusted",
            f"The certificates of {_names(untrusted)} do not chain to a root in this "
            "workspace's trust list."))
    unchecked = [_who(s) for s in report.signatures if s.certificate_status == "unchecked"]
    if unchecked:
        found.append(Finding(
            UNCHECKED, "Certificates not checked against a trust list",
            f"The certificates of {_names(unchecked)} were uploaded by the authorities. This "
            "workspace has no trust list to check them against, so it cannot say whether a "
            "certificate authority vouches for them."))
    return found


# Findings -----------------------------------------------------------------------------------

def _what(report) -> str:
    """e.g. "version 1 of Statement of Common Ground" as the file states it."""
    version = f"version {report.claims['version']}" if "version" in report.claims else \
        "a version"
    return f"{version} of document {report.claims.get('document', '?')}"


def _unknown_draft(report) -> str:
    """What to add when an unsigned file the workspace does not hold may be an old draft
    rendering: drafts' PDFs are pruned (workspace/retention.py), a version's never are, so
    such a file is either altered or a draft's (a draft names the version it would become)."""
    if report.signatures or (report.export is not None and report.export.version_id):
        return ""
    days = current_app.config.get("PRUNE_DRAFT_PDFS_AFTER_DAYS") or 0
    kept = f"kept for {days} days" if days else "kept"
    return (f" If it is a draft's PDF: a draft's PDFs are {kept} (the newest of each document "
            "stays), so a genuine older draft is not recognised either. Download the draft "
            "again for a copy this page recognises; only a version's PDF is a record of "
            "agreement.")


def _not_genuine(report) -> list[Finding]:
    """What makes the file no genuine export of this workspace, if anything."""
    if report.export is None and report.version_row is None:
        if not report.claims:
            return [Finding(NOT_GENUINE, "Not a file made by this workspace",
                            "It carries none of the marks every PDF from this workspace "
                            "carries, and it is not a file the workspace handed out. That is "
                            "not an error: it may be a genuine document from elsewhere, but "
                            "this page cannot vouch for it.")]
        return [Finding(NOT_GENUINE, "Not recognised",
                        f"It says it is {_what(report)}, with content fingerprint "
                        f"{(report.fingerprint or 'none')[:16]}…, but this workspace holds no "
                        "such export. It may come from another installation, or it was "
                        "altered." + _unknown_draft(report))]
    found = []
    for sig in report.signatures:
        if not (sig.intact and sig.valid):
            found.append(Finding(NOT_GENUINE, "Altered",
                                 f"The signature of {_who(sig)} no longer matches the file: "
                                 "its content was changed after it was signed."))
    for problem in report.problems:
        found.append(Finding(NOT_GENUINE, "Altered", problem))
    if any(s.intact and s.valid and not s.covers_rest for s in report.signatures):
        found.append(Finding(NOT_GENUINE, "Altered",
                             "Something was added to the file after its last signature: what "
                             "it shows may not be what was signed."))
    for sig in report.signatures:
        if sig.key is None:
            found.append(Finding(NOT_GENUINE, "Signed with a certificate this workspace does "
                                 "not hold", f"The signature of {sig.signer} was not made "
                                 "by this workspace."))
        elif sig.recorded is None:
            found.append(Finding(NOT_GENUINE, "Carries a signature the version never received",
                                 f"{_who(sig)} has no signature recorded on this version."))
    if not report.signatures and report.known_file is None and _unknown_draft(report):
        found.append(Finding(NOT_GENUINE, "Not recognised",
                             f"It says it is {_what(report)}, a draft's rendering, but this "
                             "workspace does not hold this file: it was altered, or it is an "
                             "older draft rendering."
                             + _unknown_draft(report)))
    elif not report.signatures and report.known_file is None:
        found.append(Finding(NOT_GENUINE, "Altered",
                             f"It says it is {_what(report)}, but it is not a file this "
                             "workspace produced, and it carries no signature that could show "
                             "its content unchanged."))
    return found


def _latest_published(document_id: int, after: int = 0):
    return db.session.scalar(select(DocumentVersion).where(
        DocumentVersion.document_id == document_id, DocumentVersion.number > after,
        DocumentVersion.published_at.is_not(None))
        .order_by(DocumentVersion.number.desc()).limit(1))


def _draft_findings(report) -> list[Finding]:
    current = _latest_published(report.document.id)
    then = f" It was printed on {_date(report.export.created_at)}." if report.export else ""
    now = (f" The current published version is version {current.number}, published on "
           f"{_date(current.published_at)}." if current is not None else "")
    return [Finding(DRAFT, "Draft – not agreed, carries no signatures",
                    f"This is a draft of {report.document.title}: the partners have not "
                    "agreed it, no authority has signed it, and its text may have changed "
                    f"since.{then}{now}")]


def _version_findings(report, withdrawn: bool) -> list[Finding]:
    row = report.version_row
    if withdrawn:
        void = [s.voided_at for s in db.session.scalars(select(Signature).where(
            Signature.version_id == row.id, Signature.voided_at.is_not(None)))]
        when = max(void) if void else (report.export.retired_at if report.export else None)
        return [Finding(SUPERSEDED, f"Withdrawn: version {row.number} was sent back to draft",
                        f"It went back to draft{' on ' + _date(when) if when else ''}: the "
                        "signatures on this file no longer count.")]
    found = []
    newer = _latest_published(row.document_id, row.number)
    if newer is not None:
        found.append(Finding(
            SUPERSEDED, f"Superseded by version {newer.number}, published on "
            f"{_date(newer.published_at)}",
            f"Version {row.number} is no longer the current version: use version "
            f"{newer.number} from the public register."))
    if report.missing:
        carried = len(report.expected) - len(report.missing)
        found.append(Finding(
            INCOMPLETE, f"Incomplete: carries {carried} of the {len(report.expected)} "
            "signatures this version received; missing: "
            f"{', '.join(s.organisation.name for s in report.missing)}",
            "The file was cut back to an earlier revision, or was handed out before the last "
            "signatures were added. Download the version again."))
    if row.published_at is None:
        found.append(Finding(
            UNPUBLISHED, "Agreed, not published yet",
            f"Version {row.number} was agreed on {_date(row.frozen_at)} and has not been "
            "published: it may still be waiting for signatures."))
    return found


def _good(report) -> Finding:
    row, document = report.version_row, report.document
    count = len(report.signatures)
    signed = (f"all {count} signature{'s' if count != 1 else ''} it received, each intact and "
              "made with a trusted certificate" if count else "no digital signatures (none "
              "of its authorities held a signing certificate)")
    return Finding(GENUINE, "Genuine, complete and current",
                   f"This is version {row.number} of {document.title} "
                   f"({document.partnership.name}), published on {_date(row.published_at)}, "
                   f"with {signed}.")


def assess(report) -> None:
    """Fill in the report's export, document, version, matched signatures and findings."""
    _identify(report)
    withdrawn = report.version_row is not None and _withdrawn(report)
    _match_signatures(report, withdrawn)
    report.findings = _not_genuine(report)
    if report.findings:
        return
    if report.version_row is None:
        report.findings = _draft_findings(report)
        return
    _check_certificates(report)
    report.findings = _version_findings(report, withdrawn) + _certificate_findings(report)
    if not report.findings:
        report.findings = [_good(report)]


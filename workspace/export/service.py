"""Rules for exports: what a PDF contains, rendering it once, serving the stored file.

Export listens to review's signals (`register`): a signature adds the authority's digital
signature to the version's PDF, a return to Draft retires the version's files.
"""
from __future__ import annotations

import json
import re
from datetime import date

from flask import Flask, abort
from sqlalchemy import select, update

from .. import clock, signals
from ..accounts.models import User
from ..clock import utcnow
from ..documents.models import Document
from ..extensions import db
from ..review import signing, versions
from ..review.models import STATUSES, DocumentVersion
from ..review.scope import signatories
from .keys import signing_key_for
from .models import PdfExport, PdfFile
from .pdf import render_html, render_pdf, sha256_bytes


class ExportError(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _version_is_agreed(document, row):
    """A frozen version counts as agreed unless it is the current one sent back to draft."""
    if row.number < document.version_number:
        return True
    return document.has_frozen_version


def export_source(document: Document,
                  number: int | None = None) -> tuple[dict, str, DocumentVersion | None, bool]:
    """(content dict, fingerprint, version row or None, agreed?) for a version or the draft."""
    if number is None:
        row = versions.current_version(document)
        if row is None:
            text, sha = versions.canonical_content(document)
            return json.loads(text), sha, None, False
    else:
        row = versions.version(document, number)
        if row is None:
            abort(404, description=f"There is no version {number} of this document.")
    return versions.version_content(row), row.content_sha256, row, \
        _version_is_agreed(document, row)


def signature_blocks(document: Document, row: DocumentVersion | None) -> list[dict]:
    """One block per signatory authority: who signed, or blank for a wet-ink signature."""
    signed = {s.organisation_id: s for s in signing.signatures(row)} if row else {}
    blocks = []
    for signatory in signatories(document):
        sig = signed.get(signatory.organisation_id)
        blocks.append({
            "organisation": signatory.organisation.name, "code": signatory.organisation.code,
            "signed": sig is not None, "digital": False,
            "name": sig.signed_name if sig else "", "position": sig.signed_position if sig
            else "", "date": clock.display(sig.signed_at, clock.DATE) if sig else ""})
    return blocks


def print_context(document: Document, content: dict, fingerprint: str,
                  row: DocumentVersion | None, agreed: bool) -> dict:
    partnership = document.partnership
    parties = [s.organisation.name for s in signatories(document)] or \
        [o.name for o in partnership.organisations]
    when = (row.published_at or row.frozen_at) if row else utcnow()
    if row is None:
        status = STATUSES.get(document.status, document.status)
    elif row.number < document.version_number:
        status = "Published"
    else:
        status = STATUSES.get(document.status, document.status)
    return {"document": document, "partnership": partnership, "content": content,
            "fingerprint": fingerprint, "draft": not agreed, "status_label": status,
            "date": clock.display(when, clock.DATE), "parties": parties,
            "signature_blocks": [dict(b, signed=False) for b in signature_blocks(document, row)]
            if agreed else signature_blocks(document, row)}


def stored_export(document: Document, fingerprint: str, variant: str) -> PdfExport | None:
    return db.session.scalar(select(PdfExport).where(
        PdfExport.document_id == document.id, PdfExport.content_sha256 == fingerprint,
        PdfExport.variant == variant, PdfExport.retired_at.is_(None)))


def latest_file(export: PdfExport) -> PdfFile | None:
    return db.session.scalar(select(PdfFile).where(PdfFile.export_id == export.id)
                             .order_by(PdfFile.signature_count.desc()).limit(1))


def get_pdf(document: Document, number: int | None = None,
            variant: str = "ua") -> tuple[PdfFile, DocumentVersion | None]:
    """The stored PDF file for a version (or the draft), rendering it the first time only."""
    content, fingerprint, row, agreed = export_source(document, number)
    export = stored_export(document, fingerprint, variant)
    if export is not None:
        latest = latest_file(export)
        if row is not None and agreed:
            latest = sync_signatures(document, row, export, latest)
        return latest, row
    html = render_html(print_context(document, content, fingerprint, row, agreed))
    data, boxes, pages = render_pdf(html, variant)
    export = PdfExport(document_id=document.id, version_id=getattr(row, "id", None),
                       content_sha256=fingerprint, variant=variant, created_at=utcnow(),
                       stamp_boxes=json.dumps(boxes), page_count=pages)
    db.session.add(export)
    db.session.flush()
    stored = PdfFile(export_id=export.id, signature_count=0, data=data,
                     file_sha256=sha256_bytes(data), size=len(data), created_at=utcnow())
    db.session.add(stored)
    db.session.flush()
    if row is not None and agreed:
        stored = sync_signatures(document, row, export, stored)
    return stored, row


def sync_signatures(document: Document, row: DocumentVersion, export: PdfExport,
                    latest: PdfFile, user: User | None = None) -> PdfFile:
    """Add to the file every authority's signature recorded since it was last signed."""
    from .signing import add_signature  # pyHanko: imported when first needed (start-up time)
    signed_in_file = set(db.session.scalars(
        select(PdfFile.signed_for_id).where(PdfFile.export_id == export.id,
                                            PdfFile.signed_for_id.is_not(None))))
    for signature in sorted(signing.signatures(row), key=lambda s: s.signed_at):
        if signature.organisation_id in signed_in_file:
            continue
        newer = add_signature(export, latest, signature, user)
        if newer is not None:
            latest = newer
            signed_in_file.add(signature.organisation_id)
    return latest


def on_signed(document: Document, user: User | None = None, **_) -> None:
    """After an authority signs (`document_signed`): the version's PDF gains its digital
    signature now.

    Without a certificate there is nothing to add to the file yet; the signature stands in
    the workspace's record and the PDF is rendered when first downloaded.
    """
    row = versions.current_version(document)
    if row is not None and user is not None and signing_key_for(user.organisation_id):
        get_pdf(document, row.number, "ua")


def on_signatures_voided(document: Document, **_) -> None:
    """After a return to draft (`signatures_voided`): retire the version's files; a new
    agreement starts afresh."""
    db.session.execute(update(PdfExport).where(
        PdfExport.document_id == document.id, PdfExport.retired_at.is_(None),
        PdfExport.version_id.is_not(None)).values(retired_at=utcnow()))


def register(app: Flask) -> None:
    """Listen to review's signals (called at app creation)."""
    signals.document_signed.connect(on_signed)
    signals.signatures_voided.connect(on_signatures_voided)


def file_name(document: Document, number: int, on: date | None = None) -> str:
    """e.g. SW-Herts-Statement-of-Common-Ground-v2-2026-11-22.pdf"""
    def slug(text):
        return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    on = on or clock.today()
    return f"{slug(document.partnership.short_name)}-{slug(document.title)}-v{number}-" \
           f"{on.isoformat()}.pdf"

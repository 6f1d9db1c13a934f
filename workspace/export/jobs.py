"""The export's background jobs: render a PDF, add the recorded signatures to a version's PDFs.

Both follow one pattern so that slow work never holds the database's write lock (on SQLite a
save waiting for it gives up after the busy timeout): read what is needed, end the read
transaction, render or sign with no transaction open, then write the result in one short
transaction (begun IMMEDIATE on SQLite) that re-checks what it read. The runner commits that
with the job's "done", so a job killed part-way has written nothing, and running a job again
adds nothing that is already there (idempotent). The unique (export, signature count) of
pdf_files is the backstop should two writers ever race.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from .. import audit
from ..accounts.models import User
from ..clock import utcnow
from ..db import immediate_writes
from ..documents.models import Document
from ..extensions import db
from ..jobs import JobFailed, job
from ..review.models import DocumentVersion
from . import service
from .keys import signing_key_for
from .models import PdfExport, PdfFile


def _end_reading() -> None:
    """End the read transaction (and its snapshot) before slow work."""
    db.session.rollback()


@job(service.RENDER, retries=3)
def render_pdf(document_id: int, fingerprint: str, variant: str, number: int | None = None,
               ) -> None:
    """Render and store a draft's or a version's PDF (signature count 0), once per content."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise JobFailed("The document no longer exists.")
    try:
        html, current, row, agreed = service.print_html(document, number)
    except HTTPException as exc:
        raise JobFailed(exc.description or "There is no such version.") from None
    version_id = row.id if row else None
    if service.stored_export(document, current, variant) is not None:
        return                                     # rendered already (a run before this one)
    _end_reading()
    data, boxes, pages, file_sha = service.render_file(html, variant)
    with immediate_writes():
        if _stored_export_id(document_id, current, variant) is not None:
            return
        now = utcnow()
        export = PdfExport(document_id=document_id, version_id=version_id,
                           content_sha256=current, variant=variant, created_at=now,
                           stamp_boxes=json.dumps(boxes), page_count=pages)
        db.session.add(export)
        db.session.flush()
        db.session.add(PdfFile(export_id=export.id, signature_count=0, data=data,
                               file_sha256=file_sha, size=len(data), created_at=now))
        db.session.flush()
    if version_id is not None and agreed:
        document = db.session.get(Document, document_id)
        row = db.session.get(DocumentVersion, version_id)
        if any(signing_key_for(s.organisation_id) for s in service.signing.signatures(row)):
            service.ask_signing(document, row)


def _stored_export_id(document_id, fingerprint, variant):
    return db.session.scalar(select(PdfExport.id).where(
        PdfExport.document_id == document_id, PdfExport.content_sha256 == fingerprint,
        PdfExport.variant == variant, PdfExport.retired_at.is_(None)))


@dataclass
class _Step:
    """One signature to add, as plain values read before signing."""
    organisation: SimpleNamespace
    key: SimpleNamespace
    name: str
    position: str
    signed_at: datetime
    user_id: int | None


@dataclass
class _Plan:
    """One export's latest file and the signatures it lacks."""
    export_id: int
    boxes: dict
    data: bytes
    count: int
    steps: list = field(default_factory=list)


def _plans(row: DocumentVersion) -> list[_Plan]:
    plans = []
    for export in db.session.scalars(select(PdfExport).where(
            PdfExport.version_id == row.id, PdfExport.retired_at.is_(None))
            .order_by(PdfExport.id)):
        latest = service.latest_file(export)
        todo = service.unsigned(row, export) if latest is not None else []
        if not todo:
            continue
        plan = _Plan(export.id, json.loads(export.stamp_boxes or "{}"), latest.data,
                     latest.signature_count)
        for signature in todo:
            key = signing_key_for(signature.organisation_id)
            organisation = signature.organisation
            plan.steps.append(_Step(
                SimpleNamespace(id=organisation.id, name=organisation.name,
                                code=organisation.code),
                SimpleNamespace(encrypted_key=key.encrypted_key,
                                certificate_pem=key.certificate_pem,
                                fingerprint_sha256=key.fingerprint_sha256),
                signature.signed_name, signature.signed_position, signature.signed_at,
                signature.user_id))
        plans.append(plan)
    return plans


@job(service.SIGN, retries=3)
def sign_pdf(version_id: int) -> None:
    """Add every recorded signature not yet in the version's PDFs, in the order they were
    given, to each of its stored files (both variants); one new file per signature."""
    from .signing import sign_pdf as add_signature  # pyHanko: imported when first needed
    row = db.session.get(DocumentVersion, version_id)
    if row is None:
        return
    document_id = row.document_id
    document = db.session.get(Document, document_id)
    _content, _sha, _row, agreed = service.export_source(document, row.number)
    plans = _plans(row) if agreed else []
    _end_reading()
    if not plans:
        return
    made = []
    for plan in plans:                             # pyHanko, with no transaction open
        data, count = plan.data, plan.count
        for step in plan.steps:
            data = add_signature(data, step.key, step.organisation, step.name, step.position,
                                 box=plan.boxes.get(step.organisation.code),
                                 signed_at=step.signed_at)
            count += 1
            made.append((plan, count, step, data))
    with immediate_writes():
        for plan in plans:
            now_count = db.session.scalar(select(func.max(PdfFile.signature_count)).where(
                PdfFile.export_id == plan.export_id))
            if now_count != plan.count:
                raise RuntimeError("The PDF changed while it was being signed; the signing "
                                   "starts again from the latest file.")
        document = db.session.get(Document, document_id)
        for plan, count, step, data in made:
            signed = PdfFile(export_id=plan.export_id, signature_count=count,
                             signed_for_id=step.organisation.id, data=data,
                             file_sha256=service.sha256_bytes(data), size=len(data),
                             created_at=utcnow())
            db.session.add(signed)
            db.session.flush()
            audit.record("pdf.signed", signed, actor=db.session.get(User, step.user_id)
                         if step.user_id else None, document=document,
                         organisation=step.organisation.name,
                         certificate=step.key.fingerprint_sha256,
                         file_sha256=signed.file_sha256)

"""The export's background jobs: render a draft's PDF; make a version's PDFs with the
signatures recorded so far.

A version's PDF names its signatures on the signature page and says on its cover when it was
published (printing.py), so whenever those change the signing job renders the version again
and adds every recorded signature of an authority holding a key, in the order they were given,
each with the time the Member signed: one incremental revision per signature, so a validator
lists them all. Each state makes new files (PdfExport, PdfFile); the older ones are kept.

Both jobs follow one pattern so that slow work never holds the database's write lock (on SQLite
a save waiting for it gives up after the busy timeout): read what is needed, end the read
transaction, render and sign with no transaction open, then write the result in one short
transaction (begun IMMEDIATE on SQLite, the version's row locked on PostgreSQL) that re-checks
what it read. The runner commits that with the job's "done", so a job killed part-way has
written nothing, and running a job again adds nothing that is already there (idempotent).
When the signatures or the publication changed meanwhile the job writes nothing: the change
asked for a job of its own, which makes the newer state.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from .. import audit, files
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
from .pdf import VARIANTS
from .printing import ordered_signatures


def _end_reading() -> None:
    """End the read transaction (and its snapshot) before slow work."""
    db.session.rollback()


@job(service.RENDER, retries=3)
def render_pdf(document_id: int, fingerprint: str, variant: str, number: int | None = None,
               ) -> None:
    """Render and store a draft's or a version's PDF in one variant as it stands (a
    version's with its recorded signatures), unless the stored one already is."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise JobFailed("The document no longer exists.")
    try:
        source = service.rendering_source(document, number)
    except HTTPException as exc:
        raise JobFailed(exc.description or "There is no such version.") from None
    _make(document, number, source, [variant])


@job(service.SIGN, retries=3)
def sign_pdf(version_id: int) -> None:
    """Make the version's PDFs (both variants) again with the signatures recorded so far,
    in the order they were given, and its publication; nothing when they already are."""
    row = db.session.get(DocumentVersion, version_id)
    if row is None:
        return
    document = db.session.get(Document, row.document_id)
    source = service.rendering_source(document, row.number)
    if not source.agreed:
        return                                     # sent back to draft: nothing to sign
    _make(document, row.number, source, list(VARIANTS))


@dataclass
class _Step:
    """One signature to add, as plain values read before signing."""
    signature_id: int
    organisation: SimpleNamespace
    key: SimpleNamespace
    name: str
    position: str
    signed_at: datetime
    user_id: int | None


def _steps(source) -> list[_Step]:
    """The digital signatures the rendering carries, in the order they were given."""
    digital = set(source.state.get("digital", ()))
    steps = []
    for signature in ordered_signatures(source.row):
        key = signing_key_for(signature.organisation_id) if signature.id in digital else None
        if key is None:
            continue
        organisation = signature.organisation
        steps.append(_Step(
            signature.id,
            SimpleNamespace(id=organisation.id, name=organisation.name, code=organisation.code),
            SimpleNamespace(encrypted_key=key.encrypted_key,
                            certificate_pem=key.certificate_pem,
                            fingerprint_sha256=key.fingerprint_sha256),
            signature.signed_name, signature.signed_position, signature.signed_at,
            signature.user_id))
    return steps


def _current(document, source, variant):
    export = service.stored_export(document, source.fingerprint, variant)
    return export if export is not None and export.state == source.state and \
        service.latest_file(export) is not None else None


def _make(document, number, source, variants) -> None:
    """Render (and sign) the variants whose stored file is not of `source`'s state; store
    them in one short transaction if the state is still the version's."""
    from .signing import sign_pdf as add_signature  # pyHanko: imported when first needed
    todo = [v for v in variants if _current(document, source, v) is None]
    if not todo:
        return
    steps = _steps(source)
    before = {v: set((service.stored_export(document, source.fingerprint, v) or
                      SimpleNamespace(state={})).state.get("digital", ())) for v in todo}
    document_id, fingerprint, state = document.id, source.fingerprint, source.state
    version_id = source.row.id if source.row is not None else None
    _end_reading()
    made = []
    for variant in todo:                           # WeasyPrint and pyHanko, no transaction
        rendering, pages, _sha = service.render_file(source.html, variant)
        data = rendering
        for step in steps:
            data = add_signature(data, step.key, step.organisation, step.name, step.position,
                                 signed_at=step.signed_at, variant=variant)
        # Into the file store now, with no transaction open: a file whose row is never
        # written (the state changed meanwhile) is removed by files.remove_unreferenced.
        kept = _kept(rendering)
        made.append((variant, kept, _kept(data) if steps else kept, pages))
    with immediate_writes():
        if version_id is not None:                 # one writer per version (PostgreSQL)
            db.session.scalar(select(DocumentVersion.id).where(
                DocumentVersion.id == version_id).with_for_update())
        document = db.session.get(Document, document_id)
        now = service.rendering_source(document, number) if document else None
        if now is None or now.state != state or now.fingerprint != fingerprint:
            return                                 # changed meanwhile: its own job makes it
        for variant, rendering, data, pages in made:
            if _current(document, now, variant) is not None:
                continue                           # made by another job meanwhile
            _store(document, version_id, fingerprint, variant, state, rendering, data, pages,
                   steps, before[variant])


def _kept(data: bytes) -> tuple[str, int]:
    """Put the bytes in the file store: (SHA-256, size)."""
    return files.put(data), len(data)


def _store(document, version_id, fingerprint, variant, state, rendering, data, pages, steps,
           before):
    """The rows of the rendering (signature count 0) and, when it carries signatures, of the
    signed file (the one served); a file cut back to the rendering is still recognised.
    `rendering` and `data` are (SHA-256, size) of files already in the store."""
    created = utcnow()
    export = PdfExport(document_id=document.id, version_id=version_id,
                       content_sha256=fingerprint, variant=variant, created_at=created,
                       stamp_boxes=json.dumps(state), page_count=pages)
    db.session.add(export)
    db.session.flush()
    db.session.add(PdfFile(export_id=export.id, signature_count=0, file_sha256=rendering[0],
                           size=rendering[1], created_at=created))
    if not steps:
        return
    stored = PdfFile(export_id=export.id, signature_count=len(steps),
                     signed_for_id=steps[-1].organisation.id, file_sha256=data[0],
                     size=data[1], created_at=created)
    db.session.add(stored)
    db.session.flush()
    for step in steps:
        if step.signature_id not in before:
            audit.record("pdf.signed", stored, actor=db.session.get(User, step.user_id)
                         if step.user_id else None, document=document,
                         organisation=step.organisation.name,
                         certificate=step.key.fingerprint_sha256,
                         file_sha256=stored.file_sha256, variant=variant)

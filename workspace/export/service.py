"""Rules for exports: what a PDF contains, asking jobs to render and sign it, serving the
stored file once it is ready.

A version's PDF prints its recorded signatures and its publication (printing.py), so it is made
again when they change: export listens to review's signals (`register`): a signature or the
publication asks a job to make the version's files again (the signatures re-applied in the
order given, with their recorded times), a return to Draft retires the version's files. The
jobs themselves (rendering, signing: seconds each) are in jobs.py and run in the worker.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from flask import Flask, abort, current_app
from sqlalchemy import select, update

from .. import clock, files, signals
from ..accounts.models import User
from ..clock import utcnow
from ..documents.models import Document
from ..extensions import db
from ..jobs import service as jobs_service
from ..jobs import submit
from ..jobs.models import FAILED, PENDING, RUNNING, Job
from ..review import signing, versions
from ..review.models import DocumentVersion
from .keys import signing_key_for
from .models import PdfExport, PdfFile
from .pdf import VARIANTS, render_html, render_pdf, sha256_bytes
from .printing import ordered_signatures, print_context, rendering_state, signature_blocks

__all__ = ["print_context", "signature_blocks"]      # what a PDF prints: printing.py


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


def print_html(document: Document, number: int | None = None) -> tuple[str, str,
                                                                       DocumentVersion | None,
                                                                       bool]:
    """(print HTML, fingerprint, version row or None, agreed?) of a version or the draft."""
    source = rendering_source(document, number)
    return source.html, source.fingerprint, source.row, source.agreed


@dataclass
class RenderingSource:
    """What a rendering job reads before it works with no transaction open: the print HTML
    and the state it depends on besides the content (printing.rendering_state)."""
    html: str
    fingerprint: str
    row: DocumentVersion | None
    agreed: bool
    state: dict


def rendering_source(document: Document, number: int | None = None) -> RenderingSource:
    """The print HTML of a version (or the draft) as it stands now, and its state."""
    content, fingerprint, row, agreed = export_source(document, number)
    context = print_context(document, content, fingerprint, row, agreed)
    return RenderingSource(render_html(context), fingerprint, row, agreed, context["state"])


def render_file(html: str, variant: str) -> tuple[bytes, int, str]:
    """(PDF bytes, pages, SHA-256) of print HTML: seconds of work, done by a job with no
    database transaction open."""
    data, pages = render_pdf(html, variant)
    return data, pages, sha256_bytes(data)


def stored_export(document: Document, fingerprint: str, variant: str) -> PdfExport | None:
    """The latest rendering of the content in the variant (a version's is made again when
    its signatures or publication change: the newest is the one served)."""
    return db.session.scalar(select(PdfExport).where(
        PdfExport.document_id == document.id, PdfExport.content_sha256 == fingerprint,
        PdfExport.variant == variant, PdfExport.retired_at.is_(None))
        .order_by(PdfExport.id.desc()).limit(1))


def is_current(export: PdfExport, row: DocumentVersion | None, agreed: bool) -> bool:
    """Does the rendering print what the version now needs (its signatures, its
    publication)?"""
    return export.state == rendering_state(row, agreed)


#: What a download says when a row names a file the store does not hold (or holds damaged).
FILE_GONE = ("The stored file could not be read from the file store. An administrator "
             "should restore the file store from its backup (see the README, Files).")


def stored_bytes(sha256: str) -> bytes:
    """A stored file's bytes (files.get); 503 with FILE_GONE when the store has lost them."""
    try:
        return files.get(sha256)
    except (files.FileMissing, files.FileDamaged) as exc:
        current_app.logger.error("File store: %s", exc)
        abort(503, description=FILE_GONE)


def latest_file(export: PdfExport) -> PdfFile | None:
    return db.session.scalar(select(PdfFile).where(PdfFile.export_id == export.id)
                             .order_by(PdfFile.signature_count.desc()).limit(1))


#: The background job kinds (export/jobs.py): render one file, add signatures to a version's.
RENDER, SIGN = "export.render_pdf", "export.sign_pdf"
VARIANT_LABELS = {"ua": "accessible", "archive": "PDF/A for the archive"}


def render_key(document_id: int, fingerprint: str, variant: str) -> str:
    """Renderings of one content in one variant never run twice at once."""
    return f"pdf:{document_id}:{fingerprint}:{variant}"


def sign_key(version_id: int) -> str:
    """One signing job at a time per version: signatures go in one after another."""
    return f"pdf-sign:version:{version_id}"


@dataclass
class PdfAnswer:
    """What a PDF download finds: the stored file, or the job preparing it (maybe failed)."""
    file: PdfFile | None
    number: int
    label: str
    job: Job | None = None

    @property
    def failed(self) -> bool:
        return self.file is None and self.job is not None and self.job.status == FAILED


def pdf_label(document: Document, row: DocumentVersion | None, variant: str) -> str:
    """e.g. "PDF of version 2 (accessible)", as the preparing page and the jobs list say."""
    what = f"version {row.number}" if row else f"the draft of version {document.version_number}"
    return f"PDF of {what} of {document.title} ({VARIANT_LABELS[variant]})"[:200]


def _wanted(key: str, ask) -> Job:
    """The job for `key` that is waiting, running or failed; else a new one from `ask()`."""
    latest = jobs_service.latest_job(key)
    if latest is not None and latest.status in (PENDING, RUNNING, FAILED):
        return latest
    return ask()


def ask_render(document: Document, fingerprint: str, row: DocumentVersion | None,
               variant: str) -> Job:
    """Ask a job to render the content (unless one is waiting, running or has failed)."""
    key = render_key(document.id, fingerprint, variant)
    return _wanted(key, lambda: submit(
        RENDER, key=key, partnership_id=document.partnership_id,
        label=pdf_label(document, row, variant), document_id=document.id,
        fingerprint=fingerprint, variant=variant, number=row.number if row else None))


def ask_signing(document: Document, row: DocumentVersion, label: str | None = None) -> Job:
    """Ask a job to make the version's files again with its recorded signatures (and its
    publication): a new one unless one is still waiting (a running one may have read the
    signatures before the latest)."""
    return submit(SIGN, key=sign_key(row.id), partnership_id=document.partnership_id,
                  label=(label or f"Signatures on the PDFs of version {row.number} of "
                                  f"{document.title}")[:200], version_id=row.id)


def unsigned(row: DocumentVersion, export: PdfExport) -> list:
    """The version's signatures, in the order they were given, that the export's file does
    not carry yet although their authority holds a signing key."""
    carried = set(export.state.get("digital", ()))
    return [s for s in ordered_signatures(row)
            if s.id not in carried and signing_key_for(s.organisation_id)]


def get_pdf(document: Document, number: int | None = None, variant: str = "ua") -> PdfAnswer:
    """The stored PDF of a version (or the draft) when it is ready and prints what the version
    now needs (every recorded signature, the publication); otherwise the job that prepares
    it, asked for now if need be. Never renders or signs in the request."""
    _content, fingerprint, row, agreed = export_source(document, number)
    shown = row.number if row else document.version_number
    label = pdf_label(document, row, variant)
    export = stored_export(document, fingerprint, variant)
    latest = latest_file(export) if export is not None else None
    if latest is None:
        return PdfAnswer(None, shown, label, ask_render(document, fingerprint, row, variant))
    if not is_current(export, row, agreed):
        if row is not None and agreed:
            return PdfAnswer(None, shown, label,
                             _wanted(sign_key(row.id), lambda: ask_signing(document, row)))
        return PdfAnswer(None, shown, label, ask_render(document, fingerprint, row, variant))
    return PdfAnswer(latest, shown, label)


def on_signed(document: Document, user: User | None = None, signature=None, **_) -> None:
    """After an authority signs (`document_signed`): a job makes the version's files (both
    variants) again, naming the signature on the signature page and adding the authority's
    digital signature if it holds a key.

    Without a key and with no file made yet there is nothing to do: the file is made when
    first asked for, and the signature stands in the workspace's record.
    """
    row = versions.current_version(document)
    organisation_id = getattr(signature, "organisation_id", getattr(user, "organisation_id",
                                                                    None))
    if row is None or organisation_id is None:
        return
    if signing_key_for(organisation_id) or _has_exports(row):
        ask_signing(document, row)


def _has_exports(row: DocumentVersion) -> bool:
    return db.session.scalar(select(PdfExport.id).where(
        PdfExport.version_id == row.id, PdfExport.retired_at.is_(None)).limit(1)) is not None


def on_published(document: Document, version: DocumentVersion | None = None, **_) -> None:
    """After publishing (`version_published`): a job makes the version's files again, their
    cover saying when it was published (the signatures re-applied with their recorded
    times). Until then a download of the version says it is being prepared."""
    if version is not None:
        ask_signing(document, version, f"Publication of the PDFs of version {version.number}"
                                       f" of {document.title}")


def publication_blockers(document: Document, version: DocumentVersion | None = None,
                         **_) -> list[str]:
    """Answers `publication_blockers`: nothing half-signed is published. Every recorded
    signature of an authority holding a signing key must be in the version's PDFs (both
    variants), which must exist; a failed signing or rendering job is named."""
    row = version or versions.current_version(document)
    if row is None:
        return []
    if not any(signing_key_for(s.organisation_id) for s in signing.signatures(row)):
        return []
    for variant in VARIANTS:
        export = stored_export(document, row.content_sha256, variant)
        if export is None or latest_file(export) is None or unsigned(row, export):
            # A failure is named only while it is the latest word on its work (not once the
            # work was asked for again, or done since).
            latest = map(jobs_service.latest_job,
                         (sign_key(row.id), render_key(document.id, row.content_sha256, variant)))
            failed = next((job for job in latest if job is not None and job.status == FAILED),
                          None)
            if failed is not None:
                return [(f"The signed PDF could not be made ({failed.last_error}). Try it "
                        "again from \u201cBackground work\u201d, then publish.")]
            return [("The signed PDF is still being prepared: publish when it is ready "
                    "(usually within a minute).")]
    return []


def on_job_failed(job: Job, reason: str = "", **_) -> None:
    """A signing job failed for good (`job_failed`): tell it as `pdf_signing_failed`, about the
    version, so the Members who signed hear of it (notifications listens)."""
    if job.kind != SIGN:
        return
    row = db.session.get(DocumentVersion, json.loads(job.payload).get("version_id"))
    if row is None:
        return
    document = db.session.get(Document, row.document_id)
    signals.pdf_signing_failed.send(document, version=row, reason=reason)


def on_signatures_voided(document: Document, **_) -> None:
    """After a return to draft (`signatures_voided`): retire the version's files; a new
    agreement starts afresh."""
    db.session.execute(update(PdfExport).where(
        PdfExport.document_id == document.id, PdfExport.retired_at.is_(None),
        PdfExport.version_id.is_not(None)).values(retired_at=utcnow()))


def register(app: Flask) -> None:
    """Listen to review's signals and register the export jobs (called at app creation)."""
    from . import evidence_jobs, jobs  # noqa: F401 - registers the job kinds
    signals.document_signed.connect(on_signed)
    signals.signatures_voided.connect(on_signatures_voided)
    signals.publication_blockers.connect(publication_blockers)
    signals.job_failed.connect(on_job_failed)
    signals.version_published.connect(on_published)


def file_name(document: Document, number: int, on: date | None = None) -> str:
    """e.g. SW-Herts-Statement-of-Common-Ground-v2-2026-11-22.pdf"""
    def slug(text):
        return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    on = on or clock.today()
    return f"{slug(document.partnership.short_name)}-{slug(document.title)}-v{number}-" \
           f"{on.isoformat()}.pdf"

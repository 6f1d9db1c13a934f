"""A signature's receipt, and the progress of the background work that adds it to the
version's PDFs (both variants): rendered, then signed, by the jobs of jobs.py.

The receipt says what was signed, for which authority, by whom and when; whether the PDFs
carry the authority's digital signature yet, are being prepared, or could not be made (and
why); or that the authority holds no signing certificate, so the signature stands in the
workspace's record only. Asking the jobs again is the signer's or a partnership admin's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import select

from ..accounts.models import User
from ..documents.models import Document
from ..extensions import db
from ..jobs import service as jobs_service
from ..jobs.models import FAILED, PENDING, RUNNING, Job
from ..permissions import is_partnership_admin
from ..review.models import DocumentVersion, Signature
from . import service
from .keys import signing_key_for
from .pdf import VARIANTS

#: What the progress of a signature's PDFs is.
READY, WORKING, BROKEN, RECORD_ONLY, VOID = "ready", "working", "failed", "record", "void"


@dataclass
class Progress:
    """Where the signed PDFs of one signature stand."""
    state: str
    #: The jobs being waited for (working) or that failed (failed).
    jobs: list[Job] = field(default_factory=list)

    @property
    def reason(self) -> str:
        """The failure's reason as the job recorded it."""
        return next((j.last_error for j in self.jobs if j.last_error), "") if \
            self.state == BROKEN else ""

    @property
    def done(self) -> bool:
        """Nothing is being prepared: the receipt is final (ready, record only, void)."""
        return self.state in (READY, RECORD_ONLY, VOID)

    @property
    def token(self) -> str:
        """Changes whenever what the progress page says would change."""
        return f"{self.state}:" + ",".join(f"{j.id}.{j.status}.{j.attempts}"
                                           for j in self.jobs)


def load(document: Document, number: int, signature_id: int) -> tuple[DocumentVersion,
                                                                         Signature]:
    """The version and one of its signatures (voided ones too), or 404."""
    row = db.session.scalar(select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == number))
    signature = db.session.get(Signature, signature_id)
    if row is None or signature is None or signature.version_id != row.id:
        abort(404, description="There is no such signature on this document.")
    return row, signature


def _carries(document, row, signature, variant) -> bool:
    export = service.stored_export(document, row.content_sha256, variant)
    if export is None or service.latest_file(export) is None:
        return False
    return all(s.id != signature.id for s in service.unsigned(row, export))


def progress(document: Document, row: DocumentVersion, signature: Signature) -> Progress:
    """Where the signature's PDFs stand. When nothing is preparing them although they lack
    it (work lost, or a key added since), the jobs are asked for again."""
    if signature.voided_at is not None or signature.content_sha256 != row.content_sha256:
        return Progress(VOID)
    if signing_key_for(signature.organisation_id) is None:
        return Progress(RECORD_ONLY)
    missing = [v for v in VARIANTS if not _carries(document, row, signature, v)]
    if not missing:
        return Progress(READY)
    keys = [service.sign_key(row.id)] + [
        service.render_key(document.id, row.content_sha256, v) for v in missing]
    latest = [job for job in map(jobs_service.latest_job, keys) if job is not None]
    working = [job for job in latest if job.status in (PENDING, RUNNING)]
    if working:
        return Progress(WORKING, working)
    failed = [job for job in latest if job.status == FAILED]
    if failed:
        return Progress(BROKEN, failed)
    asked = [service.get_pdf(document, row.number, v).job for v in missing]
    return Progress(WORKING, [job for job in asked if job is not None])


def may_retry(user: User, document: Document, signature: Signature) -> bool:
    """The Member who signed, or a partnership admin, may ask for the failed work again."""
    return signature.user_id == user.id or is_partnership_admin(user, document.partnership_id)


def retry(document: Document, row: DocumentVersion, signature: Signature) -> int:
    """Try the failed jobs of the signature's PDFs again; how many were asked."""
    found = progress(document, row, signature)
    if found.state != BROKEN:
        return 0
    return sum(1 for job in found.jobs if jobs_service.try_again(job))

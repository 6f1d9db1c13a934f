"""Asking for an evidence pack, and the background job that makes it.

An officer or partnership admin asks (`request_pack`): a row is written and a job
("export.evidence_pack") submitted. The job reads the record (evidence.build), ends its read
transaction, renders the PDF and writes the ZIP with none open and puts both in the file
store, then names them on the row in one short write and sets `ready_at`. Running it again
for a pack already made does nothing. A pack still being prepared is not asked for twice:
asking again returns it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import audit, clock, files
from ..accounts.models import User
from ..clock import utcnow
from ..db import immediate_writes
from ..documents.models import Document
from ..extensions import db
from ..jobs import JobFailed, job, submit
from ..jobs import service as jobs_service
from ..jobs.models import FAILED, PENDING, RUNNING, Job
from ..partnerships.models import Partnership
from . import evidence, evidence_files
from .models import EvidencePack

#: The background job kind that makes a pack.
EVIDENCE = "export.evidence_pack"


def pack_key(pack_id: int) -> str:
    return f"evidence-pack:{pack_id}"


def pack_label(partnership: Partnership, document: Document | None) -> str:
    """e.g. "Evidence pack of Statement of Common Ground", as the jobs list says."""
    what = document.title if document is not None else partnership.name
    return f"Evidence pack of {what}"[:200]


def _packs(partnership: Partnership, document: Document | None):
    query = select(EvidencePack).where(EvidencePack.partnership_id == partnership.id)
    if document is None:
        return query.where(EvidencePack.document_id.is_(None))
    return query.where(EvidencePack.document_id == document.id)


def latest_pack(partnership: Partnership, document: Document | None) -> EvidencePack | None:
    """The latest pack asked for, of the document (or of the whole partnership)."""
    return db.session.scalar(_packs(partnership, document)
                             .order_by(EvidencePack.id.desc()).limit(1))


def load_pack(partnership: Partnership, document: Document | None,
              pack_id: int) -> EvidencePack | None:
    """The pack if it is of this document (or this partnership's whole pack), else None."""
    return db.session.scalar(_packs(partnership, document).where(EvidencePack.id == pack_id))


def pack_job(pack: EvidencePack) -> Job | None:
    return jobs_service.latest_job(pack_key(pack.id))


@dataclass
class PackState:
    """What the evidence page says of a pack."""
    pack: EvidencePack
    requested_by: str
    failed: bool
    reason: str
    #: The files' sizes in bytes (0 until ready).
    pdf_size: int = 0
    zip_size: int = 0

    @property
    def ready(self) -> bool:
        return self.pack.is_ready

    @property
    def preparing(self) -> bool:
        return not self.ready and not self.failed


def pack_state(pack: EvidencePack | None) -> PackState | None:
    if pack is None:
        return None
    user = db.session.get(User, pack.requested_by_id)
    requester = user.display_name if user else ""
    if pack.is_ready:
        return PackState(pack, requester, False, "", pack.pdf_size or 0, pack.zip_size or 0)
    work = pack_job(pack)
    if work is not None and work.status in (PENDING, RUNNING):
        return PackState(pack, requester, False, "")
    # Failed, or (should never be) done or gone without storing the files: not being made.
    reason = work.last_error if work is not None and work.status == FAILED else ""
    return PackState(pack, requester, True,
                     reason or "The background work stopped without making the pack.")


def request_pack(partnership: Partnership, document: Document | None,
                 user: User) -> tuple[EvidencePack, bool]:
    """(pack, asked now?): a new pack and the job that makes it, unless the latest one is
    still being prepared (then that one, and False)."""
    latest = pack_state(latest_pack(partnership, document))
    if latest is not None and latest.preparing:
        return latest.pack, False
    pack = EvidencePack(partnership_id=partnership.id,
                        document_id=document.id if document is not None else None,
                        requested_by_id=user.id, requested_at=utcnow())
    db.session.add(pack)
    db.session.flush()
    submit(EVIDENCE, key=pack_key(pack.id), partnership_id=partnership.id,
           label=pack_label(partnership, document), pack_id=pack.id)
    audit.record("evidence_pack.requested", pack, actor=user, partnership=partnership,
                 document=document)
    return pack, True


def file_name(partnership: Partnership, document: Document | None, pack: EvidencePack,
              extension: str) -> str:
    """e.g. SW-Herts-Statement-of-Common-Ground-evidence-pack-2026-12-05.pdf (the day it
    was made, in the UK)."""
    def slug(text):
        return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    made: date = clock.in_uk(pack.ready_at or pack.requested_at).date()
    parts = [slug(partnership.short_name)] + ([slug(document.title)] if document else [])
    return "-".join(parts + ["evidence-pack", made.isoformat()]) + f".{extension}"


@job(EVIDENCE, retries=3)
def make_evidence_pack(pack_id: int) -> None:
    """Make the pack's PDF and ZIP from the record as it stands, and store them."""
    pack = db.session.get(EvidencePack, pack_id)
    if pack is None:
        raise JobFailed("The evidence pack no longer exists.")
    if pack.is_ready:
        return                                     # made already (a job run again)
    partnership = db.session.get(Partnership, pack.partnership_id)
    document = db.session.get(Document, pack.document_id) if pack.document_id else None
    if pack.document_id and document is None:
        raise JobFailed("The document no longer exists.")
    data = evidence.build(partnership, document)
    zip_data, sha = evidence_files.make_zip(data)
    html = evidence_files.print_html(data, sha)
    db.session.rollback()                          # end the read before slow work
    pdf_data = evidence_files.make_pdf(html)
    pdf_sha256, zip_sha256 = files.put(pdf_data), files.put(zip_data)   # no transaction open
    with immediate_writes():
        pack = db.session.get(EvidencePack, pack_id)
        if pack is None or pack.is_ready:
            return
        pack.pdf_sha256, pack.pdf_size = pdf_sha256, len(pdf_data)
        pack.zip_sha256, pack.zip_size = zip_sha256, len(zip_data)
        pack.data_sha256 = sha
        pack.ready_at = utcnow()

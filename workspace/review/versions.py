"""Frozen versions: the exact text and record of agreement a signature binds to.

Moving to Agreed freezes the content: a DocumentVersion holds it as canonical JSON and its
SHA-256, which every signature records. Freezing version N again after a return to Draft
keeps what was frozen before (SupersededFreeze); nothing is deleted.
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from .. import audit, binders, signals
from ..accounts.models import User
from ..clock import utcnow
from ..documents.models import Document
from ..documents.numbering import number_sections
from ..documents.service import live_sections
from ..extensions import db
from .agreement import record_of_agreement
from .models import DocumentVersion, SupersededFreeze

#: Statuses in which the document's text is frozen as its current version.


def versions(document: Document) -> list[DocumentVersion]:
    """The document's frozen versions, newest first."""
    return db.session.scalars(select(DocumentVersion)
                              .where(DocumentVersion.document_id == document.id)
                              .order_by(DocumentVersion.number.desc())).all()


def version(document: Document, number: int) -> DocumentVersion | None:
    return db.session.scalar(select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == number))


def current_version(document: Document) -> DocumentVersion | None:
    """The frozen version being signed or published, or None while the text is open."""
    if not document.has_frozen_version:
        return None
    return version(document, document.version_number)


def version_content(version_row: DocumentVersion) -> dict:
    """The frozen content as a dict (title, kind, version, sections, record_of_agreement)."""
    return json.loads(version_row.content)


def canonical_content(document: Document) -> tuple[str, str]:
    """(JSON text, SHA-256) of the document as it stands: the content a signature binds to.

    Live parts ({{register}} and the like) are bound here by the registered content binders
    (workspace.binders): each section's html holds them as printed from the data of this
    moment, and "blocks" holds the same data as values (for the Word export), so a frozen
    version and its signatures cover the pictures it shows.
    """
    bound = binders.bind(document.partnership)
    sections = [{"number": number, "title": s.title, "body": s.body,
                 "html": bound.html(s.html, number),
                 "strategic_matter": bool(s.strategic_matter)}
                for number, s in number_sections(live_sections(document))]
    content = {"title": document.title, "kind": document.kind,
               "version": document.version_number, "sections": sections,
               "record_of_agreement": record_of_agreement(document)}
    blocks = bound.values()
    if blocks:
        content["blocks"] = blocks
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def superseded_freezes(row: DocumentVersion) -> list[SupersededFreeze]:
    """Earlier content of a version that was frozen again after a return to Draft, oldest
    first."""
    return db.session.scalars(select(SupersededFreeze)
                              .where(SupersededFreeze.version_id == row.id)
                              .order_by(SupersededFreeze.id)).all()


def freeze(document: Document, user: User, with_exceptions: bool) -> DocumentVersion:
    """Write the frozen content of version N (re-freezing it after a return to Draft).

    Sends `version_frozen` (sender: the document; version, by).
    """
    text, sha = canonical_content(document)
    row = version(document, document.version_number)
    now = utcnow()
    if row is None:
        row = DocumentVersion(document_id=document.id, number=document.version_number,
                              content=text, content_sha256=sha, frozen_at=now,
                              agreed_with_exceptions=with_exceptions)
        db.session.add(row)
    else:
        # Version N was frozen before and sent back to Draft: its signatures are void and
        # the old fingerprint stays in them and in the audit log (one row per number).
        previous = row.content_sha256
        if previous != sha:
            # Keep what was frozen (and perhaps signed) before, readable in full.
            db.session.add(SupersededFreeze(
                version_id=row.id, content=row.content, content_sha256=previous,
                frozen_at=row.frozen_at, agreed_with_exceptions=row.agreed_with_exceptions,
                superseded_at=now))
            audit.record("version.refrozen", row, actor=user, document=document,
                         version=row.number, old_sha256=previous, new_sha256=sha)
        row.content, row.content_sha256, row.frozen_at = text, sha, now
        row.agreed_with_exceptions = with_exceptions
    db.session.flush()
    audit.record("version.frozen", row, actor=user, document=document, version=row.number,
                 sha256=sha, agreed_with_exceptions=with_exceptions)
    signals.version_frozen.send(document, version=row, by=user)
    return row

"""The live change feed of a document: each change to a section or to the structure writes a
row, and other viewers poll for the rows after the last one they saw."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..clock import utcnow
from ..extensions import db
from .models import Document, DocumentChange


def record_change(document_id: int, section_id: int | None, kind: str) -> None:
    """Tell other viewers' live feed that a section (or the structure) changed."""
    db.session.add(DocumentChange(document_id=document_id, section_id=section_id, kind=kind,
                                  at=utcnow()))


def cursor(document: Document) -> int:
    """The id of the latest change to the document (0 when none)."""
    return db.session.scalar(select(func.coalesce(func.max(DocumentChange.id), 0))
                             .where(DocumentChange.document_id == document.id))


@dataclass
class Changes:
    cursor: int
    section_ids: set
    structure: bool


def changes_since(document: Document, since: int) -> Changes | None:
    """What changed after cursor `since`: sections saved or commented on (both re-render the
    section) and whether the structure moved."""
    rows = db.session.execute(
        select(DocumentChange.id, DocumentChange.section_id, DocumentChange.kind)
        .where(DocumentChange.document_id == document.id, DocumentChange.id > since)
        .order_by(DocumentChange.id)).all()
    if not rows:
        return None
    return Changes(cursor=rows[-1].id,
                   section_ids={r.section_id for r in rows if r.kind in ("section", "comment")},
                   structure=any(r.kind == "structure" for r in rows))

"""Documents and their sections: listing, creating, appending a section, the audit history.

The other rules have modules named for what they hold: numbering.py, editing.py (the checks
and the save with history), structure.py, presence.py, feed.py (live updates)."""
from __future__ import annotations

from sqlalchemy import func, select

from .. import audit
from ..accounts.models import User
from ..audit import AuditEvent
from ..clock import utcnow
from ..extensions import db
from .markdown import render_markdown
from .models import Document, Section, SectionRevision, sha256_text


def documents_by_partnership(partnership_ids: list[int]) -> dict[int, list[Document]]:
    """{partnership id: [documents by title]} in one query."""
    result = {pid: [] for pid in partnership_ids}
    if not partnership_ids:
        return result
    rows = db.session.scalars(
        select(Document).where(Document.partnership_id.in_(partnership_ids))
        .order_by(Document.title))
    for document in rows:
        result[document.partnership_id].append(document)
    return result


def live_sections(document: Document) -> list[Section]:
    """The document's sections in order, without removed ones."""
    return db.session.scalars(
        select(Section).where(Section.document_id == document.id, Section.removed_at.is_(None))
        .order_by(Section.position)
    ).all()


def create_document(partnership, title: str, kind: str, user: User | None = None) -> Document:
    """A new, empty draft document."""
    document = Document(partnership_id=partnership.id, title=title.strip(), kind=kind,
                        created_by_id=getattr(user, "id", None), created_at=utcnow())
    db.session.add(document)
    db.session.flush()
    audit.record("document.created", document, actor=user, partnership=partnership,
                 document=document, title=document.title)
    return document


def append_section(document: Document, title: str, body: str = "", *, depth: int = 0,
                   feedback_sought: str = "", guidance: str = "",
                   user: User | None = None) -> Section:
    """Add a section at the end of the document, with revision 1."""
    last = db.session.scalar(select(func.max(Section.position))
                             .where(Section.document_id == document.id))
    now = utcnow()
    section = Section(document_id=document.id, position=(last or 0) + 10, depth=depth,
                      title=title.strip(), body=body, html=render_markdown(body), version=1,
                      feedback_sought=feedback_sought, guidance=guidance, created_at=now,
                      updated_at=now)
    db.session.add(section)
    db.session.flush()
    db.session.add(SectionRevision(
        section_id=section.id, number=1, body=body, body_sha256=sha256_text(body),
        html=section.html, summary="Created", kind="create", author_id=getattr(user, "id", None),
        organisation_id=getattr(user, "organisation_id", None), created_at=now))
    return section


def activity(document: Document, limit: int = 100) -> list[AuditEvent]:
    """The document's audit events, newest first."""
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.document_id == document.id)
        .order_by(AuditEvent.id.desc()).limit(limit)).all()


def history_extras(section: Section, user) -> dict:
    """What other areas add to a section's history page (the section_history_extras signal:
    suggestions answer with the decided ones)."""
    from ..signals import section_history_extras
    extras: dict = {}
    for _receiver, extra in section_history_extras.send(section, user=user):
        extras.update(extra or {})
    return extras

"""Rules for documents and sections: creating, numbering, saving with history."""
from sqlalchemy import func, select

from .. import audit
from ..db import utcnow
from ..extensions import db
from .markdown import render_markdown
from .models import MAX_DEPTH, Document, Section, SectionRevision, sha256_text

MAX_TITLE = 200
MAX_BODY_BYTES = 200 * 1024


def documents_by_partnership(partnership_ids):
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


def load_document(partnership, document_id):
    """The document if it belongs to the partnership, else None."""
    document = db.session.get(Document, document_id)
    if document is None or document.partnership_id != partnership.id:
        return None
    return document


def live_sections(document):
    """The document's sections in order, without removed ones."""
    return db.session.scalars(
        select(Section).where(Section.document_id == document.id, Section.removed_at.is_(None))
        .order_by(Section.position)
    ).all()


def number_sections(sections):
    """[(number, section)]: 1, 1.1, 1.2, 2 ... from order and depth."""
    counters = [0] * (MAX_DEPTH + 1)
    numbered = []
    previous_depth = -1
    for section in sections:
        depth = min(section.depth, previous_depth + 1, MAX_DEPTH)
        counters[depth] += 1
        for deeper in range(depth + 1, MAX_DEPTH + 1):
            counters[deeper] = 0
        numbered.append((".".join(str(c) for c in counters[:depth + 1]), section))
        previous_depth = depth
    return numbered


def create_document(partnership, title, kind, user=None):
    """A new, empty draft document."""
    document = Document(partnership_id=partnership.id, title=title.strip(), kind=kind,
                        created_by_id=getattr(user, "id", None), created_at=utcnow())
    db.session.add(document)
    db.session.flush()
    audit.record("document.created", document, actor=user, partnership=partnership,
                 title=document.title)
    return document


def append_section(document, title, body="", *, depth=0, feedback_sought="", guidance="",
                   user=None):
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


"""The numbers of a document's sections (1, 1.1, 1.2, 2 ...), from their order and depth."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import MAX_DEPTH, Section


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


def document_numbers(document_id: int) -> dict[int, str]:
    """{section id: number (1, 1.1, ...)} of the document's live sections, in their order.

    Reads only ids and depths: numbering does not load the document's text.
    """
    rows = db.session.execute(
        select(Section.id, Section.depth)
        .where(Section.document_id == document_id, Section.removed_at.is_(None))
        .order_by(Section.position)).all()
    return {row.id: number for number, row in number_sections(rows)}


def section_number(section: Section) -> str:
    """The number (1, 1.1, ...) of one section, from the order and depth of the live ones."""
    return document_numbers(section.document_id).get(section.id, "")

"""The most sections a document may have (MAX_SECTIONS_PER_DOCUMENT).

Live sections count; removed ones do not (restoring one counts again). Every way a section
is created checks it before writing anything: adding one (structure.add_section_after),
restoring one (structure.restore_section), a template (starters), an import into a document
(placement) and a new document from a file (import_parsing.check_sizes).
"""
from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import func, select

from ..extensions import db
from .models import Document, Section

#: MAX_SECTIONS_PER_DOCUMENT when no application is configured.
DEFAULT_MAX_SECTIONS = 500


def max_sections() -> int:
    """The most live sections a document may have."""
    if not has_app_context():
        return DEFAULT_MAX_SECTIONS
    return int(current_app.config.get("MAX_SECTIONS_PER_DOCUMENT", DEFAULT_MAX_SECTIONS))


def live_count(document: Document) -> int:
    """How many live (not removed) sections the document has."""
    return db.session.scalar(select(func.count(Section.id)).where(
        Section.document_id == document.id, Section.removed_at.is_(None)))


def usage(document: Document) -> tuple[int, int]:
    """(live sections, the most allowed), for the structure page and the import preview."""
    return live_count(document), max_sections()


def lock(document: Document) -> None:
    """Take the document's row lock (PostgreSQL; SQLite write requests are serialised), so
    that two requests adding sections at the same moment count one after the other.

    Call it before check_unlocked, whose shared lock on the same row it then covers (taking
    it after would let two requests each hold the shared lock and wait for the other).
    """
    # FOR NO KEY UPDATE: serialises adders (and waits for saves' shared locks) without
    # holding back rows that merely refer to the document.
    db.session.execute(select(Document.id).where(Document.id == document.id)
                       .with_for_update(key_share=True))


def refusal(document: Document, adding: int,
            what: str = "no section can be added") -> str | None:
    """None when `adding` more sections fit in the document, else the reason for the user
    (`what` says what cannot be done when one section is refused)."""
    if adding <= 0:
        return None
    count, most = usage(document)
    if count + adding <= most:
        return None
    if adding == 1:
        return (f"This document already has {count} of at most {most} sections, so {what}. "
                "Remove a section first, or start a new document.")
    return (f"This document has {count} of at most {most} sections, and the {adding} "
            f"sections would make {count + adding}. Nothing was added. Remove sections "
            "first, or import a shorter file.")


def file_refusal(adding: int) -> str | None:
    """None when a new document of `adding` sections is within the limit, else the reason."""
    most = max_sections()
    if adding <= most:
        return None
    return (f"The file has {adding} sections, more than the {most} a document may have. "
            "Import it in parts.")

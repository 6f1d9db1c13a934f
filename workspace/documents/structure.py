"""A document's structure: adding, renaming, moving, nesting, removing and restoring sections.
Every change is audited and written to the live feed."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..clock import utcnow
from ..extensions import db
from .editing import EditError, check_room, check_title, check_unlocked
from .feed import record_change
from .models import MAX_DEPTH, Document, Section
from .service import append_section, live_sections


def add_section_after(document: Document, after: Section | None, title: str | None, user: User,
                      depth: int | None = None) -> Section:
    """Insert a new empty section after `after` (or at the start when None)."""
    check_room(document)
    title = check_title(title)
    sections = live_sections(document)
    if after is not None:
        index = _live_index(sections, after) + 1
        depth = after.depth if depth is None else depth
    else:
        index, depth = 0, 0
    depth = max(0, min(depth, MAX_DEPTH))
    section = append_section(document, title, "", depth=depth, user=user)
    ordered = sections[:index] + [section] + sections[index:]
    _renumber(ordered)
    record_change(document.id, section.id, "structure")
    audit.record("section.added", section, actor=user, document=document, title=title)
    return section


def _removed_error():
    """The refusal of a structure change to a removed section (a stale page, another tab)."""
    return EditError("This section has been removed, so it cannot be changed or have a "
                     "section added after it. Restore it from \u201cRemoved sections\u201d "
                     "first.", status=409)


def _live_index(sections, section):
    """The section's place among the live ones; EditError (409) once it has been removed."""
    for i, live in enumerate(sections):
        if live.id == section.id:
            return i
    raise _removed_error()


def _renumber(ordered):
    for i, section in enumerate(ordered):
        section.position = (i + 1) * 10


def rename_section(section: Section, title: str | None, user: User) -> bool:
    check_unlocked(section.document)
    if section.removed_at is not None:
        raise _removed_error()
    title = check_title(title)
    if title == section.title:
        return False
    old, section.title = section.title, title
    record_change(section.document_id, section.id, "structure")
    audit.record("section.renamed", section, actor=user, document=section.document,
                 old=old, new=title)
    return True


def move_section(section: Section, direction: int, user: User) -> bool:
    """Swap a section with its live neighbour above (-1) or below (+1)."""
    check_unlocked(section.document)
    sections = live_sections(section.document)
    index = _live_index(sections, section)
    other = index + direction
    if not 0 <= other < len(sections):
        return False
    sections[index], sections[other] = sections[other], sections[index]
    _renumber(sections)
    record_change(section.document_id, section.id, "structure")
    audit.record("section.moved", section, actor=user, document=section.document,
                 title=section.title, direction="up" if direction < 0 else "down")
    return True


def nest_section(section: Section, delta: int, user: User) -> bool:
    """Indent (+1) or outdent (-1), never deeper than one below the section above."""
    check_unlocked(section.document)
    sections = live_sections(section.document)
    index = _live_index(sections, section)
    limit = sections[index - 1].depth + 1 if index > 0 else 0
    depth = max(0, min(section.depth + delta, limit, MAX_DEPTH))
    if depth == section.depth:
        return False
    section.depth = depth
    record_change(section.document_id, section.id, "structure")
    audit.record("section.nested", section, actor=user, document=section.document,
                 title=section.title, depth=depth)
    return True


def remove_section(section: Section, user: User) -> bool:
    """Soft removal: the section goes to the "Removed sections" list."""
    check_unlocked(section.document)
    if section.removed_at is not None:
        return False
    section.removed_at = utcnow()
    record_change(section.document_id, section.id, "structure")
    audit.record("section.removed", section, actor=user, document=section.document,
                 title=section.title)
    return True


def restore_section(section: Section, user: User) -> bool:
    check_room(section.document, 1 if section.removed_at is not None else 0, status=409,
               what="this section cannot be restored")
    if section.removed_at is None:
        return False
    section.removed_at = None
    record_change(section.document_id, section.id, "structure")
    audit.record("section.restored", section, actor=user, document=section.document,
                 title=section.title)
    return True


def removed_sections(document: Document) -> list[Section]:
    return db.session.scalars(
        select(Section).where(Section.document_id == document.id,
                              Section.removed_at.is_not(None))
        .order_by(Section.removed_at.desc())).all()

"""Where sections imported into a document go ("import after" a section, or at the end), their
numbers there for the preview, and adding them all in one transaction on confirm. A document's
section limit is checked before anything is added."""
from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..extensions import db
from . import limits
from .editing import check_unlocked
from .feed import record_change
from .import_parsing import ImportRefused, Parsed, ParsedSection
from .import_preview import write_receipt
from .markdown import render_markdown
from .models import MAX_DEPTH, Document, Section
from .numbering import number_sections
from .service import append_section, live_sections


def placement(document: Document, after: Section | None) -> tuple[list, int, int]:
    """(index in the live sections, depth offset) for sections imported after `after`.

    They go after the whole branch of `after` (its last sub-section), never between a section
    and its sub-sections; the file's top-level headings become siblings of `after` (2.1 chosen:
    they are 2.2, 2.3 ...), deeper ones nest below them. None: at the end, as parts.
    """
    rows = db.session.execute(
        select(Section.id, Section.depth)
        .where(Section.document_id == document.id, Section.removed_at.is_(None))
        .order_by(Section.position)).all()
    if after is None:
        return rows, len(rows), 0
    numbered = number_sections(rows)
    index = next((i for i, (_, row) in enumerate(numbered) if row.id == after.id), None)
    if index is None:
        raise ImportRefused("Choose a section of this document to import after.")
    prefix = numbered[index][0] + "."
    end = index + 1
    while end < len(numbered) and numbered[end][0].startswith(prefix):
        end += 1
    return rows, end, numbered[index][0].count(".")


def _placed_depths(parsed_sections, offset):
    return [min(s.depth + offset, MAX_DEPTH) for s in parsed_sections]


def placed_previews(document: Document, parsed: Parsed,
                    after: Section | None) -> list[tuple[str, int, str, Markup]]:
    """The preview of an import into a document after `after` (None: at the end):
    [(number, depth, title, html)] with the numbers the sections will have there."""
    rows, index, offset = placement(document, after)
    depths = _placed_depths(parsed.sections, offset)
    mine = [ParsedSection(s.title, d, s.body) for s, d in zip(parsed.sections, depths)]
    combined = list(rows[:index]) + mine + list(rows[index:])
    numbers = {id(item): number for number, item in number_sections(combined)}
    return [(numbers[id(s)], s.depth, s.title, Markup(render_markdown(s.body))) for s in mine]


def import_sections(document: Document, parsed: Parsed, after: Section | None, user: User,
                    filename: str = "", token: str | None = None) -> list[Section]:
    """Add every parsed section after `after`'s branch (None: at the end), each as
    revision 1; with `token`, write its receipt so the same preview is never imported twice.

    All or nothing: the caller's transaction commits once; nothing is written before this.
    Past the document's section limit nothing is imported (ImportRefused, 422).
    """
    limits.lock(document)
    check_unlocked(document)
    if token is not None:
        write_receipt(token, document)
    check_fits(document, parsed)
    existing = live_sections(document)
    _rows, index, offset = placement(document, after)
    depths = _placed_depths(parsed.sections, offset)
    added = [append_section(document, s.title, s.body, depth=depth, user=user)
             for s, depth in zip(parsed.sections, depths)]
    for i, section in enumerate(existing[:index] + added + existing[index:]):
        section.position = (i + 1) * 10
    db.session.flush()
    record_change(document.id, added[0].id if added else None, "structure")
    audit.record("document.imported", document, actor=user, document=document,
                 file=filename[:200], sections=len(added), notes=parsed.notes)
    return added


def check_fits(document: Document, parsed: Parsed) -> None:
    """ImportRefused (422) when the parsed sections would take the document past its limit."""
    refused = limits.refusal(document, len(parsed.sections))
    if refused:
        raise ImportRefused(refused)


def section_choices(document: Document) -> list[tuple[int, str]]:
    """[(id, label)] of live sections for "import after": the number, the title, and an
    indent by level, so that three sections called "Introduction" can be told apart."""
    rows = db.session.execute(
        select(Section.id, Section.title, Section.depth)
        .where(Section.document_id == document.id, Section.removed_at.is_(None))
        .order_by(Section.position)).all()
    return [(row.id, "\u00a0\u00a0\u00a0" * number.count(".") + f"{number} {row.title}")
            for number, row in number_sections(rows)]


def section_label(document: Document, section: Section) -> str:
    """"3.2 Strategic matters": the number and title of a live section."""
    return next((label.strip("\u00a0") for sid, label in section_choices(document)
                 if sid == section.id), section.title)


def section_to_follow(document: Document, section_id: int | None) -> Section:
    """The live section of this document that imported sections go after (its id from the
    form), or ImportRefused when there is none."""
    section = db.session.get(Section, section_id) if section_id is not None else None
    if section is None or section.document_id != document.id or section.removed_at is not None:
        raise ImportRefused("Choose a section of this document to import after.")
    return section

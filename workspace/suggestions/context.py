"""What the document page shows of suggestions beside each section: the open ones as tracked
changes over the section, credited, with the buttons the user may press; counts for the
contents list. Joined to the review context through the section_extras signal."""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..documents.editing import revision
from ..documents.merge import merge3
from ..documents.rendered_diff import rendered_diff
from ..extensions import db
from ..signals import agreement_blockers, revision_origins, section_extras
from .comments import by_suggestion, may_comment
from .forms import RejectForm
from .models import OPEN, Suggestion
from .service import credit, may_decide, may_suggest


@dataclass
class Shown:
    """One open suggestion as the page shows it."""
    suggestion: Suggestion
    changes: Markup
    #: Made on an older revision whose changes since overlap it: accepting shows a conflict.
    overlaps: bool
    #: Made on an older revision (merged onto the current text when accepted).
    older: bool
    may_withdraw: bool
    #: Its comments, oldest first.
    comments: list = field(default_factory=list)

    @property
    def credit(self) -> str:
        return credit(self.suggestion)


def _changes(suggestion: Suggestion, section) -> tuple[Markup, bool, bool]:
    """Tracked changes of what accepting would do to the current text, and whether it was made
    on an older revision and overlaps what changed since (then: its own change, from its
    revision)."""
    if suggestion.base_number == section.version:
        return rendered_diff(section.body, suggestion.body), False, False
    base = revision(section, suggestion.base_number)
    merged = merge3(base.body, suggestion.body, section.body) if base else None
    if merged is not None and merged.clean:
        return rendered_diff(section.body, merged.text), False, True
    return rendered_diff(base.body if base else section.body, suggestion.body), True, True


def changes_of(suggestion: Suggestion) -> Markup:
    """What accepting would do to its section's current text, as tracked changes."""
    return _changes(suggestion, suggestion.section)[0]


def open_suggestions(document, section_ids) -> dict[int, list[Suggestion]]:
    """{section id: open suggestions, oldest first} for the given sections."""
    found: dict[int, list[Suggestion]] = {}
    if not section_ids:
        return found
    rows = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.document_id == document.id, Suggestion.status == OPEN,
               Suggestion.section_id.in_(section_ids))
        .options(selectinload(Suggestion.author))
        .order_by(Suggestion.created_at, Suggestion.id)).all()
    for row in rows:
        found.setdefault(row.section_id, []).append(row)
    return found


def open_count(document) -> int:
    return db.session.scalar(select(func.count(Suggestion.id)).where(
        Suggestion.document_id == document.id, Suggestion.status == OPEN)) or 0


def suggestion_context(document, sections, user) -> dict:
    """{"by_section": {section id: [Shown]}, "counts": {section id: n}, "may_suggest",
    "may_decide", "direct_edit" (the Edit link edits; otherwise it suggests), "may_comment"}.
    The shown suggestions' comments come in one more query, only when there are some."""
    sections = list(sections)
    by_id = {s.id: s for s in sections}
    found = open_suggestions(document, list(by_id))
    shown = {}
    comments = by_suggestion(row.id for rows in found.values() for row in rows)
    for section_id, rows in found.items():
        section = by_id[section_id]
        shown[section_id] = [
            Shown(row, *_changes(row, section),
                  may_withdraw=bool(user and user.is_authenticated and row.author_id == user.id),
                  comments=comments.get(row.id, []))
            for row in rows]
    decide = may_decide(document, user)
    return {"by_section": shown, "counts": {k: len(v) for k, v in found.items()},
            "may_suggest": may_suggest(document, user), "may_decide": decide,
            "direct_edit": decide,
            "may_comment": bool(shown) and may_comment(document, user),
            # One blank form draws every Reject box (ids told apart by a prefix).
            "reject_form": RejectForm(formdata=None) if decide and shown else None}


def _extras(document, sections=(), user=None, **_kwargs):
    return {"suggestions": suggestion_context(document, sections, user)}


def _origins(document, revisions=(), **_kwargs):
    """{revision id: "accepting Dacorum Borough Council’s suggestion of 2 December 2026"}
    for the revisions accepting a suggestion wrote."""
    ids = [r.id for r in revisions]
    if not ids:
        return {}
    rows = db.session.scalars(select(Suggestion).where(
        Suggestion.accepted_revision_id.in_(ids))).all()
    return {row.accepted_revision_id: f"accepting {credit(row)}" for row in rows}


def _agreement_blockers(document, **_kwargs):
    """Open suggestions stop a document being marked agreed: its text is then frozen, and a
    suggestion on it could never be decided."""
    count = open_count(document)
    if not count:
        return []
    them = "them" if count != 1 else "it"
    reason = (f"{count} suggested change{'s are' if count != 1 else ' is'} still undecided. "
              f"Accept or reject {them} first: once the document is agreed its text is "
              "frozen and a suggestion can no longer be decided.")
    return [reason]


def connect() -> None:
    agreement_blockers.connect(_agreement_blockers, weak=False)
    section_extras.connect(_extras, weak=False)
    revision_origins.connect(_origins, weak=False)

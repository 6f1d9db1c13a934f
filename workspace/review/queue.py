"""A Member's review queue: the matters their authority owes a position on in one document,
one at a time, each with what changed since the authority's last position on it.

The queue is the document's owed matters (tasks.owed_in_document) in the document's order;
it keeps no state of its own: a matter leaves it when a current position is recorded. The
views carry how many matters were recorded in this walk (`reviewed`) only to say "Matter 2
of 5".
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select

from ..accounts.models import User
from ..documents.editing import revision
from ..documents.models import Document, Section
from ..documents.rendered_diff import rendered_diff
from ..extensions import db
from .context import other_areas
from .models import Position
from .positions import in_scope, position_context, signatory_for
from .stale import origins
from .tasks import PositionTask, owed_in_document

#: How the confirmation names each stance ("Watford Borough Council agreed ...").
STANCE_VERBS = {"agreed": "agreed", "reservations": "agreed with reservations",
                "not_agreed": "did not agree"}


def owed_matters(document: Document, user: User) -> list[PositionTask]:
    """The matters the user's authority still owes a position on, in the document's order
    ([] unless the user is a Member and the document is out for agreement)."""
    if user.role != "member" or not document.is_out_for_agreement:
        return []
    return owed_in_document(document, user)


def is_in_queue_scope(section: Section, user: User) -> bool:
    """True when the section is a live strategic matter the user's authority signs for (owed
    or not): anything else is not a matter of their queue."""
    if section.removed_at is not None or not section.strategic_matter:
        return False
    signatory = signatory_for(section.document, user.organisation_id)
    return signatory is not None and in_scope(signatory, section)


def last_position(section: Section, organisation_id: int) -> Position | None:
    """The authority's latest position on the section, current or not."""
    return db.session.scalar(
        select(Position).where(Position.section_id == section.id,
                               Position.organisation_id == organisation_id)
        .order_by(Position.id.desc()).limit(1))


def changes_since(section: Section, number: int | None) -> Markup | None:
    """Tracked changes over the rendered text from revision `number` to the current text
    (None when there is no such earlier revision)."""
    if not number or number >= section.version:
        return None
    old = revision(section, number)
    return rendered_diff(old.body, section.body) if old is not None else None


@dataclass
class Matter:
    """One matter of the queue, as its page shows it."""
    task: PositionTask | None
    section: Section
    number: str
    #: 1-based place in this walk, and how many matters the walk has.
    place: int
    total: int
    #: The authority's latest position (None: never given), and the changes since it.
    position: Position | None
    since_position: Markup | None
    #: What first changed the text after that position, when another area names it
    #: ("accepting Dacorum Borough Council’s suggestion of 2 December 2026"), else "".
    changed_by: str
    #: The next owed matter after this one (wrapping round), for "Skip"; None when alone.
    next_id: int | None
    #: The other signatory authorities' standing on it (agreement.Cell), as the document
    #: page shows them: a Member reviewing here sees where the partners are.
    others: list
    #: Its open suggestions (as other areas answer section_extras: suggestions' Shown), which
    #: may yet change the text the Member is agreeing.
    suggested: list


def matter(document: Document, section: Section, user: User, reviewed: int = 0) -> Matter:
    """The queue page's view of one section (which is_in_queue_scope)."""
    owed = owed_matters(document, user)
    ids = [task.section.id for task in owed]
    index = ids.index(section.id) if section.id in ids else None
    task = owed[index] if index is not None else None
    others_owed = ids[index + 1:] + ids[:index] if index is not None else ids
    position = last_position(section, user.organisation_id)
    since = changes_since(section, position.revision_number) if position else None
    change = revision(section, position.revision_number + 1) if since is not None else None
    changed_by = origins(document, [change]).get(change.id, "") if change else ""
    reviewed = max(0, reviewed)
    shown = position_context(document, [section.id], user, sections=[section]).get(section.id)
    others = [cell for cell in shown.cells
              if cell.signatory.organisation_id != user.organisation_id] if shown else []
    return Matter(task=task, section=section, number=task.number if task else "",
                  place=reviewed + (index + 1 if index is not None else 0),
                  total=reviewed + len(ids), position=position, since_position=since,
                  changed_by=changed_by,
                  next_id=others_owed[0] if others_owed else None, others=others,
                  suggested=_suggested(document, section, user))


def _suggested(document: Document, section: Section, user: User) -> list:
    extras = other_areas(document, [section], user)
    return extras.get("suggestions", {}).get("by_section", {}).get(section.id, [])


def confirmation(user: User, position: Position, section: Section, left: int) -> str:
    """"Recorded: Watford Borough Council agreed 'Housing need'. 2 matters left." """
    verb = STANCE_VERBS.get(position.stance, position.stance_label.lower())
    rest = ("No matters left." if not left
            else f"{left} matter left." if left == 1 else f"{left} matters left.")
    return (f"Recorded: {user.organisation.name} {verb} \u2018{section.title}\u2019. {rest}")

"""Why a position went stale: the first revision after the one it was given on (the change
that unpicked it), what made that revision (an accepted suggestion is named, asked of other
areas through the revision_origins signal), and the rendered difference since."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from markupsafe import Markup
from sqlalchemy import select, tuple_

from ..documents.models import SectionRevision
from ..documents.rendered_diff import rendered_diff
from ..extensions import db
from ..signals import revision_origins


@dataclass
class StaleNote:
    """What changed a section after a position was given on its revision `given_on`."""
    given_on: int
    #: "accepting Dacorum Borough Council’s suggestion of 2 December 2026", or "".
    changed_by: str
    changed_at: datetime | None
    old_body: str
    new_body: str

    @cached_property
    def difference(self) -> Markup:
        """Tracked changes over the rendered text, from the position's text to the current."""
        return rendered_diff(self.old_body, self.new_body)


def origins(document, revisions) -> dict[int, str]:
    """{revision id: what made it} for the revisions of kind "suggestion" (other areas
    answer; a revision nobody answers for is described by its own summary)."""
    wanted = [r for r in revisions if r is not None and r.kind == "suggestion"]
    if not wanted:
        return {}
    found: dict[int, str] = {}
    for _receiver, answer in revision_origins.send(document, revisions=wanted):
        found.update(answer or {})
    for r in wanted:
        if r.id not in found and r.summary:
            found[r.id] = r.summary[:1].lower() + r.summary[1:]
    return found


def stale_notes(document, cells) -> dict[tuple[int, int], StaleNote]:
    """{(section id, organisation id): StaleNote} for the stale cells among `cells`, loaded in
    one query for the revisions however many there are."""
    stale = [c for c in cells if c is not None and c.state == "stale"]
    if not stale:
        return {}
    pairs = {(c.section.id, n) for c in stale
             for n in (c.position.revision_number, c.position.revision_number + 1)}
    rows = db.session.scalars(select(SectionRevision).where(
        tuple_(SectionRevision.section_id, SectionRevision.number).in_(sorted(pairs)))).all()
    by_pair = {(r.section_id, r.number): r for r in rows}
    named = origins(document, [by_pair.get((c.section.id, c.position.revision_number + 1))
                               for c in stale])
    notes = {}
    for c in stale:
        given = c.position.revision_number
        old = by_pair.get((c.section.id, given))
        change = by_pair.get((c.section.id, given + 1))
        notes[(c.section.id, c.signatory.organisation_id)] = StaleNote(
            given_on=given, changed_by=named.get(change.id, "") if change else "",
            changed_at=change.created_at if change else None,
            old_body=old.body if old else "", new_body=c.section.body)
    return notes

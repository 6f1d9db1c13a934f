"""The agreement grid (strategic matters x signatories, each cell the authority's current
position) and the record of agreement a Statement of Common Ground must contain.

A position counts only while the section's text is still the text it was given on."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..documents.models import Document, Section, sha256_text
from ..documents.numbering import document_numbers
from ..extensions import db
from .models import STANCES, Position, Signatory
from .scope import in_scope, signatories, strategic_matters

#: Stances that count as agreement.
AGREEING = frozenset({"agreed", "reservations"})
#: What each state of a cell is called, in the order totals are shown.
STATE_LABELS = {"agreed": "Agreed", "reservations": "Agreed with reservations",
                "not_agreed": "Not agreed", "stale": "To re-confirm",
                "missing": "No position yet"}
#: GOV.UK tag colour of each state (the label always says it in words as well).
STATE_TAGS = {"agreed": "govuk-tag--green", "reservations": "govuk-tag--yellow",
              "not_agreed": "govuk-tag--red", "stale": "govuk-tag--orange",
              "missing": "govuk-tag--grey"}


def current_positions(document: Document,
                      section_ids: list[int] | None = None) -> dict[tuple[int, int], Position]:
    """{(section id, organisation id): latest Position} in one query."""
    latest = (select(func.max(Position.id))
              .where(Position.document_id == document.id)
              .group_by(Position.section_id, Position.organisation_id))
    if section_ids is not None:
        latest = latest.where(Position.section_id.in_(section_ids))
    rows = db.session.scalars(select(Position).where(Position.id.in_(latest)))
    return {(p.section_id, p.organisation_id): p for p in rows}


def is_current(position: Position, section: Section, section_sha: str | None = None) -> bool:
    """True while the section still holds the exact text the position was given on."""
    return position.text_sha256 == (section_sha or sha256_text(section.body))


def matter_numbers(document: Document) -> dict[int, str]:
    """{section id: number as printed (1, 2.1 ...)} for the document's live sections, in
    their order (read from ids and depths alone)."""
    return document_numbers(document.id)


@dataclass
class Cell:
    """One signatory's standing on one strategic matter."""
    section: Section
    signatory: Signatory
    position: Position | None
    current: bool
    #: For a stale cell drawn on the document page: why (stale.StaleNote), else None.
    note: object = None

    @property
    def state(self) -> str:
        """agreed, reservations, not_agreed, stale (given on an earlier version) or missing."""
        if self.position is None:
            return "missing"
        if not self.current:
            return "stale"
        return self.position.stance

    @property
    def outstanding(self) -> bool:
        return self.state in ("missing", "stale")

    @property
    def agrees(self) -> bool:
        return self.state in AGREEING

    @property
    def label(self) -> str:
        """The state in words, e.g. "Agreed with reservations"."""
        return STATE_LABELS[self.state]

    @property
    def tag_class(self) -> str:
        return STATE_TAGS[self.state]


@dataclass
class Grid:
    matters: list
    signatories: list
    cells: dict = field(default_factory=dict)      # (section id, organisation id) -> Cell

    def cell(self, section: Section, signatory: Signatory) -> Cell | None:
        return self.cells.get((section.id, signatory.organisation_id))

    def row(self, section: Section) -> list[Cell | None]:
        return [self.cell(section, s) for s in self.signatories]

    def row_of(self, signatory: Signatory) -> list[Cell | None]:
        """The signatory's cells, one per matter (None where the matter is out of scope)."""
        return [self.cell(m, signatory) for m in self.matters]

    @property
    def outstanding(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.outstanding]

    @property
    def not_agreed(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.state == "not_agreed"]

    def totals(self) -> dict[str, int]:
        """{state: count} over every in-scope cell."""
        counts = {"agreed": 0, "reservations": 0, "not_agreed": 0, "stale": 0, "missing": 0}
        for c in self.cells.values():
            counts[c.state] += 1
        return counts

    def outstanding_matters(self) -> list[Section]:
        """Strategic matters with at least one position still owed."""
        return [m for m in self.matters
                if any(c is not None and c.outstanding for c in self.row(m))]

    @property
    def fully_agreed(self) -> bool:
        """Every in-scope signatory currently agrees on every strategic matter."""
        return bool(self.cells) and all(c.agrees for c in self.cells.values())


def cells_for(sections: list[Section], people: list[Signatory],
              positions: dict[tuple[int, int], Position]) -> dict[tuple[int, int], Cell]:
    """{(section id, organisation id): Cell} for the in-scope pairs."""
    cells = {}
    for section in sections:
        sha = sha256_text(section.body)
        for signatory in people:
            if in_scope(signatory, section):
                position = positions.get((section.id, signatory.organisation_id))
                cells[(section.id, signatory.organisation_id)] = Cell(
                    section, signatory, position,
                    position is not None and is_current(position, section, sha))
    return cells


def agreement_grid(document: Document) -> Grid:
    """Strategic matters x signatories with each current position (in-scope cells only)."""
    matters = strategic_matters(document)
    people = signatories(document)
    positions = current_positions(document, [m.id for m in matters]) if matters else {}
    return Grid(matters=matters, signatories=people, cells=cells_for(matters, people, positions))


def record_of_agreement(document: Document, grid: Grid | None = None) -> list[dict]:
    """The record a Statement of Common Ground must contain, built from the positions.

    A list, one entry per strategic matter: its title, whether agreement has been reached,
    and each in-scope authority's position with reason, decision route and date.
    """
    numbers = matter_numbers(document)
    grid = agreement_grid(document) if grid is None else grid
    record = []
    for section in grid.matters:
        cells = [c for c in grid.row(section) if c is not None]
        entries = []
        for c in cells:
            p = c.position
            entries.append({
                "organisation": c.signatory.organisation.name,
                #: The authority's stable code (the open data's `organisation`).
                "organisation_code": c.signatory.organisation.code,
                "state": c.state,
                "stance": STANCES.get(c.state, STATE_LABELS["stale"] if c.state ==
                                      "stale" else "No position yet"),
                #: For a stale position, what the authority said on the earlier text.
                "earlier_stance": p.stance_label if c.state == "stale" else "",
                "revision": p.revision_number if p else None,
                "reason": p.reason if p else "",
                "route": p.route_label if p else "",
                "route_body": p.route_body if p else "",
                "meeting_date": p.meeting_date.isoformat() if p and p.meeting_date else "",
                "meeting_date_text": (f"{p.meeting_date.day} {p.meeting_date:%B %Y}"
                                      if p and p.meeting_date else ""),
                "minute_ref": p.minute_ref if p else "",
                "given_by": p.user.name if p else "",
                "given_at": p.created_at.isoformat(timespec="minutes") if p else "",
            })
        if cells and all(c.agrees for c in cells):
            status = "agreed"
        elif any(c.state == "not_agreed" for c in cells):
            status = "not_agreed"
        else:
            status = "outstanding"
        matter = section.matter
        record.append({"section_id": section.id, "number": numbers.get(section.id, ""),
                       "title": section.title, "status": status, "positions": entries,
                       # The partnership's strategic matter the section is about, as it was
                       # when frozen (the open data's `strategic-matter`).
                       "matter_reference": matter.reference if matter else "",
                       "matter_title": matter.title if matter else ""})
    return record

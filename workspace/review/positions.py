"""Rules for positions, signatory scope and the record of agreement.

A position is an authority's stance on a strategic matter (a section marked as one), given by
one of its Members on the exact text of the section at that moment. Positions are never
changed: the latest per section and authority is the current one, and it counts only while
the section's text is still the text it was given on.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..db import utcnow
from ..extensions import db
from ..documents.models import Section
from .models import STANCES, STANCES_NEEDING_REASON, Position, Signatory

#: Stances that count as agreement.
AGREEING = frozenset({"agreed", "reservations"})


def strategic_matters(document):
    """Live sections marked as strategic matters, in document order."""
    return db.session.scalars(
        select(Section).where(Section.document_id == document.id,
                              Section.removed_at.is_(None), Section.strategic_matter.is_(True))
        .order_by(Section.position)).all()


def signatories(document):
    """The document's signatories, by organisation name."""
    rows = db.session.scalars(select(Signatory).where(Signatory.document_id == document.id))
    return sorted(rows, key=lambda s: s.organisation.name)


def in_scope(signatory, section):
    """True when this signatory signs for this strategic matter."""
    if not section.strategic_matter or section.removed_at is not None:
        return False
    return signatory.all_matters or any(m.section_id == section.id for m in signatory.matters)


def current_positions(document, section_ids=None):
    """{(section id, organisation id): latest Position} in one query."""
    latest = (select(func.max(Position.id))
              .where(Position.document_id == document.id)
              .group_by(Position.section_id, Position.organisation_id))
    if section_ids is not None:
        latest = latest.where(Position.section_id.in_(section_ids))
    rows = db.session.scalars(select(Position).where(Position.id.in_(latest)))
    return {(p.section_id, p.organisation_id): p for p in rows}


def is_current(position, section):
    """True while the section still holds the exact text the position was given on."""
    from ..documents.models import sha256_text
    return position.text_sha256 == sha256_text(section.body)


@dataclass
class Cell:
    """One signatory's standing on one strategic matter."""
    section: Section
    signatory: Signatory
    position: Position | None
    current: bool

    @property
    def state(self):
        """agreed, reservations, not_agreed, stale (given on an earlier version) or missing."""
        if self.position is None:
            return "missing"
        if not self.current:
            return "stale"
        return self.position.stance

    @property
    def outstanding(self):
        return self.state in ("missing", "stale")

    @property
    def agrees(self):
        return self.state in AGREEING


@dataclass
class Grid:
    matters: list
    signatories: list
    cells: dict = field(default_factory=dict)      # (section id, organisation id) -> Cell

    def cell(self, section, signatory):
        return self.cells.get((section.id, signatory.organisation_id))

    def row(self, section):
        return [self.cell(section, s) for s in self.signatories]

    @property
    def outstanding(self):
        return [c for c in self.cells.values() if c.outstanding]

    @property
    def not_agreed(self):
        return [c for c in self.cells.values() if c.state == "not_agreed"]

    def totals(self):
        """{state: count} over every in-scope cell."""
        counts = {"agreed": 0, "reservations": 0, "not_agreed": 0, "stale": 0, "missing": 0}
        for c in self.cells.values():
            counts[c.state] += 1
        return counts

    @property
    def fully_agreed(self):
        """Every in-scope signatory currently agrees on every strategic matter."""
        return bool(self.cells) and all(c.agrees for c in self.cells.values())


def agreement_grid(document):
    """Strategic matters x signatories with each current position (in-scope cells only)."""
    matters = strategic_matters(document)
    people = signatories(document)
    positions = current_positions(document, [m.id for m in matters])
    grid = Grid(matters=matters, signatories=people)
    for section in matters:
        for signatory in people:
            if in_scope(signatory, section):
                position = positions.get((section.id, signatory.organisation_id))
                grid.cells[(section.id, signatory.organisation_id)] = Cell(
                    section, signatory, position,
                    position is not None and is_current(position, section))
    return grid


def record_of_agreement(document):
    """The record a Statement of Common Ground must contain, built from the positions.

    A list, one entry per strategic matter: its title, whether agreement has been reached,
    and each in-scope authority's position with reason, decision route and date.
    """
    from ..documents.service import number_sections, live_sections
    numbers = {s.id: n for n, s in number_sections(live_sections(document))}
    grid = agreement_grid(document)
    record = []
    for section in grid.matters:
        cells = [c for c in grid.row(section) if c is not None]
        entries = []
        for c in cells:
            p = c.position
            entries.append({
                "organisation": c.signatory.organisation.name,
                "state": c.state,
                "stance": STANCES.get(c.state, "Given on an earlier version" if c.state ==
                                      "stale" else "No position yet"),
                "reason": p.reason if p else "",
                "route": p.route_label if p else "",
                "route_body": p.route_body if p else "",
                "meeting_date": p.meeting_date.isoformat() if p and p.meeting_date else "",
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
        record.append({"section_id": section.id, "number": numbers.get(section.id, ""),
                       "title": section.title, "status": status, "positions": entries})
    return record


class PositionError(Exception):
    """A position that cannot be recorded; the message is for the Member."""

    def __init__(self, message, status=422, field=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def signatory_for(document, organisation_id):
    return db.session.scalar(select(Signatory).where(
        Signatory.document_id == document.id, Signatory.organisation_id == organisation_id))


def record_position(section, user, stance, reason="", route=None, route_body="",
                    meeting_date=None, minute_ref="", seen_version=None):
    """Record the user's authority's position on a strategic matter (a new row, always).

    `seen_version` is the section version the Member's form showed: if the text changed
    since, nothing is recorded (the Member must read the new text first).
    """
    from ..documents.models import sha256_text
    from .. import audit
    if user.role != "member":
        raise PositionError("Only Members can record their authority's position.", 403)
    if not section.strategic_matter or section.removed_at is not None:
        raise PositionError("Positions are recorded on strategic matters only.", 422)
    signatory = signatory_for(section.document, user.organisation_id)
    if signatory is None or not in_scope(signatory, section):
        raise PositionError(f"{user.organisation.name} is not a signatory for this matter.",
                            403)
    if section.document.status not in ("draft", "out_for_agreement"):
        raise PositionError("Positions can no longer be recorded: the document is "
                            f"{section.document.status.replace('_', ' ')}.", 409)
    if stance not in STANCES:
        raise PositionError("Choose Agreed, Agreed with reservations or Not agreed.",
                            field="stance")
    reason = (reason or "").strip()
    if stance in STANCES_NEEDING_REASON and not reason:
        raise PositionError("Give the reason for your authority's position.", field="reason")
    if seen_version is not None and seen_version != section.version:
        raise PositionError("The section changed after you opened this form. Read the new "
                            "text, then record your position again.", 409)
    position = Position(
        document_id=section.document_id, section_id=section.id,
        organisation_id=user.organisation_id, user_id=user.id, stance=stance, reason=reason,
        route=route or None, route_body=(route_body or "").strip(), meeting_date=meeting_date,
        minute_ref=(minute_ref or "").strip(), revision_number=section.version,
        text_sha256=sha256_text(section.body), created_at=utcnow())
    db.session.add(position)
    db.session.flush()
    audit.record("position.recorded", position, actor=user, document=section.document,
                 section=section.title, stance=stance, organisation=user.organisation.name)
    return position


def position_context(document, section_ids, user):
    """{section id: current positions and what the user may record} for the document page."""
    return {}

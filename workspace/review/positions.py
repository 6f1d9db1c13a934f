"""Positions: an authority's stance on a strategic matter (a section marked as one), given
by one of its Members on the exact text of the section at that moment.

Positions are never changed: the latest per section and authority is the current one, and it
counts only while the section's text is still the text it was given on (agreement.py). The
names of scope.py and agreement.py are importable from here as well, as views and tests use
them (`positions.agreement_grid`, `positions.signatories` ...).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..clock import utcnow
from ..documents.feed import record_change
from ..documents.models import Document, Section, sha256_text
from ..extensions import db
from .agreement import (  # noqa: F401  (importable from here)
    AGREEING,
    STATE_LABELS,
    STATE_TAGS,
    Cell,
    Grid,
    agreement_grid,
    cells_for,
    current_positions,
    is_current,
    matter_numbers,
    record_of_agreement,
)
from .errors import PositionError
from .guards import shared_status
from .models import ROUTES, STANCES, STANCES_NEEDING_REASON, Position
from .scope import (  # noqa: F401  (importable from here)
    OPEN_STATUSES,
    SCOPES,
    ScopeRow,
    check_scope,
    in_scope,
    set_strategic_matter,
    signatories,
    signatory_for,
    signatory_scope,
    strategic_matters,
    update_signatories,
)
from .stale import stale_notes

#: Field limits (the columns' sizes; the reason is Text but a position is not an essay).
MAX_REASON = 10_000
MAX_ROUTE_BODY = 200
MAX_MINUTE_REF = 100


def check_may_record(section: Section, user: User, seen_version: int | None = None,
                     lock: bool = True) -> None:
    """Raise PositionError (403, 409; 422 off a strategic matter) unless the user may record
    a position on this section now, having read `seen_version` of it. `lock=False` for a
    question only (showing the form): the status is read without the shared row lock a write
    takes."""
    if user.role != "member":
        raise PositionError("Only Members can record their authority's position.", 403)
    if section.removed_at is not None:
        raise PositionError("This section has been removed from the document.", 409)
    if not section.strategic_matter:
        raise PositionError("Positions are recorded on strategic matters only.", 422)
    signatory = signatory_for(section.document, user.organisation_id)
    if signatory is None or not in_scope(signatory, section):
        raise PositionError(f"{user.organisation.name} is not a signatory for this matter.",
                            403)
    status = shared_status(section.document) if lock else section.document.status
    if status not in OPEN_STATUSES:
        raise PositionError("Positions can no longer be recorded: the document is "
                            f"{status.replace('_', ' ')}.", 409)
    if seen_version is not None and seen_version != section.version:
        raise PositionError("The section changed after you opened this form. Read the new "
                            "text, then record your position again.", 409)


def record_position(section: Section, user: User, stance: str, reason: str | None = "",
                    route: str | None = None, route_body: str | None = "",
                    meeting_date: date | None = None, minute_ref: str | None = "",
                    seen_version: int | None = None) -> Position:
    """Record the user's authority's position on a strategic matter (a new row, always).

    `seen_version` is the section version the Member's form showed: if the text changed
    since, nothing is recorded (the Member must read the new text first).
    """
    check_may_record(section, user, seen_version)
    if stance not in STANCES:
        raise PositionError("Choose Agreed, Agreed with reservations or Not agreed.",
                            field="stance")
    reason = (reason or "").strip()
    if stance in STANCES_NEEDING_REASON and not reason:
        raise PositionError("Give the reason for your authority's position.", field="reason")
    if len(reason) > MAX_REASON:
        raise PositionError(f"The reason must be {MAX_REASON:,} characters or fewer.",
                            field="reason")
    if route and route not in ROUTES:
        raise PositionError("Choose a decision route from the list.", field="route")
    route_body, minute_ref = (route_body or "").strip(), (minute_ref or "").strip()
    if len(route_body) > MAX_ROUTE_BODY:
        raise PositionError(f"The body must be {MAX_ROUTE_BODY} characters or fewer.",
                            field="route_body")
    if len(minute_ref) > MAX_MINUTE_REF:
        raise PositionError(f"The minute reference must be {MAX_MINUTE_REF} characters or "
                            "fewer.", field="minute_ref")
    position = Position(
        document_id=section.document_id, section_id=section.id,
        organisation_id=user.organisation_id, user_id=user.id, stance=stance, reason=reason,
        route=route or None, route_body=route_body, meeting_date=meeting_date,
        minute_ref=minute_ref, revision_number=section.version,
        text_sha256=sha256_text(section.body), created_at=utcnow())
    db.session.add(position)
    db.session.flush()
    record_change(section.document_id, section.id, "comment")   # others see it live
    audit.record("position.recorded", position, actor=user, document=section.document,
                 section=section.title, stance=stance, organisation=user.organisation.name,
                 revision=section.version)
    return position


def latest_position(section: Section, organisation_id: int) -> Position | None:
    """The authority's latest position on the section (on this text or an earlier one)."""
    return db.session.scalar(
        select(Position).where(Position.section_id == section.id,
                               Position.organisation_id == organisation_id)
        .order_by(Position.id.desc()).limit(1))


def position_history(section: Section, organisation_id: int) -> list[Position]:
    """Every position the authority has recorded on the section, newest first."""
    return db.session.scalars(
        select(Position).where(Position.section_id == section.id,
                               Position.organisation_id == organisation_id)
        .order_by(Position.id.desc())).all()


# The document page --------------------------------------------------------------------------

@dataclass
class SectionPositions:
    """What the document page shows of positions on one strategic matter."""
    section: Section
    #: The in-scope signatories' cells, by organisation name.
    cells: list
    #: The user's own authority's cell, when it is in scope.
    own: Cell | None
    #: True when the user may record a position here now.
    may_record: bool
    #: Why a Member cannot record here ("" when they can, or are not a Member).
    refusal: str = ""
    #: Choices of the position form.
    stances = STANCES
    routes = ROUTES


def position_context(document: Document, section_ids: list[int], user: User,
                     sections: list[Section] | None = None) -> dict[int, SectionPositions]:
    """{section id: SectionPositions} for the strategic matters among the given sections.

    A fixed number of queries however many sections: the strategic matters (unless the caller
    passes the live `sections` it has loaded), the signatories (and their listed matters) and
    the current positions, each loaded once.
    """
    wanted = set(section_ids)
    if sections is None:
        sections = strategic_matters(document)
    matters = [s for s in sections if s.id in wanted and s.strategic_matter
               and s.removed_at is None]
    if not matters:
        return {}
    people = signatories(document)
    positions = current_positions(document, [m.id for m in matters]) if people else {}
    cells = cells_for(matters, people, positions)
    for key, note in stale_notes(document, cells.values()).items():
        cells[key].note = note
    is_member = getattr(user, "role", None) == "member"
    open_ = document.status in OPEN_STATUSES
    result = {}
    for section in matters:
        row = [cells[(section.id, s.organisation_id)] for s in people
               if (section.id, s.organisation_id) in cells]
        own = cells.get((section.id, getattr(user, "organisation_id", None)))
        refusal = ""
        if is_member and own is None:
            refusal = f"{user.organisation.name} is not a signatory for this matter."
        elif is_member and not open_:
            refusal = ("Positions can no longer be recorded: the document is "
                       f"{document.status.replace('_', ' ')}.")
        result[section.id] = SectionPositions(
            section=section, cells=row, own=own,
            may_record=is_member and own is not None and open_, refusal=refusal)
    return result

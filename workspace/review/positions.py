"""Rules for positions, signatory scope and the record of agreement.

A position is an authority's stance on a strategic matter (a section marked as one), given by
one of its Members on the exact text of the section at that moment. Positions are never
changed: the latest per section and authority is the current one, and it counts only while
the section's text is still the text it was given on.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from .. import audit
from ..db import utcnow
from ..documents.models import Document, Section, sha256_text
from ..extensions import db
from .models import ROUTES, STANCES, STANCES_NEEDING_REASON, Position, Signatory, SignatoryMatter

#: Stances that count as agreement.
AGREEING = frozenset({"agreed", "reservations"})
#: Document statuses in which positions, strategic matters and scope may still change.
OPEN_STATUSES = frozenset({"draft", "out_for_agreement"})
#: What each state of a cell is called, in the order totals are shown.
STATE_LABELS = {"agreed": "Agreed", "reservations": "Agreed with reservations",
                "not_agreed": "Not agreed", "stale": "Given on an earlier version",
                "missing": "No position yet"}
#: GOV.UK tag colour of each state (the label always says it in words as well).
STATE_TAGS = {"agreed": "govuk-tag--green", "reservations": "govuk-tag--yellow",
              "not_agreed": "govuk-tag--red", "stale": "govuk-tag--orange",
              "missing": "govuk-tag--grey"}
#: Field limits (the columns' sizes; the reason is Text but a position is not an essay).
MAX_REASON = 10_000
MAX_ROUTE_BODY = 200
MAX_MINUTE_REF = 100
#: Choices of the signatory scope form.
SCOPES = {"none": "Does not sign this document", "all": "Signs for every strategic matter",
          "listed": "Signs for the strategic matters listed below only"}


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


def is_current(position, section, section_sha=None):
    """True while the section still holds the exact text the position was given on."""
    return position.text_sha256 == (section_sha or sha256_text(section.body))


def matter_numbers(document):
    """{section id: number as printed (1, 2.1 ...)} for the document's live sections."""
    from ..documents.service import live_sections, number_sections
    return {s.id: n for n, s in number_sections(live_sections(document))}


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

    @property
    def label(self):
        """The state in words, e.g. "Agreed with reservations"."""
        return STATE_LABELS[self.state]

    @property
    def tag_class(self):
        return STATE_TAGS[self.state]


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

    def outstanding_matters(self):
        """Strategic matters with at least one position still owed."""
        return [m for m in self.matters
                if any(c is not None and c.outstanding for c in self.row(m))]

    @property
    def fully_agreed(self):
        """Every in-scope signatory currently agrees on every strategic matter."""
        return bool(self.cells) and all(c.agrees for c in self.cells.values())


def _cells(sections, people, positions):
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


def agreement_grid(document):
    """Strategic matters x signatories with each current position (in-scope cells only)."""
    matters = strategic_matters(document)
    people = signatories(document)
    positions = current_positions(document, [m.id for m in matters]) if matters else {}
    return Grid(matters=matters, signatories=people, cells=_cells(matters, people, positions))


def record_of_agreement(document, grid=None):
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
                "state": c.state,
                "stance": STANCES.get(c.state, "Given on an earlier version" if c.state ==
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
        record.append({"section_id": section.id, "number": numbers.get(section.id, ""),
                       "title": section.title, "status": status, "positions": entries})
    return record


class PositionError(Exception):
    """A position (or scope change) that cannot be made; the message is for the user."""

    def __init__(self, message, status=422, field=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def signatory_for(document, organisation_id):
    return db.session.scalar(select(Signatory).where(
        Signatory.document_id == document.id, Signatory.organisation_id == organisation_id))


def _status(document):
    """The document's status read under a shared row lock (PostgreSQL; SQLite write requests
    are serialised), so a lifecycle step that freezes the document cannot slip in between
    this check and the write that depends on it."""
    return db.session.execute(select(Document.status).where(Document.id == document.id)
                              .with_for_update(read=True)).scalar_one()


def _check_open(document, what):
    status = _status(document)
    if status not in OPEN_STATUSES:
        raise PositionError(f"{what} can no longer be changed: the document is "
                            f"{status.replace('_', ' ')}.", 409)


def check_may_record(section, user, seen_version=None):
    """Raise PositionError (403, 409; 422 off a strategic matter) unless the user may record
    a position on this section now, having read `seen_version` of it."""
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
    status = _status(section.document)
    if status not in OPEN_STATUSES:
        raise PositionError("Positions can no longer be recorded: the document is "
                            f"{status.replace('_', ' ')}.", 409)
    if seen_version is not None and seen_version != section.version:
        raise PositionError("The section changed after you opened this form. Read the new "
                            "text, then record your position again.", 409)


def record_position(section, user, stance, reason="", route=None, route_body="",
                    meeting_date=None, minute_ref="", seen_version=None):
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
    from ..documents.service import record_change
    record_change(section.document_id, section.id, "comment")   # others see it live
    audit.record("position.recorded", position, actor=user, document=section.document,
                 section=section.title, stance=stance, organisation=user.organisation.name,
                 revision=section.version)
    return position


def position_history(section, organisation_id):
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


def position_context(document, section_ids, user, sections=None):
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
    cells = _cells(matters, people, positions)
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


# Strategic matters and signatory scope ------------------------------------------------------

def set_strategic_matter(section, value, user):
    """Mark a section as a strategic matter, or no longer one. False when nothing changed.

    Positions already given are kept: they count again if the section is marked again.
    """
    value = bool(value)
    if section.removed_at is not None:
        raise PositionError("This section has been removed from the document.", 409)
    _check_open(section.document, "Strategic matters")
    if section.strategic_matter == value:
        return False
    section.strategic_matter = value
    from ..documents.service import record_change
    record_change(section.document_id, section.id, "comment")
    audit.record("section.strategic_matter_changed", section, actor=user,
                 document=section.document, title=section.title, strategic_matter=value)
    return True


@dataclass
class ScopeRow:
    """One partner organisation on the signatory scope page."""
    organisation: object
    scope: str                  # none, all or listed
    matter_ids: set
    error: str = ""


def signatory_scope(document, partnership):
    """[ScopeRow] for every partner organisation: whether and for what it signs."""
    current = {s.organisation_id: s for s in signatories(document)}
    rows = []
    for organisation in partnership.organisations:
        signatory = current.get(organisation.id)
        if signatory is None:
            rows.append(ScopeRow(organisation, "none", set()))
        else:
            rows.append(ScopeRow(organisation, "all" if signatory.all_matters else "listed",
                                 {m.section_id for m in signatory.matters}))
    return rows


def check_scope(rows, matters):
    """Set each row's error; True when every row can be saved."""
    matter_ids = {m.id for m in matters}
    ok = True
    for row in rows:
        if row.scope not in SCOPES:
            row.error = f"Choose whether {row.organisation.name} signs this document."
        elif row.scope == "listed" and not row.matter_ids:
            row.error = (f"Choose at least one strategic matter {row.organisation.name} signs "
                         "for, or choose that it signs for every one or does not sign.")
        elif row.scope == "listed" and not row.matter_ids <= matter_ids:
            row.error = "Choose strategic matters from the list."
        else:
            row.error = ""
        ok = ok and not row.error
    return ok


def update_signatories(document, partnership, rows, user):
    """Create, change or delete Signatory rows to match the scope rows. Names of the changed.

    Raises PositionError (422) when a row is invalid: nothing is changed then.
    """
    _check_open(document, "Signatories")
    matters = strategic_matters(document)
    if not check_scope(rows, matters):
        raise PositionError("Check the signatories: some choices are incomplete.")
    titles = {m.id: m.title for m in matters}
    partners = {o.id for o in partnership.organisations}
    current = {s.organisation_id: s for s in signatories(document)}
    changed = []
    for row in rows:
        org = row.organisation
        if org.id not in partners:
            continue
        signatory = current.get(org.id)
        wanted = row.matter_ids if row.scope == "listed" else set()
        if row.scope == "none":
            if signatory is not None:
                db.session.delete(signatory)
                audit.record("signatory.removed", signatory, actor=user, document=document,
                             organisation=org.name)
                changed.append(org.name)
            continue
        if signatory is None:
            signatory = Signatory(document_id=document.id, organisation_id=org.id,
                                  all_matters=row.scope == "all")
            signatory.matters = [SignatoryMatter(section_id=i) for i in sorted(wanted)]
            db.session.add(signatory)
            db.session.flush()
            action = "signatory.added"
        else:
            had = {m.section_id for m in signatory.matters}
            if signatory.all_matters == (row.scope == "all") and had == wanted:
                continue
            signatory.all_matters = row.scope == "all"
            signatory.matters = [m for m in signatory.matters if m.section_id in wanted] + [
                SignatoryMatter(section_id=i) for i in sorted(wanted - had)]
            action = "signatory.changed"
        audit.record(action, signatory, actor=user, document=document, organisation=org.name,
                     all_matters=row.scope == "all",
                     matters=[titles[i] for i in sorted(wanted) if i in titles])
        changed.append(org.name)
    db.session.flush()
    return changed

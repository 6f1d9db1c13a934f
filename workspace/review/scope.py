"""Strategic matters and signatory scope: which sections need positions, and which
authorities sign the document, for every strategic matter or for those listed."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import audit, binders
from ..accounts.models import User
from ..documents.editing import live_block_refusal
from ..documents.feed import record_change
from ..documents.models import EDITABLE_STATUSES, Document, Section
from ..extensions import db
from ..partnerships.matters import matter_for_title
from ..partnerships.models import Partnership, StrategicMatter
from .errors import PositionError
from .guards import shared_status
from .models import Signatory, SignatoryMatter

#: Document statuses in which positions, strategic matters and scope may still change (the
#: vocabulary's own set, beside Document.status).
OPEN_STATUSES = EDITABLE_STATUSES
#: Choices of the signatory scope form.
SCOPES = {"none": "Does not sign this document", "all": "Signs for every strategic matter",
          "listed": "Signs for the strategic matters listed below only"}


def strategic_matters(document: Document) -> list[Section]:
    """Live sections marked as strategic matters, in document order."""
    return db.session.scalars(
        select(Section).where(Section.document_id == document.id,
                              Section.removed_at.is_(None), Section.strategic_matter.is_(True))
        .order_by(Section.position)).all()


def signatories(document: Document) -> list[Signatory]:
    """The document's signatories, by organisation name."""
    rows = db.session.scalars(select(Signatory).where(Signatory.document_id == document.id))
    return sorted(rows, key=lambda s: s.organisation.name)


def in_scope(signatory: Signatory, section: Section) -> bool:
    """True when this signatory signs for this strategic matter."""
    if not section.strategic_matter or section.removed_at is not None:
        return False
    return signatory.all_matters or any(m.section_id == section.id for m in signatory.matters)


def signatory_for(document: Document, organisation_id: int) -> Signatory | None:
    return db.session.scalar(select(Signatory).where(
        Signatory.document_id == document.id, Signatory.organisation_id == organisation_id))


def check_open(document: Document, what: str) -> None:
    """PositionError (409) unless the document is still open to positions and scope."""
    status = shared_status(document)
    if status not in OPEN_STATUSES:
        raise PositionError(f"{what} can no longer be changed: the document is "
                            f"{status.replace('_', ' ')}.", 409)


#: The `matter` of set_strategic_matter meaning "a new matter named after this section" (the
#: partnership's matter of the section's title when there already is one).
NAMED_AFTER_SECTION = "new"


def matter_refusal(section: Section) -> str:
    """Why the section cannot be made a strategic matter (it embeds a live block), or ""."""
    markers = binders.live_markers(section.html)
    return live_block_refusal(markers) if markers else ""


def set_strategic_matter(section: Section, value: bool, user: User,
                         matter: StrategicMatter | str | None = None) -> bool:
    """Mark a section as a strategic matter about `matter`, or no longer one. False when
    nothing changed.

    `matter` is one of the partnership's matters (not retired, unless the section is already
    about it), NAMED_AFTER_SECTION, or None: the matter the section was about before, else the
    one of its title, else a new one named after it. A marked section may be linked to another
    matter by marking it again with that matter. Positions already given are kept: they count
    again if the section is marked again, and they stay on the section whatever its matter.
    """
    value = bool(value)
    if section.removed_at is not None:
        raise PositionError("This section has been removed from the document.", 409)
    check_open(section.document, "Strategic matters")
    partnership = section.document.partnership
    if isinstance(matter, StrategicMatter) and value:
        if matter.partnership_id != partnership.id:
            raise PositionError("Choose one of this partnership's strategic matters.",
                                field="matter")
        if matter.retired_at is not None and matter.id != section.matter_id:
            raise PositionError(f"Strategic matter {matter.reference} has been retired: "
                                "choose another.", field="matter")
    if section.strategic_matter == value and (not value or matter is None):
        return False
    # Only on becoming a matter: one marked before this rule may still be re-linked or
    # unmarked (an edit that keeps the block is refused).
    refusal = value and not section.strategic_matter and matter_refusal(section)
    if refusal:
        raise PositionError(refusal)
    changed = section.strategic_matter != value
    if changed:
        section.strategic_matter = value
        audit.record("section.strategic_matter_changed", section, actor=user,
                     document=section.document, title=section.title, strategic_matter=value)
    if value:
        if isinstance(matter, StrategicMatter):
            wanted = matter
        elif matter is None and section.matter_id is not None:
            wanted = section.matter
        else:
            wanted = matter_for_title(partnership, section.title, user)
        if wanted.id != section.matter_id:
            changed = True
            section.matter = wanted
            audit.record("section.matter_linked", section, actor=user,
                         document=section.document, title=section.title,
                         matter=wanted.reference)
    if not changed:
        return False
    record_change(section.document_id, section.id, "comment")
    return True


@dataclass
class ScopeRow:
    """One partner organisation on the signatory scope page."""
    organisation: object
    scope: str                  # none, all or listed
    matter_ids: set
    error: str = ""


def signatory_scope(document: Document, partnership: Partnership) -> list[ScopeRow]:
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


def check_scope(rows: list[ScopeRow], matters: list[Section]) -> bool:
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


def update_signatories(document: Document, partnership: Partnership, rows: list[ScopeRow],
                       user: User) -> list[str]:
    """Create, change or delete Signatory rows to match the scope rows. Names of the changed.

    Raises PositionError (422) when a row is invalid: nothing is changed then.
    """
    check_open(document, "Signatories")
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

"""The engagement objectives of a partnership ("Unite", "Inform" ...): a short ordered list
that stakeholders support; names unique among the live ones. Changes are audited."""
from dataclasses import dataclass

from sqlalchemy import func, select

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..partnerships.models import Partnership
from .models import Objective
from .validation import Invalid

OBJECTIVE_LIMITS = {"name": 60, "description": 2000}


@dataclass(frozen=True)
class ObjectiveValues:
    """An objective's name and description as entered, before they are checked."""
    name: str = ""
    description: str = ""


def objectives(partnership):
    """The partnership's live objectives, in order."""
    return db.session.scalars(
        select(Objective).where(Objective.partnership_id == partnership.id,
                                Objective.removed_at.is_(None))
        .order_by(Objective.order, Objective.id)).all()


def objective_use(stakeholder_rows):
    """{objective id: how many of these stakeholders support it} (live objectives only)."""
    counts = {}
    for row in stakeholder_rows:
        for objective in row.live_objectives:
            counts[objective.id] = counts.get(objective.id, 0) + 1
    return counts


def get_objective(partnership, objective_id):
    """The live objective in this partnership, or None."""
    row = db.session.get(Objective, objective_id)
    if row is None or row.partnership_id != partnership.id or row.removed_at is not None:
        return None
    return row


def validate_objective(partnership, values: ObjectiveValues, current=None):
    """(clean values, {field: message}) for an objective: a short name, unique among the
    partnership's live objectives, without the CSV's separator; a description."""
    clean = {name: (getattr(values, name) or "").strip() for name in OBJECTIVE_LIMITS}
    errors = {}
    name = clean["name"]
    if not name:
        errors["name"] = "Enter the objective's short name, for example Unite."
    elif len(name) > OBJECTIVE_LIMITS["name"]:
        errors["name"] = f"Short name must be {OBJECTIVE_LIMITS['name']} characters or fewer."
    elif ";" in name:
        errors["name"] = ("Short name cannot contain a semicolon: it separates objectives in "
                          "the CSV.")
    elif any(o.name.lower() == name.lower() and o is not current
             for o in objectives(partnership)):
        errors["name"] = f"There is already an objective called \u201c{name}\u201d."
    if len(clean["description"]) > OBJECTIVE_LIMITS["description"]:
        errors["description"] = (f"Description must be {OBJECTIVE_LIMITS['description']} "
                                 "characters or fewer.")
    return clean, errors


def _lock_partnership(partnership):
    """Serialise changes to the partnership's objectives (names must stay unique)."""
    db.session.execute(select(Partnership.id).where(Partnership.id == partnership.id)
                       .with_for_update())


def add_objective(partnership, values: ObjectiveValues, user):
    """Add an objective at the end of the list; Invalid when a value breaks a rule."""
    _lock_partnership(partnership)
    clean, errors = validate_objective(partnership, values)
    if errors:
        raise Invalid(errors, values)
    last = db.session.scalar(select(func.max(Objective.order))
                             .where(Objective.partnership_id == partnership.id))
    row = Objective(partnership_id=partnership.id, order=(last or 0) + 1, **clean)
    db.session.add(row)
    db.session.flush()
    audit.record("objective.added", row, actor=user, partnership=partnership, name=row.name)
    return row


def update_objective(partnership, row, values: ObjectiveValues, user):
    """Rename or describe an objective; Invalid when a value breaks a rule."""
    _lock_partnership(partnership)
    clean, errors = validate_objective(partnership, values, current=row)
    if errors:
        raise Invalid(errors, values)
    changes = {name: [getattr(row, name), value] for name, value in clean.items()
               if getattr(row, name) != value}
    if changes:
        for name, (_old, new) in changes.items():
            setattr(row, name, new)
        row.updated_at = utcnow()
        audit.record("objective.changed", row, actor=user, partnership=partnership,
                     name=row.name, changes=changes)
    return row


def remove_objective(partnership, row, user):
    """Take an objective off the list (kept, marked removed; stakeholders' links kept)."""
    row.removed_at = utcnow()
    audit.record("objective.removed", row, actor=user, partnership=partnership,
                 name=row.name)

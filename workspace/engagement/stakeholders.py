"""The stakeholder register: validation of a stakeholder's values (from the form or a CSV row),
changes (audited), sorting and filtering."""
from collections.abc import Mapping
from dataclasses import dataclass, fields

from sqlalchemy import select

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..numbers import whole_number
from .models import CATEGORIES, PRIORITIES, STAGES, Stakeholder
from .objectives import objectives
from .validation import Invalid, choice

TEXT_LIMITS = {"name": 200, "contact": 200, "lead_partner": 200, "lead_person": 200,
               "actions": 5000}
CHOICES = {"category": CATEGORIES, "relationship_now": STAGES,
           "relationship_target": STAGES, "priority": PRIORITIES}
FIELD_LABELS = {"name": "Name", "category": "Category", "contact": "Contact",
                "lead_partner": "Lead partner", "lead_person": "Lead person",
                "relationship_now": "Relationship now", "relationship_target":
                "Relationship target", "influence": "Influence", "quality":
                "Quality of relationship", "priority": "Priority", "actions": "Actions",
                "objectives": "Objectives supported"}
SORTS = {"name": Stakeholder.name, "category": Stakeholder.category,
         "influence": Stakeholder.influence, "quality": Stakeholder.quality,
         "priority": Stakeholder.priority, "now": Stakeholder.relationship_now,
         "lead": Stakeholder.lead_partner}


@dataclass(frozen=True)
class StakeholderValues:
    """A stakeholder's values as entered, before they are checked: from the form (objectives
    by id, from the checkboxes) or from a CSV row (objectives by name, split at semicolons)."""
    name: str = ""
    category: str = ""
    contact: str = ""
    lead_partner: str = ""
    lead_person: str = ""
    relationship_now: str = ""
    relationship_target: str = ""
    influence: str = ""
    quality: str = ""
    priority: str = ""
    actions: str = ""
    objective_ids: tuple[str, ...] = ()
    objective_names: tuple[str, ...] = ()

    @classmethod
    def from_form(cls, data: Mapping) -> "StakeholderValues":
        """From a StakeholderForm's data (objectives: the ids ticked)."""
        text = {f.name: str(data.get(f.name) or "") for f in fields(cls)
                if not f.name.startswith("objective_")}
        return cls(**text, objective_ids=tuple(str(v) for v in data.get("objectives") or ()))

    @classmethod
    def from_row(cls, data: Mapping) -> "StakeholderValues":
        """From a CSV row (objectives: names separated by semicolons)."""
        text = {f.name: str(data.get(f.name) or "") for f in fields(cls)
                if not f.name.startswith("objective_")}
        names = (n.strip() for n in str(data.get("objectives") or "").split(";"))
        return cls(**text, objective_names=tuple(n for n in names if n))


def _score(value):
    number = whole_number(value, maximum=5)
    return number if number else None


def _chosen_objectives(values, objectives):
    """(objectives chosen, message or None): ids from the form's checkboxes, or names from a
    CSV cell, checked against the partnership's objectives."""
    chosen, unknown = [], []
    if values.objective_names:
        by_name = {o.name.lower(): o for o in objectives}
        for name in values.objective_names:
            found = by_name.get(name.lower())
            chosen.append(found) if found else unknown.append(name)
        if unknown:
            known = ", ".join(o.name for o in objectives)
            return [], ("Not an objective of this partnership: "
                        + ", ".join(f"\u201c{n}\u201d" for n in unknown) + ". "
                        + (f"The objectives are: {known}." if known else
                           "It has no objectives yet: add them on the engagement page."))
    else:
        by_id = {str(o.id): o for o in objectives}
        for value in (v.strip() for v in values.objective_ids):
            if value:
                found = by_id.get(value)
                chosen.append(found) if found else unknown.append(value)
        if unknown:
            return [], "Choose objectives from the list (one may have been removed)."
    return [o for o in objectives if o in chosen], None     # once each, in the list's order


def validate_stakeholder(values: StakeholderValues, objectives=()):
    """(clean values, {field: message}) for a stakeholder from form or CSV values;
    `objectives` are the partnership's live objectives, the only ones it may support."""
    clean, errors = {}, {}
    for name, limit in TEXT_LIMITS.items():
        value = getattr(values, name).strip()
        if len(value) > limit:
            errors[name] = f"{FIELD_LABELS[name]} must be {limit} characters or fewer."
        clean[name] = value
    if not clean["name"]:
        errors["name"] = "Enter the stakeholder's name."
    for name, options in CHOICES.items():
        key = choice(getattr(values, name), options)
        if key is None:
            errors[name] = (f"{FIELD_LABELS[name]} must be one of: "
                            f"{', '.join(options.values())}.")
        clean[name] = key
    for name in ("influence", "quality"):
        score = _score(getattr(values, name))
        if score is None:
            errors[name] = f"{FIELD_LABELS[name]} must be a whole number from 1 to 5."
        clean[name] = score
    clean["objectives"], message = _chosen_objectives(values, objectives)
    if message:
        errors["objectives"] = message
    return clean, errors


def stakeholders(partnership, sort="name", descending=False, category=None, priority=None,
                 stage=None, text=None):
    """The partnership's register, filtered and sorted."""
    query = select(Stakeholder).where(Stakeholder.partnership_id == partnership.id,
                                      Stakeholder.removed_at.is_(None))
    if category in CATEGORIES:
        query = query.where(Stakeholder.category == category)
    if priority in PRIORITIES:
        query = query.where(Stakeholder.priority == priority)
    if stage in STAGES:
        query = query.where(Stakeholder.relationship_now == stage)
    if text:
        query = query.where(Stakeholder.name.ilike(f"%{text.strip()}%"))
    rows = db.session.scalars(query.order_by(Stakeholder.name, Stakeholder.id)).all()
    orders = {"category": list(CATEGORIES), "priority": list(PRIORITIES),
              "now": list(STAGES)}
    if sort in ("category", "priority", "now"):
        attr = {"category": "category", "priority": "priority", "now": "relationship_now"}[sort]
        rows = sorted(rows, key=lambda s: orders[sort].index(getattr(s, attr)),
                      reverse=descending)
    elif sort in SORTS:
        attr = {"lead": "lead_partner"}.get(sort, sort)
        rows = sorted(rows, key=lambda s: (getattr(s, attr) or "").lower()
                      if isinstance(getattr(s, attr), str) else getattr(s, attr),
                      reverse=descending)
    return rows


def get_stakeholder(partnership, stakeholder_id):
    """The live stakeholder in this partnership, or None."""
    row = db.session.get(Stakeholder, stakeholder_id)
    if row is None or row.partnership_id != partnership.id or row.removed_at is not None:
        return None
    return row


def add_stakeholder(partnership, values: StakeholderValues, user):
    """Add a stakeholder to the register; Invalid when a value breaks a rule."""
    clean, errors = validate_stakeholder(values, objectives(partnership))
    if errors:
        raise Invalid(errors, values)
    row = Stakeholder(partnership_id=partnership.id, **clean)
    db.session.add(row)
    db.session.flush()
    audit.record("stakeholder.added", row, actor=user, partnership=partnership,
                 name=row.name, objectives=[o.name for o in row.objectives])
    return row


def apply_values(row, clean):
    """Set a stakeholder's values; {field: [old, new]} of those that changed (objectives by
    name). Links to removed objectives are kept: only the live ones are chosen."""
    changes = {}
    for name, value in clean.items():
        if name == "objectives":
            old = row.live_objectives
            if {o.id for o in old} != {o.id for o in value}:
                changes[name] = [[o.name for o in old], [o.name for o in value]]
                row.objectives = [o for o in row.objectives if o.removed_at is not None] + \
                    list(value)
        elif getattr(row, name) != value:
            changes[name] = [getattr(row, name), value]
            setattr(row, name, value)
    return changes


def update_stakeholder(partnership, row, values: StakeholderValues, user):
    """Change a stakeholder; records the fields changed. Invalid when a value breaks a rule."""
    clean, errors = validate_stakeholder(values, objectives(partnership))
    if errors:
        raise Invalid(errors, values)
    changes = apply_values(row, clean)
    if changes:
        row.updated_at = utcnow()
        audit.record("stakeholder.changed", row, actor=user, partnership=partnership,
                     name=row.name, changes=changes)
    return row


def remove_stakeholder(partnership, row, user):
    """Take a stakeholder off the register (kept, marked removed)."""
    row.removed_at = utcnow()
    audit.record("stakeholder.removed", row, actor=user, partnership=partnership,
                 name=row.name)

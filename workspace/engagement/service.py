"""Rules of the stakeholder register, objectives and engagement activities: validation,
changes (audited), sorting and filtering, CSV export and import."""
import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..security import CONTROL_CHARACTERS
from .models import (
    ACTIVITY_STATUSES,
    CATEGORIES,
    LEVELS,
    PRIORITIES,
    STAGES,
    EngagementActivity,
    Objective,
    Stakeholder,
)

#: Largest CSV accepted for import.
MAX_CSV_BYTES = 2 * 1024 * 1024
#: CSV columns, in order: the header an import must carry.
CSV_COLUMNS = ("name", "category", "contact", "lead_partner", "lead_person",
               "relationship_now", "relationship_target", "influence", "quality", "priority",
               "actions", "objectives")
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
#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SORTS = {"name": Stakeholder.name, "category": Stakeholder.category,
         "influence": Stakeholder.influence, "quality": Stakeholder.quality,
         "priority": Stakeholder.priority, "now": Stakeholder.relationship_now,
         "lead": Stakeholder.lead_partner}


class ImportError_(Exception):
    """A CSV import refused as a whole: message and HTTP status (413 or 422)."""

    def __init__(self, message, status=422, problems=()):
        super().__init__(message)
        self.message = message
        self.status = status
        self.problems = list(problems)


def _choice(value, options):
    """The key of options matching value by key or label (case-insensitive), else None."""
    value = (value or "").strip().lower()
    for key, label in options.items():
        if value in (key, label.lower()):
            return key
    return None


def _score(value):
    text = str(value if value is not None else "").strip()
    if not text.lstrip("-").isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= 5 else None


def _chosen_objectives(data, objectives):
    """(objectives chosen, message or None): ids from the form's checkboxes, or names
    separated by semicolons from a CSV cell, checked against the partnership's objectives."""
    raw = data.getlist("objectives") if hasattr(data, "getlist") else data.get("objectives")
    chosen, unknown = [], []
    if isinstance(raw, str):
        by_name = {o.name.lower(): o for o in objectives}
        for name in (n.strip() for n in raw.split(";")):
            if name:
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
        for value in (str(v).strip() for v in raw or ()):
            if value:
                found = by_id.get(value)
                chosen.append(found) if found else unknown.append(value)
        if unknown:
            return [], "Choose objectives from the list (one may have been removed)."
    return [o for o in objectives if o in chosen], None     # once each, in the list's order


def validate_stakeholder(data, objectives=()):
    """(clean values, {field: message}) for a stakeholder from form or CSV values;
    `objectives` are the partnership's live objectives, the only ones it may support."""
    clean, errors = {}, {}
    for name, limit in TEXT_LIMITS.items():
        value = (data.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = f"{FIELD_LABELS[name]} must be {limit} characters or fewer."
        clean[name] = value
    if not clean["name"]:
        errors["name"] = "Enter the stakeholder's name."
    for name, options in CHOICES.items():
        key = _choice(data.get(name), options)
        if key is None:
            errors[name] = (f"{FIELD_LABELS[name]} must be one of: "
                            f"{', '.join(options.values())}.")
        clean[name] = key
    for name in ("influence", "quality"):
        score = _score(data.get(name))
        if score is None:
            errors[name] = f"{FIELD_LABELS[name]} must be a whole number from 1 to 5."
        clean[name] = score
    clean["objectives"], message = _chosen_objectives(data, objectives)
    if message:
        errors["objectives"] = message
    return clean, errors


class Invalid(Exception):
    """Values that break a rule: {field: message}, and the values as entered."""

    def __init__(self, errors, values):
        super().__init__("invalid")
        self.errors = errors
        self.values = values


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


def add_stakeholder(partnership, data, user):
    """Add a stakeholder to the register; Invalid when a value breaks a rule."""
    clean, errors = validate_stakeholder(data, objectives(partnership))
    if errors:
        raise Invalid(errors, data)
    row = Stakeholder(partnership_id=partnership.id, **clean)
    db.session.add(row)
    db.session.flush()
    audit.record("stakeholder.added", row, actor=user, partnership=partnership,
                 name=row.name, objectives=[o.name for o in row.objectives])
    return row


def _apply(row, clean):
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


def update_stakeholder(partnership, row, data, user):
    """Change a stakeholder; records the fields changed. Invalid when a value breaks a rule."""
    clean, errors = validate_stakeholder(data, objectives(partnership))
    if errors:
        raise Invalid(errors, data)
    changes = _apply(row, clean)
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


# CSV ----------------------------------------------------------------------------------------

def neutralise(value):
    """A cell a spreadsheet will not run as a formula: prefix risky starts with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _unneutralise(value):
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def export_csv(partnership):
    """The register as CSV text (labels, not codes), safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in stakeholders(partnership):
        values = {name: getattr(row, name) for name in CSV_COLUMNS}
        for name, options in CHOICES.items():
            values[name] = options[values[name]]
        values["objectives"] = row.objective_names
        writer.writerow([neutralise(values[name]) for name in CSV_COLUMNS])
    return out.getvalue()


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    problems: list = field(default_factory=list)


def read_csv(raw):
    """Rows of an uploaded CSV as dicts, after checking size, encoding and header."""
    if len(raw) > MAX_CSV_BYTES:
        raise ImportError_("The file is larger than 2 MB. Split it into smaller files.", 413)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_("The file is not UTF-8 text. Save it as \u201cCSV UTF-8\u201d "
                           "and try again.") from None
    # As for every form (workspace.security): no control characters; PostgreSQL refuses NUL.
    text = CONTROL_CHARACTERS.sub("", text)
    if not text.strip():
        raise ImportError_("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
        rows = list(reader)
    except csv.Error as exc:
        raise ImportError_(f"The file could not be read as CSV: {exc}.") from None
    if tuple(header) != CSV_COLUMNS:
        raise ImportError_("The first row must be exactly these column names: "
                           f"{','.join(CSV_COLUMNS)}.")
    return rows


def import_csv(partnership, raw, user):
    """Validate every row, then add new stakeholders and update those of the same name.

    Nothing is saved when any row is bad: ImportError_ lists every problem by row and column.
    """
    rows = read_csv(raw)
    live_objectives = objectives(partnership)
    cleaned, problems = [], []
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(CSV_COLUMNS):
            problems.append((number, "", f"has {len(cells)} columns; expected "
                                         + f"{len(CSV_COLUMNS)}."))
            continue
        data = {name: _unneutralise(value) for name, value in zip(CSV_COLUMNS, cells)}
        clean, errors = validate_stakeholder(data, live_objectives)
        problems += [(number, name, message) for name, message in errors.items()]
        cleaned.append(clean)
    if problems:
        raise ImportError_(f"Nothing was imported: {len(problems)} "
                           f"problem{'s' if len(problems) != 1 else ''} found.",
                           problems=problems)
    existing = {s.name.lower(): s for s in stakeholders(partnership)}
    result = ImportResult()
    added, changed = [], {}
    for clean in cleaned:
        row = existing.get(clean["name"].lower())
        if row is None:
            row = Stakeholder(partnership_id=partnership.id, **clean)
            db.session.add(row)
            existing[clean["name"].lower()] = row
            added.append(row.name)
            result.added += 1
            continue
        changes = _apply(row, clean)
        if not changes or row.id is None:    # the same values again, or added by this file
            continue
        row.updated_at = utcnow()
        if row.name not in changed:
            result.updated += 1
        # A name given twice in the file: keep the first "before" and the last "after".
        for name, (old, new) in changes.items():
            before = changed.setdefault(row.name, {}).get(name, [old])[0]
            changed[row.name][name] = [before, new]
    db.session.flush()
    audit.record("stakeholder.imported", None, actor=user, partnership=partnership,
                 added=result.added, updated=result.updated, added_names=added,
                 changes=changed)
    return result


# Objectives ---------------------------------------------------------------------------------

OBJECTIVE_LIMITS = {"name": 60, "description": 2000}


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


def validate_objective(partnership, data, current=None):
    """(clean values, {field: message}) for an objective: a short name, unique among the
    partnership's live objectives, without the CSV's separator; a description."""
    clean = {name: (data.get(name) or "").strip() for name in OBJECTIVE_LIMITS}
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
    from ..partnerships.models import Partnership
    db.session.execute(select(Partnership.id).where(Partnership.id == partnership.id)
                       .with_for_update())


def add_objective(partnership, data, user):
    """Add an objective at the end of the list; Invalid when a value breaks a rule."""
    _lock_partnership(partnership)
    clean, errors = validate_objective(partnership, data)
    if errors:
        raise Invalid(errors, data)
    last = db.session.scalar(select(func.max(Objective.order))
                             .where(Objective.partnership_id == partnership.id))
    row = Objective(partnership_id=partnership.id, order=(last or 0) + 1, **clean)
    db.session.add(row)
    db.session.flush()
    audit.record("objective.added", row, actor=user, partnership=partnership, name=row.name)
    return row


def update_objective(partnership, row, data, user):
    """Rename or describe an objective; Invalid when a value breaks a rule."""
    _lock_partnership(partnership)
    clean, errors = validate_objective(partnership, data, current=row)
    if errors:
        raise Invalid(errors, data)
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


# Activities ---------------------------------------------------------------------------------

ACTIVITY_LABELS = {"audience": "Audience group", "groups": "Number of groups",
                   "participants": "Participants", "convened_by": "Convened by",
                   "led_by": "Led by", "period": "Engagement period",
                   "start_date": "Start date", "end_date": "End date",
                   "level": "Level of participation", "status": "Status"}


def _date(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _count(value):
    text = str(value if value is not None else "").strip()
    if not text:
        return None, True
    return (int(text), True) if text.isdigit() and int(text) <= 100000 else (None, False)


def validate_activity(data):
    """(clean values, {field: message}) for an engagement activity."""
    clean, errors = {}, {}
    for name, limit in (("audience", 200), ("convened_by", 200), ("led_by", 200),
                        ("period", 100)):
        clean[name] = (data.get(name) or "").strip()
        if len(clean[name]) > limit:
            errors[name] = f"{ACTIVITY_LABELS[name]} must be {limit} characters or fewer."
    if not clean["audience"]:
        errors["audience"] = "Enter the audience group."
    for name in ("groups", "participants"):
        clean[name], ok = _count(data.get(name))
        if not ok:
            errors[name] = f"{ACTIVITY_LABELS[name]} must be a whole number, or left blank."
    for name in ("start_date", "end_date"):
        clean[name] = _date(data.get(name))
        if clean[name] is None:
            errors[name] = f"{ACTIVITY_LABELS[name]} must be a real date, like 2021-06-14."
    if clean["start_date"] and clean["end_date"] and clean["end_date"] < clean["start_date"]:
        errors["end_date"] = "End date must be the same as or after the start date."
    for name, options in (("level", LEVELS), ("status", ACTIVITY_STATUSES)):
        clean[name] = _choice(data.get(name), options)
        if clean[name] is None:
            errors[name] = (f"{ACTIVITY_LABELS[name]} must be one of: "
                            f"{', '.join(options.values())}.")
    return clean, errors


def activities(partnership):
    """The partnership's engagement activities, by start date."""
    return db.session.scalars(
        select(EngagementActivity)
        .where(EngagementActivity.partnership_id == partnership.id,
               EngagementActivity.removed_at.is_(None))
        .order_by(EngagementActivity.start_date, EngagementActivity.id)).all()


def get_activity(partnership, activity_id):
    row = db.session.get(EngagementActivity, activity_id)
    if row is None or row.partnership_id != partnership.id or row.removed_at is not None:
        return None
    return row


def add_activity(partnership, data, user):
    """Add an engagement activity; Invalid when a value breaks a rule."""
    clean, errors = validate_activity(data)
    if errors:
        raise Invalid(errors, data)
    row = EngagementActivity(partnership_id=partnership.id, **clean)
    db.session.add(row)
    db.session.flush()
    audit.record("activity.added", row, actor=user, partnership=partnership,
                 audience=row.audience)
    return row


def update_activity(partnership, row, data, user):
    """Change an engagement activity; Invalid when a value breaks a rule."""
    clean, errors = validate_activity(data)
    if errors:
        raise Invalid(errors, data)
    changes = {name: [getattr(row, name), value] for name, value in clean.items()
               if getattr(row, name) != value}
    for name, (_old, new) in changes.items():
        setattr(row, name, new)
    if changes:
        audit.record("activity.changed", row, actor=user, partnership=partnership,
                     audience=row.audience, changes=changes)
    return row


def remove_activity(partnership, row, user):
    """Take an activity off the plan (kept, marked removed)."""
    row.removed_at = utcnow()
    audit.record("activity.removed", row, actor=user, partnership=partnership,
                 audience=row.audience)


def key_dates(partnership):
    """Decisions sought by the partnership's engagement plans, by due date."""
    from ..documents.models import Document
    from ..review.models import DecisionSought
    return db.session.scalars(
        select(DecisionSought).join(Document, Document.id == DecisionSought.document_id)
        .where(Document.partnership_id == partnership.id,
               Document.kind == "engagement_plan")
        .order_by(DecisionSought.due_date, DecisionSought.id)).all()

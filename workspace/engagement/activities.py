"""Engagement activities (who is engaged, when, how, with what level of participation) and the
key dates an engagement plan shows. Changes are audited."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import audit
from ..clock import utcnow
from ..documents.models import Document
from ..extensions import db
from ..numbers import whole_number
from ..review.models import DecisionSought
from .models import ACTIVITY_STATUSES, LEVELS, EngagementActivity
from .validation import Invalid, choice

ACTIVITY_LABELS = {"audience": "Audience group", "groups": "Number of groups",
                   "participants": "Participants", "convened_by": "Convened by",
                   "led_by": "Led by", "period": "Engagement period",
                   "start_date": "Start date", "end_date": "End date",
                   "level": "Level of participation", "status": "Status"}


@dataclass(frozen=True)
class ActivityValues:
    """An activity's values as entered, before they are checked (dates as ISO text)."""
    audience: str = ""
    groups: str = ""
    participants: str = ""
    convened_by: str = ""
    led_by: str = ""
    period: str = ""
    start_date: str = ""
    end_date: str = ""
    level: str = ""
    status: str = ""


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
    number = whole_number(text, maximum=100000)
    return (number, True) if number is not None else (None, False)


def validate_activity(values: ActivityValues):
    """(clean values, {field: message}) for an engagement activity."""
    clean, errors = {}, {}
    for name, limit in (("audience", 200), ("convened_by", 200), ("led_by", 200),
                        ("period", 100)):
        clean[name] = (getattr(values, name) or "").strip()
        if len(clean[name]) > limit:
            errors[name] = f"{ACTIVITY_LABELS[name]} must be {limit} characters or fewer."
    if not clean["audience"]:
        errors["audience"] = "Enter the audience group."
    for name in ("groups", "participants"):
        clean[name], ok = _count(getattr(values, name))
        if not ok:
            errors[name] = f"{ACTIVITY_LABELS[name]} must be a whole number, or left blank."
    for name in ("start_date", "end_date"):
        clean[name] = _date(getattr(values, name))
        if clean[name] is None:
            errors[name] = f"{ACTIVITY_LABELS[name]} must be a real date, like 2021-06-14."
    if clean["start_date"] and clean["end_date"] and clean["end_date"] < clean["start_date"]:
        errors["end_date"] = "End date must be the same as or after the start date."
    for name, options in (("level", LEVELS), ("status", ACTIVITY_STATUSES)):
        clean[name] = choice(getattr(values, name), options)
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


def add_activity(partnership, values: ActivityValues, user):
    """Add an engagement activity; Invalid when a value breaks a rule."""
    clean, errors = validate_activity(values)
    if errors:
        raise Invalid(errors, values)
    row = EngagementActivity(partnership_id=partnership.id, **clean)
    db.session.add(row)
    db.session.flush()
    audit.record("activity.added", row, actor=user, partnership=partnership,
                 audience=row.audience)
    return row


def update_activity(partnership, row, values: ActivityValues, user):
    """Change an engagement activity; Invalid when a value breaks a rule."""
    clean, errors = validate_activity(values)
    if errors:
        raise Invalid(errors, values)
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
    return db.session.scalars(
        select(DecisionSought).join(Document, Document.id == DecisionSought.document_id)
        .where(Document.partnership_id == partnership.id,
               Document.kind == "engagement_plan")
        .order_by(DecisionSought.due_date, DecisionSought.id)).all()

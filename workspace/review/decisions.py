"""Decisions sought: the bodies whose decision a document needs, by a date, and what they
decided."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import audit, clock
from ..accounts.models import User
from ..documents.models import Document
from ..extensions import db
from .errors import LifecycleError
from .guards import require_admin
from .models import DecisionSought

#: Decisions sought due within this many days (or overdue) count as "soon" in My tasks.
SOON_DAYS = 30


def decisions(document: Document) -> list[DecisionSought]:
    """Decisions the document seeks, by due date."""
    return db.session.scalars(select(DecisionSought)
                              .where(DecisionSought.document_id == document.id)
                              .order_by(DecisionSought.due_date, DecisionSought.id)).all()


def decision_state(decision: DecisionSought, on: date | None = None) -> str:
    """taken, overdue (due date passed, not taken) or upcoming."""
    if decision.taken_at is not None:
        return "taken"
    return "overdue" if decision.due_date < (on or clock.today()) else "upcoming"


def load_decision(document: Document, decision_id: int) -> DecisionSought | None:
    decision = db.session.get(DecisionSought, decision_id)
    if decision is None or decision.document_id != document.id:
        return None
    return decision


def _text(value, limit, message, field, required=True):
    value = (value or "").strip()
    if required and not value:
        raise LifecycleError(message, 422, field)
    if limit and len(value) > limit:
        raise LifecycleError(f"Must be {limit} characters or fewer.", 422, field)
    return value


def add_decision(document: Document, user: User, body: str | None, description: str | None,
                 due_date: date | None) -> DecisionSought:
    """Record that the document seeks a decision from a named body by a date."""
    require_admin(user, document)
    body = _text(body, 200, "Enter the body whose decision is sought, for example "
                 "JSP Steering Group.", "body")
    description = _text(description, 2000, "", "description", required=False)
    if due_date is None:
        raise LifecycleError("Enter the date of the meeting or decision.", 422, "due_date")
    decision = DecisionSought(document_id=document.id, body=body, description=description,
                              due_date=due_date)
    db.session.add(decision)
    db.session.flush()
    audit.record("decision.added", decision, actor=user, document=document, body=body,
                 due_date=due_date.isoformat())
    return decision


def record_decision(decision: DecisionSought, user: User, taken_at: date | None,
                    outcome: str | None, minute_ref: str | None) -> DecisionSought:
    """Record the decision as taken: its date, outcome and minute reference."""
    require_admin(user, db.session.get(Document, decision.document_id))
    if taken_at is None:
        raise LifecycleError("Enter the date the decision was taken.", 422, "taken_at")
    if taken_at > clock.today():
        raise LifecycleError("The date the decision was taken cannot be in the future.", 422,
                             "taken_at")
    outcome = _text(outcome, 2000, "Enter the outcome, for example Approved.", "outcome")
    minute_ref = _text(minute_ref, 100, "", "minute_ref", required=False)
    correcting = decision.taken_at is not None
    old = {"taken_at": decision.taken_at.isoformat() if correcting else None,
           "outcome": decision.outcome, "minute_ref": decision.minute_ref}
    decision.taken_at, decision.outcome, decision.minute_ref = taken_at, outcome, minute_ref
    db.session.flush()
    document = db.session.get(Document, decision.document_id)
    audit.record("decision.recorded", decision, actor=user, document=document,
                 body=decision.body, taken_at=taken_at.isoformat(), outcome=outcome,
                 minute_ref=minute_ref, **({"old": old} if correcting else {}))
    return decision

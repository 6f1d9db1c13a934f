"""One append-only event log used by every area."""
import json

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from .clock import utcnow
from .extensions import db


class AuditEvent(db.Model):
    """Who did what, when, to what. Rows are never updated or deleted."""

    __tablename__ = "audit_events"

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True, index=True)
    #: The actor's organisation at the time, kept so history reads right after a move.
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id"), nullable=True,
                               index=True)
    #: Set for events about a document or its sections, for the document's activity feed.
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=True,
                            index=True)
    #: Dotted verb, e.g. "auth.sign_in", "user.role_changed", "section.moved".
    action = db.Column(db.String(60), nullable=False, index=True)
    object_type = db.Column(db.String(40), nullable=True)
    object_id = db.Column(db.Integer, nullable=True)
    #: JSON object with the particulars (old and new role, section title, ...).
    detail = db.Column(db.Text, nullable=False, default="{}")
    #: Client address for sign-in events.
    address = db.Column(db.String(64), nullable=True)

    actor = db.relationship("User", foreign_keys=[actor_id], lazy="joined")

    @property
    def details(self):
        """The detail column as a dict."""
        return json.loads(self.detail or "{}")


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper, _connection, _target):
    raise RuntimeError("audit events are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state):
    """Bulk UPDATE or DELETE of audit events through the ORM is refused too."""
    if (state.is_update or state.is_delete) and any(
            m.class_ is AuditEvent for m in state.all_mappers):
        raise RuntimeError("audit events are append-only")


def record(action, obj=None, *, actor=None, partnership=None, document=None, **detail):
    """Add an audit event to the session (the request commits it)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    event_row = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        organisation_id=getattr(actor, "organisation_id", None),
        partnership_id=getattr(partnership, "id", getattr(document, "partnership_id", None)),
        document_id=getattr(document, "id", None),
        object_type=type(obj).__name__.lower() if obj is not None else None,
        object_id=getattr(obj, "id", None),
        detail=json.dumps(detail, default=str, sort_keys=True),
        address=request.remote_addr if has_request_context() else None,
        at=utcnow(),
    )
    db.session.add(event_row)
    return event_row

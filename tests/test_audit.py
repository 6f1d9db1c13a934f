"""The audit trail is append-only, in bulk too: no UPDATE or DELETE of its events."""
import pytest
from sqlalchemy import delete, select, update

from workspace.audit import AuditEvent, record
from workspace.extensions import db


def test_bulk_update_and_delete_of_audit_events_are_refused(app, ctx):
    record("test.event")
    db.session.commit()
    with pytest.raises(RuntimeError):
        db.session.execute(update(AuditEvent).values(action="forged"))
    db.session.rollback()
    with pytest.raises(RuntimeError):
        db.session.execute(delete(AuditEvent))
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action)) == "test.event"

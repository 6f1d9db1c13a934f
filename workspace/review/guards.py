"""What review's rules check before they act on a document: its row lock, the status the
user's page showed, the partnership admin's right; and the status change every step records.

Every lifecycle step takes the document row's lock first (SELECT ... FOR UPDATE on
PostgreSQL; SQLite write requests begin IMMEDIATE), so two admins, or an admin and a saving
officer, cannot both act on what they read.
"""
from sqlalchemy import select

from .. import audit
from ..documents.models import Document
from ..extensions import db
from ..permissions import is_partnership_admin
from .errors import LifecycleError
from .models import STATUSES


def status_label(status):
    return STATUSES.get(status, status)


def lock(document):
    """Re-read the document under a row lock; its status is then safe to act on."""
    db.session.execute(select(Document.id).where(Document.id == document.id)
                       .with_for_update())
    db.session.refresh(document)
    return document


def shared_status(document):
    """The document's status read under a shared row lock (PostgreSQL; SQLite write requests
    are serialised), so a lifecycle step that freezes the document cannot slip in between
    this check and the write that depends on it."""
    return db.session.execute(select(Document.status).where(Document.id == document.id)
                              .with_for_update(read=True)).scalar_one()


def check_seen(document, seen):
    """Refuse a form that showed another status: someone else moved the document on."""
    if seen is not None and seen != document.status:
        raise LifecycleError(
            f"The document moved on since you opened this page: it is now "
            f"{status_label(document.status)}. Nothing was changed.", 409)


def require_admin(user, document):
    if not is_partnership_admin(user, document.partnership_id):
        raise LifecycleError("Only the partnership admin can move the document on.", 403)


def set_status(document, new, user, **detail):
    old = document.status
    document.status = new
    db.session.flush()
    audit.record("document.status_changed", document, actor=user, document=document,
                 old=old, new=new, version=document.version_number, **detail)

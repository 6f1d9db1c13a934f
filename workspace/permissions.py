"""Who may do what: the one place every view asks.

The table follows DESIGN.md. A view never decides a permission itself: it loads the object
through one of the loaders below, naming the action, and gets the object, a 404 (the object
is outside the user's partnerships, so its existence is not revealed) or a 403.
"""
from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .extensions import db
from .partnerships.models import Partner, Partnership

#: action -> roles allowed to do it (within a partnership their organisation belongs to).
PERMISSIONS = {
    "read": frozenset({"viewer", "officer", "member", "admin"}),
    "comment": frozenset({"viewer", "officer", "member", "admin"}),
    "edit": frozenset({"officer", "admin"}),
    "position": frozenset({"member"}),
    "sign": frozenset({"member"}),
    "manage": frozenset({"admin"}),
}

#: Refusal messages, shown on the 403 page.
REFUSALS = {
    "edit": "Only officers and partnership admins can change documents.",
    "position": "Only Members can record their authority's position.",
    "sign": "Only Members can sign for their authority.",
    "manage": "Only the partnership admin can manage partners, users and the document "
              "lifecycle.",
}


class Forbidden(Exception):
    """Raised by service functions when the user may not do this."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def can(action, user=None):
    """True when the user's role allows the action (membership is checked by the loaders).

    For the signed-in user the answer is kept for the request (keyed by role, so a role
    changed during the request is asked afresh): templates ask it for every section.
    """
    if user is None and has_request_context():
        user = current_user._get_current_object()
        key = (action, getattr(user, "id", None), getattr(user, "role", None))
        answers = g.setdefault("_can", {})
        if key not in answers:
            answers[key] = _allowed(action, user)
        return answers[key]
    return _allowed(action, user or current_user)


def _allowed(action, user):
    return bool(user and user.is_authenticated and user.role in PERMISSIONS[action])


def require(action, user=None):
    """403 with a clear message unless the role allows the action."""
    if not can(action, user):
        abort(403, description=REFUSALS.get(action, "You do not have permission to do that."))


def visible_partnerships(user=None):
    """Partnerships the user's organisation belongs to, by name."""
    user = user or current_user
    return db.session.scalars(
        db.select(Partnership)
        .join(Partner, Partner.partnership_id == Partnership.id)
        .where(Partner.organisation_id == user.organisation_id)
        .order_by(Partnership.name)
        .options(selectinload(Partnership.partners))
    ).all()


def load_partnership(slug, action="read"):
    """The partnership named by slug if the user's organisation is a partner; else 404."""
    partnership = db.session.scalar(
        db.select(Partnership)
        .join(Partner, Partner.partnership_id == Partnership.id)
        .where(Partnership.slug == slug, Partner.organisation_id == current_user.organisation_id)
    )
    if partnership is None:
        abort(404)
    require(action)
    return partnership


def load_document(slug, document_id, action="read"):
    """(partnership, document) if the document is in one of the user's partnerships; else 404.

    The role check comes after the membership check, so outsiders learn nothing (404) and
    partners without the role get a clear 403.
    """
    from .documents.models import Document
    found = db.session.execute(
        db.select(Partnership, Document)
        .join(Partner, Partner.partnership_id == Partnership.id)
        .join(Document, Document.partnership_id == Partnership.id)
        .where(Partnership.slug == slug, Document.id == document_id,
               Partner.organisation_id == current_user.organisation_id)
    ).first()
    if found is None:
        abort(404)
    require(action)
    return tuple(found)


def load_section(slug, document_id, section_id, action="read"):
    """(partnership, document, section) under the same rules as load_document."""
    from .documents.models import Section
    partnership, document = load_document(slug, document_id, action)
    section = db.session.get(Section, section_id)
    if section is None or section.document_id != document.id:
        abort(404)
    return partnership, document, section

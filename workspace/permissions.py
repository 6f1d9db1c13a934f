"""Who may do what: the one place every view asks.

The table follows DESIGN.md. A view never decides a permission itself: it loads the object
through one of the loaders below, naming the action, and gets the object, a 404 (the object
is outside the user's partnerships, so its existence is not revealed) or a 403.
"""
from functools import lru_cache

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import Integer, bindparam
from sqlalchemy.orm import joinedload

from .accounts.models import User
from .documents.models import Document, Section
from .extensions import db
from .partnerships.models import Partner, Partnership, PartnershipAdmin

#: action -> roles (in the user's own organisation) allowed to do it, within a partnership
#: their organisation is an active partner in.
PERMISSIONS = {
    "read": frozenset({"viewer", "officer", "member", "admin"}),
    "comment": frozenset({"viewer", "officer", "member", "admin"}),
    "edit": frozenset({"officer"}),
    #: Suggest a change to a section's text (any time the text may change).
    "suggest": frozenset({"officer"}),
    "position": frozenset({"member"}),
    "sign": frozenset({"member"}),
    "manage": frozenset(),
    #: The organisation's own users and signing keys: its own admins only.
    "manage_organisation": frozenset({"admin"}),
}
#: What a partnership admin grant adds, in that partnership only.
PARTNERSHIP_ADMIN_ACTIONS = frozenset({"read", "comment", "edit", "suggest", "manage"})

#: Refusal messages, shown on the 403 page.
REFUSALS = {
    "edit": "Only officers and partnership admins can change documents.",
    "suggest": "Only officers and partnership admins can suggest changes.",
    "position": "Only Members can record their authority's position.",
    "sign": "Only Members can sign for their authority.",
    "manage": "Only the partnership admins can manage the partnership's partners, documents "
              "and lifecycle.",
    "manage_organisation": "Only your organisation's admins can manage its users and signing "
                           "keys.",
}


class Forbidden(Exception):
    """Raised by service functions when the user may not do this."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def is_partnership_admin(user, partnership_id):
    """True when the user holds the partnership admin grant for this partnership.

    In a request the answer for the partnership a loader opened comes with the loader's own
    query; any other is asked once and kept for the request.
    """
    if not (user and user.is_authenticated and partnership_id):
        return False
    if has_request_context():
        if (g.get("cg_partnership_id") == partnership_id
                and g.get("cg_admin_user_id") == user.id):
            return g.cg_partnership_admin
        answers = g.setdefault("_admin_of", {})
        key = (user.id, partnership_id)
        if key not in answers:
            answers[key] = _holds_grant(user.id, partnership_id)
        return answers[key]
    return _holds_grant(user.id, partnership_id)


def remember_grants(user, held):
    """Keep for this request whether the user holds the partnership admin grant, as
    {partnership id: held}, found by a query that also checked the user's organisation is an
    active partner there (is_partnership_admin's own question): such a page then asks no
    statement per partnership."""
    if has_request_context():
        answers = g.setdefault("_admin_of", {})
        for partnership_id, grant in held.items():
            answers.setdefault((user.id, partnership_id), bool(grant))


def _holds_grant(user_id, partnership_id):
    """The grant, while the holder's organisation is still an active partner."""
    return db.session.scalar(_holds_grant_stmt(), {"user_id": user_id,
                                                   "partnership_id": partnership_id}) is not None


@lru_cache(maxsize=1)
def _holds_grant_stmt():
    """Built once with the user and partnership as parameters."""
    return (db.select(PartnershipAdmin.id)
            .join(User, User.id == PartnershipAdmin.user_id)
            .join(Partner, (Partner.partnership_id == PartnershipAdmin.partnership_id)
                  & (Partner.organisation_id == User.organisation_id)
                  & (Partner.status == "active"))
            .where(PartnershipAdmin.user_id == bindparam("user_id", type_=Integer),
                   PartnershipAdmin.partnership_id == bindparam("partnership_id",
                                                                type_=Integer)))


def can(action, user=None, partnership_id=None):
    """True when the user may do the action in the partnership (membership is checked by the
    loaders): by their role in their own organisation, or by a partnership admin grant.

    Without a partnership, the one the request's loader opened is meant. For the signed-in
    user the answer is kept for the request (keyed by role, so a role changed during the
    request is asked afresh): templates ask it for every section.
    """
    if user is None and has_request_context():
        user = current_user._get_current_object()
        if partnership_id is None:
            partnership_id = g.get("cg_partnership_id")
        key = (action, getattr(user, "id", None), getattr(user, "role", None), partnership_id)
        answers = g.setdefault("_can", {})
        if key not in answers:
            answers[key] = _allowed(action, user, partnership_id)
        return answers[key]
    return _allowed(action, user or current_user, partnership_id)


def _allowed(action, user, partnership_id):
    if not (user and user.is_authenticated):
        return False
    if user.role in PERMISSIONS[action]:
        return True
    return action in PARTNERSHIP_ADMIN_ACTIONS and is_partnership_admin(user, partnership_id)


def may_change_text(document, user=None):
    """True when the user may change the document's text directly and decide on suggestions:
    officers and partnership admins in Draft; while it is out for agreement, its partnership's
    admins only (everyone else suggests). Nobody once the text is frozen."""
    if not document.is_editable:
        return False
    if document.is_out_for_agreement:
        return can("manage", user, document.partnership_id)
    return can("edit", user, document.partnership_id)


def require(action, user=None, partnership_id=None):
    """403 with a clear message unless the user may do the action."""
    if not can(action, user, partnership_id):
        abort(403, description=REFUSALS.get(action, "You do not have permission to do that."))


#: active_partner's organisation when none is given: the statement's parameter.
_PARAMETER = object()


def active_partner(partnership_id_column, organisation_id=_PARAMETER):
    """The join condition on Partner: the organisation (`organisation_id`, a column or value;
    by default the parameter "organisation_id") is an active partner in the partnership.
    The membership rule every loader asks, and the live feed's quiet answer with it."""
    if organisation_id is _PARAMETER:
        organisation_id = bindparam("organisation_id", type_=Integer)
    return ((Partner.partnership_id == partnership_id_column)
            & (Partner.organisation_id == organisation_id)
            & (Partner.status == "active"))


def named_document():
    """The join condition on Document: the document (parameter "document_id") of the
    partnership whose slug (parameter "slug") the address names."""
    return ((Document.partnership_id == Partnership.id)
            & (Partnership.slug == bindparam("slug"))
            & (Document.id == bindparam("document_id", type_=Integer)))


def _admin_grant():
    """The join condition: the user (parameter "user_id") holds the partnership admin grant."""
    return ((PartnershipAdmin.partnership_id == Partnership.id)
            & (PartnershipAdmin.user_id == bindparam("user_id", type_=Integer)))


def _signed_in():
    """The loaders' parameters: the signed-in user and organisation."""
    return {"user_id": current_user.id, "organisation_id": current_user.organisation_id}


# The loaders' statements are built once and run with parameters: every request opens one.
@lru_cache(maxsize=1)
def _partnership_stmt():
    return (db.select(Partnership, PartnershipAdmin.id)
            .join(Partner, active_partner(Partnership.id))
            .outerjoin(PartnershipAdmin, _admin_grant())
            .where(Partnership.slug == bindparam("slug")))


@lru_cache(maxsize=1)
def _document_stmt():
    return (db.select(Partnership, Document, PartnershipAdmin.id)
            .join(Partner, active_partner(Partnership.id))
            .join(Document, named_document())
            .outerjoin(PartnershipAdmin, _admin_grant()))


def _opened(partnership, grant_id):
    """Remember, for can() in this request, the partnership a loader opened."""
    g.cg_partnership_id = partnership.id
    g.cg_admin_user_id = current_user.id
    g.cg_partnership_admin = grant_id is not None


def visible_partnerships(user=None):
    """Partnerships the user's organisation is an active partner in, by name."""
    user = user or current_user
    return db.session.scalars(_visible_partnerships_stmt(),
                              {"organisation_id": user.organisation_id}).unique().all()


@lru_cache(maxsize=1)
def _visible_partnerships_stmt():
    """Built once with the organisation as a parameter (the home page runs it every time); the
    active partners (and their organisations) come in the same statement."""
    return (db.select(Partnership)
            .join(Partner, Partner.partnership_id == Partnership.id)
            .where(Partner.organisation_id == bindparam("organisation_id", type_=Integer),
                   Partner.status == "active")
            .order_by(Partnership.name)
            .options(joinedload(Partnership.partners)))


def load_partnership(slug, action="read"):
    """The partnership named by slug if the user's organisation is an active partner; else
    404. Then 403 unless the user may do the action there."""
    found = db.session.execute(_partnership_stmt(), {**_signed_in(), "slug": slug}).first()
    if found is None:
        abort(404)
    partnership, grant_id = found
    _opened(partnership, grant_id)
    require(action)
    return partnership


def load_document(slug, document_id, action="read"):
    """(partnership, document) if the document is in one of the user's partnerships; else 404.

    The role check comes after the membership check, so outsiders learn nothing (404) and
    partners without the role get a clear 403.
    """
    found = db.session.execute(_document_stmt(), {**_signed_in(), "slug": slug,
                                                  "document_id": document_id}).first()
    if found is None:
        abort(404)
    partnership, document, grant_id = found
    _opened(partnership, grant_id)
    require(action)
    return partnership, document


def readable_document(slug, document_id, user=None):
    """The document if `user` (the signed-in user) may read it, else None: never aborts.

    For pages that only offer a way back (the error page): it asks what load_document asks,
    so it names no document the user could not open."""
    user = user or current_user
    if not (user and user.is_authenticated) or not isinstance(document_id, int):
        return None
    return db.session.scalars(
        db.select(Document)
        .join(Partnership, Document.partnership_id == Partnership.id)
        .join(Partner, active_partner(Partnership.id, user.organisation_id))
        .where(Partnership.slug == slug, Document.id == document_id)
    ).first()


def load_section(slug, document_id, section_id, action="read"):
    """(partnership, document, section) under the same rules as load_document."""
    partnership, document = load_document(slug, document_id, action)
    section = db.session.get(Section, section_id)
    if section is None or section.document_id != document.id:
        abort(404)
    return partnership, document, section

"""Rules for partners, users and roles within a partnership."""
import re

from sqlalchemy import select

from .. import audit
from ..auth.service import end_all_sessions
from ..db import utcnow
from ..extensions import db
from .models import ROLES, Organisation, Partner, User


class PartnershipError(Exception):
    """A refusal with a message for the admin."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def partner_organisation_ids(partnership):
    return {p.organisation_id for p in partnership.partners}


def partnership_users(partnership):
    """Users of every partner organisation, by organisation then name."""
    return db.session.scalars(
        select(User).join(Organisation)
        .where(User.organisation_id.in_(partner_organisation_ids(partnership)))
        .order_by(Organisation.name, User.name)
    ).all()


def add_partner(partnership, name, code):
    """Add an organisation to the partnership, creating it when the code is new."""
    name = name.strip()
    code = slugify(code or name)
    if not code:
        raise PartnershipError("Enter a short code of letters and numbers", field="code")
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if organisation is None:
        organisation = Organisation(code=code, name=name)
        db.session.add(organisation)
        db.session.flush()
    elif organisation.id in partner_organisation_ids(partnership):
        raise PartnershipError(f"{organisation.name} is already a partner", field="code")
    partner = Partner(partnership=partnership, organisation=organisation)
    db.session.add(partner)
    db.session.flush()
    audit.record("partnership.partner_added", organisation, partnership=partnership,
                 organisation=organisation.name)
    return organisation


def user_in_partnership(partnership, user_id):
    """A user of one of the partnership's organisations, or None."""
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id not in partner_organisation_ids(partnership):
        return None
    return user


def may_manage(admin, user):
    """An admin manages a user only if the admin's organisation is a partner in every
    partnership the user's organisation belongs to.

    So adding another authority as a partner (anyone can type its code) never hands over
    control of its people in the partnerships the admin is not part of.
    """
    from .models import Partner
    theirs = set(db.session.scalars(select(Partner.partnership_id).where(
        Partner.organisation_id == user.organisation_id)))
    mine = set(db.session.scalars(select(Partner.partnership_id).where(
        Partner.organisation_id == admin.organisation_id)))
    return theirs <= mine


def change_role(partnership, user, role, by):
    """Give a user another role; admins cannot demote themselves (someone must manage)."""
    if role not in ROLES:
        raise PartnershipError("Choose a role from the list", field="role")
    if not may_manage(by, user):
        raise PartnershipError(f"{user.organisation.name} also works in partnerships you are "
                               "not part of: ask its own admin to change this user.")
    if user.id == by.id and role != "admin":
        raise PartnershipError("You cannot remove your own admin role. Ask another admin.",
                               field="role")
    if user.role == role:
        return False
    old = user.role
    user.role = role
    audit.record("user.role_changed", user, partnership=partnership, old=old, new=role,
                 email=user.email)
    return True


def set_active(partnership, user, active, by):
    """Deactivate (cannot sign in; history kept) or reactivate a user."""
    if user.id == by.id and not active:
        raise PartnershipError("You cannot deactivate your own account.")
    if not may_manage(by, user):
        raise PartnershipError(f"{user.organisation.name} also works in partnerships you are "
                               "not part of: ask its own admin to change this user.")
    if user.active == active:
        return False
    user.active = active
    if active:
        user.deactivated_at = None
        audit.record("user.reactivated", user, partnership=partnership, email=user.email)
    else:
        user.deactivated_at = utcnow()
        end_all_sessions(user)
        audit.record("user.deactivated", user, partnership=partnership, email=user.email)
    return True


def pending_invitations(partnership):
    """Invitations of this partnership, newest first."""
    from ..auth.models import Invitation
    return db.session.scalars(
        select(Invitation).where(Invitation.partnership_id == partnership.id)
        .order_by(Invitation.created_at.desc()).limit(50)
    ).all()

"""Rules for an organisation's own admins: its users, roles, invitations and memberships.

Only the organisation's own admins act here, and only on their own organisation: nobody from
another organisation sees its people's email addresses or changes them.
"""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..signals import deactivation_blockers
from .models import ROLES, Invitation, Organisation, User
from .signin import end_all_sessions


class AccountError(Exception):
    """A refusal with a message for the organisation admin."""

    def __init__(self, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def users(organisation: Organisation) -> list[User]:
    """The organisation's users, by name."""
    return db.session.scalars(
        select(User).where(User.organisation_id == organisation.id).order_by(User.name)
    ).all()


def own_user(organisation: Organisation, user_id: int) -> User | None:
    """A user of this organisation, or None (another organisation's users do not exist here)."""
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != organisation.id:
        return None
    return user


def change_role(user: User, role: str, by: User) -> bool:
    """Give one of the organisation's users another role (never one's own admin role away)."""
    if role not in ROLES:
        raise AccountError("Choose a role from the list", field="role")
    if user.organisation_id != by.organisation_id:
        raise AccountError("You can change only your own organisation's users.", status=403)
    if user.id == by.id and role != "admin":
        raise AccountError("You cannot remove your own admin role. Ask another admin of your "
                           "organisation.", field="role")
    if user.role == role:
        return False
    old = user.role
    user.role = role
    audit.record("user.role_changed", user, old=old, new=role, name=user.name)
    return True


def set_active(user: User, active: bool, by: User) -> bool:
    """Deactivate (cannot sign in; history kept) or reactivate one of the organisation's users."""
    if user.organisation_id != by.organisation_id:
        raise AccountError("You can change only your own organisation's users.", status=403)
    if user.id == by.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    if user.active == active:
        return False
    if not active:
        blockers = [reason for _receiver, answer in deactivation_blockers.send(user)
                    for reason in (answer or [])]
        if blockers:
            raise AccountError(" ".join(blockers), status=409)
    user.active = active
    if active:
        user.deactivated_at = None
        audit.record("user.reactivated", user, name=user.name)
    else:
        user.deactivated_at = utcnow()
        end_all_sessions(user)
        audit.record("user.deactivated", user, name=user.name)
    return True


def invitations(organisation: Organisation) -> list[Invitation]:
    """The organisation's invitations, newest first."""
    return db.session.scalars(
        select(Invitation).where(Invitation.organisation_id == organisation.id)
        .order_by(Invitation.created_at.desc()).limit(50)
    ).all()


def clear_mail_bounce(user: User, by: User) -> bool:
    """Try e-mail to a user again after their address bounced (the organisation's own admins,
    once the address works again). False when no bounce is recorded."""
    if user.organisation_id != by.organisation_id:
        raise AccountError("You can change only your own organisation's users.", status=403)
    if user.mail_bounced_at is None:
        return False
    user.mail_bounced_at, user.mail_bounce_reason = None, None
    audit.record("user.mail_bounce_cleared", user, name=user.name)
    return True

"""Invitations to become a user of an organisation: made, loaded from a link, accepted.

Accepting sends `user_joined`; partnerships listens (a new organisation's first admin accepting
also accepts the partnership's invitation), so accounts never imports partnerships.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..signals import user_joined
from .models import Invitation, Organisation, User
from .signin import AuthError, normalise_email


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def create_invitation(organisation: Organisation, email: str, name: str, role: str, by: User,
                      partnership=None) -> tuple[Invitation, str]:
    """Create an invitation to become a user of `organisation`; return (invitation, token).

    Made by the organisation's own admins; or, for a brand-new organisation, by the
    partnership admin who created it, for its first admin (`partnership` is then the
    partnership the organisation joins when that admin accepts).
    """
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AuthError("A user with that email address already exists.")
    hours = current_app.config["INVITATION_MAX_AGE_HOURS"]
    invitation = Invitation(
        nonce=secrets.token_urlsafe(24), email=email, name=name.strip(), role=role,
        organisation_id=organisation.id, partnership_id=partnership.id if partnership else None,
        invited_by_id=by.id, created_at=utcnow(), expires_at=utcnow() + timedelta(hours=hours))
    db.session.add(invitation)
    db.session.flush()
    audit.record("user.invited", invitation, partnership=partnership, email=email, role=role,
                 organisation=organisation.name)
    return invitation, invitation_token(invitation)


def invitation_token(invitation: Invitation) -> str:
    return _serializer().dumps({"i": invitation.id, "n": invitation.nonce})


def load_invitation(token: str) -> Invitation:
    """The pending invitation for a link, or AuthError saying why it cannot be used."""
    max_age = current_app.config["INVITATION_MAX_AGE_HOURS"] * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise AuthError("This invitation has expired. Ask your organisation's admin for a "
                        "new one.", status=410) from None
    except BadSignature:
        raise AuthError("This invitation link is not valid.", status=404) from None
    invitation = db.session.get(Invitation, data.get("i"))
    if invitation is None or not secrets.compare_digest(invitation.nonce, str(data.get("n"))):
        raise AuthError("This invitation link is not valid.", status=404)
    if invitation.accepted_at is not None:
        raise AuthError("This invitation has already been used. Sign in instead.", status=410)
    if invitation.expires_at <= utcnow():
        raise AuthError("This invitation has expired. Ask your organisation's admin for a "
                        "new one.", status=410)
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Create the invited user. Single use holds even for two clicks at the same moment."""
    claimed = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id,
                                 Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise AuthError("This invitation has already been used. Sign in instead.", status=410)
    if not _inviter_may_add_to(invitation):
        raise AuthError("This invitation is no longer valid. Ask your organisation's admin for "
                        "a new one.", status=410)
    if db.session.scalar(select(User.id).where(User.email == invitation.email)):
        raise AuthError("A user with that email address already exists. Sign in instead.",
                        status=409)
    user = User(email=invitation.email, name=invitation.name, role=invitation.role,
                organisation_id=invitation.organisation_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    invitation.user_id = user.id
    audit.record("user.joined", user, actor=user, invitation=invitation.id)
    user_joined.send(user, invitation=invitation)
    return user


def _inviter_may_add_to(invitation):
    """Only an organisation's own admins add its users; someone from elsewhere only its first
    admin, for a new organisation that has no users yet (older invitations made by partnership
    admins for other organisations are void)."""
    inviter = db.session.get(User, invitation.invited_by_id)
    if inviter is not None and inviter.organisation_id == invitation.organisation_id:
        return True
    has_users = db.session.scalar(select(User.id).where(
        User.organisation_id == invitation.organisation_id).limit(1))
    return (invitation.partnership_id is not None and invitation.role == "admin"
            and has_users is None)

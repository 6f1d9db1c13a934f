"""Invitations to become a user of an organisation: made, loaded from a link, accepted.

Accepting sends `user_joined`; partnerships listens (a new organisation's first admin accepting
also accepts the partnership's invitation), so accounts never imports partnerships.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..jobs import JobFailed, job, submit
from ..mail import Bounce, base_url, mail_enabled, send_mail
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


def email_invitation(invitation: Invitation, inviter_name: str,
                     partnership_name: str | None = None) -> bool:
    """Ask for the invitation to be e-mailed (by a job, once this request commits). False when
    e-mail is off: the person who invited copies the link from the page instead."""
    if not mail_enabled():
        return False
    submit("accounts.email_invitation", key=f"invitation:{invitation.id}",
           label=f"Invitation e-mail to a new user of {invitation.organisation.name}",
           invitation_id=invitation.id, inviter_name=inviter_name,
           partnership_name=partnership_name)
    return True


def invitation_email(invitation: Invitation, inviter_name: str, link: str,
                     partnership_name: str | None = None) -> tuple[str, str]:
    """(subject, body) of the invitation e-mail: what, where (the link) and why."""
    organisation = invitation.organisation.name
    expires = invitation.expires_at.strftime("%-d %B %Y at %H:%M")
    if partnership_name:
        subject = f"Invitation to {partnership_name}"
        opening = (f"{inviter_name} has invited {organisation} to join {partnership_name} on "
                   "Common Ground, with you as its first admin.")
    else:
        subject = f"Invitation to Common Ground for {organisation}"
        opening = f"{inviter_name} has invited you to join {organisation} on Common Ground."
    body = (f"{opening}\n\nSet your password here:\n{link}\n\n"
            f"The link works once and expires on {expires} UTC.\n\n"
            f"You get this because {inviter_name} entered this address in an invitation. If "
            "you did not expect it, ignore this e-mail: nothing happens until the link is "
            "used.\n")
    return subject, body


@job("accounts.email_invitation", retries=5)
def _send_invitation(invitation_id: int, inviter_name: str,
                     partnership_name: str | None = None) -> None:
    """The invitation e-mail, sent once; a refused address fails the job with its reason."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.accepted_at is not None \
            or invitation.expires_at <= utcnow():
        return
    with current_app.test_request_context("/", base_url=base_url()):
        link = url_for("auth.accept_invitation", token=invitation_token(invitation),
                       _external=True)
    subject, body = invitation_email(invitation, inviter_name, link, partnership_name)
    try:
        send_mail(invitation.email, subject, body)
    except Bounce as exc:
        raise JobFailed(f"The mail server refused the invited address for good "
                        f"({exc.code}).") from None


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

"""Rules for signing in and out, throttling, passwords and invitations."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request, session
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, text, update

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..partnerships.models import PASSWORD_METHOD, Partner, User
from .models import Invitation, LoginAttempt, UserSession

MIN_PASSWORD_LENGTH = 10
#: A hash checked when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = None


class AuthError(Exception):
    """A refusal with a message safe to show (it never says whether an e-mail exists)."""

    def __init__(self, message, status=422):
        super().__init__(message)
        self.message = message
        self.status = status


SIGN_IN_FAILED = "The email address or password is not right. Check them and try again."


def _normalise(email):
    return (email or "").strip().lower()


def throttled(email, address):
    """True when recent failures for this account or this address reach the limit."""
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["LOGIN_THROTTLE_MINUTES"])
    by_email, by_address = db.session.execute(
        select(
            func.count().filter(LoginAttempt.email == email),
            func.count().filter(LoginAttempt.address == address),
        ).where(LoginAttempt.at >= since,
                (LoginAttempt.email == email) | (LoginAttempt.address == address))
    ).one()
    return (by_email >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
            or by_address >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"])


def _advisory_key(kind, value):
    """A signed 64-bit key for PostgreSQL's advisory locks, from a hash of the value."""
    digest = hashlib.sha256(f"common-ground:{kind}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _serialise_attempts(email, address):
    """Make concurrent attempts on this account (and from this address) take turns until the
    transaction ends, so that counting and recording an attempt are one step.

    PostgreSQL: transaction-level advisory locks, account first and then address (always in
    that order, so two attempts cannot wait for each other). SQLite: nothing to do, a write
    request began with BEGIN IMMEDIATE and holds the database's only write lock already.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in (_advisory_key("email", email), _advisory_key("address", address)):
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def claim_attempt(email, address):
    """Record a sign-in attempt as a failure unless the limits are reached: the new
    LoginAttempt, or None when throttled (and then no password may be checked).

    The attempt is recorded before the password is checked and counts at once: a right
    password then deletes the account's failures, this one included. Within one transaction
    serialised per account and per address, so N simultaneous attempts check at most the
    limit's worth of passwords.
    """
    _serialise_attempts(email, address)
    if throttled(email, address):
        return None
    attempt = LoginAttempt(email=email, address=address, at=utcnow())
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _dummy_check(password):
    global _DUMMY_HASH
    from werkzeug.security import check_password_hash, generate_password_hash
    if _DUMMY_HASH is None:
        _DUMMY_HASH = generate_password_hash(secrets.token_hex(8), method=PASSWORD_METHOD)
    check_password_hash(_DUMMY_HASH, password)


def authenticate(email, password, address):
    """Return the user for these credentials, or raise AuthError (failures are recorded)."""
    email = _normalise(email)
    address = address or "unknown"
    minutes = current_app.config["LOGIN_THROTTLE_MINUTES"]
    if claim_attempt(email, address) is None:
        audit.record("auth.sign_in_throttled", email=email)
        raise AuthError(f"Too many failed attempts. Wait {minutes} minutes and try again.",
                        status=429)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        _dummy_check(password)
        ok = False
    else:
        ok = user.check_password(password) and user.active
    if not ok:   # the attempt claimed above stays recorded as a failure
        audit.record("auth.sign_in_failed", user, actor=user, email=email)
        raise AuthError(SIGN_IN_FAILED, status=401)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    return user


def start_session(user, address):
    """Sign the user in with a brand-new session identifier (ending this browser's old one)."""
    previous = session.get("sid")
    if previous:
        db.session.execute(update(UserSession).where(UserSession.id == previous)
                           .values(ended_at=utcnow()))
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=token, user_id=user.id, address=address, created_at=utcnow()))
    login_user(user)
    session["sid"] = token
    session.permanent = True
    audit.record("auth.sign_in", user, actor=user)


def end_session(user):
    """Sign out: the server forgets the session, so the old cookie is worthless."""
    sid = session.get("sid")
    if sid:
        db.session.execute(update(UserSession).where(UserSession.id == sid)
                           .values(ended_at=utcnow()))
    audit.record("auth.sign_out", user, actor=user)
    logout_user()
    session.clear()


def end_all_sessions(user, keep=None):
    """End every session of a user (deactivation, password change), except `keep`."""
    stmt = update(UserSession).where(UserSession.user_id == user.id,
                                     UserSession.ended_at.is_(None))
    if keep:
        stmt = stmt.where(UserSession.id != keep)
    db.session.execute(stmt.values(ended_at=utcnow()))


def load_user_for_session(user_id):
    """Flask-Login's loader: the user only while the server-side session is live."""
    sid = session.get("sid")
    if not sid:
        return None
    row = db.session.get(UserSession, sid)
    if row is None or row.ended_at is not None or str(row.user_id) != str(user_id):
        return None
    return row.user if row.user.active else None


def check_new_password(password, confirm):
    """Return an error message for a weak or mismatched new password, or None."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    if password != confirm:
        return "Passwords do not match"
    return None


def change_password(user, current, new):
    """Change a password after checking the current one; ends the user's other sessions.

    Wrong current passwords count as failed sign-ins, so a left-open session cannot be used
    to guess the password faster than the sign-in page allows.
    """
    address = request.remote_addr or "unknown"
    attempt = claim_attempt(user.email, address)
    if attempt is None:
        minutes = current_app.config["LOGIN_THROTTLE_MINUTES"]
        raise AuthError(f"Too many wrong passwords. Wait {minutes} minutes and try again.",
                        status=429)
    if not user.check_password(current):   # the attempt claimed above stays recorded
        audit.record("auth.password_change_failed", user)
        raise AuthError("Your current password is not right.")
    db.session.delete(attempt)
    user.set_password(new)
    end_all_sessions(user, keep=session.get("sid"))
    audit.record("auth.password_changed", user)


# Invitations ---------------------------------------------------------------------------------

def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def create_invitation(organisation, email, name, role, by, partnership=None):
    """Create an invitation to become a user of `organisation`; return (invitation, token).

    Made by the organisation's own admins; or, for a brand-new organisation, by the
    partnership admin who created it, for its first admin (`partnership` is then the
    partnership the organisation joins when that admin accepts).
    """
    email = _normalise(email)
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


def invitation_token(invitation):
    return _serializer().dumps({"i": invitation.id, "n": invitation.nonce})


def load_invitation(token):
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


def accept_invitation(invitation, password):
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
    if invitation.partnership_id and invitation.role == "admin":
        _join_on_first_admin(invitation, user)
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


def _join_on_first_admin(invitation, user):
    """A new organisation's first admin accepting their invitation accepts the partnership's
    invitation too (the organisation was created for it)."""
    partner = db.session.scalar(select(Partner).where(
        Partner.partnership_id == invitation.partnership_id,
        Partner.organisation_id == invitation.organisation_id, Partner.status == "invited"))
    if partner is not None:
        partner.status = "active"
        partner.accepted_at = utcnow()
        partner.accepted_by_id = user.id
        audit.record("partnership.partner_joined", partner.organisation, actor=user,
                     partnership=partner.partnership, organisation=partner.organisation.name)

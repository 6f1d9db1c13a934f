"""Rules for signing in and out, throttling, sessions and passwords."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import Integer, bindparam, delete, func, select, text, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..numbers import whole_number
from ..web import is_background_request
from .models import PASSWORD_METHOD, LoginAttempt, User, UserSession

MIN_PASSWORD_LENGTH = 10
#: A hash checked when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = None


class AuthError(Exception):
    """A refusal with a message safe to show (it never says whether an e-mail exists)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


SIGN_IN_FAILED = "The email address or password is not right. Check them and try again."


def normalise_email(email: str | None) -> str:
    """An e-mail address as stored: trimmed, lower-cased."""
    return (email or "").strip().lower()


def throttled(email: str, address: str) -> bool:
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


def claim_attempt(email: str, address: str) -> LoginAttempt | None:
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
    if _DUMMY_HASH is None:
        _DUMMY_HASH = generate_password_hash(secrets.token_hex(8), method=PASSWORD_METHOD)
    check_password_hash(_DUMMY_HASH, password)


def authenticate(email: str | None, password: str, address: str | None) -> User:
    """Return the user for these credentials, or raise AuthError (failures are recorded)."""
    email = normalise_email(email)
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


def start_session(user: User, address: str | None) -> None:
    """Sign the user in with a brand-new session identifier (ending this browser's old one)."""
    previous = session.get("sid")
    if previous:
        db.session.execute(update(UserSession).where(UserSession.id == previous)
                           .values(ended_at=utcnow()))
    session.clear()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(id=token, user_id=user.id, address=address, created_at=now,
                               last_seen_at=now))
    login_user(user)
    session["sid"] = token
    session.permanent = True
    audit.record("auth.sign_in", user, actor=user)


def end_session(user: User) -> None:
    """Sign out: the server forgets the session, so the old cookie is worthless."""
    sid = session.get("sid")
    if sid:
        db.session.execute(update(UserSession).where(UserSession.id == sid)
                           .values(ended_at=utcnow()))
    audit.record("auth.sign_out", user, actor=user)
    logout_user()
    session.clear()


def end_all_sessions(user: User, keep: str | None = None) -> None:
    """End every session of a user (deactivation, password change), except `keep`."""
    stmt = update(UserSession).where(UserSession.user_id == user.id,
                                     UserSession.ended_at.is_(None))
    if keep:
        stmt = stmt.where(UserSession.id != keep)
    db.session.execute(stmt.values(ended_at=utcnow()))


def load_user_for_session(user_id: str) -> User | None:
    """Flask-Login's loader: the user only while the server-side session is live."""
    sid = session.get("sid")
    if not sid:
        return None
    user_id = whole_number(user_id)
    if user_id is None:
        return None
    # One statement on every request: the live session and its active user together.
    row = db.session.execute(_session_user_stmt(), {"sid": sid, "user_id": user_id}).first()
    if row is None:
        return None
    user, seen = row
    _note_seen(sid, seen)
    return user


#: How often a session's last use is written down: at most once an hour per session, so a
#: request rarely writes for it, and retention can still tell a session nobody uses.
SEEN_EVERY = timedelta(hours=1)


def _note_seen(sid: str, seen) -> None:
    """Write down that the person used the session (not for the page's own polls and
    heartbeats, which do not extend a sign-in either); committed with the request."""
    if is_background_request():
        return
    now = utcnow()
    if seen is None or seen < now - SEEN_EVERY:
        db.session.execute(update(UserSession).where(UserSession.id == sid)
                           .values(last_seen_at=now))


def live_session():
    """The condition on UserSession joined to its User: the session (parameter "sid") is
    live (not signed out nor ended) and its user (parameter "user_id") active. What every
    request asks before it is anyone's; the live feed's quiet answer asks it too."""
    return ((UserSession.user_id == User.id) & (UserSession.id == bindparam("sid"))
            & UserSession.ended_at.is_(None)
            & (User.id == bindparam("user_id", type_=Integer)) & User.active.is_(True))


@lru_cache(maxsize=1)
def _session_user_stmt():
    """Built once, with the session id and user id as parameters (every request runs it)."""
    return (select(User, UserSession.last_seen_at).join(UserSession, live_session()))


def check_new_password(password: str | None, confirm: str | None) -> str | None:
    """Return an error message for a weak or mismatched new password, or None."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    if password != confirm:
        return "Passwords do not match"
    return None


def change_password(user: User, current: str, new: str) -> None:
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

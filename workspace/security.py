"""Security headers on every response, and request parameters without control characters."""
import re
import unicodedata
from datetime import UTC, datetime

from flask import Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.datastructures import ImmutableMultiDict

from .web import is_background_request

#: C0 control characters but tab, line feed and carriage return, and the two non-characters
#: XML forbids. Nobody types them; PostgreSQL refuses NUL in text (the request failed with a
#: 500) and XML refuses them all (Word exports, PDF metadata).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_security_headers(app):
    """Attach the headers after every request, errors included."""

    @app.after_request
    def _headers(response):
        headers = response.headers
        for name, value in security_headers(app.config):
            headers.setdefault(name, value)
        return response


def security_headers(config):
    """(name, value) of the headers every answer carries."""
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
               ("Cross-Origin-Opener-Policy", "same-origin"),
               ("Permissions-Policy", "camera=(), microphone=(), geolocation=()")]
    if config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


#: Characters that show nothing: spaces, line breaks, format characters (zero-width space,
#: joiners, direction marks: Unicode category Cf) and the letters and symbols drawn blank.
BLANK_CATEGORIES = {"Zs", "Zl", "Zp", "Cf", "Cc"}
BLANK_CHARACTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def shows_nothing(text: str) -> bool:
    """True when the text has no character that shows (all blank: see BLANK_*)."""
    return all(c in BLANK_CHARACTERS or unicodedata.category(c) in BLANK_CATEGORIES
               for c in text)


def _secret(key: str) -> bool:
    """A password field (password, current_password, new_password, and the new password's
    confirmation, "confirm"): left as typed."""
    return "password" in key or key == "confirm"


class CleanParameters(ImmutableMultiDict):
    """Query and form parameters with the control characters taken out of every value, and
    a value that shows nothing (only spaces and invisible characters, e.g. a zero-width
    space) made empty, so every "required" check sees it as the empty field it looks like.
    Passwords are left as typed."""

    def __init__(self, mapping=None):
        super().__init__(mapping)
        for key, values in dict.items(self):
            for i, value in enumerate(values):
                if not isinstance(value, str):
                    continue
                if CONTROL_CHARACTERS.search(value):
                    value = values[i] = CONTROL_CHARACTERS.sub("", value)
                if value and not _secret(key) and shows_nothing(value):
                    values[i] = ""


class CleanRequest(Request):
    """The app's request: request.args, request.form (and so every form) are clean."""

    parameter_storage_class = CleanParameters


class SignedSession(SecureCookieSession):
    """The session, knowing when its cookie was signed (None for a new one)."""

    signed_at: datetime | None = None


#: A person's own requests send the session cookie again (extending the sign-in) at most this
#: often: re-signing it cost every signed-in request an eighth of its floor, and each resent
#: cookie is one more chance for a slow answer to put back a session a later one changed.
REFRESH_EVERY_SECONDS = 60


class QuietSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that

    - a background request (the live feed's poll, an editor's presence heartbeat; see
      web.background) does not send the cookie again unless it changed the session.
      Otherwise a slow poll answering after a form's redirect puts back the session as it
      stood before the form (losing the flash message the redirect carried), and an
      unattended open tab would keep its sign-in alive for ever;
    - a person's own request sends it again, unchanged, only when it was signed
      REFRESH_EVERY_SECONDS ago or more.

    So the sign-in lasts SESSION_LIFETIME_HOURS after the person's last own request, to
    within a minute (the cookie's signature carries its time; the lifetime is checked on it)."""

    session_class = SignedSession

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session):
        if session.modified:
            return True
        if is_background_request():
            return False
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return (signed_at is None or (datetime.now(UTC) - signed_at).total_seconds()
                >= REFRESH_EVERY_SECONDS)

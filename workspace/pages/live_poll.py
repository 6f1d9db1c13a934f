"""The live feed's quiet answer: a poll that finds nothing changed, answered before Flask.

Every open document tab polls every two seconds and nearly every poll finds nothing, so that
answer is given here, in front of the app, by one statement. The page gives its poller a signed
ticket naming the user, the document and (by a digest) the sign-in session the page was drawn
for (`ticket`). A poll carrying a ticket that matches its session cookie is answered 204 when
one read finds the session still live (not signed out or ended, the user still active), the
user's organisation still an active partner in the partnership the address names, and the
document's latest change id and who is editing as the client last saw. Anything else (a
change, an editor arriving or leaving, no ticket, a ticket for another session or document, a
bad cookie or parameter, a database error) goes on to the app's own view
(pages.document.changes), which checks everything again and answers as before.

The answer has the app's security headers, its request id and its access line.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
import uuid
from urllib.parse import parse_qs

from flask import current_app, session
from flask_login import current_user
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import bindparam, func, select
from werkzeug.sansio.http import parse_cookie

from .. import clock, logs
from ..accounts.models import User, UserSession
from ..accounts.signin import live_session
from ..documents import feed
from ..documents.models import Document
from ..numbers import whole_number
from ..partnerships.models import Partner, Partnership
from ..permissions import active_partner, named_document
from ..security import security_headers

LOG = logging.getLogger(__name__)
#: The feed's address (pages.document.changes): /p/<slug>/d/<document id>/changes
PATH = re.compile(r"/p/([^/]+)/d/([0-9]{1,12})/changes\Z")
SALT = "common-ground.live-feed"
#: The poller's query parameter holding the ticket.
PARAMETER = "ticket"


def ticket(document) -> str | None:
    """The signed ticket for the signed-in user's poller of `document` (None when the
    session has no server-side id)."""
    sid = session.get("sid")
    if not sid or not current_user.is_authenticated:
        return None
    return _signer(current_app.secret_key).dumps([current_user.id, document.id, _digest(sid)])


def _digest(sid):
    """The session id as the ticket names it: a digest, so the id itself (the secret the
    cookie carries) is never in a page or an address."""
    return hashlib.sha256(sid.encode()).hexdigest()[:32]


def _signer(secret):
    return URLSafeSerializer(secret, salt=SALT)


def _statement():
    """The poll's statement with one more column: 1 when the session is live, its user
    active and their organisation an active partner in the document's partnership (whose
    slug the address names), else 0: the rules of the sign-in (signin.live_session) and of
    the loaders (permissions.active_partner, named_document) themselves."""
    allowed = (select(func.count()).select_from(UserSession)
               .join(User, live_session())
               .join(Partnership, Partnership.slug == bindparam("slug"))
               .join(Document, named_document())
               .join(Partner, active_partner(Partnership.id, User.organisation_id))
               .scalar_subquery().label("allowed"))
    return feed.poll_statement(allowed)


class QuietPoll:
    """WSGI middleware: answers the feed's "nothing changed" itself (see the module)."""

    def __init__(self, app, wsgi_app, engine):
        self.app, self.next, self.engine = app, wsgi_app, engine
        self.statement = _statement()
        self.tickets = _signer(app.secret_key)
        self.cookies = app.session_interface.get_signing_serializer(app)
        self.headers = security_headers(app.config) + [("Vary", "Cookie")]

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            match = PATH.match(environ.get("PATH_INFO", ""))
            # An id or cursor no database integer holds is the view's to answer (404, or
            # everything from the start), as for any request.
            document_id = whole_number(match.group(2)) if match else None
            if document_id is not None:
                started = time.perf_counter()
                try:
                    user_id = self.unchanged(environ, match.group(1), document_id)
                except Exception:       # whatever it was (the database?), the view answers
                    LOG.warning("The live feed's quiet answer failed; the view answers",
                                exc_info=True)
                    user_id = None
                if user_id is not None:
                    return self.no_content(environ, start_response, started, user_id)
        return self.next(environ, start_response)

    def unchanged(self, environ, slug, document_id):
        """The user's id when the poll may be answered "nothing changed", else None."""
        query = parse_qs(environ.get("QUERY_STRING", ""))
        given = query.get(PARAMETER, [""])[0]
        cursor = query.get("cursor", [""])[0]
        cursor = whole_number(cursor) if cursor.isdigit() else None      # digits alone
        cookie = parse_cookie(environ.get("HTTP_COOKIE")).get(
            self.app.config["SESSION_COOKIE_NAME"])
        if not given or not cookie or cursor is None:
            return None
        try:
            signed_in = self.cookies.loads(cookie, max_age=int(
                self.app.permanent_session_lifetime.total_seconds()))
            user_id, ticket_document, sid_digest = self.tickets.loads(given)
        except (BadData, TypeError, ValueError):
            return None
        sid = signed_in.get("sid") if isinstance(signed_in, dict) else None
        if (not isinstance(sid, str) or ticket_document != document_id
                or not isinstance(sid_digest, str)
                or not hmac.compare_digest(sid_digest, _digest(sid))
                or str(user_id) != signed_in.get("_user_id")):
            return None
        with self.engine.connect() as connection:
            rows = connection.execute(self.statement, {
                "document_id": document_id, "user_id": user_id, "sid": sid,
                "slug": _text(slug),
                "since": clock.utcnow() - feed.poll_window(self.app.config)}).all()
        if not rows[0].allowed:
            return None
        latest, tag = feed.state_of(rows)
        if latest > cursor or tag != query.get("presence", [""])[0]:
            return None
        return user_id

    def no_content(self, environ, start_response, started, user_id):
        request_id = logs.incoming_id(self.app.config, environ.get("HTTP_X_REQUEST_ID")) \
            or uuid.uuid4().hex
        path = _text(environ.get("PATH_INFO", ""))
        logs.write_access_line({
            "method": "GET", "path": logs.quote_path(path), "status": 204,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": user_id, "remote_addr": environ.get("REMOTE_ADDR")}, request_id)
        start_response("204 NO CONTENT", [*self.headers, (logs.HEADER, request_id)])
        return []


def _text(value):
    """A WSGI string (bytes as latin-1) as the text it stands for."""
    return value.encode("latin-1").decode("utf-8", "replace")


def init_app(app, engine):
    """Put the quiet answer in front of the app, and give templates `live_ticket`."""
    app.wsgi_app = QuietPoll(app, app.wsgi_app, engine)
    app.jinja_env.globals["live_ticket"] = ticket

"""The live feed's quiet answer: a poll that finds nothing changed, answered before Flask.

Every open document tab polls every two seconds and nearly every poll finds nothing, so that
answer is given here, in front of the app, by one statement. The page gives its poller a signed
ticket naming the user, the document and the sign-in session the page was drawn for (after the
membership check, `ticket`). A poll carrying a ticket that matches its session cookie is
answered 204 when one read says the session is still live (not signed out or ended, the user
still active) and the document's latest change id and who is editing are as the client last
saw. Anything else (a change, an editor arriving or leaving, no ticket, a ticket for another
session or document, a bad cookie, a database error) goes on to the app's own view
(pages.document.changes), which checks everything again and answers as before.

What the ticket does not re-check is membership: a person whose organisation leaves the
partnership while their tab stays open is still told "nothing changed" (which their page
already shows) until something changes; then the view refuses them.

The answer has the app's security headers, its request id and its access line.
"""
from __future__ import annotations

import re
import time
import uuid
from urllib.parse import parse_qs

from flask import current_app, session
from flask_login import current_user
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_cookie

from .. import clock, logs
from ..accounts.models import User, UserSession
from ..documents import feed
from ..security import security_headers

#: The feed's address (pages.document.changes): /p/<slug>/d/<document id>/changes
PATH = re.compile(r"/p/[^/]+/d/([0-9]{1,12})/changes\Z")
SALT = "common-ground.live-feed"
#: The poller's query parameter holding the ticket.
PARAMETER = "ticket"


def ticket(document) -> str | None:
    """The signed ticket for the signed-in user's poller of `document` (None when the
    session has no server-side id)."""
    sid = session.get("sid")
    if not sid or not current_user.is_authenticated:
        return None
    return _signer(current_app.secret_key).dumps([current_user.id, document.id, sid])


def _signer(secret):
    return URLSafeSerializer(secret, salt=SALT)


def _statement():
    live = (select(func.count()).select_from(UserSession)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.id == bindparam("sid"), UserSession.ended_at.is_(None),
                   User.id == bindparam("user_id", type_=Integer),
                   User.active.is_(True))
            .scalar_subquery().label("live"))
    return feed.poll_statement(live)


class QuietPoll:
    """WSGI middleware: answers the feed's "nothing changed" itself (see the module)."""

    def __init__(self, app, wsgi_app, engine):
        self.app, self.next, self.engine = app, wsgi_app, engine
        self.statement = _statement()
        self.tickets = _signer(app.secret_key)
        self.cookies = app.session_interface.get_signing_serializer(app)
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self.lifetime = int(app.permanent_session_lifetime.total_seconds())
        self.headers = security_headers(app.config) + [("Vary", "Cookie")]

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            match = PATH.match(environ.get("PATH_INFO", ""))
            if match:
                started = time.perf_counter()
                user_id = self.unchanged(environ, int(match.group(1)))
                if user_id is not None:
                    return self.no_content(environ, start_response, started, user_id)
        return self.next(environ, start_response)

    def unchanged(self, environ, document_id):
        """The user's id when the poll may be answered "nothing changed", else None."""
        query = parse_qs(environ.get("QUERY_STRING", ""))
        given = query.get(PARAMETER, [""])[0]
        cursor = query.get("cursor", [""])[0]
        cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(self.cookie_name)
        if not given or not cookie or not cursor.isdigit():
            return None
        try:
            signed_in = self.cookies.loads(cookie, max_age=self.lifetime)
            user_id, ticket_document, sid = self.tickets.loads(given)
        except (BadData, TypeError, ValueError):
            return None
        if (ticket_document != document_id or sid != signed_in.get("sid")
                or str(user_id) != signed_in.get("_user_id")):
            return None
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(self.statement, {
                    "document_id": document_id, "user_id": user_id, "sid": sid,
                    "since": clock.utcnow() - feed.poll_window(self.app.config)}).all()
        except SQLAlchemyError:         # the app's view answers, and logs, as it always has
            return None
        if not rows[0].live:
            return None
        latest, tag = feed.state_of(rows)
        if latest > int(cursor) or tag != query.get("presence", [""])[0]:
            return None
        return user_id

    def no_content(self, environ, start_response, started, user_id):
        request_id = logs.incoming_id(self.app.config, environ.get("HTTP_X_REQUEST_ID")) \
            or uuid.uuid4().hex
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        logs.write_access_line({
            "method": "GET", "path": logs.quote_path(path), "status": 204,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": user_id, "remote_addr": environ.get("REMOTE_ADDR")}, request_id)
        start_response("204 NO CONTENT", [*self.headers, (logs.HEADER, request_id)])
        return []


def init_app(app, engine):
    """Put the quiet answer in front of the app, and give templates `live_ticket`."""
    app.wsgi_app = QuietPoll(app, app.wsgi_app, engine)
    app.jinja_env.globals["live_ticket"] = ticket

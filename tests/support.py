"""Helpers shared by test modules (fixtures live in conftest.py)."""
import re
import time
from contextlib import contextmanager
from unittest.mock import patch

from itsdangerous.timed import TimestampSigner
from sqlalchemy import event

from workspace.extensions import db


@contextmanager
def counting_queries(app):
    """Collect the SQL statements sent to the database inside the block."""
    statements = []

    def _count(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)


#: Where a page carries its CSRF token: the hidden form field and htmx's request header.
_CSRF_TOKEN = re.compile(r'(name="csrf_token"[^>]*?value="|"X-CSRFToken": ")[^"]*')


def without_csrf_tokens(html):
    """The page with its CSRF tokens blanked. A token is signed with the time in seconds, so
    two pages made in different seconds differ there and nowhere else."""
    return _CSRF_TOKEN.sub(r"\1", html)


def download(client, url, run_jobs, **kwargs):
    """GET a file made by background jobs (a PDF): while it is being prepared the answer is
    202 with a page that reloads itself; run the jobs, as the worker would, and ask again."""
    response = client.get(url, **kwargs)
    for _ in range(3):
        if response.status_code != 202:
            break
        run_jobs()
        response = client.get(url, **kwargs)
    return response


# The session cookie ---------------------------------------------------------------------------

def cookie_name(app):
    """The name of the app's session cookie."""
    return app.config["SESSION_COOKIE_NAME"]


def sets_cookie(app, response):
    """True when the answer sends the session cookie."""
    return any(h.startswith(f"{cookie_name(app)}=") for h in response.headers.getlist("Set-Cookie"))


def signed_seconds_ago(app, client, seconds):
    """Sign the client's session again, as if that happened `seconds` ago."""
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie(cookie_name(app)).value)
    with patch.object(TimestampSigner, "get_timestamp",
                      lambda _signer: int(time.time()) - seconds):
        client.set_cookie(cookie_name(app), serializer.dumps(data))


def agree(document, admin, **kwargs):
    """lifecycle.agree after the admin rejects every open suggestion (a document with open
    suggestions cannot be agreed): set-up for tests about what follows agreement, on the demo
    Statement, which has open suggestions."""
    from sqlalchemy import select

    from workspace.review import lifecycle
    from workspace.suggestions import service as suggestions
    from workspace.suggestions.models import OPEN, Suggestion
    for suggestion in db.session.scalars(select(Suggestion).where(
            Suggestion.document_id == document.id, Suggestion.status == OPEN)).all():
        suggestions.reject(suggestion, admin, "Decided before the document was agreed.")
    return lifecycle.agree(document, admin, **kwargs)

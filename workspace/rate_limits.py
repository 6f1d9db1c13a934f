"""Limits on costly or abusable actions (Flask-Limiter), counted per signed-in user.

Each limit is a setting in Flask-Limiter's notation ("30 per minute;300 per hour"), read on
each request, so a test or an operator can change it; an empty setting turns it off. The
settings come from the environment with the defaults below unless the app's configuration
names them. One limit is one budget shared by the routes it covers (a PDF and a Word download
draw on the same count). The 429 page and its Retry-After header are the app's error handler's
(workspace/__init__.py); each limit's message says that nothing was changed.
"""
import os

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .extensions import limiter

#: setting -> default. The same values are the README's configuration table.
DEFAULTS = {
    "EXPORT_RATE_LIMIT": "30 per minute;300 per hour",
    "IMPORT_RATE_LIMIT": "10 per minute;60 per hour",
    "INVITE_RATE_LIMIT": "20 per hour",
    "PASSWORD_CHANGE_RATE_LIMIT": "5 per minute;20 per hour",
}

#: Endpoints no limit ever applies to: health checks and static files.
NEVER_LIMITED = frozenset({"static", "health", "readyz", "favicon"})


def setting(name):
    """The limit named by a setting: the app's configuration, else the environment, else the
    default. An empty string means no limit."""
    if name in current_app.config:
        return (current_app.config[name] or "").strip()
    return os.environ.get(name, DEFAULTS[name]).strip()


def user_or_address():
    """Who a count belongs to: the signed-in user (so colleagues behind one council's network
    address do not share a count), else the client address."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return f"address:{get_remote_address()}"


@limiter.request_filter
def _never_limited():
    return request.endpoint in NEVER_LIMITED


def _limit(name, scope, message, methods=None, deduct_when=None):
    return limiter.shared_limit(lambda: setting(name), scope, key_func=user_or_address,
                                methods=methods, error_message=message,
                                exempt_when=lambda: not setting(name),
                                deduct_when=deduct_when)


def _not_still_preparing(response):
    """The "being prepared" page reloads itself every few seconds (202): those reloads wait
    for the same file and are not counted."""
    return response.status_code != 202


#: Downloads that render files (PDF, Word) and requests for an evidence pack.
export_limit = _limit(
    "EXPORT_RATE_LIMIT", "export",
    "You have asked for too many downloads or evidence packs in a short time. "
    "Nothing was changed.", deduct_when=_not_still_preparing)
#: Uploads of a file to import (into a document, or as a new document).
import_limit = _limit(
    "IMPORT_RATE_LIMIT", "import",
    "You have uploaded too many files to import in a short time. Nothing was imported or "
    "changed; your file is still on your computer.", methods=["POST"])
#: Invitations: a person to an organisation, an organisation to a partnership.
invite_limit = _limit(
    "INVITE_RATE_LIMIT", "invite",
    "You have sent too many invitations in a short time. No invitation was sent and "
    "nothing was changed.", methods=["POST"])
#: Changing your own password (the form's page itself is never limited).
password_change_limit = _limit(
    "PASSWORD_CHANGE_RATE_LIMIT", "password-change",
    "You have tried to change your password too many times in a short time. Your password "
    "was not changed.", methods=["POST"])

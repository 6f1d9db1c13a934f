"""The notifications list (opened from the header), preferences, unsubscribing from an
e-mail's link without signing in, and the development outbox."""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import csrf, db
from ..mail import OutboxMessage, uses_outbox
from ..web import is_local_url, render, see_other
from . import kinds, service
from .forms import MarkAllReadForm, UnsubscribeForm, preferences_form

bp = Blueprint("notifications", __name__)
#: Registered only when APP_ENV=development (404 everywhere else).
dev_bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.get("/notifications")
def index():
    """My notifications, newest first; the unread ones say so."""
    return render("notifications/index.html", page_title="Notifications",
                  notifications=service.listed(current_user),
                  unread=service.unread_count(current_user),
                  form=MarkAllReadForm(formdata=None))


@bp.get("/notifications/<int:notification_id>")
def open_one(notification_id):
    """Open a notification: it is marked read and leads to the place it is about."""
    notification = service.own_notification(current_user, notification_id)
    if notification is None:
        abort(404)
    link = service.open_notification(notification)
    return see_other(link if is_local_url(link) else url_for(".index"))


@bp.post("/notifications/read")
def mark_all_read():
    """Mark every notification read."""
    if not MarkAllReadForm().validate_on_submit():
        abort(400)
    count = service.mark_all_read(current_user)
    flash(f"{count} notification{'' if count == 1 else 's'} marked as read."
          if count else "Nothing was unread.", "success")
    return see_other(url_for(".index"))


def _kind_rows(form):
    return [(kind, form[kind.name]) for kind in kinds.all_kinds()]


@bp.get("/notifications/preferences")
def preferences():
    """How each kind of notification reaches me by e-mail."""
    form = preferences_form(service.preferences(current_user))
    return render("notifications/preferences.html", page_title="Notification settings",
                  form=form, rows=_kind_rows(form))


@bp.post("/notifications/preferences")
def save_preferences():
    """Save how each kind of notification reaches me by e-mail."""
    form = preferences_form(posted=True)
    if not form.validate_on_submit():
        return render("notifications/preferences.html", status=422,
                      page_title="Error: Notification settings", form=form,
                      rows=_kind_rows(form))
    changed = service.set_preferences(
        current_user, {kind.name: form[kind.name].data for kind in kinds.all_kinds()})
    flash("Your notification settings have been saved." if changed
          else "Nothing changed.", "success")
    return see_other(url_for(".preferences"))


def _unsubscribing(token):
    found = service.load_unsubscribe(token)
    if found is None:
        abort(404, description="This unsubscribe link is not valid. Sign in and change your "
                               "notification settings instead.")
    return found


@bp.get("/notifications/unsubscribe/<unsubscribe_token>")
def unsubscribe(unsubscribe_token):
    """Ask before stopping the e-mails a link names (no sign-in needed)."""
    user, named = _unsubscribing(unsubscribe_token)
    modes = service.preferences(user)
    return render("notifications/unsubscribe.html", page_title="Stop these e-mails",
                  kinds=named, done=all(modes[k.name] == "off" for k in named),
                  form=UnsubscribeForm(formdata=None), token=unsubscribe_token)


@bp.post("/notifications/unsubscribe/<unsubscribe_token>")
@csrf.exempt
def unsubscribe_post(unsubscribe_token):
    """Stop the e-mails a link names: the page's button, or a mail client's one-click
    unsubscribe (RFC 8058: List-Unsubscribe=One-Click, no session, no CSRF token)."""
    user, named = _unsubscribing(unsubscribe_token)
    service.unsubscribe(user, [k.name for k in named])
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render("notifications/unsubscribe.html", page_title="E-mails stopped",
                  kinds=named, done=True, form=None, token=unsubscribe_token)


@dev_bp.get("/outbox")
def outbox():
    """Development only: the e-mails the workspace would have sent, newest first (404 when a
    mail server is named: then they really go)."""
    if not uses_outbox():
        abort(404)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())
                                  .limit(200)).all()
    return render("notifications/outbox.html", page_title="Development outbox",
                  messages=messages)

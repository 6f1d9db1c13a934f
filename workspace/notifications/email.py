"""The text of a notification e-mail: one e-mail for a batch of a user's notifications (sent
at once) or for their daily digest. Each item says what, where (the full link) and why; the
footer says why the person gets e-mail at all, with the preferences page and a signed
unsubscribe link (also in List-Unsubscribe, for one-click unsubscribing, RFC 8058)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..accounts.models import User
from . import kinds
from .models import Notification
from .service import absolute, path_for, unsubscribe_token


@dataclass
class Email:
    to: str
    subject: str
    body: str
    headers: dict


def _subject(items, digest_day):
    if digest_day is not None:
        n = len(items)
        return (f"Your Common Ground summary for {digest_day.day} {digest_day:%B %Y}: "
                f"{n} update{'' if n == 1 else 's'}")
    if len(items) == 1:
        return items[0].title
    return f"{len(items)} updates in Common Ground: {items[0].title}"


def compose(user: User, items: list[Notification], digest_day: date | None = None) -> Email:
    """The e-mail telling `user` about `items` (their own notifications, oldest first)."""
    names = list(dict.fromkeys(n.kind for n in items))
    groups = [(kinds.get(name), [n for n in items if n.kind == name]) for name in names]
    token = unsubscribe_token(user, names)
    unsubscribe = absolute(path_for("notifications.unsubscribe", unsubscribe_token=token))
    preferences = absolute(path_for("notifications.preferences"))
    listing = absolute(path_for("notifications.index"))
    lines = [f"Hello {user.name},", ""]
    if digest_day is not None:
        lines += ["Here is what happened in Common Ground since your last summary.", ""]
    for kind, group in groups:
        if len(groups) > 1 or len(items) > 1:
            lines += [kind.heading or kind.label, "-" * len(kind.heading or kind.label)]
        for n in group:
            lines += [n.title, f"Open it: {absolute(n.link)}", f"Why you got this: {n.reason}",
                      ""]
    labels = ", ".join(k.label.lower() for k, _group in groups)
    lines += [
        "--",
        (f"You get this e-mail because you are a user of Common Ground at "
        f"{user.organisation.name} and your notification settings send you e-mail about "
        f"{labels}."),
        f"All your notifications: {listing}",
        f"Choose what you get, and when: {preferences}",
        f"Stop these e-mails ({labels}): {unsubscribe}",
    ]
    headers = {"List-Unsubscribe": f"<{unsubscribe}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return Email(user.email, _subject(items, digest_day), "\n".join(lines) + "\n", headers)

"""Notifications kept per user (the workspace list, and what is e-mailed), each user's
preferences per kind, and the day of each user's last daily digest."""
from ..clock import utcnow
from ..extensions import db

#: How a kind's notifications reach a user by e-mail: at once (batched for a short while),
#: in the daily digest, or not at all (they are still listed in the workspace).
IMMEDIATE, DIGEST, OFF = "immediate", "digest", "off"
MODES = (IMMEDIATE, DIGEST, OFF)

#: A notification's e-mail: waiting to go at once, waiting for the digest, sent, not to be
#: sent (e-mail off for this kind, mail not configured, or the user may no longer receive it),
#: or refused by the mail server for good (bounced).
EMAIL_PENDING, EMAIL_DIGEST, EMAIL_SENT, EMAIL_NONE, EMAIL_BOUNCED = (
    "pending", "digest", "sent", "none", "bounced")


class Notification(db.Model):
    """One thing a user is told: what happened, where (a link) and why they are told."""

    __tablename__ = "notifications"
    __table_args__ = (
        db.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        db.Index("ix_notifications_user_id_email_state", "user_id", "email_state"),
        #: "Once per decision per state": a notification with a key is made once per user.
        db.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
    )

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    #: A name in the kinds registry (kinds.py), e.g. "position_owed".
    kind = db.Column(db.String(40), nullable=False)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id", ondelete="CASCADE"),
                               nullable=True, index=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=True)
    section_id = db.Column(db.Integer, db.ForeignKey("sections.id"), nullable=True)
    #: What happened, in a line: the e-mail's subject when it goes alone.
    title = db.Column(db.String(300), nullable=False)
    #: Where: a path in the workspace (made absolute with BASE_URL in e-mails).
    link = db.Column(db.String(500), nullable=False)
    #: Why the user is told, e.g. "You are a Member of Watford Borough Council, a signatory".
    reason = db.Column(db.String(500), nullable=False, default="")
    #: Set for notifications made once only (e.g. "decision:12:overdue").
    dedupe_key = db.Column(db.String(200), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    read_at = db.Column(db.DateTime, nullable=True)
    #: EMAIL_* above.
    email_state = db.Column(db.String(20), nullable=False, default=EMAIL_NONE)
    emailed_at = db.Column(db.DateTime, nullable=True)

    @property
    def is_unread(self):
        return self.read_at is None


class NotificationPreference(db.Model):
    """How one user wants one kind of notification e-mailed (no row: the kind's default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (db.UniqueConstraint("user_id", "kind"),
                      db.CheckConstraint("mode IN ('immediate', 'digest', 'off')",
                                         name="mode"))

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    kind = db.Column(db.String(40), nullable=False)
    mode = db.Column(db.String(20), nullable=False)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class DigestSent(db.Model):
    """The UK day of the last daily digest sent to a user: one a day at most."""

    __tablename__ = "notification_digests"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), primary_key=True)
    sent_on = db.Column(db.Date, nullable=False)

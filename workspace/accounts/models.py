"""Users and their organisations, server-side sessions, sign-in attempts and invitations."""
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..extensions import db

#: A user's role in their own organisation. "admin" is the organisation admin: it manages the
#: organisation's own users and signing keys, nothing in a partnership (that is a grant to a
#: named user: PartnershipAdmin, in partnerships).
ROLES = ("viewer", "officer", "member", "admin")
ROLE_LABELS = {"viewer": "Viewer", "officer": "Officer", "member": "Member",
               "admin": "Organisation admin"}
#: scrypt is Werkzeug's memory-hard default; named here so it never silently changes.
PASSWORD_METHOD = "scrypt"


class Organisation(db.Model):
    """An authority or other partner body."""

    __tablename__ = "organisations"

    id = db.Column(db.Integer, primary_key=True)
    #: Short stable code used in demo e-mail addresses, e.g. "watford".
    code = db.Column(db.String(40), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def __repr__(self):
        return f"<Organisation {self.code}>"


class User(UserMixin, db.Model):
    """A person: one organisation, one role in it. A person who works for two authorities
    has two accounts."""

    __tablename__ = "users"
    __table_args__ = (db.CheckConstraint("role IN ('viewer', 'officer', 'member', 'admin')",
                                         name="role"),)

    id = db.Column(db.Integer, primary_key=True)
    #: Stored lower-cased; unique across the workspace.
    email = db.Column(db.String(254), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    #: Printed under a signature, e.g. "Portfolio Holder for Planning".
    job_title = db.Column(db.String(200), nullable=False, default="")
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False,
                                index=True)
    role = db.Column(db.String(20), nullable=False, default="viewer")
    password_hash = db.Column(db.String(255), nullable=False)
    #: False once deactivated: the user cannot sign in, their history stays.
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    deactivated_at = db.Column(db.DateTime, nullable=True)
    #: Set when the mail server refused the address for good (a bounce): no more e-mail is
    #: sent to it (notifications stay in the workspace list) until an organisation admin
    #: clears it. The reason is the server's answer, shown to the organisation's admins.
    mail_bounced_at = db.Column(db.DateTime, nullable=True)
    mail_bounce_reason = db.Column(db.String(500), nullable=True)

    organisation = db.relationship("Organisation", lazy="joined")

    @property
    def is_active(self):
        return self.active

    @property
    def role_label(self):
        return ROLE_LABELS[self.role]

    @property
    def display_name(self):
        """Name and authority, as shown beside edits and comments."""
        return f"{self.name} ({self.organisation.name})"

    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def __repr__(self):
        return f"<User {self.email}>"



class UserSession(db.Model):
    """One signed-in browser. The cookie carries only the random id.

    A new id is issued at every sign-in; sign-out, deactivation and a password change end
    sessions here, so a copied cookie stops working at once on every server process.
    """

    __tablename__ = "user_sessions"

    id = db.Column(db.String(64), primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    ended_at = db.Column(db.DateTime, nullable=True)
    address = db.Column(db.String(64), nullable=True)
    #: When the person last used it, to within SEEN_EVERY (signin.py): retention removes a
    #: session never signed out once this is long past its lifetime. None: not since sign-in.
    last_seen_at = db.Column(db.DateTime, nullable=True)

    user = db.relationship("User", lazy="joined", innerjoin=True)


class LoginAttempt(db.Model):
    """A failed sign-in, kept in the database so throttling holds across processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (db.Index("ix_login_attempts_email_at", "email", "at"),
                      db.Index("ix_login_attempts_address_at", "address", "at"))

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    #: As typed, lower-cased: throttles guesses at accounts that do not exist too.
    email = db.Column(db.String(254), nullable=False)
    address = db.Column(db.String(64), nullable=False)


class Invitation(db.Model):
    """An invitation to join as a user of an organisation. Single use, expiring.

    Made by the organisation's own admins, or for a new organisation's first admin by the
    partnership admin who created it (then `partnership_id` names the partnership it joins).
    """

    __tablename__ = "invitations"

    id = db.Column(db.Integer, primary_key=True)
    #: Random value signed into the link; the link is worthless without the row.
    nonce = db.Column(db.String(64), nullable=False, unique=True)
    email = db.Column(db.String(254), nullable=False)
    name = db.Column(db.String(200), nullable=False)
    role = db.Column(db.String(20), nullable=False)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id"), nullable=True,
                               index=True)
    invited_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)
    accepted_at = db.Column(db.DateTime, nullable=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)

    #: Invitations list the organisation's own; the email is shown only to its admins.
    organisation = db.relationship("Organisation", lazy="joined")
    invited_by = db.relationship("User", foreign_keys=[invited_by_id])

    @property
    def role_label(self):
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def status(self):
        if self.accepted_at:
            return "accepted"
        if self.expires_at <= utcnow():
            return "expired"
        return "pending"

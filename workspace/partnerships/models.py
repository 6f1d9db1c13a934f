"""Organisations, partnerships and users."""
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..extensions import db

ROLES = ("viewer", "officer", "member", "admin")
ROLE_LABELS = {"viewer": "Viewer", "officer": "Officer", "member": "Member",
               "admin": "Partnership admin"}
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


class Partnership(db.Model):
    """A group of organisations working together."""

    __tablename__ = "partnerships"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(60), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    #: Used in file names and the page header, e.g. "SW Herts".
    short_name = db.Column(db.String(60), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    #: Loaded when asked for (not with every partnership: most requests only check that the
    #: user's organisation is a partner, in the query that loads the partnership).
    partners = db.relationship("Partner", back_populates="partnership",
                               cascade="all, delete-orphan")

    @property
    def organisations(self):
        """Partner organisations, by name."""
        return sorted((p.organisation for p in self.partners), key=lambda o: o.name)


class Partner(db.Model):
    """Membership of an organisation in a partnership."""

    __tablename__ = "partners"
    __table_args__ = (db.UniqueConstraint("partnership_id", "organisation_id"),)

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id", ondelete="CASCADE"),
                               nullable=False, index=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False,
                                index=True)
    joined_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    partnership = db.relationship("Partnership", back_populates="partners")
    organisation = db.relationship("Organisation", lazy="joined")


class User(UserMixin, db.Model):
    """A person: one organisation, one role in it."""

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

"""Partnerships and the membership of organisations in them, with their admins."""
from ..clock import utcnow
from ..extensions import db

#: A partner organisation's membership of a partnership: invited (no access, nothing of it
#: shown beyond its name, until one of its own admins accepts), active, or left (history and
#: signatures kept, no access).
PARTNER_STATUSES = ("invited", "active", "left")


class Partnership(db.Model):
    """A group of organisations working together."""

    __tablename__ = "partnerships"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(60), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    #: Used in file names and the page header, e.g. "SW Herts".
    short_name = db.Column(db.String(60), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    #: Its published documents are on the public register (/public/<slug>); off until a
    #: partnership admin switches it on, and switching it off takes everything off at once.
    publishes_register = db.Column(db.Boolean, nullable=False, default=False,
                                   server_default=db.false())
    #: Who the public asks for an alternative format (the register's accessibility statement).
    accessibility_contact = db.Column(db.String(300), nullable=False, default="")

    #: Every membership, whatever its status (the admin page lists invited and left ones).
    memberships = db.relationship("Partner", back_populates="partnership",
                                  cascade="all, delete-orphan")
    #: The active partners only: the organisations that take part. Loaded when asked for (not
    #: with every partnership: most requests only check that the user's organisation is an
    #: active partner, in the query that loads the partnership).
    partners = db.relationship(
        "Partner", viewonly=True,
        primaryjoin="and_(Partner.partnership_id == Partnership.id, Partner.status == 'active')")

    @property
    def organisations(self):
        """Active partner organisations, by name."""
        return sorted((p.organisation for p in self.partners), key=lambda o: o.name)


class Partner(db.Model):
    """Membership of an organisation in a partnership, with its consent.

    Adding an existing organisation makes an invited membership; one of the organisation's own
    admins accepts it (or declines). Leaving keeps the row, so history and signatures stay.
    """

    __tablename__ = "partners"
    __table_args__ = (db.UniqueConstraint("partnership_id", "organisation_id"),
                      db.CheckConstraint("status IN ('invited', 'active', 'left')",
                                         name="status"))

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id", ondelete="CASCADE"),
                               nullable=False, index=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False,
                                index=True)
    #: When the membership row was made (the invitation, or the start for older rows).
    joined_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    status = db.Column(db.String(20), nullable=False, default="active", server_default="active")
    invited_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    #: When and by whom (an admin of the organisation) the invitation was accepted.
    accepted_at = db.Column(db.DateTime, nullable=True)
    accepted_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    left_at = db.Column(db.DateTime, nullable=True)

    partnership = db.relationship("Partnership", back_populates="memberships")
    organisation = db.relationship("Organisation", lazy="joined")

    @property
    def is_active(self):
        return self.status == "active"

    @property
    def is_invited(self):
        """Invited, waiting for one of the organisation's own admins to accept."""
        return self.status == "invited"

    @property
    def has_left(self):
        return self.status == "left"


class PartnershipAdmin(db.Model):
    """A named user's grant to manage one partnership (never a role that follows the user's
    organisation into every partnership it joins)."""

    __tablename__ = "partnership_admins"
    __table_args__ = (db.UniqueConstraint("partnership_id", "user_id"),)

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id", ondelete="CASCADE"),
                               nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    granted_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    granted_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User", foreign_keys=[user_id], lazy="joined")



class StrategicMatter(db.Model):
    """A strategic matter of the partnership (e.g. "SM1 Housing need and distribution"):
    sections of its documents, meetings, actions and the open data link to it. Kept by the
    partnership's admins; retired rather than deleted, so the record keeps pointing at it."""

    __tablename__ = "strategic_matters"
    __table_args__ = (db.UniqueConstraint("partnership_id", "reference"),)

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id", ondelete="CASCADE"),
                               nullable=False, index=True)
    #: Short and stable, e.g. "SM1"; used in the open data and the evidence pack.
    reference = db.Column(db.String(20), nullable=False)
    title = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    #: No longer offered for new sections, meetings or actions; history keeps it.
    retired_at = db.Column(db.DateTime, nullable=True)

    @property
    def label(self):
        return f"{self.reference} {self.title}"


#: The kinds of a partnership's bodies (and of meetings).
BODY_KINDS = {"officer_group": "Officer group", "member_group": "Member group",
              "steering_group": "Steering group", "other": "Other body"}


class Body(db.Model):
    """One of the partnership's bodies (e.g. "Strategic Planning Officers Group (SPOG)"): the
    list, kept by partnership admins, that meetings and positions' decision routes draw on."""

    __tablename__ = "partnership_bodies"
    __table_args__ = (db.UniqueConstraint("partnership_id", "name"),
                      db.CheckConstraint(
                          "kind IN ('officer_group', 'member_group', 'steering_group', 'other')",
                          name="kind"))

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id", ondelete="CASCADE"),
                               nullable=False, index=True)
    name = db.Column(db.String(200), nullable=False)
    #: e.g. "SPOG".
    short_name = db.Column(db.String(40), nullable=False, default="")
    kind = db.Column(db.String(20), nullable=False, default="other")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    retired_at = db.Column(db.DateTime, nullable=True)

    @property
    def kind_label(self):
        return BODY_KINDS.get(self.kind, self.kind)

    @property
    def label(self):
        return f"{self.name} ({self.short_name})" if self.short_name else self.name

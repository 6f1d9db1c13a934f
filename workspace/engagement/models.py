"""Stakeholders and engagement activities of a partnership."""
from ..clock import utcnow
from ..extensions import db

CATEGORIES = {
    "local_authority": "Local authority",
    "members": "Members",
    "health": "Public health and NHS",
    "voluntary": "Voluntary and community sector",
    "business": "Business",
    "residents": "Residents",
    "youth": "Youth",
    "statutory": "Statutory consultee",
    "other": "Other",
}
#: The relationship ladder, lowest rung first.
STAGES = {"compete": "Compete", "coexist": "Co-exist", "cooperate": "Cooperate",
          "collaborate": "Collaborate"}
PRIORITIES = {"high": "High", "medium": "Medium", "low": "Low"}
#: The ladder of participation, lowest rung first.
LEVELS = {"inform": "Inform", "consult": "Consult", "involve": "Involve",
          "collaborate": "Collaborate", "empower": "Empower"}
ACTIVITY_STATUSES = {"planned": "Planned", "in_progress": "In progress", "done": "Done",
                     "cancelled": "Cancelled"}
SCORES = range(1, 6)

#: Which objectives each stakeholder supports.
stakeholder_objectives = db.Table(
    "stakeholder_objectives",
    db.Column("stakeholder_id", db.Integer, db.ForeignKey("stakeholders.id"), primary_key=True),
    db.Column("objective_id", db.Integer, db.ForeignKey("objectives.id"), primary_key=True,
              index=True),
)


class Objective(db.Model):
    """One of a partnership's engagement objectives (e.g. the JSP Vision's "Unite").
    Removed softly: links to it are kept, and it is no longer shown or offered."""

    __tablename__ = "objectives"

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id"), nullable=False,
                               index=True)
    #: The short name stakeholders and the CSV refer to; unique among the live objectives.
    name = db.Column(db.String(60), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    #: Place in the partnership's list, lowest first.
    order = db.Column("sort_order", db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    removed_at = db.Column(db.DateTime, nullable=True)


class Stakeholder(db.Model):
    """A row of a partnership's stakeholder register. Removed softly."""

    __tablename__ = "stakeholders"

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id"), nullable=False,
                               index=True)
    name = db.Column(db.String(200), nullable=False)
    #: A key of CATEGORIES.
    category = db.Column(db.String(30), nullable=False, default="other")
    contact = db.Column(db.String(200), nullable=False, default="")
    #: The partner leading the relationship (an authority's name) and the person (a role).
    lead_partner = db.Column(db.String(200), nullable=False, default="")
    lead_person = db.Column(db.String(200), nullable=False, default="")
    #: Keys of STAGES: where the relationship is now and where it should get to.
    relationship_now = db.Column(db.String(20), nullable=False, default="coexist")
    relationship_target = db.Column(db.String(20), nullable=False, default="cooperate")
    #: 1 (lowest) to 5 (highest).
    influence = db.Column(db.Integer, nullable=False, default=3)
    #: Quality of the relationship, 1 (poor) to 5 (excellent).
    quality = db.Column(db.Integer, nullable=False, default=3)
    #: A key of PRIORITIES.
    priority = db.Column(db.String(10), nullable=False, default="medium")
    actions = db.Column(db.Text, nullable=False, default="")
    #: The objectives it supports, removed ones included (see `live_objectives`).
    objectives = db.relationship(Objective, secondary=stakeholder_objectives, lazy="selectin",
                                 order_by=(Objective.order, Objective.id))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    removed_at = db.Column(db.DateTime, nullable=True)

    @property
    def category_label(self):
        return CATEGORIES.get(self.category, self.category)

    @property
    def now_label(self):
        return STAGES.get(self.relationship_now, self.relationship_now)

    @property
    def target_label(self):
        return STAGES.get(self.relationship_target, self.relationship_target)

    @property
    def priority_label(self):
        return PRIORITIES.get(self.priority, self.priority)

    @property
    def live_objectives(self):
        """The objectives it supports that have not been removed, in the partnership's order."""
        return sorted((o for o in self.objectives if o.removed_at is None),
                      key=lambda o: (o.order, o.id))

    @property
    def objective_names(self):
        """e.g. "Unite; Champion" (the CSV's separator: names cannot hold a semicolon)."""
        return "; ".join(o.name for o in self.live_objectives)


class EngagementActivity(db.Model):
    """An engagement with one audience group over a period. Removed softly."""

    __tablename__ = "engagement_activities"

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id"), nullable=False,
                               index=True)
    audience = db.Column(db.String(200), nullable=False)
    #: Number of groups convened; None for "per authority" or not yet known.
    groups = db.Column(db.Integer, nullable=True)
    participants = db.Column(db.Integer, nullable=True)
    convened_by = db.Column(db.String(200), nullable=False, default="")
    #: A partner's representative or an appointed consultant.
    led_by = db.Column(db.String(200), nullable=False, default="")
    #: The engagement period it belongs to, e.g. "Engagement period 1".
    period = db.Column(db.String(100), nullable=False, default="")
    start_date = db.Column(db.Date, nullable=False)
    end_date = db.Column(db.Date, nullable=False)
    #: A key of LEVELS (ladder of participation).
    level = db.Column(db.String(20), nullable=False, default="consult")
    #: A key of ACTIVITY_STATUSES.
    status = db.Column(db.String(20), nullable=False, default="planned")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    removed_at = db.Column(db.DateTime, nullable=True)

    @property
    def level_label(self):
        return LEVELS.get(self.level, self.level)

    @property
    def status_label(self):
        return ACTIVITY_STATUSES.get(self.status, self.status)

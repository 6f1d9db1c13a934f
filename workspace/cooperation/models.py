"""Meetings, with their history of corrections, and agreed actions."""
from ..clock import utcnow
from ..extensions import db

#: The kinds of meeting (a meeting of one of the partnership's own bodies names it too).
MEETING_KINDS = {"workshop": "Workshop", "officer_group": "Officer group",
                 "member_group": "Member group", "steering_group": "Steering group",
                 "bilateral": "Bilateral meeting", "other": "Other meeting"}
#: An authority's stance as stated at a meeting (optional beside its words).
STATED_STANCES = {"agreed": "Agreed", "reservations": "Agreed with reservations",
                  "not_agreed": "Not agreed", "no_position": "No position"}
OPEN, DONE, DROPPED = "open", "done", "dropped"
ACTION_STATUSES = {OPEN: "Open", DONE: "Done", DROPPED: "Dropped"}


class Meeting(db.Model):
    """A meeting of the partnership, as recorded now. Corrections replace the current record
    and keep every earlier one in MeetingRevision (never silently overwritten)."""

    __tablename__ = "meetings"
    __table_args__ = (
        db.Index("ix_meetings_partnership_id_held_on", "partnership_id", "held_on"),
        db.CheckConstraint("kind IN ('workshop', 'officer_group', 'member_group', "
                           "'steering_group', 'bilateral', 'other')", name="kind"),
    )

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id", ondelete="CASCADE"),
                               nullable=False)
    held_on = db.Column(db.Date, nullable=False)
    kind = db.Column(db.String(20), nullable=False)
    #: The partnership's body that met (e.g. SPOG), when it was one of them.
    body_id = db.Column(db.Integer, db.ForeignKey("partnership_bodies.id"), nullable=True)
    title = db.Column(db.String(200), nullable=False)
    #: Notes in Markdown, and their sanitised html.
    notes = db.Column(db.Text, nullable=False, default="")
    notes_html = db.Column(db.Text, nullable=False, default="")
    #: The outcome in a line, for the cooperation activity table.
    outcome = db.Column(db.Text, nullable=False, default="")
    #: The number of the current record (1 when first recorded); a correction names the
    #: number it started from, so a stale edit is refused instead of overwriting.
    version = db.Column(db.Integer, nullable=False, default=1)
    recorded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    body = db.relationship("Body")
    recorded_by = db.relationship("User", foreign_keys=[recorded_by_id])
    attendees = db.relationship("MeetingAttendee", cascade="all, delete-orphan",
                                order_by="MeetingAttendee.id", lazy="selectin")
    matters = db.relationship("MeetingMatter", cascade="all, delete-orphan",
                              order_by="MeetingMatter.id", lazy="selectin")
    stated_positions = db.relationship("StatedPosition", cascade="all, delete-orphan",
                                       order_by="StatedPosition.id", lazy="selectin")

    @property
    def kind_label(self):
        return MEETING_KINDS.get(self.kind, self.kind)


class MeetingAttendee(db.Model):
    """Someone who attended, by authority and role; the person's name is optional."""

    __tablename__ = "meeting_attendees"

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)
    role = db.Column(db.String(200), nullable=False)
    person = db.Column(db.String(200), nullable=False, default="")

    organisation = db.relationship("Organisation", lazy="joined")


class MeetingMatter(db.Model):
    """A strategic matter a meeting discussed."""

    __tablename__ = "meeting_matters"
    __table_args__ = (db.UniqueConstraint("meeting_id", "matter_id"),)

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id", ondelete="CASCADE"),
                           nullable=False)
    matter_id = db.Column(db.Integer, db.ForeignKey("strategic_matters.id"), nullable=False,
                          index=True)

    matter = db.relationship("StrategicMatter", lazy="joined")


class StatedPosition(db.Model):
    """What an authority present said about a matter discussed, in its words and (optionally)
    as a stance."""

    __tablename__ = "stated_positions"
    __table_args__ = (
        db.UniqueConstraint("meeting_id", "organisation_id", "matter_id"),
        db.CheckConstraint("stance IS NULL OR stance IN ('agreed', 'reservations', "
                           "'not_agreed', 'no_position')", name="stance"),
    )

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id", ondelete="CASCADE"),
                           nullable=False)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)
    matter_id = db.Column(db.Integer, db.ForeignKey("strategic_matters.id"), nullable=False,
                          index=True)
    statement = db.Column(db.Text, nullable=False, default="")
    stance = db.Column(db.String(20), nullable=True)

    organisation = db.relationship("Organisation", lazy="joined")
    matter = db.relationship("StrategicMatter", lazy="joined")

    @property
    def stance_label(self):
        return STATED_STANCES.get(self.stance or "", "")


class MeetingRevision(db.Model):
    """One recorded state of a meeting, as canonical JSON: number 1 as first recorded, then
    one per correction, with who corrected it, when and why. Append-only."""

    __tablename__ = "meeting_revisions"
    __table_args__ = (db.UniqueConstraint("meeting_id", "number"),)

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id", ondelete="CASCADE"),
                           nullable=False)
    number = db.Column(db.Integer, nullable=False)
    content = db.Column(db.Text, nullable=False)
    reason = db.Column(db.Text, nullable=False, default="")
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User", lazy="joined")
    organisation = db.relationship("Organisation", lazy="joined")


class Action(db.Model):
    """An agreed action: what, led by which authority, supported by which, due when, and
    what became of it. Agreed at a meeting or on its own."""

    __tablename__ = "actions"
    __table_args__ = (
        db.Index("ix_actions_partnership_id_status", "partnership_id", "status"),
        db.CheckConstraint("status IN ('open', 'done', 'dropped')", name="status"),
    )

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id", ondelete="CASCADE"),
                               nullable=False)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=True, index=True)
    #: Its number among the meeting's actions (the "next steps" 1, 2, ...), when agreed at one.
    number = db.Column(db.Integer, nullable=True)
    what = db.Column(db.Text, nullable=False)
    lead_organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"),
                                     nullable=False, index=True)
    due_on = db.Column(db.Date, nullable=True)
    status = db.Column(db.String(20), nullable=False, default=OPEN)
    #: What came of it (done), or why it was dropped (required then).
    outcome = db.Column(db.Text, nullable=False, default="")
    closed_at = db.Column(db.DateTime, nullable=True)
    closed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    #: Bumped on every change; an edit names the number it started from.
    version = db.Column(db.Integer, nullable=False, default=1)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    #: When a reminder (due within seven days, or overdue) was last sent, so one goes once.
    reminded_due_at = db.Column(db.DateTime, nullable=True)
    reminded_overdue_at = db.Column(db.DateTime, nullable=True)

    meeting = db.relationship("Meeting")
    lead = db.relationship("Organisation", foreign_keys=[lead_organisation_id], lazy="joined")
    supporters = db.relationship("ActionSupporter", cascade="all, delete-orphan",
                                 lazy="selectin")
    matters = db.relationship("ActionMatter", cascade="all, delete-orphan", lazy="selectin")
    documents = db.relationship("ActionDocument", cascade="all, delete-orphan",
                                lazy="selectin")

    @property
    def status_label(self):
        return ACTION_STATUSES.get(self.status, self.status)

    def is_overdue(self, today):
        return self.status == OPEN and self.due_on is not None and self.due_on < today


class ActionSupporter(db.Model):
    """An authority supporting an action's lead."""

    __tablename__ = "action_supporters"
    __table_args__ = (db.UniqueConstraint("action_id", "organisation_id"),)

    id = db.Column(db.Integer, primary_key=True)
    action_id = db.Column(db.Integer, db.ForeignKey("actions.id", ondelete="CASCADE"),
                          nullable=False)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)

    organisation = db.relationship("Organisation", lazy="joined")


class ActionMatter(db.Model):
    """A strategic matter an action is about."""

    __tablename__ = "action_matters"
    __table_args__ = (db.UniqueConstraint("action_id", "matter_id"),)

    id = db.Column(db.Integer, primary_key=True)
    action_id = db.Column(db.Integer, db.ForeignKey("actions.id", ondelete="CASCADE"),
                          nullable=False)
    matter_id = db.Column(db.Integer, db.ForeignKey("strategic_matters.id"), nullable=False,
                          index=True)

    matter = db.relationship("StrategicMatter", lazy="joined")


class ActionDocument(db.Model):
    """A document of the partnership an action concerns."""

    __tablename__ = "action_documents"
    __table_args__ = (db.UniqueConstraint("action_id", "document_id"),)

    id = db.Column(db.Integer, primary_key=True)
    action_id = db.Column(db.Integer, db.ForeignKey("actions.id", ondelete="CASCADE"),
                          nullable=False)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False)

    document = db.relationship("Document", lazy="joined")

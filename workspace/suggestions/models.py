"""A suggestion: proposed text for a section, made on one of its revisions."""
from ..clock import utcnow
from ..extensions import db

OPEN, ACCEPTED, REJECTED, WITHDRAWN = "open", "accepted", "rejected", "withdrawn"
STATUSES = {OPEN: "Open", ACCEPTED: "Accepted", REJECTED: "Rejected", WITHDRAWN: "Withdrawn"}


class Suggestion(db.Model):
    """Proposed text for a section; never deleted, its status records what became of it."""

    __tablename__ = "suggestions"
    __table_args__ = (
        db.Index("ix_suggestions_document_id_status", "document_id", "status"),
        db.CheckConstraint("status IN ('open', 'accepted', 'rejected', 'withdrawn')",
                           name="status"),
    )

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False)
    section_id = db.Column(db.Integer, db.ForeignKey("sections.id"), nullable=False, index=True)
    #: The section revision the suggestion was made on (its merge base when accepted).
    base_number = db.Column(db.Integer, nullable=False)
    #: The proposed text of the whole section (Markdown).
    body = db.Column(db.Text, nullable=False)
    #: Why the author suggests it (optional).
    reason = db.Column(db.Text, nullable=False, default="")
    author_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    #: The author's authority when they suggested, credited on the suggestion.
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)
    #: open, accepted, rejected or withdrawn (STATUSES).
    status = db.Column(db.String(20), nullable=False, default=OPEN)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    #: Who accepted, rejected or withdrew it, and when.
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    decided_at = db.Column(db.DateTime, nullable=True)
    #: The reason given for a rejection.
    decision_reason = db.Column(db.Text, nullable=True)
    #: The revision accepting it wrote (None when the text already read as suggested).
    accepted_revision_id = db.Column(db.Integer, db.ForeignKey("section_revisions.id"),
                                     nullable=True)

    author = db.relationship("User", foreign_keys=[author_id], lazy="joined")
    organisation = db.relationship("Organisation", lazy="joined")
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])
    section = db.relationship("Section")
    document = db.relationship("Document")

    @property
    def is_open(self):
        return self.status == OPEN

    @property
    def status_label(self):
        return STATUSES.get(self.status, self.status)


class SuggestionComment(db.Model):
    """A comment on a suggestion (plain text), by anyone who may comment in the partnership.
    Kept, and still shown in the section's history, once the suggestion is decided."""

    __tablename__ = "suggestion_comments"

    id = db.Column(db.Integer, primary_key=True)
    suggestion_id = db.Column(db.Integer, db.ForeignKey("suggestions.id"), nullable=False,
                              index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    #: The author's authority when they commented.
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    author = db.relationship("User", lazy="joined")
    organisation = db.relationship("Organisation", lazy="joined")
    suggestion = db.relationship("Suggestion")

    @property
    def lines(self) -> list[str]:
        """The text split at line breaks, for the template to join with <br>."""
        return self.body.split("\n")

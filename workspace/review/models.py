"""Comments, positions, signatory scope, decisions sought, published versions, signatures."""
from sqlalchemy import event

from ..clock import utcnow
from ..documents.models import STATUSES  # noqa: F401  (the lifecycle lives beside the column)
from ..extensions import db

STANCES = {"agreed": "Agreed", "reservations": "Agreed with reservations",
           "not_agreed": "Not agreed"}
#: Stances that need a written reason.
STANCES_NEEDING_REASON = frozenset({"reservations", "not_agreed"})
ROUTES = {"delegation": "Officer delegation", "portfolio_holder": "Portfolio holder",
          "cabinet": "Cabinet", "committee": "Committee",
          "partnership_board": "Partnership board"}


class Comment(db.Model):
    """A comment on a section, or a reply to one (parent_id). Deleted softly."""

    __tablename__ = "comments"
    __table_args__ = (db.Index("ix_comments_document_id_section_id", "document_id", "section_id"),)

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False)
    section_id = db.Column(db.Integer, db.ForeignKey("sections.id"), nullable=False)
    #: The comment this replies to; None for the opening comment of a thread.
    parent_id = db.Column(db.Integer, db.ForeignKey("comments.id"), nullable=True, index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)
    body = db.Column(db.Text, nullable=False)
    #: The section revision the comment was made on.
    revision_number = db.Column(db.Integer, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    edited_at = db.Column(db.DateTime, nullable=True)
    deleted_at = db.Column(db.DateTime, nullable=True)
    #: Threads (opening comments) are resolved and reopened.
    resolved_at = db.Column(db.DateTime, nullable=True)
    resolved_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)

    author = db.relationship("User", foreign_keys=[author_id], lazy="joined")
    organisation = db.relationship("Organisation", lazy="joined")


class Position(db.Model):
    """An authority's stance on a section, bound to the exact text it was given on.

    Never updated: a new position is a new row; the latest per section and authority counts.
    """

    __tablename__ = "positions"
    __table_args__ = (
        db.Index("ix_positions_document_id_section_id_organisation_id",
                 "document_id", "section_id", "organisation_id"),
        db.CheckConstraint("stance IN ('agreed', 'reservations', 'not_agreed')", name="stance"),
    )

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False)
    section_id = db.Column(db.Integer, db.ForeignKey("sections.id"), nullable=False)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    stance = db.Column(db.String(20), nullable=False)
    reason = db.Column(db.Text, nullable=False, default="")
    #: How the position was reached (ROUTES key), optional.
    route = db.Column(db.String(30), nullable=True)
    #: The body that decided, e.g. "SPMG", "Planning Committee".
    route_body = db.Column(db.String(200), nullable=False, default="")
    meeting_date = db.Column(db.Date, nullable=True)
    minute_ref = db.Column(db.String(100), nullable=False, default="")
    #: The section revision and the SHA-256 of its text the position was given on.
    revision_number = db.Column(db.Integer, nullable=False)
    text_sha256 = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User", lazy="joined")
    organisation = db.relationship("Organisation", lazy="joined")

    @property
    def stance_label(self):
        return STANCES[self.stance]

    @property
    def route_label(self):
        return ROUTES.get(self.route or "", "")


class Signatory(db.Model):
    """A partner that signs a document: for every strategic matter, or only listed ones."""

    __tablename__ = "signatories"
    __table_args__ = (db.UniqueConstraint("document_id", "organisation_id"),)

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False,
                            index=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)
    #: True: signs for all strategic matters; False: only those in SignatoryMatter.
    all_matters = db.Column(db.Boolean, nullable=False, default=True)

    organisation = db.relationship("Organisation", lazy="joined")
    matters = db.relationship("SignatoryMatter", cascade="all, delete-orphan", lazy="selectin")


class SignatoryMatter(db.Model):
    """A strategic matter (section) a limited signatory signs for."""

    __tablename__ = "signatory_matters"
    __table_args__ = (db.UniqueConstraint("signatory_id", "section_id"),)

    id = db.Column(db.Integer, primary_key=True)
    signatory_id = db.Column(db.Integer, db.ForeignKey("signatories.id", ondelete="CASCADE"),
                             nullable=False)
    section_id = db.Column(db.Integer, db.ForeignKey("sections.id"), nullable=False)


class DecisionSought(db.Model):
    """An approval a document seeks from a named body by a date, recorded when taken."""

    __tablename__ = "decisions_sought"

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False,
                            index=True)
    body = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    due_date = db.Column(db.Date, nullable=False)
    taken_at = db.Column(db.Date, nullable=True)
    outcome = db.Column(db.Text, nullable=False, default="")
    minute_ref = db.Column(db.String(100), nullable=False, default="")


class DocumentVersion(db.Model):
    """A frozen version of a document: the content signed and published. Never changed."""

    __tablename__ = "document_versions"
    __table_args__ = (db.UniqueConstraint("document_id", "number"),)

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False)
    number = db.Column(db.Integer, nullable=False)
    #: JSON: title, sections (number, title, body, html, strategic matter), record of agreement.
    content = db.Column(db.Text, nullable=False)
    #: SHA-256 of `content`: what signatures and exports state.
    content_sha256 = db.Column(db.String(64), nullable=False)
    frozen_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    published_at = db.Column(db.DateTime, nullable=True)
    #: True when agreed by the admin "except the matters recorded as not agreed".
    agreed_with_exceptions = db.Column(db.Boolean, nullable=False, default=False)


class SupersededFreeze(db.Model):
    """What version N held when it was frozen before: kept when the document went back to
    Draft and version N was frozen again with other content (signatures on the old content are
    void, but what they signed stays readable). Append-only."""

    __tablename__ = "superseded_freezes"

    id = db.Column(db.Integer, primary_key=True)
    version_id = db.Column(db.Integer, db.ForeignKey("document_versions.id"), nullable=False,
                           index=True)
    content = db.Column(db.Text, nullable=False)
    content_sha256 = db.Column(db.String(64), nullable=False, index=True)
    frozen_at = db.Column(db.DateTime, nullable=False)
    agreed_with_exceptions = db.Column(db.Boolean, nullable=False, default=False)
    superseded_at = db.Column(db.DateTime, nullable=False, default=utcnow)


@event.listens_for(SupersededFreeze, "before_update")
@event.listens_for(SupersededFreeze, "before_delete")
def _refuse_change(_mapper, _connection, _target):
    raise RuntimeError("superseded freezes are append-only")


class Signature(db.Model):
    """An authority's signature on a frozen version, by one of its Members.

    At most one signature that counts (not voided) per authority and version: a partial
    unique index makes it a database guarantee, not only a row lock in the service."""

    __tablename__ = "signatures"
    __table_args__ = (
        db.Index("uq_signatures_live", "version_id", "organisation_id", unique=True,
                 sqlite_where=db.text("voided_at IS NULL"),
                 postgresql_where=db.text("voided_at IS NULL")),
    )

    id = db.Column(db.Integer, primary_key=True)
    version_id = db.Column(db.Integer, db.ForeignKey("document_versions.id"), nullable=False,
                           index=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    #: Name and position as printed on the signature page.
    signed_name = db.Column(db.String(200), nullable=False)
    signed_position = db.Column(db.String(200), nullable=False)
    #: The SHA-256 of the version content signed.
    content_sha256 = db.Column(db.String(64), nullable=False)
    signed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    #: Set when the document went back to draft: the signature no longer counts.
    voided_at = db.Column(db.DateTime, nullable=True)

    organisation = db.relationship("Organisation", lazy="joined")
    user = db.relationship("User", lazy="joined")

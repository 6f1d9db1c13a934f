"""Documents, their ordered sections and the append-only revisions of each section."""
import hashlib

from ..clock import utcnow
from ..extensions import db

DOCUMENT_KINDS = {
    "scg": "Statement of Common Ground",
    "engagement_plan": "Engagement plan",
    "mou": "Memorandum of understanding",
    "other": "Document",
}
#: The document lifecycle, in order: the values of `Document.status` and their labels.
DRAFT, OUT_FOR_AGREEMENT, AGREED, SIGNED, PUBLISHED = (
    "draft", "out_for_agreement", "agreed", "signed", "published")
STATUSES = {DRAFT: "Draft", OUT_FOR_AGREEMENT: "Out for agreement", AGREED: "Agreed",
            SIGNED: "Signed", PUBLISHED: "Published"}
#: Statuses in which the text may change and positions may be recorded.
EDITABLE_STATUSES = frozenset({DRAFT, OUT_FOR_AGREEMENT})
#: Statuses with a frozen version: being signed, signed, or published.
FROZEN_STATUSES = frozenset({AGREED, SIGNED, PUBLISHED})
#: Statuses from which the partnership admin may send the document back to Draft.
RETURNABLE_STATUSES = frozenset({OUT_FOR_AGREEMENT, AGREED, SIGNED})
#: Deepest nesting: part (0), sub-section (1), sub-sub-section (2).
MAX_DEPTH = 2


def sha256_text(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Document(db.Model):
    """A document the partners co-write, e.g. a Statement of Common Ground."""

    __tablename__ = "documents"
    __table_args__ = (db.UniqueConstraint("partnership_id", "public_slug"),)

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id"), nullable=False,
                               index=True)
    title = db.Column(db.String(200), nullable=False)
    kind = db.Column(db.String(30), nullable=False, default="other")
    #: Its address on the public register (e.g. "statement-of-common-ground"), set when its
    #: first version is published and never changed, so links to it stay good.
    public_slug = db.Column(db.String(80), nullable=True)
    #: Lifecycle: a key of STATUSES. Ask the properties below rather than compare it.
    status = db.Column(db.String(30), nullable=False, default=DRAFT)
    #: The version being prepared: 1 until version 1 is published, then 2, ...
    version_number = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    #: When the partnership admin sent the document out for agreement despite gaps in the
    #: completeness check: how many, why, who and when (all None when it went out complete).
    proceed_gaps = db.Column(db.Integer, nullable=True)
    proceed_reason = db.Column(db.Text, nullable=True)
    proceed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    proceed_at = db.Column(db.DateTime, nullable=True)

    #: Loaded on access, not joined: document requests load the partnership first (membership
    #: check), so it comes from the session; a join re-read it and its partners every time.
    partnership = db.relationship("Partnership")
    proceed_by = db.relationship("User", foreign_keys=[proceed_by_id])

    @property
    def kind_label(self):
        return DOCUMENT_KINDS.get(self.kind, "Document")

    # The document's state: every rule about it is asked here, by name. -----------------

    @property
    def status_label(self):
        """"Draft", "Out for agreement", ... as a person reads it."""
        return STATUSES.get(self.status, self.status)

    @property
    def is_draft(self):
        return self.status == DRAFT

    @property
    def is_out_for_agreement(self):
        """Out for agreement: Members are asked for their authority's positions."""
        return self.status == OUT_FOR_AGREEMENT

    @property
    def is_agreed(self):
        """Agreed and frozen, collecting signatures (not yet signed)."""
        return self.status == AGREED

    @property
    def is_signed(self):
        """Signed by every signatory, not yet published."""
        return self.status == SIGNED

    @property
    def is_published(self):
        return self.status == PUBLISHED

    @property
    def is_editable(self):
        """The text may change and positions may be recorded (Draft, Out for agreement)."""
        return self.status in EDITABLE_STATUSES

    @property
    def structure_for_admins_only(self):
        """Out for agreement, the structure, the strategic matters and the signatories change
        only by the partnership admins (officers still edit the text, with confirmation)."""
        return self.is_out_for_agreement

    @property
    def text_locked(self):
        """True from Agreed until the next version starts: the text is frozen for signing."""
        return not self.is_editable

    @property
    def has_frozen_version(self):
        """Version `version_number` is frozen: being signed, signed or published."""
        return self.status in FROZEN_STATUSES

    @property
    def sent_out_with_gaps(self):
        """Out for agreement (or further on) after the admin recorded a reason to proceed
        despite gaps in the completeness check."""
        return bool(self.proceed_reason) and not self.is_draft

    @property
    def can_return_to_draft(self):
        """The partnership admin may send it back to Draft (out for agreement, agreed or
        signed; a published version stays, the next one starts instead)."""
        return self.status in RETURNABLE_STATUSES


class Section(db.Model):
    """One section of a document; its text is the latest of its revisions."""

    __tablename__ = "sections"
    __table_args__ = (db.Index("ix_sections_document_position", "document_id", "position"),)

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False)
    #: Order within the document; gaps allowed.
    position = db.Column(db.Integer, nullable=False)
    #: 0 for a part, 1 for a sub-section, 2 below that; numbers (1, 1.1, 1.1.1) follow.
    depth = db.Column(db.Integer, nullable=False, default=0)
    title = db.Column(db.String(200), nullable=False)
    #: Markdown of the latest revision (copied there on each save).
    body = db.Column(db.Text, nullable=False, default="")
    #: Sanitised HTML of `body`, rendered once per revision.
    html = db.Column(db.Text, nullable=False, default="")
    #: Number of the latest revision; every save names the number it started from.
    version = db.Column(db.Integer, nullable=False, default=1)
    #: The question the section puts to the partners.
    feedback_sought = db.Column(db.Text, nullable=False, default="")
    #: Help for editors, shown beside the editor and never printed.
    guidance = db.Column(db.Text, nullable=False, default="")
    #: A topic the signatories must agree on; positions are recorded on these.
    strategic_matter = db.Column(db.Boolean, nullable=False, default=False)
    #: The partnership's strategic matter this section is about (set when it is marked one).
    matter_id = db.Column(db.Integer, db.ForeignKey("strategic_matters.id"), nullable=True,
                          index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    removed_at = db.Column(db.DateTime, nullable=True)

    #: Loaded on access, not joined: sections are read for a document already loaded, so it
    #: comes from the session instead of being joined onto every section row.
    document = db.relationship("Document")
    matter = db.relationship("StrategicMatter")


class SectionRevision(db.Model):
    """An immutable saved state of a section's text."""

    __tablename__ = "section_revisions"
    __table_args__ = (db.UniqueConstraint("section_id", "number"),)

    id = db.Column(db.Integer, primary_key=True)
    section_id = db.Column(db.Integer, db.ForeignKey("sections.id"), nullable=False)
    #: 1, 2, 3 ... per section; unique, so two saves can never both write the same number.
    number = db.Column(db.Integer, nullable=False)
    body = db.Column(db.Text, nullable=False)
    #: SHA-256 of `body`, for positions and signatures bound to the exact text.
    body_sha256 = db.Column(db.String(64), nullable=False)
    html = db.Column(db.Text, nullable=False)
    summary = db.Column(db.String(200), nullable=False, default="")
    #: create, edit, merge or restore.
    kind = db.Column(db.String(20), nullable=False, default="edit")
    #: The revision the author started from (for merges, theirs; the other side is number-1).
    base_number = db.Column(db.Integer, nullable=True)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    #: The author's organisation when they saved.
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    author = db.relationship("User", lazy="joined")
    organisation = db.relationship("Organisation", lazy="joined")


class DocumentChange(db.Model):
    """The live-update feed: one row per change others should see, read by polling clients.

    Kept in the database (not process memory) so it works across server processes.
    """

    __tablename__ = "document_changes"
    __table_args__ = (db.Index("ix_document_changes_document_id_id", "document_id", "id"),)

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False)
    section_id = db.Column(db.Integer, db.ForeignKey("sections.id"), nullable=True)
    #: "section" (text saved), "comment" (comments, feedback sought, positions: the section
    #: is re-rendered for others) or "structure" (added, moved, renamed, removed, restored).
    kind = db.Column(db.String(20), nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Presence(db.Model):
    """Someone has a section's editor open. Stale after PRESENCE_TIMEOUT without activity."""

    __tablename__ = "presence"
    __table_args__ = (db.UniqueConstraint("section_id", "user_id"),
                      db.Index("ix_presence_document_id_seen_at", "document_id", "seen_at"))

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False)
    section_id = db.Column(db.Integer, db.ForeignKey("sections.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    seen_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User", lazy="joined")


class ImportReceipt(db.Model):
    """One confirmed import preview: written in the same transaction as the import, so the
    same preview can never be imported twice (a resubmitted form, a retry, two tabs)."""

    __tablename__ = "import_receipts"

    id = db.Column(db.Integer, primary_key=True)
    #: SHA-256 of the signed preview token that was confirmed; unique, the database's rule.
    token_sha256 = db.Column(db.String(64), nullable=False, unique=True)
    #: The document the sections went into (or the new document made from the file).
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False,
                            index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

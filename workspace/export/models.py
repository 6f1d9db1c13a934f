"""Stored PDF exports, their signed incarnations, and authorities' signing keys."""
import json

from ..clock import utcnow
from ..extensions import db
from ..files import stored_file_column


class PdfExport(db.Model):
    """One rendering of one document content (by fingerprint) in one PDF variant.

    A draft's content renders once. A version's rendering also prints its recorded
    signatures and its publication (`state`), so the version has one rendering per state:
    the newest not retired is served; the older ones stay, so that every file handed out is
    recognised by the verify page.
    """

    __tablename__ = "pdf_exports"
    __table_args__ = (db.Index("ix_pdf_exports_document_id_content_sha256",
                               "document_id", "content_sha256"),)

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=False)
    #: The frozen version this export is of; None for a draft.
    version_id = db.Column(db.Integer, db.ForeignKey("document_versions.id"), nullable=True,
                           index=True)
    #: The document content fingerprint printed on every page.
    content_sha256 = db.Column(db.String(64), nullable=False)
    #: "ua" (tagged, PDF/UA-1) or "archive" (PDF/A-3b).
    variant = db.Column(db.String(20), nullable=False)
    #: JSON: what the rendering prints besides the content (export/printing.py
    #: rendering_state): {"layout", "printed": [signature ids, in signing order], "digital":
    #: [the ids its file carries as digital signatures], "published": ISO time or null}.
    #: (The column held the visible stamps' boxes before signatures became invisible; such
    #: older rows read as an older layout and are made again when asked for.)
    stamp_boxes = db.Column(db.Text, nullable=False, default="{}")
    page_count = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    #: Set when the version's signatures were voided (sent back to draft): a later
    #: agreement renders and signs afresh.
    retired_at = db.Column(db.DateTime, nullable=True)

    @property
    def state(self) -> dict:
        """What the rendering prints besides the content (see `stamp_boxes`)."""
        try:
            state = json.loads(self.stamp_boxes or "{}")
        except ValueError:
            return {}
        return state if isinstance(state, dict) and "layout" in state else {}


class PdfFile(db.Model):
    """The bytes of an export: the rendering (signature count 0) and, when authorities holding
    a key have signed, the file served: the rendering with their digital signatures, one
    incremental revision each.

    Kept so the verify page can recognise every file the workspace ever handed out. The
    bytes are in the file store (workspace/files) under `file_sha256`: a new signature makes
    a new file; a stored file is never rewritten.
    """

    __tablename__ = "pdf_files"
    __table_args__ = (db.UniqueConstraint("export_id", "signature_count"),)

    id = db.Column(db.Integer, primary_key=True)
    export_id = db.Column(db.Integer, db.ForeignKey("pdf_exports.id"), nullable=False)
    #: How many digital signatures the file carries (0 for the rendering).
    signature_count = db.Column(db.Integer, nullable=False, default=0)
    #: The authority whose signature is the file's last (None without signatures).
    signed_for_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=True)
    #: The file's SHA-256: its address in the file store.
    file_sha256 = stored_file_column()
    size = db.Column(db.Integer, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    export = db.relationship("PdfExport", lazy="joined")


class SigningKey(db.Model):
    """An authority's signing certificate and its private key, encrypted at rest.

    The key never leaves the server: there is no route that returns it.
    """

    __tablename__ = "signing_keys"

    id = db.Column(db.Integer, primary_key=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False,
                                index=True)
    #: PEM of the certificate (public).
    certificate_pem = db.Column(db.Text, nullable=False)
    #: PKCS#8 DER of the private key, encrypted with a key derived from the server's secret.
    encrypted_key = db.Column(db.LargeBinary, nullable=False)
    subject = db.Column(db.String(300), nullable=False)
    fingerprint_sha256 = db.Column(db.String(64), nullable=False)
    not_before = db.Column(db.DateTime, nullable=False)
    not_after = db.Column(db.DateTime, nullable=False)
    #: "uploaded" (PKCS#12 from the admin) or "trial" (self-signed by the CLI).
    source = db.Column(db.String(20), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    #: Set when replaced by a newer key; the newest active key signs.
    retired_at = db.Column(db.DateTime, nullable=True)

    organisation = db.relationship("Organisation", lazy="joined")


class EvidencePack(db.Model):
    """The evidence pack of a document (or of the whole partnership) for an inspector or a
    gateway assessor: a tagged PDF and a ZIP of the same data as CSV and JSON, made by a
    background job (`ready_at` set once both are stored). Both files are in the file store
    (workspace/files) under their SHA-256."""

    __tablename__ = "evidence_packs"
    __table_args__ = (db.Index("ix_evidence_packs_partnership_id_document_id",
                               "partnership_id", "document_id"),)

    id = db.Column(db.Integer, primary_key=True)
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id"), nullable=False)
    #: None for a pack of the whole partnership.
    document_id = db.Column(db.Integer, db.ForeignKey("documents.id"), nullable=True)
    requested_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    requested_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    ready_at = db.Column(db.DateTime, nullable=True)
    #: The PDF's and the ZIP's SHA-256 (their addresses in the file store) and sizes in
    #: bytes; None until ready.
    pdf_sha256 = stored_file_column(nullable=True)
    zip_sha256 = stored_file_column(nullable=True)
    pdf_size = db.Column(db.Integer, nullable=True)
    zip_size = db.Column(db.Integer, nullable=True)
    #: SHA-256 of the pack's canonical JSON data (the same in the PDF and the ZIP).
    data_sha256 = db.Column(db.String(64), nullable=True)

    @property
    def is_ready(self):
        return self.ready_at is not None

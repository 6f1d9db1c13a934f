"""An uploaded file's preview and its one confirmation.

Between the preview and the confirmation the parsed sections travel in a signed, timed token
in the page (nothing is stored before the confirmation); it expires after
IMPORT_PREVIEW_MAX_AGE_MINUTES. Confirming writes a receipt with the token's fingerprint, so
the same preview is never imported twice.
"""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..extensions import db
from . import limits
from .import_parsing import ImportRefused, Parsed, check_sizes
from .markdown import render_markdown
from .markdown_import import parse_markdown
from .models import Document, ImportReceipt
from .numbering import number_sections
from .word_import import parse_docx

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def parse_upload(filename: str, data: bytes) -> Parsed:
    """Parsed sections of an uploaded .docx or .md file, or ImportRefused with the reason."""
    name = (filename or "").lower()
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRefused("The file is larger than 20 MB. Split it, or remove large images, "
                           "and try again.", status=413)
    if not data:
        raise ImportRefused("Choose a Word (.docx) or Markdown (.md) file to import.")
    if name.endswith((".docx", ".docm")):
        parsed = parse_docx(data)
    elif name.endswith((".md", ".markdown", ".txt")):
        parsed = parse_markdown(data)
    else:
        raise ImportRefused("The file must be a Word document (.docx) or a Markdown file "
                           "(.md).")
    check_sizes(parsed)
    return parsed


class AlreadyImported(Exception):
    """The preview was confirmed before: nothing is imported again."""

    def __init__(self, document_id: int) -> None:
        super().__init__("already imported")
        #: Where the first confirmation put the sections.
        self.document_id = document_id


#: What a token was made for: import into a document, or as a new document.
INTO_DOCUMENT = "document-import"
NEW_DOCUMENT = "new-document-import"


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.secret_key, salt=purpose)


def seal_preview(purpose: str, data: dict) -> str:
    """The signed, timed token that carries a preview to its confirmation."""
    return _serializer(purpose).dumps(data)


def preview_max_age() -> int:
    """Seconds a preview may be confirmed in."""
    return current_app.config["IMPORT_PREVIEW_MAX_AGE_MINUTES"] * 60


def open_preview(purpose: str, token: str | None) -> dict:
    """The data sealed at the preview, or ImportRefused: 410 when it has expired (the data
    it held is kept, as `kept`), 400 when it was altered or made for something else."""
    serializer = _serializer(purpose)
    try:
        return serializer.loads(token or "", max_age=preview_max_age())
    except SignatureExpired as exc:
        try:
            kept = serializer.load_payload(exc.payload)
        except BadSignature:
            kept = {}
        minutes = current_app.config["IMPORT_PREVIEW_MAX_AGE_MINUTES"]
        raise ImportRefused(
            f"The preview has expired: it can be confirmed for {minutes} minutes. Nothing was "
            "imported. Choose the file again to see a new preview.", status=410,
            kept=kept if isinstance(kept, dict) else {}) from None
    except BadSignature:
        raise ImportRefused("The preview was altered or belongs to another page, so nothing "
                           "was imported. Choose the file again.", status=400) from None


def preview_sections(parsed: Parsed,
                     use_title: bool = True) -> list[tuple[str, int, str, Markup]]:
    """[(number, depth, title, sanitised HTML)] of the parsed sections of a new document, for
    the preview: as they will be with the file's title as the document's title (the
    preview's choice to begin with), when the file has one."""
    if use_title:
        parsed = parsed.without_title()
    return [(number, s.depth, s.title, Markup(render_markdown(s.body)))
            for number, s in number_sections(parsed.sections)]


def leaves_out_title(document: Document, parsed: Parsed) -> bool:
    """Whether an import into an existing document leaves out the file's title heading
    (Parsed.title_heading) to begin with: when the document has no sections yet (the whole
    file is coming in) or the heading is the document's own title. The preview's checkbox
    changes it."""
    heading = parsed.title_heading
    if heading is None:
        return False
    same = " ".join(heading.split()).casefold() == " ".join(document.title.split()).casefold()
    return same or limits.live_count(document) == 0


def token_sha256(token: str | None) -> str:
    """The fingerprint of a preview token that an ImportReceipt records."""
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def imported_already(token: str | None) -> int | None:
    """The id of the document a preview was imported into, or None if it never was."""
    return db.session.scalar(select(ImportReceipt.document_id)
                             .where(ImportReceipt.token_sha256 == token_sha256(token)))


def write_receipt(token: str | None, document: Document) -> None:
    """Record that this preview is imported, in the import's own transaction.

    The token's fingerprint is unique in the database: a second confirmation of the same
    preview (a resubmitted form, a retry, another tab), even one running at the same moment,
    fails here; everything it wrote is rolled back and AlreadyImported raised.
    """
    done = imported_already(token)
    if done is not None:
        # Confirmed by another request since this one began: keep nothing it wrote.
        db.session.rollback()
        raise AlreadyImported(done)
    try:
        with db.session.begin_nested():
            db.session.add(ImportReceipt(token_sha256=token_sha256(token),
                                         document_id=document.id, created_at=utcnow()))
    except IntegrityError:
        # Another confirmation of the same preview committed first (PostgreSQL waits for it
        # at the unique index, then refuses this one). Nothing of this request is kept.
        db.session.rollback()
        raise AlreadyImported(imported_already(token)) from None

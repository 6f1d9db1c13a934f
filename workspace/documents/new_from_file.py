"""A new document from a Word or Markdown file: the form's checks and the preview, then the
document and all its sections created in one transaction on confirm."""
from __future__ import annotations

from flask import current_app

from .. import audit
from ..accounts.models import User
from .editing import MAX_TITLE, EditError, check_title
from .import_parsing import ImportRefused, Parsed, check_sizes, nest
from .import_preview import (
    NEW_DOCUMENT,
    AlreadyImported,
    imported_already,
    open_preview,
    parse_upload,
    seal_preview,
    write_receipt,
)
from .models import DOCUMENT_KINDS, Document
from .service import append_section, create_document


class Refused(Exception):
    """A new-document import whose form has problems: {field: message}, nothing saved.

    `token` carries the file's preview when the file itself was fine, so the user need not
    choose it again.
    """

    def __init__(self, errors: dict[str, str], status: int = 422, token: str | None = None,
                 filename: str = "") -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.status = status
        self.token = token
        self.filename = filename


def kind_label(kind: str | None) -> str:
    """What a kind of document is called on the "New document" forms."""
    return "Another kind of document" if kind == "other" else DOCUMENT_KINDS.get(kind, "")


def kind_choices() -> list[tuple[str, str]]:
    """[(kind, label)] for the kind of a new document."""
    return [(kind, kind_label(kind)) for kind in DOCUMENT_KINDS]


def preview_new_document(partnership, title: str | None, kind: str | None, filename: str,
                         data: bytes, token: str | None = None) -> tuple[Parsed, str, str]:
    """Check a new document's title, kind and file and parse the file; nothing is saved.

    Returns (parsed, filename, token for the confirmation). Without a new file, the file of
    an earlier preview (`token`) is used again. The title may be left blank when the file has
    its own (Parsed.title_heading). Refused names every problem at once.
    """
    errors, status = {}, 422
    if kind not in DOCUMENT_KINDS:
        errors["kind"] = "Choose the kind of document"
    parsed = None
    if data or not token:
        try:
            parsed = parse_upload(filename, data)
        except ImportRefused as exc:
            errors["file"], status = exc.message, exc.status
    else:
        try:
            earlier = open_preview(NEW_DOCUMENT, token)
            if earlier.get("partnership") != partnership.id:
                raise ImportRefused("Choose a Word (.docx) or Markdown (.md) file to import.")
            parsed, filename = Parsed.from_data(earlier["parsed"]), earlier.get("file", "")
        except ImportRefused as exc:
            errors["file"] = exc.message
    try:
        title = check_title(title)
    except EditError as exc:
        # No title typed: the file's own title (its one top-level heading) will do.
        if (title or "").strip() or parsed is None or parsed.title_heading is None:
            errors["title"] = exc.message
        title = ""
    sealed = None if parsed is None else seal_preview(NEW_DOCUMENT, {
        "partnership": partnership.id, "title": title, "kind": kind, "file": filename,
        "parsed": parsed.as_data()})
    if errors:
        # The file is kept for the next try in the form, a multipart form whose text fields
        # Flask caps at MAX_FORM_MEMORY_SIZE: a bigger one must be chosen again.
        fits = sealed and len(sealed) < current_app.config["MAX_FORM_MEMORY_SIZE"] - 1024
        raise Refused(errors, status if "file" in errors else 422,
                      token=sealed if fits and "file" not in errors else None,
                      filename=filename)
    return parsed, filename, sealed


def import_new_document(partnership, token: str | None, user: User,
                        use_title: bool | None = None) -> Document:
    """Create the previewed document and all its sections, each as revision 1, audited.

    With `use_title` (the preview's checkbox; None counts as ticked) and a file that starts with its
    title (Parsed.title_heading), that heading is not a section: its sub-sections are the
    document's top-level sections, and it is the document's title unless one was typed.

    All or nothing: the request's one commit saves it; any failure rolls everything back.
    A preview confirmed before raises AlreadyImported and creates nothing.
    """
    done = imported_already(token)
    if done is not None:
        raise AlreadyImported(done)
    data = open_preview(NEW_DOCUMENT, token)
    if data.get("partnership") != partnership.id:
        raise ImportRefused("The preview belongs to another partnership, so nothing was "
                           "imported. Choose the file again.", status=400)
    if data.get("kind") not in DOCUMENT_KINDS:
        raise ImportRefused("Choose the kind of document", status=422, field="kind",
                           kept=data)
    parsed = Parsed.from_data(data["parsed"])
    if use_title is None:
        use_title = True
    heading = parsed.title_heading if use_title else None
    try:
        title = check_title(data.get("title") or heading)
    except EditError as exc:
        message = (f"{exc.message}, or use \u201c{parsed.title_heading}\u201d from the file"
                   if parsed.title_heading and not data.get("title") else exc.message)
        raise ImportRefused(message, field="title", kept=data) from None
    if heading:
        parsed = parsed.without_title()
    try:
        check_sizes(parsed)
    except ImportRefused as exc:
        raise ImportRefused(exc.message, kept=data) from None
    document = create_document(partnership, title, data["kind"], user)
    write_receipt(token, document)
    for part in nest(parsed.sections):
        append_section(document, part.title[:MAX_TITLE] or "Untitled", part.body,
                       depth=part.depth, user=user)
    filename = str(data.get("file", ""))[:200]
    audit.record("document.imported", document, actor=user, partnership=partnership,
                 document=document, file=filename, sections=len(parsed.sections),
                 notes=parsed.notes, new=True)
    return document

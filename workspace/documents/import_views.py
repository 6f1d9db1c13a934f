"""Import a Word or Markdown file into a document: upload, preview, confirm. Thin: the rules
are in import_preview.py (the file, its preview and receipt) and placement.py (where its
sections go)."""
from flask import Blueprint, abort, flash, url_for
from flask_login import current_user

from ..extensions import db
from ..numbers import whole_number
from ..permissions import load_document
from ..rate_limits import import_limit
from ..web import render, see_other
from . import limits
from .editing import EditError
from .forms import ButtonForm, ConfirmImportForm, ImportForm, import_form
from .import_parsing import ImportRefused, Parsed
from .import_preview import (
    INTO_DOCUMENT,
    MAX_UPLOAD_BYTES,
    AlreadyImported,
    imported_already,
    leaves_out_title,
    open_preview,
    parse_upload,
    seal_preview,
)
from .models import Document
from .placement import (
    check_fits,
    import_sections,
    placed_previews,
    section_choices,
    section_label,
    section_to_follow,
)
from .views import guard_structure

bp = Blueprint("importing", __name__, url_prefix="/p/<slug>/d/<int:document_id>/import")


def _page(partnership, document, status=200, error=None, parsed=None, token=None,
          after=None, filename="", place=None, leave_title=False):
    shown = parsed.without_title() if parsed and leave_title else parsed
    return render("documents/import.html", status=status, partnership=partnership,
                  document=document, error=error, parsed=shown, token=token,
                  after=after, filename=filename, button_form=ButtonForm(),
                  file_title=parsed.title_heading if parsed else None,
                  leave_title=leave_title,
                  form=import_form(section_choices(document), after, error),
                  previews=placed_previews(document, shown, place)
                  if parsed else [],
                  place_label=section_label(document, place) if place else None,
                  section_usage=limits.usage(document))


def _after(document, value):
    if value in (None, "", "end"):
        return None
    return section_to_follow(document, whole_number(value))


def read_upload(upload):
    """(file name, bytes) of an uploaded file, reading no more than the limit allows."""
    if not upload:
        return "", b""
    with upload.stream as stream:
        return upload.filename or "", stream.read(MAX_UPLOAD_BYTES + 1)


def already_imported(slug, document_id):
    """303 to the document a preview was already imported into, saying nothing was added.

    The document's own partnership names the URL (the token may have been posted to another
    partnership's address); the document page checks the user may see it, as always."""
    document = db.session.get(Document, document_id)
    if document is not None:
        slug = document.partnership.slug
    flash("This preview was already imported, so nothing was imported again. Its sections "
          "are in the document below.", "info")
    return see_other(url_for("documents.show", slug=slug, document_id=document_id))


@bp.get("/")
def start(slug, document_id):
    """Choose a .docx or .md file and where its sections go."""
    partnership, document = load_document(slug, document_id, "edit")
    guard_structure(document)          # out for agreement: partnership admins only
    return _page(partnership, document)


@bp.post("/")
@import_limit
def preview(slug, document_id):
    """Parse the file and show its sections; nothing is saved yet."""
    partnership, document = load_document(slug, document_id, "edit")
    guard_structure(document)          # out for agreement: partnership admins only
    form = ImportForm()
    form.validate_on_submit() or abort(400)     # the file and the place are checked below
    after = form.after.data
    filename, data = read_upload(form.file.data)
    try:
        place = _after(document, after)
        parsed = parse_upload(filename, data)
        check_fits(document, parsed)
        token = seal_preview(INTO_DOCUMENT, {
            "document": document.id, "file": filename, "parsed": parsed.as_data()})
    except ImportRefused as exc:
        return _page(partnership, document, exc.status, exc.message, after=after)
    return _page(partnership, document, parsed=parsed, token=token, after=after,
                 filename=filename, place=place,
                 leave_title=leaves_out_title(document, parsed))


@bp.post("/confirm")
def confirm(slug, document_id):
    """Add every previewed section in one transaction, as revision 1 of each (without the
    file's title heading, its sub-sections one level up, when the preview's box is ticked).

    A preview is imported once: confirming it again (a resubmit, a retry, a second tab)
    imports nothing and sees the document it went into, with a notice saying so (303, as
    for the first confirmation: the user wanted those sections there, and there they are).
    """
    partnership, document = load_document(slug, document_id, "edit")
    guard_structure(document)
    form = ConfirmImportForm()
    form.validate_on_submit() or abort(400)
    after, token = form.after.data, form.token.data
    try:
        done = imported_already(token)
        if done is not None:
            raise AlreadyImported(done)
        data = open_preview(INTO_DOCUMENT, token)
        if data.get("document") != document.id:
            raise ImportRefused("The preview belongs to another document, so nothing was "
                                "imported. Choose the file again.", 400)
        parsed = Parsed.from_data(data["parsed"])
        if form.use_title.data:
            parsed = parsed.without_title()
        added = import_sections(document, parsed,
                                _after(document, after), current_user,
                                data.get("file", ""), token=token)
    except AlreadyImported as done:
        return already_imported(slug, done.document_id)
    except ImportRefused as exc:
        return _page(partnership, document, exc.status, exc.message, after=after)
    except EditError as exc:
        abort(exc.status, description=exc.message)
    flash(f"{len(added)} section{'s' if len(added) != 1 else ''} imported.", "success")
    anchor = f"#section-{added[0].id}" if added else ""
    return see_other(url_for("documents.show", slug=slug, document_id=document_id) + anchor)

"""Import a Word or Markdown file into a document: upload, preview, confirm. Thin: the rules
are in importing.py."""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from ..extensions import db
from ..permissions import load_document
from ..web import render, see_other
from . import importing, limits
from .forms import ButtonForm
from .models import Document
from .service import EditError, load_section

bp = Blueprint("importing", __name__, url_prefix="/p/<slug>/d/<int:document_id>/import")


def _page(partnership, document, status=200, error=None, parsed=None, token=None,
          after=None, filename="", place=None):
    return render("documents/import.html", status=status, partnership=partnership,
                  document=document, error=error, parsed=parsed, token=token,
                  after=after, filename=filename, button_form=ButtonForm(),
                  previews=importing.placed_previews(document, parsed, place)
                  if parsed else [],
                  place_label=importing.section_label(document, place) if place else None,
                  choices=importing.section_choices(document),
                  section_usage=limits.usage(document))


def _after(document, value):
    if value in (None, "", "end"):
        return None
    section = load_section(document, int(value)) if str(value).isdigit() else None
    if section is None or section.removed_at is not None:
        raise importing.ImportError_("Choose a section of this document to import after.")
    return section


def read_upload(upload):
    """(file name, bytes) of an uploaded file, reading no more than the limit allows."""
    if not upload:
        return "", b""
    with upload.stream as stream:
        return upload.filename or "", stream.read(importing.MAX_UPLOAD_BYTES + 1)


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
    return _page(partnership, document)


@bp.post("/")
def preview(slug, document_id):
    """Parse the file and show its sections; nothing is saved yet."""
    partnership, document = load_document(slug, document_id, "edit")
    ButtonForm().validate_on_submit() or abort(400)
    after = request.form.get("after", "end")
    filename, data = read_upload(request.files.get("file"))
    try:
        place = _after(document, after)
        parsed = importing.parse_upload(filename, data)
        importing.check_fits(document, parsed)
        token = importing.seal_preview(importing.INTO_DOCUMENT, {
            "document": document.id, "file": filename, "parsed": parsed.as_data()})
    except importing.ImportError_ as exc:
        return _page(partnership, document, exc.status, exc.message, after=after)
    return _page(partnership, document, parsed=parsed, token=token, after=after,
                 filename=filename, place=place)


@bp.post("/confirm")
def confirm(slug, document_id):
    """Add every previewed section in one transaction, as revision 1 of each.

    A preview is imported once: confirming it again (a resubmit, a retry, a second tab)
    imports nothing and sees the document it went into, with a notice saying so (303, as
    for the first confirmation: the user wanted those sections there, and there they are).
    """
    partnership, document = load_document(slug, document_id, "edit")
    ButtonForm().validate_on_submit() or abort(400)
    after = request.form.get("after", "end")
    token = request.form.get("token")
    try:
        done = importing.imported_already(token)
        if done is not None:
            raise importing.AlreadyImported(done)
        data = importing.open_preview(importing.INTO_DOCUMENT, token)
        if data.get("document") != document.id:
            raise importing.ImportError_("The preview belongs to another document, so "
                                         "nothing was imported. Choose the file again.", 400)
        added = importing.import_sections(document, importing.Parsed.from_data(data["parsed"]),
                                          _after(document, after), current_user,
                                          data.get("file", ""), token=token)
    except importing.AlreadyImported as done:
        return already_imported(slug, done.document_id)
    except importing.ImportError_ as exc:
        return _page(partnership, document, exc.status, exc.message, after=after)
    except EditError as exc:
        abort(exc.status, description=exc.message)
    flash(f"{len(added)} section{'s' if len(added) != 1 else ''} imported.", "success")
    anchor = f"#section-{added[0].id}" if added else ""
    return see_other(url_for("documents.show", slug=slug, document_id=document_id) + anchor)

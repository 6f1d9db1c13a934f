"""The "New document" page: a document started from a template, or from a Word or Markdown
file (upload, preview, confirm). Thin: the rules are in starters.py and new_from_file.py."""
from flask import Blueprint, abort, flash, url_for
from flask_login import current_user

from ..permissions import load_partnership
from ..rate_limits import import_limit
from ..web import render, see_other
from . import limits, new_from_file, starters
from .editing import EditError
from .forms import ConfirmImportForm, NewDocumentForm, NewImportForm
from .import_parsing import ImportRefused
from .import_preview import NEW_DOCUMENT, AlreadyImported, open_preview, preview_sections
from .import_views import already_imported, read_upload

bp = Blueprint("new_document", __name__, url_prefix="/p/<slug>/documents")


def _form(**kwargs):
    form = NewDocumentForm(**kwargs)
    form.template.choices = starters.template_choices()
    return form


def _page(partnership, form, status=200):
    return render("documents/new.html", status=status, partnership=partnership, form=form,
                  descriptions={t.key: t.description for t in starters.TEMPLATES.values()})


@bp.get("/new")
def new(slug):
    """Choose a template and a title for a new document."""
    partnership = load_partnership(slug, "edit")
    return _page(partnership, _form(formdata=None))


@bp.post("/new")
def create(slug):
    """Create the document with the template's sections and open it."""
    partnership = load_partnership(slug, "edit")
    form = _form()
    if not form.validate_on_submit():
        if not form.template.errors:
            abort(400)
        form.template.errors = ["Choose a template"]
        return _page(partnership, form, 422)
    try:
        document = starters.create_from_template(partnership, form.template.data,
                                                form.title.data, current_user)
    except EditError as exc:
        getattr(form, exc.field).errors = [exc.message]
        return _page(partnership, form, 422)
    flash(f"\u201c{document.title}\u201d created.", "success")
    return see_other(url_for("documents.show", slug=slug, document_id=document.id))


# From a file ----------------------------------------------------------------------------------

def _import_form(**kwargs):
    form = NewImportForm(**kwargs)
    form.kind.choices = new_from_file.kind_choices()
    return form


def _import_page(partnership, form, status=200, parsed=None, token=None, filename="",
                 kept_token=None, kept_file=""):
    return render("documents/new_import.html", status=status, partnership=partnership,
                  form=form, parsed=parsed, token=token, filename=filename,
                  kind_label=new_from_file.kind_label(form.kind.data),
                  previews=preview_sections(parsed) if parsed else [],
                  kept_token=kept_token, kept_file=kept_file,
                  max_sections=limits.max_sections())


@bp.get("/new/import")
def import_start(slug):
    """Choose a title, the kind of document and a .docx or .md file to start from."""
    partnership = load_partnership(slug, "edit")
    return _import_page(partnership, _import_form(formdata=None))


@bp.post("/new/import")
@import_limit
def import_preview(slug):
    """Check the form and show the file's sections; nothing is saved yet."""
    partnership = load_partnership(slug, "edit")
    form = _import_form()
    form.validate_on_submit() or abort(400)     # the kind and the file: the service checks
    token = form.token.data
    if form.change.data:
        # Back from the preview to the form: the file stays chosen.
        try:
            earlier = open_preview(NEW_DOCUMENT, token)
        except ImportRefused as exc:
            form.file.errors = [exc.message]
            return _import_page(partnership, form, exc.status)
        form = _import_form(formdata=None, title=earlier.get("title"),
                            kind=earlier.get("kind"))
        return _import_page(partnership, form, kept_token=token,
                            kept_file=earlier.get("file", ""))
    filename, data = read_upload(form.file.data)
    try:
        parsed, filename, sealed = new_from_file.preview_new_document(
            partnership, form.title.data, form.kind.data, filename, data, token)
    except new_from_file.Refused as exc:
        for field, message in exc.errors.items():
            getattr(form, field).errors = [message]
        return _import_page(partnership, form, exc.status, kept_token=exc.token,
                            kept_file=exc.filename if exc.token else "")
    return _import_page(partnership, form, parsed=parsed, token=sealed, filename=filename)


@bp.post("/new/import/confirm")
def import_confirm(slug):
    """Create the document and all its sections in one transaction, each as revision 1."""
    partnership = load_partnership(slug, "edit")
    form = ConfirmImportForm()
    form.validate_on_submit() or abort(400)
    try:
        document = new_from_file.import_new_document(partnership, form.token.data,
                                                     current_user,
                                                     use_title=bool(form.use_title.data))
    except AlreadyImported as done:
        return already_imported(slug, done.document_id)
    except ImportRefused as exc:
        form = _import_form(formdata=None, title=exc.kept.get("title"),
                            kind=exc.kept.get("kind"))
        getattr(form, exc.field).errors = [exc.message]
        return _import_page(partnership, form, exc.status)
    flash(f"\u201c{document.title}\u201d created from the file.", "success")
    return see_other(url_for("documents.show", slug=slug, document_id=document.id))

"""The "New document" page: a document started from a template. Thin: rules are in templates."""
from flask import Blueprint, abort, flash, url_for
from flask_login import current_user

from ..permissions import load_partnership
from ..web import render, see_other
from . import templates
from .forms import NewDocumentForm
from .service import EditError

bp = Blueprint("new_document", __name__, url_prefix="/p/<slug>/documents")


def _form(**kwargs):
    form = NewDocumentForm(**kwargs)
    form.template.choices = templates.template_choices()
    return form


def _page(partnership, form, status=200):
    return render("documents/new.html", status=status, partnership=partnership, form=form,
                  descriptions={t.key: t.description for t in templates.TEMPLATES.values()})


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
        document = templates.create_from_template(partnership, form.template.data,
                                                  form.title.data, current_user)
    except EditError as exc:
        getattr(form, exc.field).errors = [exc.message]
        return _page(partnership, form, 422)
    flash(f"\u201c{document.title}\u201d created.", "success")
    return see_other(url_for("documents.show", slug=slug, document_id=document.id))

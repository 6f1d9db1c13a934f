"""Document pages and section editing."""
from flask import Blueprint, abort

from ..permissions import load_partnership
from ..web import render
from . import service

bp = Blueprint("documents", __name__, url_prefix="/p/<slug>/d")


def _document_or_404(slug, document_id, action="read"):
    partnership = load_partnership(slug, action)
    document = service.load_document(partnership, document_id)
    if document is None:
        abort(404)
    return partnership, document


@bp.get("/<int:document_id>/")
def show(slug, document_id):
    """A document: contents beside its sections."""
    partnership, document = _document_or_404(slug, document_id)
    sections = service.number_sections(service.live_sections(document))
    return render("documents/show.html", partnership=partnership, document=document,
                  sections=sections)

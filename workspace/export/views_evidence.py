"""The evidence pack of a document or of the whole partnership: its page, asking for a fresh
one, and downloading its PDF and ZIP.

Everyone in the partnership reads the pack; officers and partnership admins ask for one (it
costs background work). A download asked for before the pack is ready answers 202 with the
page saying it is being prepared, which reloads itself until the file comes. Routes on
export's blueprint; the rules are in evidence_jobs.py.
"""
from flask import abort, flash, make_response, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..db import retry_when_locked
from ..permissions import can, load_document, load_partnership
from ..rate_limits import export_limit
from ..web import background, reload_header, reloaded, render, see_other
from . import evidence_jobs
from .service import stored_bytes
from .views import PREPARING_REFRESH_SECONDS, bp

REFUSAL = "Only officers and partnership admins can ask for an evidence pack."
CONTENT_TYPES = {"pdf": "application/pdf", "zip": "application/zip"}


class EvidencePackForm(FlaskForm):
    """"Make an evidence pack": nothing to fill in but the CSRF token."""


def _urls(partnership, document, pack):
    values = {"slug": partnership.slug}
    if document is not None:
        values["document_id"] = document.id
    of = "document" if document is not None else "partnership"
    urls = {"page": url_for(f".{of}_evidence", **values)}
    if pack is not None:
        urls.update({kind: url_for(f".{of}_evidence_{kind}", pack_id=pack.id, **values)
                     for kind in CONTENT_TYPES})
    return urls


def _page(partnership, document, pack=None, status=200, waiting_for=None):
    """The page of the pack (the latest unless named), with Refresh while it is prepared."""
    pack = pack or evidence_jobs.latest_pack(partnership, document)
    state = evidence_jobs.pack_state(pack)
    if waiting_for and state is not None and state.failed:
        status = 503
    response = render("export/evidence.html", partnership=partnership, document=document,
                      state=state, urls=_urls(partnership, document, pack),
                      form=EvidencePackForm(formdata=None), waiting_for=waiting_for,
                      refresh=PREPARING_REFRESH_SECONDS, may_request=can("edit"),
                      status=status)
    if state is not None and state.preparing:
        response.headers["Refresh"] = reload_header(PREPARING_REFRESH_SECONDS)
        response.headers["Retry-After"] = str(PREPARING_REFRESH_SECONDS)
        response.headers["Cache-Control"] = "no-store"
    return response


def _request(partnership, document):
    if not can("edit"):
        abort(403, description=REFUSAL)
    EvidencePackForm().validate_on_submit() or abort(400)
    _pack, asked = evidence_jobs.request_pack(partnership, document, current_user)
    flash("The evidence pack is being prepared. This page shows the downloads when it is "
          "ready." if asked else "The evidence pack asked for earlier is still being "
          "prepared: it will be ready shortly.", "success" if asked else "info")
    return see_other(_urls(partnership, document, None)["page"])


def _file(partnership, document, pack_id, kind):
    pack = evidence_jobs.load_pack(partnership, document, pack_id)
    if pack is None:
        abort(404)
    if not pack.is_ready:
        return _page(partnership, document, pack, status=202, waiting_for=kind)
    data = stored_bytes(pack.pdf_sha256 if kind == "pdf" else pack.zip_sha256)
    response = make_response(data)
    response.headers["Content-Type"] = CONTENT_TYPES[kind]
    name = evidence_jobs.file_name(partnership, document, pack, kind)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Length"] = str(len(data))
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(f"{pack.data_sha256}-{kind}")
    return response.make_conditional(request)


@bp.get("/p/<slug>/evidence")
@background(when=reloaded)
def partnership_evidence(slug):
    """The partnership's evidence pack: when it was asked for, by whom, its downloads."""
    return _page(load_partnership(slug), None)


@bp.post("/p/<slug>/evidence")
@export_limit
@retry_when_locked
def request_partnership_evidence(slug):
    """Ask for a fresh evidence pack of the whole partnership."""
    return _request(load_partnership(slug), None)


@bp.get("/p/<slug>/evidence/<int:pack_id>/pdf")
@background(when=reloaded)
def partnership_evidence_pdf(slug, pack_id):
    """The partnership's pack as PDF (or the page saying it is being prepared)."""
    return _file(load_partnership(slug), None, pack_id, "pdf")


@bp.get("/p/<slug>/evidence/<int:pack_id>/zip")
@background(when=reloaded)
def partnership_evidence_zip(slug, pack_id):
    """The partnership's pack's data as CSV and JSON in a ZIP (or the page saying it is
    being prepared)."""
    return _file(load_partnership(slug), None, pack_id, "zip")


@bp.get("/p/<slug>/d/<int:document_id>/evidence")
@background(when=reloaded)
def document_evidence(slug, document_id):
    """The document's evidence pack: when it was asked for, by whom, its downloads."""
    return _page(*load_document(slug, document_id))


@bp.post("/p/<slug>/d/<int:document_id>/evidence")
@export_limit
@retry_when_locked
def request_document_evidence(slug, document_id):
    """Ask for a fresh evidence pack of the document."""
    return _request(*load_document(slug, document_id))


@bp.get("/p/<slug>/d/<int:document_id>/evidence/<int:pack_id>/pdf")
@background(when=reloaded)
def document_evidence_pdf(slug, document_id, pack_id):
    """The document's pack as PDF (or the page saying it is being prepared)."""
    return _file(*load_document(slug, document_id), pack_id, "pdf")


@bp.get("/p/<slug>/d/<int:document_id>/evidence/<int:pack_id>/zip")
@background(when=reloaded)
def document_evidence_zip(slug, document_id, pack_id):
    """The document's pack's data as CSV and JSON in a ZIP (or the page saying it is being
    prepared)."""
    return _file(*load_document(slug, document_id), pack_id, "zip")

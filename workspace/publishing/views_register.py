"""The public register's pages: a partnership's register, a published document, a published
version as canonical HTML, its signed PDF (both variants) and Word file, and a helpful
not-found page. No sign-in, no session, nothing unpublished."""
from flask import abort, current_app, render_template, request, url_for
from flask.globals import request_ctx

from ..db import retry_when_locked
from ..export import docx
from ..export import service as export
from ..export.pdf import VARIANTS
from ..review.versions import version_content
from . import rendering, service
from .views import bp

#: Pages of the register other parts provide; a link to one shows once its route exists.
OPTIONAL_ENDPOINTS = ("public.accessibility", "public.version_data_json",
                      "public.version_data_csv", "public.data_schema", "public.version_changes",
                      "public.feed", "public.data_docs")
#: Seconds between two reloads of the "being prepared" page of a PDF.
PREPARING_REFRESH_SECONDS = 5


#: `public_version_url(document, version)` in the workspace's templates (lifecycle, versions).
bp.add_app_template_global(service.public_version_url, "public_version_url")


@bp.app_template_global()
def has_endpoint(name):
    """True when the app has a route with this endpoint (links to parts built separately)."""
    return name in current_app.view_functions


def _links_state():
    return ",".join(e for e in OPTIONAL_ENDPOINTS if has_endpoint(e))


@bp.before_request
def _no_session():
    """The register never reads or writes the session, so no answer sets a cookie (not even
    the refresh of a signed-in visitor's session) and caches may keep public pages."""
    ctx = request_ctx._get_current_object()
    if hasattr(ctx, "_session"):
        ctx._session = current_app.session_interface.make_null_session(current_app)


@bp.errorhandler(404)
def _not_found(_exc):
    """A public not-found page: a link to the register when the partnership publishes one,
    otherwise nothing named."""
    slug = (request.view_args or {}).get("slug")
    partnership = service.register_partnership(slug) if slug else None
    body = render_template("public/not_found.html", partnership=partnership,
                           register_partnership=partnership)
    response = current_app.make_response((body, 404))
    response.headers["Cache-Control"] = "no-store"
    return response


def _partnership(slug):
    return service.register_partnership(slug) or abort(404)


def _published(slug, document_slug, number):
    partnership = _partnership(slug)
    found = service.published_version(partnership, document_slug, number) or abort(404)
    return partnership, found[0], found[1]


@bp.get("/")
def index():
    """The registers: every partnership that publishes its own, by name (a partnership with
    its register off is not named)."""
    body = render_template("public/index.html", partnerships=service.registers())
    return rendering.conditional(body)


@bp.get("/<slug>/<path:rest>")
def unknown(slug, rest):
    """Any other address under a partnership's register: the not-found page."""
    abort(404)


@bp.get("/<slug>/")
def register(slug):
    """The partnership's register: its partners and its published documents and versions."""
    partnership = _partnership(slug)
    documents = service.published_documents(partnership)
    summaries = {v.id: service.signed_by_text(v) for d in documents for v in d.versions}
    body = render_template("public/register.html", partnership=partnership,
                           register_partnership=partnership, documents=documents,
                           summaries=summaries, organisations=partnership.organisations)
    latest = max((d.latest.published_at for d in documents), default=None)
    return rendering.conditional(body, last_modified=latest)


@bp.get("/<slug>/<document_slug>/")
def document(slug, document_slug):
    """A published document: its published versions, newest first."""
    partnership = _partnership(slug)
    published = service.published_document(partnership, document_slug) or abort(404)
    summaries = {v.id: service.signed_by_text(v) for v in published.versions}
    body = render_template("public/document.html", partnership=partnership,
                           register_partnership=partnership, published=published,
                           document=published.document, summaries=summaries)
    return rendering.conditional(body, last_modified=published.latest.published_at)


def _version_body(partnership, document, version, content):
    """The frozen content, record of agreement and signatures: rendered once per version."""
    return rendering.render_once(
        ("version-body", version.id, version.content_sha256, version.published_at),
        lambda: render_template("public/_version_body.html", partnership=partnership,
                                document=document, version=version, content=content,
                                signatures=service.live_signatures(version)))


@bp.get("/<slug>/<document_slug>/v<int:number>")
def version(slug, document_slug, number):
    """A published version as canonical, accessible HTML."""
    partnership, document, row = _published(slug, document_slug, number)
    latest = service.published_document(partnership, document_slug).latest
    previous = service.previous_published(document, row)
    etag = rendering.etag_for("version", row.id, row.content_sha256, row.published_at,
                              partnership.name,
                              partnership.accessibility_contact, latest.number,
                              previous.number if previous else "", _links_state())
    unchanged = rendering.not_modified(etag, row.published_at)
    if unchanged is not None:
        return unchanged
    content = version_content(row)
    body = render_template(
        "public/version.html", partnership=partnership, register_partnership=partnership,
        document=document, version=row, content=content, latest=latest, previous=previous,
        signed_by=service.signed_by_text(row, content),
        body=_version_body(partnership, document, row, content))
    return rendering.conditional(body, etag, row.published_at)


def _file_headers(response, content_type, name):
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.get("/<slug>/<document_slug>/v<int:number>/pdf")
@retry_when_locked
def version_pdf(slug, document_slug, number):
    """The version's signed PDF: accessible (variant=ua, the default) or PDF/A (archive)."""
    variant = request.args.get("variant", "ua")
    if variant not in VARIANTS:
        abort(404)
    partnership, document, row = _published(slug, document_slug, number)
    answer = export.get_pdf(document, number, variant)
    if answer.file is None:
        return _preparing(partnership, document, row, variant, answer.failed)
    stored = answer.file
    modified = max(row.published_at, stored.created_at)
    unchanged = rendering.not_modified(stored.file_sha256, modified)
    if unchanged is not None:
        return unchanged
    response = rendering.conditional(export.stored_bytes(stored.file_sha256),
                                     stored.file_sha256, modified)
    name = export.file_name(document, number, row.published_at.date())
    return _file_headers(response, "application/pdf", name)


def _preparing(partnership, document, row, variant, failed):
    """202 with a page that says the file is being made and offers to try again (503 if making
    it failed, without the internal reason)."""
    body = render_template("public/preparing.html", partnership=partnership,
                           register_partnership=partnership, document=document, version=row,
                           variant_label=export.VARIANT_LABELS[variant], failed=failed,
                           refresh=PREPARING_REFRESH_SECONDS,
                           again=url_for(".version_pdf", slug=partnership.slug,
                                         document_slug=document.public_slug,
                                         number=row.number,
                                         **({"variant": variant} if variant != "ua" else {})))
    response = current_app.make_response((body, 503 if failed else 202))
    response.headers["Retry-After"] = str(PREPARING_REFRESH_SECONDS * (12 if failed else 1))
    # No Refresh: a page that reloads itself by the clock moves a screen reader's user back
    # to the top and cannot be stopped (WCAG 2.2.1); the reader follows "Try again".
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<slug>/<document_slug>/v<int:number>/docx")
def version_docx(slug, document_slug, number):
    """The version as a Word file, made once."""
    _partnership_row, document, row = _published(slug, document_slug, number)
    etag = rendering.etag_for("docx", row.id, row.content_sha256, row.published_at)
    unchanged = rendering.not_modified(etag, row.published_at)
    if unchanged is not None:
        return unchanged
    data = rendering.render_once(("docx", row.id, row.content_sha256, row.published_at),
                                 lambda: docx.build_docx(document, number)[0])
    response = rendering.conditional(data, etag, row.published_at)
    return _file_headers(response, docx.CONTENT_TYPE,
                         docx.file_name(document, number, row.published_at.date()))

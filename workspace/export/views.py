"""PDF downloads, the public "Verify a PDF" page, and authorities' signing certificates."""
from flask import Blueprint, abort, flash, make_response, request, url_for
from flask_login import current_user

from ..db import retry_when_locked
from ..extensions import limit_from_config
from ..permissions import load_document, require
from ..rate_limits import export_limit
from ..web import background, reload_header, reloaded, render, see_other
from . import docx, keys, service
from .forms import CertificateForm, VerifyForm, file_bytes

bp = Blueprint("export", __name__)


def _pdf_response(document, stored, number):
    response = make_response(service.stored_bytes(stored.file_sha256))
    response.headers["Content-Type"] = "application/pdf"
    name = service.file_name(document, number, stored.created_at.date())
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Length"] = str(stored.size)
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(stored.file_sha256)
    return response.make_conditional(request)


def _variant():
    variant = request.args.get("variant", "ua")
    if variant not in ("ua", "archive"):
        abort(422, description="Choose the accessible (ua) or archive (PDF/A) variant.")
    return variant


#: Seconds between two reloads of the "being prepared" page.
PREPARING_REFRESH_SECONDS = 3


def _pdf_answer(partnership, document, answer, variant):
    """The file when it is ready; else a page that says it is being prepared (202) and
    reloads itself, or that preparing it failed and why."""
    if answer.file is not None:
        return _pdf_response(document, answer.file, answer.number)
    args = dict(request.view_args, **({"variant": variant} if variant != "ua" else {}))
    response = render("export/preparing.html", partnership=partnership, document=document,
                      label=answer.label, failed=answer.failed,
                      reason=answer.job.last_error if answer.failed else "",
                      refresh=PREPARING_REFRESH_SECONDS,
                      try_url=url_for(request.endpoint, **args),
                      status=503 if answer.failed else 202)
    if not answer.failed:
        response.headers["Refresh"] = reload_header(PREPARING_REFRESH_SECONDS)
        response.headers["Retry-After"] = str(PREPARING_REFRESH_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/p/<slug>/d/<int:document_id>/pdf")
@background(when=reloaded)
@export_limit
@retry_when_locked
def document_pdf(slug, document_id):
    """The document as it stands (a draft carries the DRAFT mark on every page)."""
    partnership, document = load_document(slug, document_id)
    variant = _variant()
    return _pdf_answer(partnership, document, service.get_pdf(document, None, variant),
                       variant)


@bp.get("/p/<slug>/d/<int:document_id>/versions/<int:number>/pdf")
@background(when=reloaded)
@export_limit
@retry_when_locked
def version_pdf(slug, document_id, number):
    """A frozen version's PDF, with every authority's digital signature so far."""
    partnership, document = load_document(slug, document_id)
    variant = _variant()
    return _pdf_answer(partnership, document, service.get_pdf(document, number, variant),
                       variant)


def _docx_response(document, number):
    data, version = docx.build_docx(document, number)
    response = make_response(data)
    response.headers["Content-Type"] = docx.CONTENT_TYPE
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{docx.file_name(document, version)}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/p/<slug>/d/<int:document_id>/docx")
@export_limit
def document_docx(slug, document_id):
    """The document as it stands, as a Word file."""
    _, document = load_document(slug, document_id)
    return _docx_response(document, None)


@bp.get("/p/<slug>/d/<int:document_id>/versions/<int:number>/docx")
@export_limit
def version_docx(slug, document_id, number):
    """A frozen version as a Word file, with the record of agreement and signature blocks."""
    _, document = load_document(slug, document_id)
    return _docx_response(document, number)


@bp.route("/verify", methods=["GET", "POST"])
@limit_from_config("VERIFY_RATE_LIMIT", methods=["POST"],
                   error_message="You have checked too many PDFs from this address.")
def verify():
    """Check a PDF: made here? which document and version? a draft, superseded, complete,
    signed with trusted certificates? Nothing uploaded is kept."""
    from .verify import VerifyError, verify_pdf  # pyHanko: imported when first needed
    report = error = None
    status = 200
    form = VerifyForm()
    if request.method == "POST":
        form.validate_on_submit() or abort(400)
        try:
            report = verify_pdf(file_bytes(form.pdf.data))
        except VerifyError as exc:
            error, status = exc.message, exc.status
    form.pdf.errors = [error] if error else []
    return render("export/verify.html", report=report, error=error, form=form, status=status)


def _own_organisation():
    """The signed-in user's organisation, for its own admins only: nobody else touches its
    signing keys."""
    require("manage_organisation")
    return current_user.organisation


@bp.get("/organisation/certificates")
def certificates():
    """The organisation's signing certificate (the private key never leaves the server)."""
    return _certificates_page(_own_organisation())


def _certificates_page(organisation, status=200, error=None):
    return render("export/certificates.html", organisation=organisation,
                  held=keys.active_keys(organisation), error=error, status=status,
                  form=CertificateForm(formdata=None))


@bp.post("/organisation/certificates")
def upload_certificate():
    """Upload a PKCS#12 file (certificate and private key) for the organisation."""
    organisation = _own_organisation()
    form = CertificateForm()
    form.validate_on_submit() or abort(400)
    try:
        keys.upload_p12(organisation, file_bytes(form.p12.data), form.password.data or "",
                        current_user)
    except keys.KeyRefused as exc:
        return _certificates_page(organisation, exc.status, exc.message)
    flash(f"Signing certificate stored for {organisation.name}.", "success")
    return see_other(url_for(".certificates"))


@bp.post("/organisation/certificates/trial")
def trial_certificate():
    """Make a self-signed trial certificate for the organisation."""
    organisation = _own_organisation()
    keys.make_self_signed(organisation, user=current_user)
    flash(f"Trial certificate created for {organisation.name}. Trial certificates are "
          "self-signed: fine for trying the workspace, not for publication.", "success")
    return see_other(url_for(".certificates"))


from . import views_evidence, views_signing  # noqa: E402,F401  (their routes are on this blueprint)

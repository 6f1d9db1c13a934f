"""After a Member signs: the signing job's progress until the signed PDF is ready, then the
receipt of the signature; "Try again" when the job failed (the signer or a partnership admin).

Routes on export's blueprint (review sends the Member here by the endpoint's name; it does
not import export). The rules are in receipts.py.
"""
from flask import abort, flash, request, url_for
from flask_login import current_user

from ..db import retry_when_locked
from ..jobs.forms import TryAgainForm
from ..permissions import load_document
from ..web import background, is_htmx, render, see_other
from . import receipts
from .views import bp

#: Seconds between two checks of the progress page (htmx polling; without JavaScript the
#: page has a "Check now" link).
POLL_SECONDS = 3
SIGNATURE = "/p/<slug>/d/<int:document_id>/versions/<int:number>/signatures/<int:signature_id>"


def _urls(slug, document_id, number, signature_id):
    values = {"slug": slug, "document_id": document_id, "number": number,
              "signature_id": signature_id}
    return {"receipt": url_for(".signature_receipt", **values),
            "progress": url_for(".signing_progress", **values),
            "retry": url_for(".signing_retry", **values),
            "pdf": url_for(".version_pdf", slug=slug, document_id=document_id, number=number),
            "archive": url_for(".version_pdf", slug=slug, document_id=document_id,
                               number=number, variant="archive"),
            "verify": url_for(".verify")}


def _context(slug, document_id, number, signature_id):
    partnership, document = load_document(slug, document_id)
    row, signature = receipts.load(document, number, signature_id)
    found = receipts.progress(document, row, signature)
    return {"partnership": partnership, "document": document, "version": row,
            "signature": signature, "progress": found, "poll": POLL_SECONDS,
            "urls": _urls(slug, document_id, number, signature_id),
            "may_retry": receipts.may_retry(current_user, document, signature)}


@bp.get(SIGNATURE + "/progress")
@background(when=is_htmx)                   # its checks every few seconds are the page's
@retry_when_locked
def signing_progress(slug, document_id, number, signature_id):
    """The signed PDF being made for a signature: checks itself, then shows the receipt."""
    context = _context(slug, document_id, number, signature_id)
    found, urls = context["progress"], context["urls"]
    if found.done:
        if is_htmx():
            return "", 200, {"HX-Redirect": urls["receipt"]}
        return see_other(urls["receipt"])
    if is_htmx():
        if request.args.get("seen") == found.token:
            return "", 204                      # nothing new: nothing to announce
        if found.state == receipts.BROKEN:
            return "", 200, {"HX-Refresh": "true"}
    response = render("export/signing_progress.html", "export/_signing_progress.html",
                      form=TryAgainForm(formdata=None), **context)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get(SIGNATURE)
@retry_when_locked
def signature_receipt(slug, document_id, number, signature_id):
    """The receipt of a signature: what was signed, for whom, by whom, when, and its PDF."""
    context = _context(slug, document_id, number, signature_id)
    return render("export/signature_receipt.html", **context)


@bp.post(SIGNATURE + "/retry")
def signing_retry(slug, document_id, number, signature_id):
    """Try the failed signing (or rendering) of the signature's PDFs again: the Member who
    signed, or a partnership admin."""
    _partnership, document = load_document(slug, document_id)
    row, signature = receipts.load(document, number, signature_id)
    if not receipts.may_retry(current_user, document, signature):
        abort(403, description="Only the Member who signed, or a partnership admin, can try "
                               "the signed PDF again.")
    if not TryAgainForm().validate_on_submit():
        abort(400)
    if receipts.retry(document, row, signature):
        flash("The signed PDF will be made again now.", "success")
    else:
        flash("Nothing had failed: the signed PDF is ready or still being made.", "info")
    return see_other(url_for(".signing_progress", slug=slug, document_id=document_id,
                             number=number, signature_id=signature_id))

"""Signing for an authority: the declaration, what is being signed and what is recorded as
not agreed, the name and position as printed, the password again.

After signing, the Member is sent (303) to export's page that follows the signing job and
then gives the receipt: review does not import export, the address is looked up by name.
"""
from flask import abort, flash, url_for
from flask_login import current_user

from ..permissions import load_document
from ..web import keep_changes, render, see_other
from . import lifecycle
from .forms_lifecycle import SignForm
from .views import bp


def _field_error(form, exc):
    """Put a LifecycleError on its form field (or return it as a form-level message)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [exc.message]
        return None
    return exc.message


def _sign_page(partnership, document, form, status=200, error=None):
    version = lifecycle.current_version(document)
    return render("review/sign.html", status=status, partnership=partnership,
                  document=document, version=version, form=form, error=error,
                  reservations=lifecycle.reservations(version),
                  signing=lifecycle.signing_state(document))


def _receipt(partnership, document, signature, progress=False):
    """The receipt of a signature (or, just after signing, the signing job's progress)."""
    endpoint = "export.signing_progress" if progress else "export.signature_receipt"
    return see_other(url_for(endpoint, slug=partnership.slug, document_id=document.id,
                             number=document.version_number, signature_id=signature.id))


def _already_signed(document, signature):
    return (f"{signature.organisation.name} has already signed version "
            f"{document.version_number} ({signature.signed_name}, "
            f"{signature.signed_position}). Nothing more was recorded.")


def _refuse(document):
    refusal = lifecycle.sign_refusal(document, current_user)
    if refusal:
        abort(refusal[1], description=refusal[0])


@bp.get("/p/<slug>/d/<int:document_id>/sign")
def sign(slug, document_id):
    """The signature form for a Member of a signatory authority."""
    partnership, document = load_document(slug, document_id, "sign")
    existing = lifecycle.signature_for(document, current_user.organisation_id)
    if existing is not None and current_user.role == "member":
        flash(_already_signed(document, existing), "info")
        return _receipt(partnership, document, existing)
    _refuse(document)
    version = lifecycle.current_version(document)
    form = SignForm(formdata=None, authority=current_user.organisation.name,
                    signed_name=current_user.name, signed_position=current_user.job_title,
                    fingerprint=version.content_sha256)
    return _sign_page(partnership, document, form)


@bp.post("/p/<slug>/d/<int:document_id>/sign")
def sign_post(slug, document_id):
    """Sign the frozen version for the Member's authority, re-entering the password."""
    partnership, document = load_document(slug, document_id, "sign")
    form = SignForm(authority=current_user.organisation.name)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        existing = lifecycle.signature_for(document, current_user.organisation_id)
        if existing is not None and current_user.role == "member":
            flash(_already_signed(document, existing), "info")
            return _receipt(partnership, document, existing)
        _refuse(document)
        form.password.data = ""
        return _sign_page(partnership, document, form, 422)
    try:
        result = lifecycle.sign(document, current_user, form.password.data,
                                form.signed_name.data, form.signed_position.data,
                                fingerprint=form.fingerprint.data or None)
    except lifecycle.LifecycleError as exc:
        if exc.status in (403, 409):
            abort(exc.status, description=exc.message)
        if exc.field == "password":
            keep_changes()      # the failed attempt stays in the audit log
        form.password.data = ""
        error = _field_error(form, exc)
        return _sign_page(partnership, document, form, exc.status, error)
    if not result.created:
        flash(_already_signed(document, result.signature), "info")
        return _receipt(partnership, document, result.signature)
    message = (f"Signed for {current_user.organisation.name}. The signature records the "
               f"fingerprint {result.signature.content_sha256[:16]}…")
    if result.completed:
        message += (f" This was the last signature: {document.title} is now Signed, ready "
                    "for the partnership admin to publish.")
    flash(message, "success")
    return _receipt(partnership, document, result.signature, progress=True)

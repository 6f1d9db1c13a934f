"""Review routes: lifecycle (and the confirmation to publish), versions, decisions sought,
My tasks. Signing is in views_signing.py.

Thin: the rules are in lifecycle.py and tasks.py.
"""
from flask import abort, current_app, flash, g, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import Conflict, default_exceptions

from ..documents import completeness
from ..documents.editing import EditError
from ..permissions import can, load_document
from ..web import render, see_other
from . import lifecycle, tasks
from .forms_decisions import DecisionForm, RecordDecisionForm
from .forms_lifecycle import LifecycleForm
from .positions import agreement_grid
from .views import bp


def _back(slug, document_id, endpoint=".lifecycle"):
    return see_other(url_for(endpoint, slug=slug, document_id=document_id))


def _field_error(form, exc):
    """Put a LifecycleError on its form field (or return it as a form-level message)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [exc.message]
        return None
    return exc.message


# Lifecycle ----------------------------------------------------------------------------------

def _lifecycle_page(partnership, document, form=None, error=None, status=200):
    grid = agreement_grid(document)
    return render(
        "review/lifecycle.html", status=status, partnership=partnership, document=document,
        steps=[(key, lifecycle.status_label(key)) for key in lifecycle.STEPS],
        step_index=lifecycle.STEPS.index(document.status), grid=grid, totals=grid.totals(),
        signing=lifecycle.signing_state(document), version=lifecycle.current_version(document),
        all_signed=lifecycle.all_signed(document),
        decisions=[(d, lifecycle.decision_state(d)) for d in lifecycle.decisions(document)],
        sign_refusal=lifecycle.sign_refusal(document, current_user),
        blockers=lifecycle.publication_blockers(document) if document.is_signed else [],
        agree_blockers=(lifecycle.agreement_blockers(document)
                        if document.is_out_for_agreement and can("manage") else []),
        form=form or LifecycleForm(formdata=None), error=error,
        completeness=completeness.shown(document, can("edit")))


@bp.get("/p/<slug>/d/<int:document_id>/lifecycle", endpoint="lifecycle")
def lifecycle_page(slug, document_id):
    """Where the document is in its lifecycle, and the admin's next step."""
    partnership, document = load_document(slug, document_id)
    return _lifecycle_page(partnership, document)


MESSAGES = {
    "out_for_agreement": "The document is out for agreement: Members can record positions.",
    "agreed": "The document is agreed. Version {n} is frozen and the text is locked while "
              "signatures are collected.",
    "signed": "Every signatory has signed. The document is marked signed.",
    "published": "Version {n} is published.",
    "draft": "The document is back in draft; the text is unlocked.",
    "next_version": "Version {n} has been started as a draft from the published text.",
}


@bp.post("/p/<slug>/d/<int:document_id>/lifecycle")
def move(slug, document_id):
    """Move the document on (or back to draft, or on to its next version): admin only."""
    partnership, document = load_document(slug, document_id, "manage")
    form = LifecycleForm()
    form.validate_on_submit() or abort(400)
    publishing = form.to.data == "published"
    try:
        result = lifecycle.move(document, form.to.data, current_user,
                                seen=form.seen.data or None,
                                with_exceptions=form.with_exceptions.data,
                                confirmed=(form.confirm_publish.data if publishing
                                           else form.confirm.data),
                                reason=form.proceed_reason.data,
                                fingerprint=form.fingerprint.data or None)
    except lifecycle.LifecycleError as exc:
        if publishing and exc.field == "confirm":
            form.confirm_publish.errors = [exc.message]
            return _publish_page(partnership, document, form, status=exc.status)
        # A missing reason to proceed with gaps goes on its field (the text typed is kept).
        error = (_field_error(form, exc) if exc.field in ("proceed_reason", "with_exceptions")
                 else exc.message)
        return _lifecycle_page(partnership, document, form, error=error, status=exc.status)
    message = MESSAGES[form.to.data].format(n=document.version_number)
    if form.to.data == "draft" and result:
        message += f" {result} signature{'s were' if result != 1 else ' was'} voided."
    flash(message, "success")
    return _back(slug, document_id)


def _publish_page(partnership, document, form=None, status=200):
    version = lifecycle.current_version(document)
    return render("review/publish.html", status=status, partnership=partnership,
                  document=document, version=version,
                  signatures=lifecycle.signatures(version),
                  blockers=lifecycle.publication_blockers(document),
                  # The frozen text is the document's while it is signed: its gaps are the
                  # version's, public once published.
                  gaps=completeness.check(document),
                  form=form or LifecycleForm(formdata=None))


@bp.get("/p/<slug>/d/<int:document_id>/publish")
def publish_confirm(slug, document_id):
    """What publishing will make public, for the admin to confirm: admin only."""
    partnership, document = load_document(slug, document_id, "manage")
    if not document.is_signed:
        flash("Only a signed document can be published: this one is "
              f"{lifecycle.status_label(document.status)}.", "info")
        return _back(slug, document_id)
    return _publish_page(partnership, document)


# Versions -----------------------------------------------------------------------------------

@bp.get("/p/<slug>/d/<int:document_id>/versions")
def versions(slug, document_id):
    """The document's history: every frozen version, with its fingerprint and signatures."""
    partnership, document = load_document(slug, document_id)
    rows = [(v, lifecycle.signatures(v)) for v in lifecycle.versions(document)]
    return render("review/versions.html", partnership=partnership, document=document,
                  versions=rows)


@bp.get("/p/<slug>/d/<int:document_id>/versions/<int:number>")
def version(slug, document_id, number):
    """One frozen version as it was agreed, signed and published."""
    partnership, document = load_document(slug, document_id)
    row = lifecycle.version(document, number)
    if row is None:
        abort(404, description=f"There is no version {number} of this document yet.")
    in_force = (row.number == document.version_number
                and document.has_frozen_version)
    return render("review/version.html", partnership=partnership, document=document,
                  version=row, content=lifecycle.version_content(row), in_force=in_force,
                  signatures=lifecycle.signatures(row),
                  voided=[s for s in lifecycle.signatures(row, include_void=True)
                          if s.voided_at is not None],
                  superseded=lifecycle.superseded_freezes(row))


# Decisions sought ---------------------------------------------------------------------------

def _decisions_page(partnership, document, form=None, status=200, error=None):
    return render("review/decisions.html", status=status, partnership=partnership,
                  document=document, form=form or DecisionForm(formdata=None), error=error,
                  decisions=[(d, lifecycle.decision_state(d))
                             for d in lifecycle.decisions(document)])


@bp.get("/p/<slug>/d/<int:document_id>/decisions")
def decisions(slug, document_id):
    """Approvals the document seeks: upcoming, overdue and taken."""
    partnership, document = load_document(slug, document_id)
    return _decisions_page(partnership, document)


@bp.post("/p/<slug>/d/<int:document_id>/decisions")
def add_decision(slug, document_id):
    """Add a decision sought from a named body by a date: admin only."""
    partnership, document = load_document(slug, document_id, "manage")
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _decisions_page(partnership, document, form, 422)
    try:
        lifecycle.add_decision(document, current_user, form.body.data,
                               form.description.data, form.due_date.data)
    except lifecycle.LifecycleError as exc:
        error = _field_error(form, exc)
        return _decisions_page(partnership, document, form, exc.status, error)
    flash(f"Decision sought from {form.body.data.strip()} added.", "success")
    return _back(slug, document_id, ".decisions")


def _decision_or_404(document, decision_id):
    decision = lifecycle.load_decision(document, decision_id)
    if decision is None:
        abort(404)
    return decision


def _record_page(partnership, document, decision, form, status=200, error=None):
    return render("review/decisions_record.html", status=status, partnership=partnership,
                  document=document, decision=decision, form=form, error=error,
                  state=lifecycle.decision_state(decision))


@bp.get("/p/<slug>/d/<int:document_id>/decisions/<int:decision_id>/record")
def record_decision(slug, document_id, decision_id):
    """The form to record a decision as taken: admin only."""
    partnership, document = load_document(slug, document_id, "manage")
    decision = _decision_or_404(document, decision_id)
    form = RecordDecisionForm(formdata=None, taken_at=decision.taken_at,
                              outcome=decision.outcome, minute_ref=decision.minute_ref)
    return _record_page(partnership, document, decision, form)


@bp.post("/p/<slug>/d/<int:document_id>/decisions/<int:decision_id>/record")
def record_decision_post(slug, document_id, decision_id):
    """Record the date taken, outcome and minute reference of a decision: admin only."""
    partnership, document = load_document(slug, document_id, "manage")
    decision = _decision_or_404(document, decision_id)
    form = RecordDecisionForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _record_page(partnership, document, decision, form, 422)
    try:
        lifecycle.record_decision(decision, current_user, form.taken_at.data,
                                  form.outcome.data, form.minute_ref.data)
    except lifecycle.LifecycleError as exc:
        error = _field_error(form, exc)
        return _record_page(partnership, document, decision, form, exc.status, error)
    flash(f"Decision of {decision.body} recorded as taken.", "success")
    return _back(slug, document_id, ".decisions")


# My tasks -----------------------------------------------------------------------------------

@bp.get("/tasks")
def my_tasks():
    """What is waiting for me: positions, replies, signatures, decisions sought soon."""
    found = tasks.my_tasks(current_user)
    # The header's count is this page's total: no second query for it.
    g.task_count = found.total
    return render("review/tasks.html", tasks=found, page_title="My tasks")


def _task_count():
    """The header's task count, computed once per request and only when a page shows it."""
    if "task_count" not in g:
        try:
            g.task_count = tasks.task_count(current_user)
        except SQLAlchemyError:
            current_app.logger.exception("Task count failed")
            g.task_count = None
    return g.task_count


@bp.app_context_processor
def _task_count_helper():
    return {"task_count": _task_count}


@bp.app_errorhandler(EditError)
def _edit_refused(exc):
    """A locked document refused a structure change the documents views did not catch.

    Answers like any HTTP error (clear message; htmx shows it in the notification region).
    """
    error = default_exceptions.get(exc.status, Conflict)(description=exc.message)
    return current_app.handle_http_exception(error)

"""The suggestions blueprint: the editor in suggest mode, and accepting, rejecting and
withdrawing a suggestion. Thin views: the rules are in service.py.

A suggestion is made from the section's editor (htmx in place, or its own page) and answers
with the section as the document shows it; deciding is a plain form post that comes back to
the section (303), or asks first (409: positions would go stale; a conflict)."""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user

from ..documents import editing, numbering
from ..documents.rendered_diff import conflict_view
from ..documents.views import confirm_page
from ..numbers import whole_number
from ..pages.document import section_partial
from ..permissions import load_document, load_section
from ..web import flash_in_section, is_htmx, render, see_other
from . import comments, service
from .context import changes_of
from .forms import AcceptForm, CommentForm, RejectForm, SuggestForm, WithdrawForm

bp = Blueprint("suggestions", __name__, url_prefix="/p/<slug>/d/<int:document_id>")


def _anchor(partnership, document, section_id):
    return url_for("documents.show", slug=partnership.slug,
                   document_id=document.id) + f"#section-{section_id}"


def suggest_note(document):
    """What happens to a suggestion, under the editor's button."""
    if document.is_out_for_agreement:
        return ("While the document is out for agreement its text changes only by accepted "
                "suggestions: a partnership admin will accept or reject yours. Nothing "
                "changes until then.")
    return ("Your suggestion is shown under the section, credited to your authority, for an "
            "officer or partnership admin to accept or reject. The text does not change "
            "until then.")


def _editor(partnership, document, section, form, status=200, error=None):
    if error is not None:
        field = error.field if error.field in ("body", "reason") else "body"
        form[field].errors = [error.message]
    return render("documents/edit.html", "documents/_editor.html", status=status,
                  partnership=partnership, document=document, section=section,
                  number=numbering.section_number(section), form=form, error=error,
                  conflict=None, confirm=None, suggesting=True,
                  suggest_note=suggest_note(document))


def _suggestion_or_404(slug, document_id, suggestion_id, action="read", deciding=False):
    """(partnership, document, suggestion): 404 outside the user's partnerships or document,
    403 (before the suggestion is looked for) without the right to act."""
    partnership, document = load_document(slug, document_id, action)
    if deciding:
        try:
            service.refuse_undecidable(document, current_user)
        except editing.EditError as exc:
            abort(exc.status, description=exc.message)
    suggestion = service.get(document, suggestion_id)
    if suggestion is None:
        abort(404)
    return partnership, document, suggestion


@bp.get("/s/<int:section_id>/suggest")
def new(slug, document_id, section_id):
    """The section's editor in suggest mode, in place (htmx) or as a page."""
    partnership, document, section = load_section(slug, document_id, section_id, "suggest")
    if section.removed_at is not None:
        abort(409, description="This section has been removed. Changes to it can no longer "
                               "be suggested.")
    try:
        editing.check_unlocked(document)
    except editing.EditError as exc:
        abort(exc.status, description=exc.message)
    form = SuggestForm(formdata=None, body=section.body, base_version=section.version)
    return _editor(partnership, document, section, form)


@bp.post("/s/<int:section_id>/suggest")
def create(slug, document_id, section_id):
    """Record a suggestion made from the editor; the section shows it to everyone."""
    partnership, document, section = load_section(slug, document_id, section_id, "suggest")
    form = SuggestForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        base = editing.parse_base(form.base_version.data, section)
        service.suggest(section, form.body.data, base, current_user, form.reason.data)
    except editing.EditError as exc:
        return _editor(partnership, document, section, form, status=exc.status, error=exc)
    message = "Your suggestion was recorded. It shows under the section until it is decided."
    if not is_htmx():
        flash_in_section(message, section)
        return see_other(_anchor(partnership, document, section.id))
    return section_partial(partnership, document, section, message)


def _back(partnership, document, section, message):
    """After a decision: the section (htmx) or a 303 to it, with the message shown there."""
    if is_htmx():
        return section_partial(partnership, document, section, message)
    flash_in_section(message, section)
    return see_other(_anchor(partnership, document, section.id))


@bp.get("/suggestions/<int:suggestion_id>/accept")
def accept_again(slug, document_id, suggestion_id):
    """The accept address opened again (a reload, the history, a new tab after the question
    whether to accept): back to the suggestion under its section, nothing done."""
    partnership, document, suggestion = _suggestion_or_404(slug, document_id, suggestion_id)
    return see_other(_anchor(partnership, document, suggestion.section_id))


@bp.post("/suggestions/<int:suggestion_id>/accept")
def accept(slug, document_id, suggestion_id):
    """Accept: the suggested text becomes a revision (merged, or asked about first)."""
    partnership, document, suggestion = _suggestion_or_404(slug, document_id, suggestion_id,
                                                           deciding=True)
    form = AcceptForm()
    form.validate_on_submit() or abort(400)
    section = suggestion.section
    try:
        done = service.accept(suggestion, current_user, confirm_stale=form.confirm_stale.data,
                              seen_version=whole_number(form.seen_version.data))
    except service.TextMoved:
        return _accept_question(
            partnership, document, suggestion, [],
            "The section has changed since you read this suggestion. Below is what accepting "
            "it would do to the text as it is now.", "Accept it onto the current text")
    except editing.ConfirmStale as confirm:
        return _accept_question(
            partnership, document, suggestion, confirm.affected,
            confirm.message.replace("Saving this change", "Accepting this suggestion"),
            "Accept and ask them to re-confirm")
    except editing.Conflict as conflict:
        return _conflict(partnership, document, suggestion, conflict)
    except editing.EditError as exc:
        abort(exc.status, description=exc.message)
    result = done.result
    if result.revision is None:
        message = (f"Accepted {service.credit(suggestion)}: the text already read as "
                   "suggested, so nothing changed.")
    elif result.merged_with:
        message = (f"Accepted {service.credit(suggestion)} as revision "
                   f"{result.revision.number}, merged with the changes made since it was "
                   "suggested.")
    else:
        message = (f"Accepted {service.credit(suggestion)} as revision "
                   f"{result.revision.number}.")
    return _back(partnership, document, section, message)


def _accept_question(partnership, document, suggestion, affected, message, confirm_label):
    """409: asked before accepting (nothing written), showing what accepting would do to the
    section's current text; the answer carries that text's version, so a further change asks
    again."""
    section = suggestion.section
    return confirm_page(
        partnership, document, section, 409, heading=f"Accept {service.credit(suggestion)}?",
        message=message, affected=affected, action=request.path,
        fields=[("seen_version", section.version)], confirm_label=confirm_label,
        back_url=_anchor(partnership, document, section.id),
        preview=changes_of(suggestion), preview_reason=suggestion.reason,
        preview_heading=f"The suggested change to {numbering.section_number(section)} "
                        f"{section.title}")


def _conflict(partnership, document, suggestion, conflict):
    """409: the suggestion overlaps changes made since its revision; nothing was accepted."""
    section = suggestion.section
    base = editing.revision(section, suggestion.base_number)
    changes = conflict_view(base.body if base else None, suggestion.base_number,
                            conflict.current, conflict.mine)
    return render("suggestions/conflict.html", status=409, partnership=partnership,
                  document=document, section=section, suggestion=suggestion,
                  credit=service.credit(suggestion), conflict=conflict, changes=changes,
                  number=numbering.section_number(section))


@bp.route("/suggestions/<int:suggestion_id>/reject", methods=["GET", "POST"])
def reject(slug, document_id, suggestion_id):
    """Reject with a reason: the form (GET), or the decision (POST; 422 without a reason)."""
    partnership, document, suggestion = _suggestion_or_404(slug, document_id, suggestion_id,
                                                           deciding=True)
    form = RejectForm()
    section = suggestion.section
    status = 200
    if request.method == "POST":
        form.validate_on_submit() or abort(400)
        try:
            service.reject(suggestion, current_user, form.reason.data)
        except editing.EditError as exc:
            if exc.status != 422:
                abort(exc.status, description=exc.message)
            form.reason.errors = [exc.message]
            status = 422
        else:
            return _back(partnership, document, section,
                         f"Rejected {service.credit(suggestion)}.")
    return render("suggestions/reject.html", "suggestions/_reject_form.html", status=status,
                  partnership=partnership, document=document, section=section,
                  suggestion=suggestion, credit=service.credit(suggestion), form=form,
                  number=numbering.section_number(section))


@bp.post("/suggestions/<int:suggestion_id>/withdraw")
def withdraw(slug, document_id, suggestion_id):
    """The author withdraws their own suggestion."""
    partnership, document, suggestion = _suggestion_or_404(slug, document_id, suggestion_id,
                                                           "suggest")
    WithdrawForm().validate_on_submit() or abort(400)
    try:
        service.withdraw(suggestion, current_user)
    except editing.EditError as exc:
        abort(exc.status, description=exc.message)
    return _back(partnership, document, suggestion.section, "Your suggestion was withdrawn.")


def _comments_block(partnership, document, suggestion, message=None):
    """One suggestion's comments, as the document page shows them (htmx swaps it in)."""
    response = render("suggestions/_comments.html", partnership=partnership,
                      document=document, section=suggestion.section, s=suggestion,
                      suggestion_comments=comments.by_suggestion([suggestion.id]).get(
                          suggestion.id, []),
                      may_comment=comments.may_comment(document, current_user),
                      comment_message=message)
    response.headers["Vary"] = "HX-Request"
    return response


def _comment_form(partnership, document, suggestion, text="", error=None, status=200):
    """The comment form: the partial for htmx (a 422 swaps just the form), else a page."""
    form = CommentForm(formdata=None, data={"body": text})
    form.body.errors = [error] if error else []
    section = suggestion.section
    response = render("suggestions/comment_form.html", "suggestions/_comment_form.html",
                      status=status, partnership=partnership, document=document,
                      section=section, s=suggestion, credit=service.credit(suggestion),
                      form=form, error=error, text=text,
                      number=numbering.section_number(section))
    if is_htmx() and status >= 400:
        response.headers["HX-Retarget"] = f"#suggestion-comment-form-{suggestion.id}"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.get("/suggestions/<int:suggestion_id>/comments/new")
def new_comment(slug, document_id, suggestion_id):
    """The form to comment on a suggestion: fetched when "Comment on this suggestion" is
    first opened (htmx), or a page without JavaScript."""
    partnership, document, suggestion = _suggestion_or_404(slug, document_id, suggestion_id,
                                                           "comment")
    return _comment_form(partnership, document, suggestion)


@bp.post("/suggestions/<int:suggestion_id>/comments")
def add_comment(slug, document_id, suggestion_id):
    """Comment on a suggestion: its comments block (htmx) or a 303 back to the section;
    empty or too long, 422 with the text kept."""
    partnership, document, suggestion = _suggestion_or_404(slug, document_id, suggestion_id,
                                                           "comment")
    form = CommentForm()
    form.validate_on_submit() or abort(400)
    body = form.body.data or ""
    try:
        comments.add_comment(suggestion, body, current_user)
    except comments.CommentError as exc:
        if exc.status != 422:
            abort(exc.status, description=exc.message)
        return _comment_form(partnership, document, suggestion, text=body, error=exc.message,
                             status=422)
    message = "Your comment was added to the suggestion."
    if is_htmx():
        return _comments_block(partnership, document, suggestion, message)
    flash_in_section(message, suggestion.section)
    return see_other(_anchor(partnership, document, suggestion.section_id))

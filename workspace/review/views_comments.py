"""Review routes: comments, replies, resolving threads, and a section's "feedback sought".

Every action is a plain form that works without JavaScript (303 back to the section) and
with htmx (the section's comments block is swapped in place). Bad input answers 422 with the
form and the user's text: the form partial for htmx, a page with the form otherwise.
"""
from flask import abort, url_for
from flask_login import current_user

from ..documents.numbering import number_sections
from ..documents.service import live_sections
from ..permissions import Forbidden, load_section
from ..web import flash_in_section, is_htmx, render, see_other
from . import comments
from .context import section_review_context
from .forms import CommentForm, FeedbackForm
from .views import bp

SECTION = "/p/<slug>/d/<int:document_id>/s/<int:section_id>"
COMMENT = SECTION + "/comments/<int:comment_id>"


def _anchor(partnership, document, section):
    return url_for("documents.show", slug=partnership.slug,
                   document_id=document.id) + f"#section-{section.id}"


def _number(document, section):
    for number, s in number_sections(live_sections(document)):
        if s.id == section.id:
            return number
    return ""


def _comment_or_404(section, comment_id):
    comment = comments.load_comment(section, comment_id)
    if comment is None:
        abort(404, description="There is no such comment on this section.")
    return comment


def _block(partnership, document, section, message=None):
    """The section's comments block, as the document page includes it."""
    response = render("review/_comments.html", partnership=partnership, document=document,
                      section=section, comment_message=message,
                      review={"comments": comments.comment_context(document, [section.id],
                                                                   current_user)})
    response.headers["Vary"] = "HX-Request"
    return response


def _done(partnership, document, section, message):
    """After a change: the fresh block for htmx, else a 303 back to the section."""
    if is_htmx():
        return _block(partnership, document, section, message)
    flash_in_section(message, section)
    return see_other(_anchor(partnership, document, section))


def _form(partnership, document, section, kind, target_id=None, text="", error=None,
          status=200, quoted=None):
    """A comment, reply or edit form: the partial for htmx, a page otherwise."""
    response = render("review/comment_form.html", "review/_comment_form.html", status=status,
                      partnership=partnership, document=document, section=section,
                      number=_number(document, section), kind=kind, target_id=target_id,
                      form=_with_message(CommentForm(formdata=None, data={"body": text}), "body",
                                         error),
                      text=text, error=error, quoted=quoted)
    if is_htmx() and status >= 400:
        form_id = {"comment": f"comment-form-{section.id}",
                   "reply": f"reply-form-{target_id}",
                   "edit": f"comment-edit-form-{target_id}"}[kind]
        response.headers["HX-Retarget"] = f"#{form_id}"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def _with_message(form, name, message):
    """The form with the service's message on its field (for the field macro and the
    error summary)."""
    form[name].errors = [message] if message else []
    return form


def _refuse(exc):
    abort(403, description=exc.message)


@bp.get(SECTION + "/comments")
def comments_block(slug, document_id, section_id):
    """A section's comments (the block htmx swaps back in, e.g. after cancelling an edit)."""
    partnership, document, section = load_section(slug, document_id, section_id)
    if not is_htmx():
        return see_other(_anchor(partnership, document, section))
    return _block(partnership, document, section)


@bp.get(SECTION + "/comments/new")
def new_comment(slug, document_id, section_id):
    """The form to start a thread: fetched when "Add a comment" is first opened (htmx), or
    followed as a page without JavaScript. The document page does not carry one per section."""
    partnership, document, section = load_section(slug, document_id, section_id, "comment")
    return _form(partnership, document, section, "comment")


@bp.post(SECTION + "/comments")
def add_comment(slug, document_id, section_id):
    """Start a new thread on a section."""
    partnership, document, section = load_section(slug, document_id, section_id, "comment")
    body = CommentForm().body.data or ""
    try:
        comments.add_comment(section, body, current_user)
    except comments.CommentError as exc:
        return _form(partnership, document, section, "comment", text=body,
                     error=exc.message, status=exc.status)
    return _done(partnership, document, section, "Comment added.")


@bp.post(COMMENT + "/replies")
def reply(slug, document_id, section_id, comment_id):
    """Reply to a thread."""
    partnership, document, section = load_section(slug, document_id, section_id, "comment")
    comment = _comment_or_404(section, comment_id)
    body = CommentForm().body.data or ""
    try:
        comments.add_reply(comment, section, body, current_user)
    except comments.CommentError as exc:
        return _form(partnership, document, section, "reply", target_id=comment.id,
                     text=body, error=exc.message, status=exc.status)
    return _done(partnership, document, section, "Reply added.")


@bp.get(COMMENT + "/replies/new")
def new_reply(slug, document_id, section_id, comment_id):
    """The form to reply to a thread, fetched on demand like `new_comment`."""
    partnership, document, section = load_section(slug, document_id, section_id, "comment")
    comment = _comment_or_404(section, comment_id)
    return _form(partnership, document, section, "reply", target_id=comment.id)


@bp.get(COMMENT + "/edit")
def edit_comment(slug, document_id, section_id, comment_id):
    """The form to change one's own comment, in place (htmx) or as a page."""
    partnership, document, section = load_section(slug, document_id, section_id, "comment")
    comment = _comment_or_404(section, comment_id)
    if comment.author_id != current_user.id:
        abort(403, description="You can only edit your own comments.")
    if comment.deleted_at is not None:
        abort(409, description="This comment has been deleted.")
    return _form(partnership, document, section, "edit", target_id=comment.id,
                 text=comment.body)


@bp.post(COMMENT)
def save_comment(slug, document_id, section_id, comment_id):
    """Save a change to one's own comment."""
    partnership, document, section = load_section(slug, document_id, section_id, "comment")
    comment = _comment_or_404(section, comment_id)
    body = CommentForm().body.data or ""
    try:
        changed = comments.edit_comment(comment, section, body, current_user)
    except Forbidden as exc:
        _refuse(exc)
    except comments.CommentError as exc:
        return _form(partnership, document, section, "edit", target_id=comment.id,
                     text=body, error=exc.message, status=exc.status)
    return _done(partnership, document, section,
                 "Comment updated." if changed else "No changes to save.")


@bp.post(COMMENT + "/delete")
def delete_comment(slug, document_id, section_id, comment_id):
    """Delete one's own comment (softly: replies stay, its text goes)."""
    partnership, document, section = load_section(slug, document_id, section_id, "comment")
    comment = _comment_or_404(section, comment_id)
    try:
        comments.delete_comment(comment, section, current_user)
    except Forbidden as exc:
        _refuse(exc)
    except comments.CommentError as exc:
        abort(exc.status, description=exc.message)
    return _done(partnership, document, section, "Comment deleted.")


@bp.post(COMMENT + "/resolve")
def resolve(slug, document_id, section_id, comment_id):
    """Mark a thread resolved (its author, an officer or an admin)."""
    partnership, document, section = load_section(slug, document_id, section_id, "comment")
    comment = _comment_or_404(section, comment_id)
    try:
        changed = comments.resolve_thread(comment, section, current_user)
    except Forbidden as exc:
        _refuse(exc)
    return _done(partnership, document, section,
                 "Thread resolved." if changed else "The thread was already resolved.")


@bp.post(COMMENT + "/reopen")
def reopen(slug, document_id, section_id, comment_id):
    """Open a resolved thread again (its author, an officer or an admin)."""
    partnership, document, section = load_section(slug, document_id, section_id, "comment")
    comment = _comment_or_404(section, comment_id)
    try:
        changed = comments.reopen_thread(comment, section, current_user)
    except Forbidden as exc:
        _refuse(exc)
    return _done(partnership, document, section,
                 "Thread reopened." if changed else "The thread was already open.")


# Feedback sought ----------------------------------------------------------------------------

def _feedback_form(partnership, document, section, status=200, **context):
    """The "feedback sought" form: the partial for htmx, a page otherwise; `feedback_text`
    and `feedback_error` show it again after bad input."""
    text = context.get("feedback_text", section.feedback_sought)
    form = _with_message(FeedbackForm(formdata=None, data={"feedback_sought": text}),
                         "feedback_sought", context.get("feedback_error"))
    return render("review/comment_feedback.html", "review/_comment_feedback_form.html",
                  status=status, partnership=partnership, document=document, section=section,
                  number=_number(document, section), feedback_form=form, **context)


@bp.get(SECTION + "/feedback")
def feedback_form(slug, document_id, section_id):
    """The form for a section's "feedback sought" question, fetched on demand."""
    partnership, document, section = load_section(slug, document_id, section_id, "edit")
    return _feedback_form(partnership, document, section)


@bp.post(SECTION + "/feedback")
def feedback(slug, document_id, section_id):
    """Change the question a section puts to the partners (officers and admins)."""
    partnership, document, section = load_section(slug, document_id, section_id, "edit")
    text = FeedbackForm().feedback_sought.data or ""
    try:
        changed = comments.set_feedback_sought(section, text, current_user)
    except comments.CommentError as exc:
        response = _feedback_form(partnership, document, section, status=exc.status,
                                  feedback_text=text, feedback_error=exc.message)
        if is_htmx():
            response.headers["HX-Retarget"] = f"#feedback-form-{section.id}"
            response.headers["HX-Reswap"] = "outerHTML"
        return response
    message = "Feedback question saved." if changed else "No changes to save."
    if not is_htmx():
        flash_in_section(message, section)
        return see_other(_anchor(partnership, document, section))
    number = _number(document, section)
    return render("documents/_section.html", partnership=partnership, document=document,
                  section=section, number=number, presence={}, message=message,
                  review=section_review_context(document, [(number, section)], current_user))

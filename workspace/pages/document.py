"""The document page: sections with review (comments, positions) beside them, the live feed,
and the routes that answer with a section as the page shows it (after a save or a cancel).

Composed here, above documents and review, so `documents` never imports `review`. The routes
are added to the documents blueprint, so their endpoints stay `documents.show`,
`documents.changes`, `documents.section`, `documents.save` and `documents.cancel`.
"""
from flask import abort, request, url_for
from flask_login import current_user

from ..documents import completeness, editing, feed, numbering, service, structure
from ..documents.forms import AddSectionForm, ButtonForm, SectionForm
from ..documents.presence import leave_section, presence_by_section, presence_tag
from ..documents.views import bp, editor_response, guard_text
from ..numbers import whole_number
from ..permissions import can, load_document, load_section
from ..review import comments
from ..review.context import section_review_context
from ..web import background, database_int, flash_in_section, is_htmx, render, see_other
from .guidance import your_actions


def _section_anchor(partnership, document, section):
    return url_for("documents.show", slug=partnership.slug,
                   document_id=document.id) + f"#section-{section.id}"


def section_partial(partnership, document, section, message=None, saved=False):
    """The section as the document shows it, for htmx to swap back in; after a save, with
    the completeness check (out of band), since the save may have filled a gap."""
    number = numbering.section_number(section)
    gaps = completeness.shown(document, can("edit")) if saved else None
    return render("documents/_saved.html" if saved else "documents/_section.html",
                  partnership=partnership, document=document,
                  section=section, number=number, presence={}, message=message,
                  review=section_review_context(document, [(number, section)], current_user),
                  completeness=gaps)


@bp.get("/")
def show(slug, document_id):
    """A document: contents beside its sections, with live updates."""
    partnership, document = load_document(slug, document_id)
    sections = numbering.number_sections(service.live_sections(document))
    gaps = completeness.shown(document, can("edit"), sections)
    presence = presence_by_section(document, exclude_user=current_user)
    review = section_review_context(document, sections, current_user)
    open_comments = comments.open_comment_total(review["comments"])
    comment_filter = request.args.get("filter") == "open-comments"
    if comment_filter:
        sections = comments.with_open_comments(sections, review["comments"])
    suggested = review.get("suggestions", {}).get("counts", {})
    suggestion_filter = request.args.get("filter") == "suggestions"
    if suggestion_filter:
        sections = [(n, s) for n, s in sections if suggested.get(s.id)]
    return render("documents/show.html", partnership=partnership, document=document,
                  sections=sections, presence=presence, review=review,
                  comment_filter=comment_filter, open_comments=open_comments,
                  suggestion_filter=suggestion_filter,
                  actions=your_actions(partnership, document, review, current_user),
                  open_suggestions=sum(suggested.values()),
                  cursor=feed.cursor(document), presence_tag=presence_tag(presence),
                  removed=structure.removed_sections(document), button_form=ButtonForm(),
                  add_form=AddSectionForm(formdata=None),
                  # Gaps are for those who can fill them (officers and admins), until
                  # the document is agreed.
                  completeness=gaps)


@bp.get("/changes")
@background
def changes(slug, document_id):
    """The live feed: 204 when nothing changed since the client's cursor, else the parts."""
    partnership, document = load_document(slug, document_id)
    since = request.args.get("cursor", 0, type=database_int)
    # Nothing changed (the usual answer, every two seconds per open tab): one statement
    # after the membership check, the latest change id and who is editing.
    latest, tag = feed.poll_state(document.id, current_user.id)
    if latest <= since and tag == request.args.get("presence"):
        return "", 204
    presence = presence_by_section(document, exclude_user=current_user)
    tag = presence_tag(presence)
    found = feed.changes_since(document, since)
    editors = _editing_from_request()
    numbered = numbering.number_sections(service.live_sections(document))
    changed_ids = found.section_ids if found else set()
    return render(
        "documents/_changes.html", partnership=partnership, document=document,
        sections=numbered, presence=presence, presence_tag=tag,
        review=section_review_context(document, numbered, current_user),
        cursor=found.cursor if found else since,
        structure=bool(found and found.structure), editing=editors,
        updated=[(n, s) for n, s in numbered if s.id in changed_ids and s.id not in editors],
        # Warn an open editor only when the text moved past the revision it started from (a
        # new comment on the section changes nothing under the editor).
        stale=[(n, s) for n, s in numbered
               if s.id in changed_ids and s.id in editors and s.version > editors[s.id]],
        removed=structure.removed_sections(document), button_form=ButtonForm(),
        add_form=AddSectionForm(formdata=None),
        # Sections changed: the completeness check may have changed with them (computed from
        # the sections already loaded, no query of its own).
        completeness=completeness.shown(document, can("edit"), numbered) if found
        else None, completeness_changed=found is not None)


def _editing_from_request():
    """{section id: base version} of editors open in the polling browser."""
    editing = {}
    for item in request.args.get("editing", "").split(","):
        sid, _, base = item.partition(":")
        sid, base = whole_number(sid), whole_number(base)
        if sid is not None and base is not None:
            editing[sid] = base
    return editing


@bp.get("/s/<int:section_id>")
def section(slug, document_id, section_id):
    """One section as shown in the document (the partial htmx swaps back in)."""
    partnership, document, section = load_section(slug, document_id, section_id)
    if not is_htmx():
        return see_other(_section_anchor(partnership, document, section))
    return section_partial(partnership, document, section)


@bp.post("/s/<int:section_id>")
def save(slug, document_id, section_id):
    """Save a section from the revision the editor started on; merge or show the conflict."""
    partnership, document, section = load_section(slug, document_id, section_id, "edit")
    guard_text(document)
    form = SectionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        base = editing.parse_base(form.base_version.data, section)
        result = editing.save_section(section, form.body.data, base, current_user,
                                      form.summary.data,
                                      confirm_stale=form.confirm_stale.data)
    except editing.ConfirmStale as confirm:
        # Nothing saved: the editor keeps the user's text and base, and asks to confirm.
        return editor_response(partnership, document, section, form, status=409,
                               confirm=confirm)
    except editing.EditError as exc:
        form.base_version.data = section.version if exc.status == 409 else form.base_version.data
        return editor_response(partnership, document, section, form, status=exc.status,
                               error=exc)
    except editing.Conflict as conflict:
        form.base_version.data = conflict.base_number
        form.body.data = conflict.mine
        return editor_response(partnership, document, section, form, status=409,
                               conflict=conflict)
    if result.merged_with:
        names = ", ".join(u.display_name for u in result.merged_with)
        message = f"Saved. Your changes were merged with changes by {names}."
    elif result.changed:
        message = f"Saved as revision {result.revision.number}."
    else:
        message = "No changes to save."
    if not is_htmx():
        flash_in_section(message, section)
        return see_other(_section_anchor(partnership, document, section))
    return section_partial(partnership, document, section, message, saved=True)


@bp.post("/s/<int:section_id>/cancel")
def cancel(slug, document_id, section_id):
    """Close the editor without saving."""
    partnership, document, section = load_section(slug, document_id, section_id, "edit")
    leave_section(section, current_user)
    if not is_htmx():
        return see_other(_section_anchor(partnership, document, section))
    return section_partial(partnership, document, section)

"""The documents blueprint: section editing, history, structure and activity. Thin views.

The document page itself, its live feed and the routes that answer with a section as the page
shows it (section, save, cancel) are added to this blueprint by `workspace/pages/document.py`,
which shows review beside the text: `documents` does not import `review`.
"""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from ..permissions import can, load_document, load_section, may_change_text
from ..web import background, database_int, render, see_other
from . import editing, limits, markdown, numbering, service
from .forms import AddSectionForm, ButtonForm, ConfirmForm, DirectionForm, SectionForm, TitleForm
from .merge import word_diff
from .presence import editor_presence, leave_section, touch_presence
from .regions import table_regions
from .rendered_diff import conflict_view, rendered_diff
from .structure import (
    add_section_after,
    move_section,
    nest_section,
    remove_section,
    rename_section,
    restore_section,
)

bp = Blueprint("documents", __name__, url_prefix="/p/<slug>/d/<int:document_id>")
#: A frozen version's wide tables in scrolling regions, as pages show them (regions.py).
bp.add_app_template_filter(table_regions, "table_regions")


def _document_or_404(slug, document_id, action="read"):
    return load_document(slug, document_id, action)


def _section_or_404(slug, document_id, section_id, action="read"):
    return load_section(slug, document_id, section_id, action)


def _number(section):
    return numbering.section_number(section)


def _section_anchor(p, d, section):
    return url_for(".show", slug=p.slug, document_id=d.id) + f"#section-{section.id}"


@bp.get("/activity")
def activity(slug, document_id):
    """Everything that happened to the document, newest first."""
    partnership, document = _document_or_404(slug, document_id)
    return render("documents/activity.html", partnership=partnership, document=document,
                  events=service.activity(document))


def editor_response(partnership, document, section, form, status=200, error=None,
                    conflict=None, confirm=None):
    """The section's editor: in place for htmx, else as a page (also after a refused save,
    the EditError's message on its field; with `confirm`, a ConfirmStale, the question whether
    to save although positions go stale)."""
    if error is not None:
        form["summary" if error.field == "summary" else "body"].errors = [error.message]
    return render("documents/edit.html", "documents/_editor.html", status=status,
                  partnership=partnership, document=document, section=section,
                  number=_number(section), form=form, error=error, conflict=conflict,
                  confirm=confirm, editor_presence=editor_presence(section, current_user),
                  changes=_conflict_changes(section, conflict) if conflict else None)


def _conflict_changes(section, conflict):
    """Your change and their change, rendered, each from the revision the editor started on
    (the posted base_version: the form's own field now holds the current revision)."""
    started = request.form.get("base_version", type=database_int)
    base = editing.revision(section, started) if started else None
    return conflict_view(base.body if base else None, started, conflict.current, conflict.mine)


def confirm_page(partnership, document, section, status=409, **question):
    """Asks before a change that would unpick recorded positions (documents/confirm.html):
    heading, message, affected, action, fields (hidden (name, value) pairs), confirm_label,
    back_url."""
    return render("documents/confirm.html", status=status, partnership=partnership,
                  document=document, section=section,
                  answer=editing.impact_digest(question.get("affected") or []), **question)


@bp.get("/s/<int:section_id>/edit")
def edit(slug, document_id, section_id):
    """The section's editor, in place (htmx) or as a page."""
    partnership, document, section = _section_or_404(slug, document_id, section_id, "edit")
    if section.removed_at is not None:
        abort(409, description="This section has been removed. Restore it before editing.")
    try:
        editing.check_unlocked(document)
    except editing.EditError as exc:
        abort(exc.status, description=exc.message)
    if not may_change_text(document):
        # Out for agreement: the same editor, making a suggestion (by endpoint name: documents
        # does not import suggestions).
        return see_other(url_for("suggestions.new", slug=slug, document_id=document_id,
                                 section_id=section_id))
    form = SectionForm(formdata=None, body=section.body, base_version=section.version)
    touch_presence(section, current_user)
    return editor_response(partnership, document, section, form)


@bp.post("/s/<int:section_id>/presence")
@background
def presence(slug, document_id, section_id):
    """Heartbeat from an open editor: keeps "Name is editing" showing to others, and answers
    with who else is editing the section (204 when the editor already shows just that)."""
    partnership, document, section = _section_or_404(slug, document_id, section_id, "edit")
    touch_presence(section, current_user)
    others = editor_presence(section, current_user)
    if others.tag == request.form.get("shown"):
        return "", 204
    return render("documents/_editor_presence.html", partnership=partnership,
                  document=document, section=section, editor_presence=others)


@bp.post("/s/<int:section_id>/presence/leave")
@background
def leave_presence(slug, document_id, section_id):
    """The editor's page was hidden or closed (a beacon): stop showing the user as editing."""
    _, _, section = _section_or_404(slug, document_id, section_id, "edit")
    leave_section(section, current_user)
    return "", 204


@bp.post("/s/<int:section_id>/preview")
def preview(slug, document_id, section_id):
    """The editor's text rendered as it will appear."""
    _section_or_404(slug, document_id, section_id, "edit")
    body = SectionForm().body.data or ""
    try:
        editing.check_body(body)
    except editing.EditError as exc:
        abort(exc.status, description=exc.message)
    return render("documents/_preview.html", html=markdown.render_markdown(body))


@bp.get("/s/<int:section_id>/history")
def history(slug, document_id, section_id):
    """A section's revisions, to compare and restore."""
    partnership, document, section = _section_or_404(slug, document_id, section_id)
    return render("documents/history.html", partnership=partnership, document=document,
                  section=section, number=_number(section),
                  revisions=editing.history(section), button_form=ButtonForm(),
                  **service.history_extras(section, current_user))


@bp.get("/s/<int:section_id>/diff")
def diff(slug, document_id, section_id):
    """Two revisions compared: tracked changes over the rendered text, and the word diff of
    the Markdown source as a secondary view."""
    partnership, document, section = _section_or_404(slug, document_id, section_id)
    low = request.args.get("from", type=database_int)
    high = request.args.get("to", type=database_int) or section.version
    old = editing.revision(section, low) if low else None
    new = editing.revision(section, high)
    if old is None or new is None:
        abort(404, description="There is no such revision of this section.")
    if old.number > new.number:
        old, new = new, old
    return render("documents/diff.html", partnership=partnership, document=document,
                  section=section, number=_number(section), old=old, new=new,
                  difference=rendered_diff(old.body, new.body),
                  source=word_diff(old.body, new.body))


@bp.post("/s/<int:section_id>/revisions/<int:number>/restore")
def restore_revision(slug, document_id, section_id, number):
    """Make an old revision current again (as a new revision)."""
    partnership, document, section = _section_or_404(slug, document_id, section_id, "edit")
    guard_text(document)
    form = ConfirmForm()
    form.validate_on_submit() or abort(400)
    try:
        result = editing.restore_revision(section, number, current_user,
                                          confirm_stale=form.confirm_stale.data)
    except editing.ConfirmStale as confirm:
        return confirm_page(partnership, document, section, 409,
                            heading=f"Restore revision {number}?", message=confirm.message,
                            affected=confirm.affected, action=request.path, fields=[],
                            confirm_label="Restore and ask them to re-confirm",
                            back_url=url_for(".history", slug=slug, document_id=document_id,
                                             section_id=section_id))
    except editing.EditError as exc:
        abort(exc.status, description=exc.message)
    if result is None:
        abort(404, description="There is no such revision of this section.")
    flash(f"Revision {number} restored." if result.changed
          else f"Revision {number} is already the current text.", "success")
    return see_other(url_for(".history", slug=slug, document_id=document_id,
                             section_id=section_id))


# Structure ----------------------------------------------------------------------------------

#: The refusal of a structure change to an officer while the document is out for agreement.
UNDER_AGREEMENT = ("While the document is out for agreement, only a partnership admin can "
                   "add, remove, move, nest or rename its sections.")


#: The refusal of a direct edit to those who suggest instead while out for agreement.
SUGGEST_INSTEAD = ("While the document is out for agreement, its text changes only by accepted "
                   "suggestions. Suggest your change instead: nothing was saved.")


def guard_text(document):
    """403 unless the user may change the text directly now (permissions.may_change_text);
    a frozen document is refused later, by the save itself (409)."""
    if document.is_out_for_agreement and not may_change_text(document):
        abort(403, description=SUGGEST_INSTEAD)


def guard_structure(document):
    """403 unless the structure may change now: under agreement, partnership admins only."""
    if document.is_out_for_agreement and not can("manage"):
        abort(403, description=UNDER_AGREEMENT)

@bp.get("/s/<int:section_id>/structure")
def structure(slug, document_id, section_id):
    """Rename, move, nest, add after or remove a section."""
    partnership, document, section = _section_or_404(slug, document_id, section_id, "edit")
    return _structure_page(partnership, document, section)


def _structure_page(partnership, document, section, status=200, title_form=None,
                    add_form=None):
    return render("documents/structure.html", status=status, partnership=partnership,
                  document=document, section=section, number=_number(section),
                  title_form=title_form or TitleForm(formdata=None, title=section.title),
                  add_form=add_form or AddSectionForm(formdata=None),
                  button_form=ButtonForm(), section_usage=limits.usage(document))


@bp.post("/s/<int:section_id>/rename")
def rename(slug, document_id, section_id):
    """Change a section's title."""
    partnership, document, section = _section_or_404(slug, document_id, section_id, "edit")
    guard_structure(document)
    form = TitleForm()
    form.validate_on_submit() or abort(400)
    try:
        rename_section(section, form.title.data, current_user)
    except editing.EditError as exc:
        if exc.status == 409:
            abort(409, description=exc.message)
        form.title.errors.append(exc.message)
        return _structure_page(partnership, document, section, 422, title_form=form)
    flash("Section renamed.", "success")
    return see_other(_section_anchor(partnership, document, section))


@bp.post("/add-section")
def add_first(slug, document_id):
    """Add a section to a document that has none yet, and open its editor."""
    partnership, document = _document_or_404(slug, document_id, "edit")
    guard_structure(document)
    form = AddSectionForm()
    form.validate_on_submit() or abort(400)
    try:
        # After nothing: at the start, with add-after's checks, audit event and live change.
        new = add_section_after(document, None, form.title.data, current_user)
    except editing.EditError as exc:
        if exc.status == 409:
            abort(409, description=exc.message)
        form.title.errors.append(exc.message)
        return render("documents/add_section.html", status=422, partnership=partnership,
                      document=document, add_form=form)
    flash(f"Section \u201c{new.title}\u201d added.", "success")
    return see_other(url_for(".edit", slug=slug, document_id=document_id, section_id=new.id))


@bp.post("/s/<int:section_id>/add-after")
def add_after(slug, document_id, section_id):
    """Insert a new section after this one and open its editor."""
    partnership, document, section = _section_or_404(slug, document_id, section_id, "edit")
    guard_structure(document)
    form = AddSectionForm()
    form.validate_on_submit() or abort(400)
    try:
        new = add_section_after(document, section, form.title.data, current_user)
    except editing.EditError as exc:
        if exc.status == 409:
            abort(409, description=exc.message)
        form.title.errors.append(exc.message)
        return _structure_page(partnership, document, section, 422, add_form=form)
    flash(f"Section \u201c{new.title}\u201d added.", "success")
    return see_other(url_for(".edit", slug=slug, document_id=document_id, section_id=new.id))


@bp.post("/s/<int:section_id>/move")
def move(slug, document_id, section_id):
    """Move a section up or down one place."""
    _, document, section = _section_or_404(slug, document_id, section_id, "edit")
    guard_structure(document)
    form = DirectionForm()
    form.validate_on_submit() or abort(400)
    direction = {"up": -1, "down": 1}.get(form.direction.data)
    if direction is None:
        abort(422, description="Choose up or down.")
    move_section(section, direction, current_user)
    return see_other(url_for(".structure", slug=slug, document_id=document_id,
                             section_id=section_id))


@bp.post("/s/<int:section_id>/nest")
def nest(slug, document_id, section_id):
    """Make a section a sub-section of the one above, or lift it a level."""
    _, document, section = _section_or_404(slug, document_id, section_id, "edit")
    guard_structure(document)
    form = DirectionForm()
    form.validate_on_submit() or abort(400)
    delta = {"in": 1, "out": -1}.get(form.direction.data)
    if delta is None:
        abort(422, description="Choose in or out.")
    nest_section(section, delta, current_user)
    return see_other(url_for(".structure", slug=slug, document_id=document_id,
                             section_id=section_id))


@bp.post("/s/<int:section_id>/remove")
def remove(slug, document_id, section_id):
    """Remove a section (it can be restored from the removed sections list)."""
    partnership, document, section = _section_or_404(slug, document_id, section_id, "edit")
    guard_structure(document)
    form = ConfirmForm()
    form.validate_on_submit() or abort(400)
    affected = editing.change_impact(section)
    if not editing.confirms(affected, form.confirm_stale.data) and section.removed_at is None:
        names = ", ".join(f"{name} ({stance})" for name, stance in affected)
        return confirm_page(
            partnership, document, section, 409, heading=f"Remove \u201c{section.title}\u201d?",
            message=f"This removes the positions of {names} on this section from the "
                    "agreement: they will no longer count.",
            affected=affected, action=request.path, fields=[],
            confirm_label="Remove the section and its positions",
            back_url=url_for(".structure", slug=slug, document_id=document_id,
                             section_id=section_id))
    remove_section(section, current_user)
    flash(f"Section \u201c{section.title}\u201d removed. You can restore it from "
          "\u201cRemoved sections\u201d.", "success")
    return see_other(url_for(".show", slug=slug, document_id=document_id) + "#removed")


@bp.post("/s/<int:section_id>/restore")
def restore(slug, document_id, section_id):
    """Bring a removed section back."""
    partnership, document, section = _section_or_404(slug, document_id, section_id, "edit")
    guard_structure(document)
    ButtonForm().validate_on_submit() or abort(400)
    restore_section(section, current_user)
    flash(f"Section \u201c{section.title}\u201d restored.", "success")
    return see_other(_section_anchor(partnership, document, section))

"""Review routes: positions, strategic matters, signatory scope and the agreement page.

Thin: the rules are in positions.py. Every route loads its document or section through
permissions.load_document/load_section (404 for outsiders, 403 for the wrong role).
"""
from flask import abort, flash, g, make_response, render_template, request, url_for
from flask_login import current_user

from ..accounts.models import Organisation
from ..documents.editing import confirms, impact_digest
from ..extensions import db
from ..partnerships import matters as partnership_lists
from ..permissions import can, load_document, load_section
from ..web import database_int, flash_in_section, is_htmx, render, see_other
from . import impact, scope
from . import positions as service
from .context import section_review_context
from .forms import StrategicMatterForm
from .forms_positions import PositionForm, scope_form, scope_rows_from_form
from .models import ROUTES, STANCES
from .scope import NAMED_AFTER_SECTION
from .views import bp

DOC = "/p/<slug>/d/<int:document_id>"
SECTION = DOC + "/s/<int:section_id>"


def _section_anchor(partnership, document, section):
    return url_for("documents.show", slug=partnership.slug,
                   document_id=document.id) + f"#section-{section.id}"


def _review(document, section):
    """The review context the section partials read, for one section."""
    return section_review_context(document, [("", section)], current_user)


def _block(partnership, document, section, status=200, form=None, message=None):
    """The section's positions block alone (what htmx swaps)."""
    response = make_response(render_template(
        "review/_positions.html", partnership=partnership, document=document, section=section,
        review=_review(document, section), position_form=form, positions_message=message,
        stances=STANCES, routes=ROUTES), status)
    response.headers["Vary"] = "HX-Request"
    return response


def _form_page(partnership, document, section, form, status, current=None):
    """The position form as a page of its own, with the section's text: opened without
    JavaScript, or the answer to a plain form post that failed."""
    number = service.matter_numbers(document).get(section.id, "")
    return render("review/position_form.html", status=status, partnership=partnership,
                  document=document, section=section, number=number,
                  review=_review(document, section), position_form=form, stances=STANCES,
                  routes=ROUTES, current=_current(section, current))


def _current(section, position):
    """What the form says of the authority's position it changes: (position, on this text?),
    or None when it has given none."""
    return (position, service.is_current(position, section)) if position else None


#: Said above a section redrawn because its text changed while the reader had it on screen.
TEXT_CHANGED = ("The text of this section has changed since you opened the page: this is the "
                "current text.")


def _whole_section(partnership, document, section, status=200, form=None, message=None):
    """For htmx: the whole section with its current text, in place of the element the
    request targeted. 409 with the Member's form kept, ready to re-read; or 200 with
    `message` in the positions block, when an answer that would redraw the block alone
    finds the text on screen older than the latest (a position form must never sit under
    text other than the one it binds to)."""
    number = service.matter_numbers(document).get(section.id, "")
    response = make_response(render_template(
        "documents/_section.html", partnership=partnership, document=document, section=section,
        number=number, presence={}, message=TEXT_CHANGED if status == 200 else None,
        review=_review(document, section), position_form=form, positions_message=message,
        stances=STANCES, routes=ROUTES), status)
    response.headers.update({"Vary": "HX-Request", "HX-Retarget": f"#section-{section.id}",
                             "HX-Reswap": "outerHTML"})
    return response


def _lists(partnership):
    """The partnership's matters (all, by id) and bodies, loaded once per request: the
    document page asks for every section."""
    cache = g.setdefault("_partnership_lists", {})
    if partnership.id not in cache:
        every = partnership_lists.matters(partnership, include_retired=True)
        cache[partnership.id] = {
            "matters": every, "by_id": {m.id: m for m in every},
            "bodies": [b.label for b in partnership_lists.bodies(partnership)]}
    return cache[partnership.id]


@bp.app_template_global()
def section_matter(partnership, section):
    """The strategic matter a section is about (None when it is about none)."""
    return _lists(partnership)["by_id"].get(section.matter_id) if section.matter_id else None


@bp.app_template_global()
def section_matter_choices(partnership, section):
    """(choices, selected) for the section's strategic-matter select: the matters not
    retired (and the section's own, retired or not, while it is marked), and the value
    chosen at first: its matter when marked; else the matter of its title, the one it was
    about before, or "new" (a new matter named after the section)."""
    lists = _lists(partnership)
    current = lists["by_id"].get(section.matter_id) if section.matter_id else None
    choices = [m for m in lists["matters"] if m.retired_at is None or
               (section.strategic_matter and m is current)]
    if section.strategic_matter and current is not None:
        return choices, str(current.id)
    title = (section.title or "").strip().casefold()
    named = next((m for m in choices if m.title.strip().casefold() == title), None)
    if named is None and current is not None and current.retired_at is None:
        named = current
    return choices, str(named.id) if named else NAMED_AFTER_SECTION


bp.add_app_template_global(scope.matter_refusal, "matter_refusal")


@bp.app_template_global()
def decision_bodies(partnership):
    """The labels of the partnership's bodies, offered for a position's "body that decided"."""
    return _lists(partnership)["bodies"]


def _chosen_matter(partnership, value):
    """The matter posted with the strategic-matter form: None (the section's own), "new",
    or one of the partnership's matters; 422 for anything else (another partnership's)."""
    value = (value or "").strip()
    if not value:
        return None
    if value == NAMED_AFTER_SECTION:
        return NAMED_AFTER_SECTION
    found = partnership_lists.matter(partnership, value)
    if found is None:
        abort(422, description="Choose one of this partnership's strategic matters.")
    return found


def _version_of(section, value):
    """The version of the section's text a request says the reader has on screen: one the
    section has had, else 0 (not known: recording then asks them to read it again)."""
    try:
        number = database_int(value)
    except (TypeError, ValueError):
        return 0
    return number if 1 <= number <= section.version else 0


@bp.get(SECTION + "/positions/new")
def position_form(slug, document_id, section_id):
    """The position form: fetched when "Record …'s position" is first opened (htmx), or
    followed as a page without JavaScript; the document page does not carry one per matter.
    Fetched, it records the version of the text the reader has on screen (`seen`, which the
    page's link carries; without a valid one, none, so recording asks them to re-read), so a
    position is never bound to text that changed after they read it. As a page it shows the
    text and records the version shown."""
    partnership, document, section = load_section(slug, document_id, section_id, "position")
    try:
        service.check_may_record(section, current_user, lock=False)
    except service.PositionError as exc:
        abort(exc.status, description=exc.message)
    current = service.latest_position(section, current_user.organisation_id)
    form = PositionForm.blank(section, current)
    if is_htmx():
        form.seen_version.data = str(_version_of(section, request.args.get("seen")))
        response = make_response(render_template(
            "review/_position_form.html", partnership=partnership, document=document,
            section=section, f=form, p=f"p{section.id}-",
            org=current_user.organisation.name, current=_current(section, current)))
    else:
        response = _form_page(partnership, document, section, form, 200, current)
    response.headers["Vary"] = "HX-Request"
    return response


@bp.post(SECTION + "/positions")
def record_position(slug, document_id, section_id):
    """Record the signed-in Member's authority's position on a strategic matter."""
    partnership, document, section = load_section(slug, document_id, section_id, "position")
    form = PositionForm.posted(section)
    valid = form.validate()
    values = form.values()
    try:
        # A refusal or a changed section comes before messages about what was typed.
        service.check_may_record(section, current_user, values["seen_version"])
        if not valid:
            return _invalid(partnership, document, section, form)
        position = service.record_position(section, current_user, **values)
    except service.PositionError as exc:
        if exc.status in (403, 409):
            return _refused(partnership, document, section, form, exc)
        if exc.field is None:
            abort(exc.status, description=exc.message)
        form.add_error(exc.field, exc.message)
        return _invalid(partnership, document, section, form)
    message = (f"{current_user.organisation.name}'s position recorded: "
               f"{position.stance_label}, on \u201c{section.title}\u201d as it reads in version "
               f"{document.version_number} of the document.")
    if not is_htmx():
        flash_in_section(message, section)
        return see_other(_section_anchor(partnership, document, section))
    return _block(partnership, document, section, message=message)


def _invalid(partnership, document, section, form):
    """422: the form again with its messages and everything the Member typed."""
    db.session.rollback()
    if is_htmx():
        return _block(partnership, document, section, 422, form)
    return _form_page(partnership, document, section, form, 422)


def _refused(partnership, document, section, form, exc):
    """403 (not in scope) as a clear refusal; 409 (the section changed) with the new text."""
    db.session.rollback()
    if exc.status == 403:
        abort(403, description=exc.message)
    if section.removed_at is not None or not document.is_editable:
        abort(409, description=exc.message)
    db.session.refresh(section)
    form.problem = exc.message
    try:
        read = int(form.seen_version.data)
    except (TypeError, ValueError):
        read = None
    form.read_version = read if read and 1 <= read < section.version else None
    form.seen_version.data = str(section.version)
    if is_htmx():
        return _whole_section(partnership, document, section, 409, form)
    return _form_page(partnership, document, section, form, 409)


@bp.get(SECTION + "/positions/<int:organisation_id>")
def position_history(slug, document_id, section_id, organisation_id):
    """Every position an authority has recorded on a section, newest first."""
    partnership, document, section = load_section(slug, document_id, section_id)
    organisation = db.session.get(Organisation, organisation_id)
    positions = service.position_history(section, organisation_id) if organisation else []
    partners = {o.id for o in partnership.organisations}
    if organisation is None or (organisation_id not in partners and not positions):
        abort(404)
    signatory = service.signatory_for(document, organisation_id)
    in_scope = signatory is not None and service.in_scope(signatory, section)
    current = (positions[0] if positions and service.is_current(positions[0], section)
               else None)
    return render("review/position_history.html", partnership=partnership, document=document,
                  section=section, number=service.matter_numbers(document).get(section.id, ""),
                  organisation=organisation, positions=positions, current=current,
                  in_scope=in_scope, tags=service.STATE_TAGS)


def _unmark_question(partnership, document, section, affected, status=200):
    """Asks before a strategic matter with current positions stops being one (issue 14)."""
    names = ", ".join(f"{name} ({stance})" for name, stance in affected)
    return render("documents/confirm.html", status=status, partnership=partnership,
                  document=document, section=section,
                  heading=f"\u201c{section.title}\u201d no longer a strategic matter?",
                  message=f"This removes the positions of {names} on this section from the "
                          "agreement: they will no longer count.",
                  affected=affected, answer=impact_digest(affected), action=request.path,
                  fields=[("strategic_matter", "0")],
                  confirm_label="Remove it from the strategic matters",
                  back_url=_section_anchor(partnership, document, section))


@bp.get(SECTION + "/strategic-matter")
def strategic_matter_question(slug, document_id, section_id):
    """The question before un-marking a strategic matter that has current positions."""
    partnership, document, section = load_section(slug, document_id, section_id, "edit")
    if document.is_out_for_agreement and not can("manage"):
        abort(403, description="While the document is out for agreement, only a partnership "
                               "admin can change which sections are strategic matters.")
    affected = impact.affected_positions(section) if section.strategic_matter else []
    if not affected:
        return see_other(_section_anchor(partnership, document, section))
    return _unmark_question(partnership, document, section, affected)


@bp.post(SECTION + "/strategic-matter")
def strategic_matter(slug, document_id, section_id):
    """Mark a section as a strategic matter, or no longer one (officers and admins)."""
    partnership, document, section = load_section(slug, document_id, section_id, "edit")
    form = StrategicMatterForm()
    if not form.validate():
        abort(422, description="Choose whether the section is a strategic matter.")
    if document.is_out_for_agreement and not can("manage"):
        abort(403, description="While the document is out for agreement, only a partnership "
                               "admin can change which sections are strategic matters.")
    unmarking = section.strategic_matter and form.strategic_matter.data != "1"
    affected = impact.affected_positions(section) if unmarking else []
    if not confirms(affected, form.confirm_stale.data):
        if is_htmx():       # the question is a page of its own: htmx goes there
            response = make_response("", 200)
            response.headers["HX-Redirect"] = request.path
            return response
        return _unmark_question(partnership, document, section, affected, 409)
    marking = form.strategic_matter.data == "1"
    matter = _chosen_matter(partnership, form.matter.data) if marking else None
    was_marked = section.strategic_matter
    try:
        changed = service.set_strategic_matter(section, marking, current_user, matter=matter)
    except service.PositionError as exc:
        abort(exc.status, description=exc.message)
    if not changed:
        message = "Nothing changed."
    elif section.strategic_matter and was_marked:
        message = (f"\u201c{section.title}\u201d is now about strategic matter "
                   f"{section.matter.label}.")
    elif section.strategic_matter:
        message = (f"\u201c{section.title}\u201d is now a strategic matter "
                   f"({section.matter.label}).")
    else:
        message = f"\u201c{section.title}\u201d is no longer a strategic matter."
    if not is_htmx():
        flash_in_section(message, section)
        return see_other(_section_anchor(partnership, document, section))
    # The block alone is redrawn under the text on screen, unless that text is no longer the
    # latest (the switch's form says which version it was; not known counts as older): then
    # the whole section, so the Member's form opened from it binds to the text they see.
    if _version_of(section, request.form.get("shown_version")) != section.version:
        return _whole_section(partnership, document, section, message=message)
    return _block(partnership, document, section, message=message)


@bp.route(DOC + "/signatories", methods=["GET", "POST"])
def signatories(slug, document_id):
    """Which partners sign the document, and for which strategic matters (the admin)."""
    partnership, document = load_document(slug, document_id, "manage")
    matters = service.strategic_matters(document)
    numbers = service.matter_numbers(document)
    status = 200
    if request.method == "POST":
        posted = scope_form(partnership, service.SCOPES, matters, numbers)
        rows = scope_rows_from_form(partnership, posted)
        affected = []
        if service.check_scope(rows, matters):
            affected = impact.scope_impact(document, rows)
        if not confirms(affected, posted.confirm_stale.data):
            # Nothing saved: the page asks, keeping the choices (issue 14).
            return render("review/signatories.html", status=409, partnership=partnership,
                          document=document, rows=rows, matters=matters, affected=affected,
                          form=scope_form(partnership, service.SCOPES, matters, numbers,
                                          rows),
                          answer=impact_digest(affected), is_open=document.is_editable)
        try:
            changed = service.update_signatories(document, partnership, rows, current_user)
        except service.PositionError as exc:
            if exc.status != 422:
                abort(exc.status, description=exc.message)
            db.session.rollback()
            status = 422
        else:
            flash("Signatories saved: " + ", ".join(changed) + "." if changed
                  else "No changes to the signatories.", "success")
            return see_other(url_for(".agreement", slug=slug, document_id=document_id))
    else:
        rows = service.signatory_scope(document, partnership)
    return render("review/signatories.html", status=status, partnership=partnership,
                  document=document, rows=rows, matters=matters,
                  form=scope_form(partnership, service.SCOPES, matters, numbers, rows),
                  is_open=document.is_editable)


@bp.get(DOC + "/agreement")
def agreement(slug, document_id):
    """Strategic matters x signatories, totals, the outstanding filter, the record."""
    partnership, document = load_document(slug, document_id)
    grid = service.agreement_grid(document)
    outstanding_only = request.args.get("show") == "outstanding"
    rows = grid.outstanding_matters() if outstanding_only else grid.matters
    totals = grid.totals()
    return render("review/agreement.html", partnership=partnership, document=document,
                  grid=grid, rows=rows, totals=totals, labels=service.STATE_LABELS,
                  tags=service.STATE_TAGS, outstanding_only=outstanding_only,
                  outstanding=totals["stale"] + totals["missing"],
                  numbers=service.matter_numbers(document),
                  record=service.record_of_agreement(document, grid))

"""Engagement pages: stakeholder register (edited row by row), objectives, pictures,
activities, CSV.

Thin: rules are in service, geometry in charts.
"""
from flask import Blueprint, Response, abort, flash, request, url_for
from flask_login import current_user

from ..permissions import load_partnership
from ..web import is_htmx, render, see_other
from . import activities, blocks, csv_io, objectives, stakeholders, validation
from .forms import (
    ActivityForm,
    ButtonForm,
    ImportForm,
    ObjectiveForm,
    activity_form,
    filter_form,
    objective_form,
    stakeholder_form,
    with_errors,
)

bp = Blueprint("engagement", __name__, url_prefix="/p/<slug>/engagement")

#: Tells the map and the ladder to refresh after a row changes.
CHANGED = {"HX-Trigger": "stakeholders-changed"}


def _filters():
    """The register's filters, from the query string of the GET page."""
    args = request.args
    return {"sort": args.get("sort", "name") if args.get("sort") in stakeholders.SORTS else "name",
            "descending": args.get("dir") == "desc",
            "category": args.get("category") or None, "priority": args.get("priority") or None,
            "stage": args.get("stage") or None, "text": (args.get("q") or "").strip() or None}


def _page(partnership, status=200, add_form=None, import_form=None, import_error=None,
          add_objective_form=None):
    filters = _filters()
    context = blocks.context(partnership, filters)
    live_objectives = objectives.objectives(partnership)
    return render("engagement/index.html", "engagement/_register.html", status=status,
                  partnership=partnership, filters=filters, filter_form=filter_form(filters),
                  add_form=add_form or stakeholder_form(live_objectives),
                  import_form=import_form or ImportForm(formdata=None),
                  import_error=import_error, objectives=live_objectives,
                  add_objective_form=add_objective_form or objective_form(),
                  objective_use=objectives.objective_use(context["all_stakeholders"]),
                  button_form=ButtonForm(), **context)


def _csrf():
    ButtonForm().validate_on_submit() or abort(400)


@bp.get("/")
def index(slug):
    """The register (sortable, filterable), the map, the ladder, activities and timeline."""
    return _page(load_partnership(slug))


@bp.get("/map")
def map_block(slug):
    """The influence map and the ladder, re-fetched after a row changes."""
    partnership = load_partnership(slug)
    return render("engagement/_pictures.html", partnership=partnership,
                  **blocks.context(partnership))


@bp.post("/stakeholders")
def add(slug):
    """Add a stakeholder."""
    partnership = load_partnership(slug, "edit")
    form = stakeholder_form(objectives.objectives(partnership), posted=True)
    form.validate_on_submit() or abort(400)    # the values are checked by the service
    try:
        row = stakeholders.add_stakeholder(partnership, form.values(), current_user)
    except validation.Invalid as exc:
        return _page(partnership, 422, add_form=with_errors(form, exc.errors))
    flash(f"\u201c{row.name}\u201d added to the register.", "success")
    return see_other(url_for(".index", slug=slug) + f"#stakeholder-{row.id}")


def _stakeholder(partnership, stakeholder_id):
    row = stakeholders.get_stakeholder(partnership, stakeholder_id)
    if row is None:
        abort(404)
    return row


def _row(partnership, row, status=200, headers=None):
    response = render("engagement/_row.html", status=status, partnership=partnership, s=row,
                      button_form=ButtonForm())
    response.headers.update(headers or {})
    return response


def _row_form(partnership, row, form, status=200):
    return render("engagement/edit_stakeholder.html", "engagement/_row_form.html",
                  status=status, partnership=partnership, s=row, form=form)


@bp.get("/stakeholders/<int:stakeholder_id>")
def row(slug, stakeholder_id):
    """One row of the register (htmx puts it back after Cancel)."""
    partnership = load_partnership(slug)
    found = _stakeholder(partnership, stakeholder_id)
    if not is_htmx():
        return see_other(url_for(".index", slug=slug) + f"#stakeholder-{found.id}")
    return _row(partnership, found)


@bp.get("/stakeholders/<int:stakeholder_id>/edit")
def edit(slug, stakeholder_id):
    """The row's editor, in place (htmx) or as a page."""
    partnership = load_partnership(slug, "edit")
    found = _stakeholder(partnership, stakeholder_id)
    return _row_form(partnership, found,
                     stakeholder_form(objectives.objectives(partnership), found))


@bp.post("/stakeholders/<int:stakeholder_id>")
def save(slug, stakeholder_id):
    """Save a row; 422 with the row's form and messages when a value breaks a rule."""
    partnership = load_partnership(slug, "edit")
    found = _stakeholder(partnership, stakeholder_id)
    form = stakeholder_form(objectives.objectives(partnership), posted=True)
    form.validate_on_submit() or abort(400)    # the values are checked by the service
    try:
        stakeholders.update_stakeholder(partnership, found, form.values(), current_user)
    except validation.Invalid as exc:
        return _row_form(partnership, found, with_errors(form, exc.errors), 422)
    if not is_htmx():
        flash(f"\u201c{found.name}\u201d saved.", "success")
        return see_other(url_for(".index", slug=slug) + f"#stakeholder-{found.id}")
    return _row(partnership, found, headers=CHANGED)


@bp.post("/stakeholders/<int:stakeholder_id>/remove")
def remove(slug, stakeholder_id):
    """Take a stakeholder off the register."""
    partnership = load_partnership(slug, "edit")
    found = _stakeholder(partnership, stakeholder_id)
    _csrf()
    stakeholders.remove_stakeholder(partnership, found, current_user)
    if is_htmx():
        return "", 200, CHANGED
    flash(f"\u201c{found.name}\u201d removed from the register.", "success")
    return see_other(url_for(".index", slug=slug))


@bp.get("/stakeholders.csv")
def export(slug):
    """The register as CSV."""
    partnership = load_partnership(slug)
    return Response(csv_io.export_csv(partnership), mimetype="text/csv", headers={
        "Content-Disposition":
            f'attachment; filename="{partnership.slug}-stakeholders.csv"'})


@bp.post("/stakeholders/import")
def import_csv(slug):
    """Import a CSV: every row checked first; nothing saved if any row is bad."""
    partnership = load_partnership(slug, "edit")
    form = ImportForm()
    form.validate_on_submit() or abort(400)
    upload = form.file.data
    if upload is None or not upload.filename:
        return _page(partnership, 422, import_error=csv_io.CsvRefused("Choose a CSV file."))
    try:
        raw = upload.stream.read(csv_io.MAX_CSV_BYTES + 1)
    finally:
        upload.close()
    try:
        result = csv_io.import_csv(partnership, raw, current_user)
    except csv_io.CsvRefused as exc:
        return _page(partnership, exc.status, import_error=exc)
    flash(f"Imported: {result.added} added, {result.updated} updated.", "success")
    return see_other(url_for(".index", slug=slug))


# Objectives ---------------------------------------------------------------------------------

@bp.post("/objectives")
def add_objective(slug):
    """Add an objective to the partnership's list."""
    partnership = load_partnership(slug, "edit")
    form = ObjectiveForm()
    form.validate_on_submit() or abort(400)
    try:
        row = objectives.add_objective(partnership, form.values(), current_user)
    except validation.Invalid as exc:
        return _page(partnership, 422, add_objective_form=with_errors(form, exc.errors))
    flash(f"Objective \u201c{row.name}\u201d added.", "success")
    return see_other(url_for(".index", slug=slug) + f"#objective-{row.id}")


def _objective(partnership, objective_id):
    row = objectives.get_objective(partnership, objective_id)
    if row is None:
        abort(404)
    return row


def _objective_page(partnership, row, form, status=200):
    return render("engagement/objective.html", status=status, partnership=partnership,
                  objective=row, form=form)


@bp.get("/objectives/<int:objective_id>/edit")
def edit_objective(slug, objective_id):
    """Form to rename or describe an objective."""
    partnership = load_partnership(slug, "edit")
    row = _objective(partnership, objective_id)
    return _objective_page(partnership, row, objective_form(row))


@bp.post("/objectives/<int:objective_id>")
def save_objective(slug, objective_id):
    """Save an objective's name and description; 422 with the text kept when refused."""
    partnership = load_partnership(slug, "edit")
    row = _objective(partnership, objective_id)
    form = ObjectiveForm()
    form.validate_on_submit() or abort(400)
    try:
        objectives.update_objective(partnership, row, form.values(), current_user)
    except validation.Invalid as exc:
        return _objective_page(partnership, row, with_errors(form, exc.errors), 422)
    flash(f"Objective \u201c{row.name}\u201d saved.", "success")
    return see_other(url_for(".index", slug=slug) + f"#objective-{row.id}")


@bp.post("/objectives/<int:objective_id>/remove")
def remove_objective(slug, objective_id):
    """Take an objective off the list (stakeholders no longer show it)."""
    partnership = load_partnership(slug, "edit")
    row = _objective(partnership, objective_id)
    _csrf()
    objectives.remove_objective(partnership, row, current_user)
    flash(f"Objective \u201c{row.name}\u201d removed.", "success")
    target = url_for(".index", slug=slug) + "#objectives"
    if is_htmx():                          # asked to confirm first (hx-confirm): load the page
        return "", 200, {"HX-Redirect": target}
    return see_other(target)


# Activities ---------------------------------------------------------------------------------

def _activity_page(partnership, form, row=None, status=200):
    return render("engagement/activity.html", status=status, partnership=partnership,
                  form=form, activity=row)


@bp.get("/activities/new")
def new_activity(slug):
    """Form for a new engagement activity."""
    return _activity_page(load_partnership(slug, "edit"), activity_form())


@bp.post("/activities")
def add_activity(slug):
    """Add an engagement activity."""
    partnership = load_partnership(slug, "edit")
    form = ActivityForm()
    form.validate_on_submit() or abort(400)    # values are checked by the service: 422
    try:
        activities.add_activity(partnership, form.values(), current_user)
    except validation.Invalid as exc:
        return _activity_page(partnership, with_errors(form, exc.errors), status=422)
    flash("Activity added.", "success")
    return see_other(url_for(".index", slug=slug) + "#activities")


def _activity(partnership, activity_id):
    row = activities.get_activity(partnership, activity_id)
    if row is None:
        abort(404)
    return row


@bp.get("/activities/<int:activity_id>/edit")
def edit_activity(slug, activity_id):
    """Form to change an engagement activity."""
    partnership = load_partnership(slug, "edit")
    row = _activity(partnership, activity_id)
    return _activity_page(partnership, activity_form(row), row)


@bp.post("/activities/<int:activity_id>")
def save_activity(slug, activity_id):
    """Save an engagement activity."""
    partnership = load_partnership(slug, "edit")
    row = _activity(partnership, activity_id)
    form = ActivityForm()
    form.validate_on_submit() or abort(400)    # values are checked by the service: 422
    try:
        activities.update_activity(partnership, row, form.values(), current_user)
    except validation.Invalid as exc:
        return _activity_page(partnership, with_errors(form, exc.errors), row, 422)
    flash("Activity saved.", "success")
    return see_other(url_for(".index", slug=slug) + "#activities")


@bp.post("/activities/<int:activity_id>/remove")
def remove_activity(slug, activity_id):
    """Take an activity off the plan."""
    partnership = load_partnership(slug, "edit")
    row = _activity(partnership, activity_id)
    _csrf()
    activities.remove_activity(partnership, row, current_user)
    flash(f"\u201c{row.audience}\u201d removed.", "success")
    return see_other(url_for(".index", slug=slug) + "#activities")

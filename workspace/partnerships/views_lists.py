"""The partnership's lists: its strategic matters and its bodies.

Everyone in the partnership reads them; its admins add, change, retire and restore. Thin: the
rules are in matters.py, whose PartnershipError names the field its message belongs to.
"""
from flask import abort, flash, url_for
from flask_login import current_user

from ..permissions import load_partnership
from ..web import render, see_other
from . import matters as lists
from .forms import BodyForm, EmptyForm, MatterForm
from .service import PartnershipError
from .views import bp


def _csrf():
    """Buttons that post carry only the CSRF token."""
    if not EmptyForm().validate_on_submit():
        abort(400)


def _refused(form, exc, default):
    form[exc.field if exc.field in form else default].errors.append(exc.message)
    return form


# Strategic matters ----------------------------------------------------------------------------

def _matters_page(partnership, status=200, form=None):
    every = lists.matters(partnership, include_retired=True)
    return render("partnerships/matters.html", status=status, partnership=partnership,
                  current=[m for m in every if m.retired_at is None],
                  retired=[m for m in every if m.retired_at is not None],
                  linked=lists.linked_sections(partnership),
                  form=form or MatterForm(formdata=None),
                  next_reference=lists.next_reference(partnership),
                  button_form=EmptyForm(formdata=None))


def _matter_or_404(partnership, matter_id):
    row = lists.matter(partnership, matter_id)
    if row is None:
        abort(404)
    return row


@bp.get("/p/<slug>/matters")
def matters(slug):
    """The partnership's strategic matters and the sections of its documents about each."""
    return _matters_page(load_partnership(slug))


@bp.post("/p/<slug>/matters")
def add_matter(slug):
    """Add a strategic matter (partnership admins)."""
    partnership = load_partnership(slug, "manage")
    form = MatterForm()
    form.validate_on_submit() or abort(400)
    try:
        row = lists.add_matter(partnership, form.title.data, current_user,
                               description=form.description.data,
                               reference=(form.reference.data or "").strip() or None)
    except PartnershipError as exc:
        return _matters_page(partnership, 422, _refused(form, exc, "title"))
    flash(f"Strategic matter {row.label} added.", "success")
    return see_other(url_for(".matters", slug=slug) + f"#matter-{row.id}")


def _matter_form_page(partnership, row, form, status=200):
    return render("partnerships/matter.html", status=status, partnership=partnership,
                  matter=row, form=form)


@bp.get("/p/<slug>/matters/<int:matter_id>/edit")
def edit_matter(slug, matter_id):
    """Form to change a strategic matter's reference, title and description."""
    partnership = load_partnership(slug, "manage")
    row = _matter_or_404(partnership, matter_id)
    return _matter_form_page(partnership, row, MatterForm(formdata=None, obj=row))


@bp.post("/p/<slug>/matters/<int:matter_id>")
def save_matter(slug, matter_id):
    """Save a strategic matter; 422 with the text kept when refused."""
    partnership = load_partnership(slug, "manage")
    row = _matter_or_404(partnership, matter_id)
    form = MatterForm()
    form.validate_on_submit() or abort(400)
    try:
        lists.update_matter(row, current_user, form.title.data, form.reference.data,
                            form.description.data)
    except PartnershipError as exc:
        return _matter_form_page(partnership, row, _refused(form, exc, "title"), 422)
    flash(f"Strategic matter {row.label} saved.", "success")
    return see_other(url_for(".matters", slug=slug) + f"#matter-{row.id}")


@bp.post("/p/<slug>/matters/<int:matter_id>/retire")
def retire_matter(slug, matter_id):
    """Retire a strategic matter: no longer offered; what links to it keeps the link."""
    return _set_matter_retired(slug, matter_id, True)


@bp.post("/p/<slug>/matters/<int:matter_id>/restore")
def restore_matter(slug, matter_id):
    """Offer a retired strategic matter again."""
    return _set_matter_retired(slug, matter_id, False)


def _set_matter_retired(slug, matter_id, retired):
    partnership = load_partnership(slug, "manage")
    row = _matter_or_404(partnership, matter_id)
    _csrf()
    if (row.retired_at is not None) != retired:
        lists.set_matter_retired(row, retired, current_user)
        flash(f"Strategic matter {row.label} "
              f"{'retired: it is no longer offered' if retired else 'restored'}.", "success")
    return see_other(url_for(".matters", slug=slug) + f"#matter-{row.id}")


# Bodies ---------------------------------------------------------------------------------------

def _bodies_page(partnership, status=200, form=None):
    every = lists.bodies(partnership, include_retired=True)
    return render("partnerships/bodies.html", status=status, partnership=partnership,
                  current=[b for b in every if b.retired_at is None],
                  retired=[b for b in every if b.retired_at is not None],
                  form=form or BodyForm(formdata=None), button_form=EmptyForm(formdata=None))


def _body_or_404(partnership, body_id):
    row = lists.body(partnership, body_id)
    if row is None:
        abort(404)
    return row


@bp.get("/p/<slug>/bodies")
def bodies(slug):
    """The partnership's bodies: its groups and boards, for meetings and decision routes."""
    return _bodies_page(load_partnership(slug))


@bp.post("/p/<slug>/bodies")
def add_body(slug):
    """Add a body (partnership admins)."""
    partnership = load_partnership(slug, "manage")
    form = BodyForm()
    form.validate_on_submit() or abort(400)
    try:
        row = lists.add_body(partnership, form.name.data, current_user,
                             short_name=form.short_name.data, kind=form.kind.data)
    except PartnershipError as exc:
        return _bodies_page(partnership, 422, _refused(form, exc, "name"))
    flash(f"{row.label} added.", "success")
    return see_other(url_for(".bodies", slug=slug) + f"#body-{row.id}")


def _body_form_page(partnership, row, form, status=200):
    return render("partnerships/body.html", status=status, partnership=partnership, body=row,
                  form=form)


@bp.get("/p/<slug>/bodies/<int:body_id>/edit")
def edit_body(slug, body_id):
    """Form to change a body's name, short name and kind."""
    partnership = load_partnership(slug, "manage")
    row = _body_or_404(partnership, body_id)
    return _body_form_page(partnership, row, BodyForm(formdata=None, obj=row))


@bp.post("/p/<slug>/bodies/<int:body_id>")
def save_body(slug, body_id):
    """Save a body; 422 with the text kept when refused."""
    partnership = load_partnership(slug, "manage")
    row = _body_or_404(partnership, body_id)
    form = BodyForm()
    form.validate_on_submit() or abort(400)
    try:
        lists.update_body(row, current_user, form.name.data, form.short_name.data,
                          form.kind.data)
    except PartnershipError as exc:
        return _body_form_page(partnership, row, _refused(form, exc, "name"), 422)
    flash(f"{row.label} saved.", "success")
    return see_other(url_for(".bodies", slug=slug) + f"#body-{row.id}")


@bp.post("/p/<slug>/bodies/<int:body_id>/retire")
def retire_body(slug, body_id):
    """Retire a body: no longer offered; meetings and positions keep naming it."""
    return _set_body_retired(slug, body_id, True)


@bp.post("/p/<slug>/bodies/<int:body_id>/restore")
def restore_body(slug, body_id):
    """Offer a retired body again."""
    return _set_body_retired(slug, body_id, False)


def _set_body_retired(slug, body_id, retired):
    partnership = load_partnership(slug, "manage")
    row = _body_or_404(partnership, body_id)
    _csrf()
    if (row.retired_at is not None) != retired:
        lists.set_body_retired(row, retired, current_user)
        flash(f"{row.label} {'retired: it is no longer offered' if retired else 'restored'}.",
              "success")
    return see_other(url_for(".bodies", slug=slug) + f"#body-{row.id}")

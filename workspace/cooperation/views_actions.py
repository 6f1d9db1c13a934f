"""Agreed actions pages: the list filtered by authority, matter and status; add; show with
change, close (done or dropped) and reopen.

Everyone in the partnership reads; officers and partnership admins (can("edit")) add and
change. Thin: the rules are in actions.py.
"""
from flask import abort, flash, request, url_for
from flask_login import current_user

from ..clock import today
from ..documents.service import documents_by_partnership
from ..numbers import whole_number
from ..partnerships import matters as matter_lists
from ..permissions import can, load_partnership
from ..web import render, see_other
from . import actions as service
from .errors import CooperationError
from .forms_actions import ActionForm, CloseForm, FilterForm, ReopenForm
from .views import bp


@bp.app_template_global()
def actions_for_meeting(meeting):
    """The actions agreed at a meeting, by number (for the meeting page's partial)."""
    return service.for_meeting(meeting)


@bp.app_template_global()
def action_overdue(action):
    """True when the action is open and past its due date (today in the UK)."""
    return service.overdue(action, today())


@bp.app_template_global()
def action_is_open(action):
    return service.is_open(action)


def _int_arg(name):
    return whole_number(request.args.get(name, ""))


def _filters():
    """The list's filters from the query string; a value that names nothing is ignored."""
    status = request.args.get("status") or None
    return {"organisation_id": _int_arg("organisation"), "matter_id": _int_arg("matter"),
            "status": status if status in service.ACTION_STATUSES else None}


@bp.get("/actions", endpoint="actions")
def actions_page(slug):
    """The partnership's agreed actions, filtered by authority, matter and status."""
    partnership = load_partnership(slug)
    filters = _filters()
    form = FilterForm(formdata=None, data={
        "organisation": str(filters["organisation_id"] or ""),
        "matter": str(filters["matter_id"] or ""), "status": filters["status"] or ""})
    form.offer(service.involved_organisations(partnership),
               matter_lists.matters(partnership, include_retired=True))
    return render("cooperation/actions.html", "cooperation/_actions_list.html",
                  partnership=partnership, actions=service.actions(partnership, **filters),
                  filter_form=form, filtered=any(filters.values()))


def _offer(form, partnership, action=None):
    """The form's choices: active partners, live matters (and retired ones the action is
    linked to already), the partnership's documents."""
    linked = {m.matter_id for m in action.matters} if action is not None else set()
    matters = [m for m in matter_lists.matters(partnership, include_retired=True)
               if m.retired_at is None or m.id in linked]
    return form.offer(service.partner_organisations(partnership), matters,
                      documents_by_partnership([partnership.id])[partnership.id])


def _meeting_or_404(partnership, meeting_id):
    if not meeting_id:
        return None
    meeting = service.meeting_of(partnership, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _new_page(partnership, form, meeting, status=200):
    return render("cooperation/action_form.html", status=status, partnership=partnership,
                  form=form, meeting=meeting,
                  number=service.next_number(meeting) if meeting is not None else None)


@bp.get("/actions/new")
def new_action(slug):
    """The form to add an action (?meeting=<id>: agreed at that meeting)."""
    partnership = load_partnership(slug, "edit")
    meeting = _meeting_or_404(partnership, request.args.get("meeting", ""))
    form = _offer(ActionForm(formdata=None, data={"meeting": str(meeting.id) if meeting
                                                  else ""}), partnership)
    return _new_page(partnership, form, meeting)


@bp.post("/actions/new")
def add_action(slug):
    """Add an action; 422 with the form and its messages when a value breaks a rule."""
    partnership = load_partnership(slug, "edit")
    form = _offer(ActionForm(), partnership)
    meeting = _meeting_or_404(partnership, form.meeting.data or "")
    form.validate()
    if form.csrf_token.errors:
        abort(400)
    if form.due_on.errors:
        return _new_page(partnership, form, meeting, 422)
    try:
        action = service.add_action(partnership, current_user, meeting=meeting,
                                    **form.values())
    except CooperationError as exc:
        return _new_page(partnership, form.add_error(exc), meeting, exc.status)
    flash(f"Action added{f' as next step {action.number}' if action.number else ''}: "
          f"{action.what}", "success")
    if meeting is not None:
        return see_other(url_for(".meeting", slug=slug, meeting_id=meeting.id)
                         + "#agreed-actions")
    return see_other(url_for(".action", slug=slug, action_id=action.id))


def _action_or_404(partnership, action_id):
    action = service.action_for(partnership, action_id)
    if action is None:
        abort(404)
    return action


def _action_page(partnership, action, form=None, close_form=None, status=200, problem=None):
    editing = can("edit")
    if editing:
        form = _offer(form or ActionForm.of(action), partnership, action)
        close_form = close_form or CloseForm(formdata=None, prefix="close",
                                             data={"version": str(action.version)})
    return render("cooperation/action.html", status=status, partnership=partnership,
                  action=action, form=form, close_form=close_form, problem=problem,
                  reopen_form=ReopenForm(formdata=None, prefix="reopen",
                                         data={"version": str(action.version)}))


@bp.get("/actions/<int:action_id>")
def action(slug, action_id):
    """One action: what, who leads and supports it, when it is due, what came of it; its
    change, close and reopen forms for officers and partnership admins."""
    partnership = load_partnership(slug)
    return _action_page(partnership, _action_or_404(partnership, action_id))


def _stale(form, action, exc):
    """After a 409: the form keeps what was typed, now based on the current version."""
    form.version.data = str(action.version)
    return form.add_error(exc)


@bp.post("/actions/<int:action_id>")
def update_action(slug, action_id):
    """Save a change; 422 with messages, 409 when the action changed meanwhile."""
    partnership = load_partnership(slug, "edit")
    action = _action_or_404(partnership, action_id)
    form = ActionForm()
    _offer(form, partnership, action).validate()
    if form.csrf_token.errors:
        abort(400)
    if form.due_on.errors:
        return _action_page(partnership, action, form, status=422)
    try:
        service.update_action(action, current_user, expected_version=form.version.data,
                              **form.values())
    except CooperationError as exc:
        form = _stale(form, action, exc) if exc.status == 409 else form.add_error(exc)
        return _action_page(partnership, action, form, status=exc.status)
    flash("Action saved.", "success")
    return see_other(url_for(".action", slug=slug, action_id=action.id))


@bp.post("/actions/<int:action_id>/close")
def close_action(slug, action_id):
    """Mark the action done (with its outcome) or dropped (with the reason)."""
    partnership = load_partnership(slug, "edit")
    action = _action_or_404(partnership, action_id)
    form = CloseForm(prefix="close")
    form.validate()
    if form.csrf_token.errors:
        abort(400)
    try:
        service.close_action(action, current_user, expected_version=form.version.data,
                             status=form.status.data or "", outcome=form.outcome.data or "")
    except CooperationError as exc:
        form = _stale(form, action, exc) if exc.status == 409 else form.add_error(exc)
        return _action_page(partnership, action, close_form=form, status=exc.status)
    flash(f"Action marked {action.status_label.lower()}.", "success")
    return see_other(url_for(".action", slug=slug, action_id=action.id))


@bp.post("/actions/<int:action_id>/reopen")
def reopen_action(slug, action_id):
    """Open a done or dropped action again."""
    partnership = load_partnership(slug, "edit")
    action = _action_or_404(partnership, action_id)
    form = ReopenForm(prefix="reopen")
    form.validate()
    if form.csrf_token.errors:
        abort(400)
    try:
        service.reopen_action(action, current_user, expected_version=form.version.data)
    except CooperationError as exc:
        return _action_page(partnership, action, status=exc.status, problem=exc.message)
    flash("Action reopened.", "success")
    return see_other(url_for(".action", slug=slug, action_id=action.id))

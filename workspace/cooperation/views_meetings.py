"""Meeting pages: list, record, show, correct (with history).

Thin: the rules are in meetings.py; the form (forms_meetings.py) keeps what was typed. The
form posts back to itself with "Add another attendee" / "Add another position" (one more
row, nothing saved), so it works without JavaScript.
"""
from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from ..partnerships import matters as lists
from ..permissions import load_partnership
from ..web import see_other
from . import meetings as service
from .errors import CooperationError
from .forms_meetings import meeting_form
from .models import STATED_STANCES
from .views import bp


def _meeting(partnership, meeting_id):
    found = service.meeting_for(partnership, meeting_id)
    if found is None:
        abort(404)
    return found


def _choices(partnership, meeting=None):
    """(active partners, matters that may be discussed, bodies): the live lists, plus an
    authority that has left, a retired matter or body the meeting being corrected names."""
    partners = partnership.organisations
    matters = lists.matters(partnership)
    bodies = lists.bodies(partnership)
    if meeting is not None:
        partners += sorted({a.organisation for a in meeting.attendees} - set(partners),
                           key=lambda o: o.name)
        matters += [m.matter for m in meeting.matters if m.matter not in matters]
        if meeting.body is not None and meeting.body not in bodies:
            bodies.append(meeting.body)
    return partners, matters, bodies


def _authorities(meeting):
    """The authorities present, in the order first named, each with its attendees."""
    present = {}
    for attendee in meeting.attendees:
        present.setdefault(attendee.organisation.id, (attendee.organisation, []))[1] \
            .append(attendee)
    return list(present.values())


def _positions(meeting):
    """Each matter discussed with the positions stated on it."""
    by_matter = {m.matter_id: (m.matter, []) for m in meeting.matters}
    for position in meeting.stated_positions:
        by_matter.setdefault(position.matter_id, (position.matter, []))[1].append(position)
    return list(by_matter.values())


@bp.get("/meetings")
def meetings(slug):
    """The partnership's meetings, newest first, filtered by a strategic matter."""
    partnership = load_partnership(slug)
    all_matters = lists.matters(partnership, include_retired=True)
    chosen = lists.matter(partnership, request.args.get("matter", ""))
    found = service.meetings(partnership, chosen.id if chosen else None)
    return render_template("cooperation/meetings.html", partnership=partnership,
                           meetings=[(m, [o for o, _ in _authorities(m)]) for m in found],
                           matters=all_matters, chosen=chosen)


def _form_page(partnership, form, status=200, meeting=None, stale=None):
    template = "cooperation/meeting_form.html"
    return render_template(template, partnership=partnership, form=form, meeting=meeting,
                           stale=stale), status


def _add_row(form):
    """The form again with one more attendee or position row, its first field focused."""
    which = request.form.get("add")
    if which not in ("attendee", "position"):
        return None
    form.new_row = f"{which}-row-{form.add_row(which)}"
    return form


def _add_errors(form, exc):
    for problem in exc.problems:
        form.add_error(problem.field, problem.message)


def _checked(partnership, form, current=None):
    """False when the posted date is not a date: its own messages, then every other problem
    of the record with them (the service's check, less its own "Enter the meeting date"),
    so the person recording sees them all at once."""
    form.validate()
    form.problems = form.date_problems()
    if not form.problems:
        return True
    try:
        service.check_record(partnership, current=current, **form.values())
    except CooperationError as exc:
        for problem in exc.problems:
            if problem.field != "held_on":
                form.add_error(problem.field, problem.message)
    return False


@bp.route("/meetings/new", methods=["GET", "POST"])
def new_meeting(slug):
    """Record a meeting: the form, and its post."""
    partnership = load_partnership(slug, "edit")
    if request.method == "GET":
        return _form_page(partnership, meeting_form(*_choices(partnership)))
    form = meeting_form(*_choices(partnership), posted=True)
    if _add_row(form):
        return _form_page(partnership, form)
    if not _checked(partnership, form):
        return _form_page(partnership, form, 422)
    try:
        meeting = service.record_meeting(partnership, current_user, **form.values())
    except CooperationError as exc:
        _add_errors(form, exc)
        return _form_page(partnership, form, exc.status)
    flash(f"Meeting recorded: \u201c{meeting.title}\u201d.", "success")
    return see_other(url_for(".meeting", slug=slug, meeting_id=meeting.id))


@bp.get("/meetings/<int:meeting_id>")
def meeting(slug, meeting_id):
    """One meeting's record: attendees by authority, matters and positions, notes."""
    partnership = load_partnership(slug)
    found = _meeting(partnership, meeting_id)
    return render_template("cooperation/meeting.html", partnership=partnership,
                           meeting=found, authorities=_authorities(found),
                           discussed=_positions(found), corrections=found.version - 1)


@bp.route("/meetings/<int:meeting_id>/correct", methods=["GET", "POST"])
def correct_meeting(slug, meeting_id):
    """Correct a meeting's record, saying why; refused (409) if corrected meanwhile."""
    partnership = load_partnership(slug, "edit")
    found = _meeting(partnership, meeting_id)
    choices = _choices(partnership, found)
    if request.method == "GET":
        return _form_page(partnership, meeting_form(*choices, meeting=found, correcting=True),
                          meeting=found)
    form = meeting_form(*choices, correcting=True, posted=True)
    if _add_row(form):
        return _form_page(partnership, form, meeting=found)
    if not _checked(partnership, form, found):
        return _form_page(partnership, form, 422, meeting=found)
    version = found.version
    try:
        service.correct_meeting(found, current_user, expected_version=form.expected_version.data,
                                reason=form.reason.data, **form.values())
    except CooperationError as exc:
        if exc.status == 409:
            # What was typed stays on screen; saving it again now starts from the record
            # as it is, which the page links to.
            form.expected_version.data = str(found.version)
            return _form_page(partnership, form, 409, meeting=found, stale=exc.message)
        _add_errors(form, exc)
        return _form_page(partnership, form, exc.status, meeting=found)
    if found.version == version:
        flash("Nothing was changed: the record is as it was.", "success")
    else:
        flash(f"Record corrected: it is now version {found.version}.", "success")
    return see_other(url_for(".meeting", slug=slug, meeting_id=found.id))


@bp.get("/meetings/<int:meeting_id>/history")
def meeting_history(slug, meeting_id):
    """Every recorded state of the meeting: who corrected it, when, why, what changed."""
    partnership = load_partnership(slug)
    found = _meeting(partnership, meeting_id)
    return render_template("cooperation/meeting_history.html", partnership=partnership,
                           meeting=found, revisions=service.history(found),
                           stances=STATED_STANCES)

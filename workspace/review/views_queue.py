"""A Member's review queue: one owed matter at a time, "Record and go to the next".

Thin: what is owed and what changed are in queue.py, the rules of a position in
positions.record_position (the same call, and the same seen-version check, as the position
form on the document page). Plain forms and redirects: it works without JavaScript.
"""
from flask import abort, flash, request, url_for
from flask_login import current_user

from ..extensions import db
from ..numbers import whole_number
from ..permissions import load_document, load_section
from ..web import render, see_other
from . import positions as service
from . import queue
from .forms_positions import QueueForm
from .views import bp

QUEUE = "/p/<slug>/d/<int:document_id>/review-queue"


def _reviewed():
    """How many matters this walk has recorded (from the query string or the form)."""
    value = request.values.get("reviewed", "")
    number = whole_number(value, maximum=10**20)
    return min(number, 10_000) if number is not None else 0


def _url(endpoint, partnership, document, reviewed, **values):
    return url_for(endpoint, slug=partnership.slug, document_id=document.id,
                   **({"reviewed": reviewed} if reviewed else {}), **values)


def _page(partnership, document, section, form, reviewed, status=200, read_changes=None,
          matter=None):
    matter = matter or queue.matter(document, section, current_user, reviewed)
    return render("review/queue.html", status=status, partnership=partnership,
                  document=document, section=section, matter=matter, form=form,
                  reviewed=reviewed, read_changes=read_changes,
                  organisation=current_user.organisation)


@bp.get(QUEUE)
def review_queue(slug, document_id):
    """The first matter the Member's authority owes a position on, or "every matter done"."""
    partnership, document = load_document(slug, document_id, "position")
    reviewed = _reviewed()
    owed = queue.owed_matters(document, current_user)
    if owed:
        return see_other(_url(".review_queue_matter", partnership, document, reviewed,
                              section_id=owed[0].section.id))
    return render("review/queue_done.html", partnership=partnership, document=document,
                  reviewed=reviewed, organisation=current_user.organisation)


def _load(slug, document_id, section_id):
    partnership, document, section = load_section(slug, document_id, section_id, "position")
    if not queue.is_in_queue_scope(section, current_user):
        abort(404)
    return partnership, document, section


@bp.get(QUEUE + "/<int:section_id>")
def review_queue_matter(slug, document_id, section_id):
    """One matter: its text, what changed since the authority's last position, the form."""
    partnership, document, section = _load(slug, document_id, section_id)
    reviewed = _reviewed()
    matter = queue.matter(document, section, current_user, reviewed)
    if matter.task is None:          # a current position already: on to what is still owed
        return see_other(_url(".review_queue", partnership, document, reviewed))
    return _page(partnership, document, section, QueueForm.blank(section), reviewed,
                 matter=matter)


@bp.post(QUEUE + "/<int:section_id>")
def review_queue_record(slug, document_id, section_id):
    """Record the position, then go to the next owed matter (or the "done" page)."""
    partnership, document, section = _load(slug, document_id, section_id)
    reviewed = _reviewed()
    form = QueueForm.posted(section)
    valid = form.validate()
    values = form.values()
    try:
        service.check_may_record(section, current_user, values["seen_version"])
        if not valid:
            db.session.rollback()
            return _page(partnership, document, section, form, reviewed, 422)
        position = service.record_position(section, current_user, **values)
    except service.PositionError as exc:
        db.session.rollback()
        if exc.status == 409 and section.removed_at is None and document.is_editable:
            return _changed(partnership, document, section, form, exc, reviewed)
        if exc.field is None:
            abort(exc.status, description=exc.message)
        form.add_error(exc.field, exc.message)
        return _page(partnership, document, section, form, reviewed, 422)
    reviewed += 1
    left = queue.owed_matters(document, current_user)
    flash(queue.confirmation(current_user, position, section, len(left)), "success")
    return see_other(_url(".review_queue", partnership, document, reviewed))


def _changed(partnership, document, section, form, exc, reviewed):
    """409: the text changed while the Member read it. The page again with the new text and
    what changed since the version they read, their choice and reason kept."""
    db.session.refresh(section)
    form.problem = exc.message
    try:
        read = int(form.seen_version.data)
    except (TypeError, ValueError):
        read = None
    form.seen_version.data = str(section.version)
    changes = queue.changes_since(section, read) if read and read >= 1 else None
    return _page(partnership, document, section, form, reviewed, 409, read_changes=changes)

"""The partnership admins' page of background work: failures with their reason, "Try again"."""
from flask import Blueprint, abort, flash, url_for

from ..permissions import load_partnership
from ..web import render, see_other
from . import service
from .forms import TryAgainForm

bp = Blueprint("jobs", __name__)


@bp.get("/p/<slug>/admin/jobs")
def index(slug):
    """The partnership's failed background work, and what is running or waiting."""
    partnership = load_partnership(slug, "manage")
    return render("jobs/index.html", partnership=partnership,
                  failed=service.failed_jobs(partnership.id),
                  waiting=service.waiting_jobs(partnership.id),
                  form=TryAgainForm(formdata=None))


@bp.post("/p/<slug>/admin/jobs/<int:job_id>/retry")
def retry(slug, job_id):
    """Try a failed job again."""
    partnership = load_partnership(slug, "manage")
    job = service.partnership_job(partnership.id, job_id)
    if not TryAgainForm().validate_on_submit():
        abort(400)
    if job is None:
        flash("That background work is no longer on the list: it has been done since, or "
              "cleared away.", "info")
        return see_other(url_for(".index", slug=slug))
    label = job.label or "The background work"
    if service.try_again(job):
        flash(f"{label}: it will be tried again shortly.", "success")
    else:
        flash(f"{label} is not failed any more: it has been tried again already.", "info")
    return see_other(url_for(".index", slug=slug))

"""A partnership's background work, as its admins see it: what failed and why, what waits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from ..extensions import db
from . import runner
from .models import DONE, FAILED, PENDING, RUNNING, Job

#: The most jobs of each list the page shows.
LIST_LIMIT = 100


@dataclass(frozen=True)
class JobLine:
    """One job as the admin page shows it."""

    id: int
    label: str
    status: str
    status_label: str
    #: Failed: when it gave up; waiting: when it runs (next); running: when it started.
    when: datetime | None
    reason: str
    attempts: int
    max_attempts: int
    can_retry: bool


def _line(job: Job) -> JobLine:
    when = {FAILED: job.finished_at, PENDING: job.run_after, RUNNING: job.started_at}
    return JobLine(id=job.id, label=job.label or "Background work", status=job.status,
                   status_label=job.status_label, when=when.get(job.status),
                   reason=job.last_error or "", attempts=job.attempts,
                   max_attempts=job.max_attempts, can_retry=job.status == FAILED)


def latest_job(key: str) -> Job | None:
    """The latest job asked for with `key` (what a page says of that work), or None."""
    return db.session.scalar(select(Job).where(Job.key == key).order_by(Job.id.desc())
                             .limit(1))


def done_since():
    """True of a job whose work a later job with the same key has done (its failure is over:
    the list does not show it, and retention removes it)."""
    later = aliased(Job)
    return exists().where(and_(later.key == Job.key, later.id > Job.id, later.status == DONE))


def failed_jobs(partnership_id: int) -> list[JobLine]:
    """The partnership's failed jobs, latest first, but not those whose work a later job with
    the same key has since done (a PDF that failed, then was rendered)."""
    jobs = db.session.scalars(
        select(Job).where(Job.partnership_id == partnership_id, Job.status == FAILED,
                          ~done_since())
        .order_by(Job.finished_at.desc(), Job.id.desc()).limit(LIST_LIMIT)).all()
    return [_line(job) for job in jobs]


def waiting_jobs(partnership_id: int) -> list[JobLine]:
    """The partnership's jobs that are running or waiting to run, running first, then the
    soonest."""
    jobs = db.session.scalars(
        select(Job).where(Job.partnership_id == partnership_id,
                          Job.status.in_((PENDING, RUNNING)))
        .order_by((Job.status == RUNNING).desc(), Job.run_after, Job.id)
        .limit(LIST_LIMIT)).all()
    return [_line(job) for job in jobs]


def partnership_job(partnership_id: int, job_id: int) -> Job | None:
    """The partnership's job; None when no job has that id (any more: retention removed it);
    404 for another partnership's job (ids from elsewhere are not found)."""
    job = db.session.get(Job, job_id)
    if job is not None and job.partnership_id != partnership_id:
        abort(404)
    return job


def try_again(job: Job) -> bool:
    """Try a failed job again with a fresh set of attempts; False if it is not failed (it
    has been tried again already, or was removed at that moment)."""
    return job.status == FAILED and runner.retry(job)

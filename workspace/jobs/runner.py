"""Running one job: claim it, hold it while working, record how it went; the minute sweep.

A job is claimed by one atomic update (pending and due, or running with a lapsed hold, and no
other job with its key running), so two workers never run it twice at once. While it runs, a
thread renews the hold; a worker killed mid-job stops renewing, and the sweep queues the job
again once the hold lapses. A failure waits and tries again (JOBS_RETRY_DELAY_SECONDS,
doubling) until the kind's attempts are spent; then the job is failed with its reason.
"""
from __future__ import annotations

import json
import threading
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select, text, update
from sqlalchemy.orm import aliased

from .. import signals
from ..clock import utcnow
from ..extensions import db
from . import registry
from .models import DONE, FAILED, PENDING, RUNNING, Job
from .queue import dispatch

#: The longest wait between two attempts of a job.
MAX_RETRY_DELAY = timedelta(minutes=15)
#: How long a job may wait past its time before the sweep queues it again.
SWEEP_GRACE = timedelta(seconds=5)


def _lease():
    return timedelta(seconds=current_app.config["JOBS_LEASE_SECONDS"])


def _claim(job_id: int, ignore_schedule: bool = False) -> Job | None:
    """Take the job for this worker, or None (done, not due, or its key is busy)."""
    now = utcnow()
    found = db.session.execute(select(Job.key).where(Job.id == job_id)).first()
    # On SQLite the claim's transaction must begin with its write: one that read first fails
    # ("database is locked") when another connection wrote in between.
    db.session.rollback()
    if found is None:
        return None
    key = found.key
    if key and db.engine.dialect.name == "postgresql":
        # Two claims of different jobs with one key must not both see the key free.
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                           {"key": key})
    due = or_(and_(Job.status == PENDING, Job.run_after <= now) if not ignore_schedule
              else Job.status == PENDING,
              and_(Job.status == RUNNING, Job.lease_until < now))
    stmt = update(Job).where(Job.id == job_id, due)
    if key:
        other = aliased(Job)
        stmt = stmt.where(~exists().where(other.key == key, other.id != job_id,
                                          other.status == RUNNING, other.lease_until >= now))
    claimed = db.session.execute(
        stmt.values(status=RUNNING, attempts=Job.attempts + 1, started_at=now,
                    lease_until=now + _lease()).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    return db.session.get(Job, job_id)


class _Hold(threading.Thread):
    """Renews a running job's hold every third of the lease, until stopped."""

    def __init__(self, app, job_id):
        super().__init__(daemon=True, name=f"job-{job_id}-hold")
        self.app, self.job_id, self.stopped = app, job_id, threading.Event()

    def run(self):
        with self.app.app_context():
            lease = _lease()
            while not self.stopped.wait(lease.total_seconds() / 3):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(update(Job).where(
                            Job.id == self.job_id, Job.status == RUNNING).values(
                            lease_until=utcnow() + lease))
                except Exception:   # the next renewal tries again; the job keeps running
                    current_app.logger.warning("Could not renew job %s", self.job_id,
                                               exc_info=True)


def _reason(exc: Exception) -> str:
    if isinstance(exc, registry.JobFailed):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:1000]


def _retry_delay(attempts: int) -> timedelta:
    base = current_app.config["JOBS_RETRY_DELAY_SECONDS"]
    return min(timedelta(seconds=base * 2 ** max(0, attempts - 1)), MAX_RETRY_DELAY)


def run(job_id: int, ignore_schedule: bool = False) -> str | None:
    """Run the job if it can be claimed; its status afterwards, or None when not claimed.

    Runs in a fresh application context: its own database session, whatever the caller holds.
    """
    app = current_app._get_current_object()
    with app.app_context():
        try:
            return _run(app, job_id, ignore_schedule)
        finally:
            db.session.remove()


def _run(app, job_id, ignore_schedule):
    row = _claim(job_id, ignore_schedule)
    if row is None:
        return None
    kind, payload, key = row.kind, json.loads(row.payload), row.key
    attempts, max_attempts = row.attempts, row.max_attempts
    # The kind's function begins its own transaction: slow work done before its first query
    # holds no snapshot (on SQLite, a snapshot older than another's write cannot write).
    db.session.rollback()
    if attempts > max_attempts:     # the worker died in every attempt
        _finish(job_id, attempts, status=FAILED, finished_at=utcnow(), last_error=func.coalesce(
            Job.last_error, f"The worker stopped while doing this job, {max_attempts} times."))
        db.session.commit()
        _tell_failed(app, job_id)
        return FAILED
    hold = _Hold(app, job_id)
    hold.start()
    try:
        registry.kind(kind).fn(**payload)
        status = DONE if _finish(job_id, attempts, status=DONE, finished_at=utcnow()) else None
        if status is None:          # our hold lapsed and another worker took the job over
            app.logger.warning("Job %s (%s) was taken over by another worker; this "
                               "worker's result is discarded", job_id, kind)
            db.session.rollback()
        else:
            db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.warning("Job %s (%s) failed: %s", job_id, kind, exc,
                           exc_info=not isinstance(exc, registry.JobFailed))
        if isinstance(exc, registry.JobFailed) or attempts >= max_attempts:
            status = FAILED
            held = _finish(job_id, attempts, status=FAILED, finished_at=utcnow(),
                           last_error=_reason(exc))
        else:
            status, wait = PENDING, _retry_delay(attempts)
            held = _finish(job_id, attempts, status=PENDING, run_after=utcnow() + wait,
                           last_error=_reason(exc))
            if held:
                db.session.info.setdefault("cg_jobs_to_dispatch", []).append(
                    (job_id, wait.total_seconds()))
        db.session.commit()
        status = status if held else None
    finally:
        hold.stopped.set()
    if status == FAILED:
        _tell_failed(app, job_id)
    if key:
        _wake_next(key)
    return status or RUNNING


def _tell_failed(app, job_id) -> None:
    """Send `job_failed` for a job now failed (committed), and commit what its receivers
    wrote (a notification); a receiver's error is logged, never the runner's."""
    try:
        row = db.session.get(Job, job_id)
        signals.job_failed.send(row, reason=row.last_error or "")
        db.session.commit()
    except Exception:
        db.session.rollback()
        app.logger.exception("Telling that job %s failed went wrong", job_id)


def _finish(job_id, attempts, **values) -> bool:
    """Record how the attempt went, if the job is still this worker's (running, in this
    attempt); False when another worker has taken it over since (the caller rolls back)."""
    return bool(db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == RUNNING, Job.attempts == attempts)
        .values(lease_until=None, **values).execution_options(synchronize_session=False)
    ).rowcount)


def _wake_next(key):
    """A keyed job finished: queue the next one waiting on the same key at once."""
    following = db.session.scalar(select(Job.id).where(
        Job.key == key, Job.status == PENDING, Job.run_after <= utcnow())
        .order_by(Job.id).limit(1))
    if following is not None:
        dispatch(following)


def retry(job: Job) -> bool:
    """Try a failed job again (a partnership admin asked): a fresh set of attempts. False when
    it is not failed any more (tried again already, or removed by retention meanwhile): one
    conditional UPDATE, so two clicks or a click racing the prune change nothing twice."""
    now = utcnow()
    moved = db.session.execute(
        update(Job).where(Job.id == job.id, Job.status == FAILED)
        .values(status=PENDING, attempts=0, run_after=now, finished_at=None)).rowcount
    if moved:
        db.session.info.setdefault("cg_jobs_to_dispatch", []).append((job.id, 0))
    return bool(moved)


def sweep(grace: timedelta = SWEEP_GRACE) -> int:
    """Queue every job that should be running and is not (its message lost, or its worker
    killed), then run the once-a-minute functions. Returns how many jobs were queued.

    A job due for less than `grace` is left alone: its message is probably on its way (a
    worker starting up sweeps without grace: a second message costs only a refused claim)."""
    now = utcnow()
    ids = db.session.scalars(select(Job.id).where(or_(
        and_(Job.status == PENDING, Job.run_after <= now - grace),
        and_(Job.status == RUNNING, Job.lease_until < now))).order_by(Job.id)).all()
    db.session.rollback()
    for job_id in ids:
        dispatch(job_id)
    for fn in registry.periodic():
        try:
            fn()
            db.session.commit()
        except Exception:
            db.session.rollback()
            current_app.logger.exception("Periodic work %s failed", fn.__name__)
    return len(ids)


def run_pending(ignore_schedule: bool = False, limit: int = 1000) -> int:
    """Run, in this process, every job that is due (and those they ask for), oldest first:
    `flask jobs run`, and the tests. Returns how many ran."""
    ran = 0
    while ran < limit:
        now = utcnow()
        due = Job.status == PENDING if ignore_schedule else and_(
            Job.status == PENDING, Job.run_after <= now)
        ids = db.session.scalars(select(Job.id).where(
            or_(due, and_(Job.status == RUNNING, Job.lease_until < now)))
            .order_by(Job.id)).all()
        db.session.rollback()
        progressed = False
        for job_id in ids:
            if run(job_id, ignore_schedule) is not None:
                ran += 1
                progressed = True
        if not progressed:
            return ran
    return ran


def counts() -> dict[str, int]:
    """{status: number of jobs}, for the health of the queue."""
    return dict(db.session.execute(select(Job.status, func.count(Job.id))
                                   .group_by(Job.status)).all())

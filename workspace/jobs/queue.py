"""The queue that wakes the workers: Huey, on a SQLite file by default, on Redis when named.

JOBS_QUEUE_URL picks it: `sqlite:///path` (the default: instance/jobs-queue.sqlite3, no server
needed), `redis://host:port/db`, or `manual` (nothing wakes a worker: `flask jobs run` or the
tests run what is due). Huey carries only "run job 12"; the job itself is a row in the
application's database (models.Job), written in the caller's transaction and sent to the queue
once that transaction commits.
"""
from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..extensions import db
from . import registry
from .models import PENDING, Job

#: Key in session.info: job ids to send to the queue when the transaction commits.
_TO_DISPATCH = "cg_jobs_to_dispatch"


def submit(kind: str, *, key: str | None = None, delay: float = 0,
           partnership_id: int | None = None, label: str = "", **payload) -> Job:
    """Ask for background work, in the current transaction; it is queued when that commits.

    A job with the same `key` that is still waiting makes this one unnecessary: that one is
    returned instead (it will see the latest state when it runs).
    """
    spec = registry.kind(kind)
    if key is not None:
        waiting = db.session.scalar(select(Job).where(Job.key == key, Job.status == PENDING)
                                    .limit(1))
        if waiting is not None:
            return waiting
    now = utcnow()
    row = Job(kind=kind, key=key, payload=json.dumps(payload, sort_keys=True), status=PENDING,
              attempts=0, max_attempts=spec.retries + 1, created_at=now,
              run_after=now + timedelta(seconds=delay), partnership_id=partnership_id,
              label=label[:200])
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(_TO_DISPATCH, []).append((row.id, delay))
    return row


@event.listens_for(Session, "after_commit")
def _dispatch_committed(session):
    for job_id, delay in session.info.pop(_TO_DISPATCH, []):
        dispatch(job_id, delay)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(_TO_DISPATCH, None)


def dispatch(job_id: int, delay: float = 0) -> None:
    """Wake a worker for the job (after `delay` seconds). A queue that cannot be reached is
    logged, not raised: the job is in the database and the worker's sweep finds it."""
    queue = current_app.extensions.get("jobs")
    if queue is None or queue.task is None:
        return
    try:
        if delay > 0:
            queue.task.schedule(args=(job_id,), delay=delay)
        else:
            queue.task(job_id)
    except Exception:           # a broker outage must not fail the user's committed request
        current_app.logger.warning("Could not queue job %s; the sweep will run it", job_id,
                                   exc_info=True)


class Queue:
    """app.extensions["jobs"]: the Huey instance (None when manual) and its two tasks."""

    def __init__(self, huey, task, sweep):
        self.huey, self.task, self.sweep = huey, task, sweep


def make_huey(url: str, instance_path: str):
    """A Huey for JOBS_QUEUE_URL, or None for `manual`."""
    from huey import RedisHuey, SqliteHuey
    url = url.strip()
    if url == "manual":
        return None
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("common-ground", url=url, results=False, utc=True)
    if not url:
        url = "sqlite:///" + str(Path(instance_path) / "jobs-queue.sqlite3")
    if url.startswith("sqlite:///"):
        return SqliteHuey("common-ground", filename=url[len("sqlite:///"):], results=False,
                          utc=True)
    raise ValueError("JOBS_QUEUE_URL must be sqlite:///path, redis://host:port/db or manual")


def init_app(app: Flask) -> None:
    """Create the queue named by JOBS_QUEUE_URL and its tasks (app.extensions["jobs"])."""
    app.extensions["jobs"] = make_queue(app, app.config["JOBS_QUEUE_URL"])


def make_queue(app: Flask, url: str) -> Queue:
    """The queue for `url` and its tasks for `app`: `run_job(id)`, a sweep every minute, and
    one sweep when a worker process starts (Huey calls start-up hooks in every worker thread:
    the first one sweeps)."""
    from huey import crontab

    from . import runner
    huey = make_huey(url, app.instance_path)
    if huey is None:
        return Queue(None, None, None)

    @huey.task(name="common_ground.run_job")
    def run_job(job_id):
        with app.app_context():
            runner.run(job_id)

    @huey.periodic_task(crontab(), name="common_ground.sweep")
    def sweep():
        with app.app_context():
            runner.sweep()

    started = threading.Lock()

    @huey.on_startup(name="common_ground.sweep_on_startup")
    def sweep_on_startup():
        if not started.acquire(blocking=False):
            return
        with app.app_context():
            runner.sweep(grace=timedelta(0))

    return Queue(huey, run_job, sweep)

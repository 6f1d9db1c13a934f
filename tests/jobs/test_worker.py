"""A real worker process: `flask jobs worker` started as a subprocess on the test database.

The tests' own application queues nothing (JOBS_QUEUE_URL "manual"); here its queue is swapped
for one on the worker's store (a SQLite file under tmp_path, or Redis when TEST_REDIS_URL is
set), so a committed job wakes the worker as it would from a request. Every wait polls the
database with a generous timeout; every worker is killed when its test ends.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workspace.clock import utcnow
from workspace.extensions import db
from workspace.jobs import submit
from workspace.jobs.models import Job
from workspace.jobs.queue import make_queue

from .worker_app import MARKS

ROOT = Path(__file__).resolve().parents[2]
#: Seconds to wait for a worker to do something: generous, for a loaded machine.
TIMEOUT = 60
#: The worker's hold on a running job: short, so a killed worker's job is free again soon.
LEASE_SECONDS = 2


class Worker:
    """One `flask jobs worker` process, its output in a file."""

    def __init__(self, env, log_path):
        self.log_path = log_path
        with open(log_path, "ab") as log_file:     # the child keeps its own copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "jobs", "worker"], cwd=ROOT, env=env,
                stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self):
        return Path(self.log_path).read_text(errors="replace")

    def kill(self, signum=signal.SIGKILL):
        """Send the signal and wait for the process to end (SIGKILL if it lingers)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def marks(app):
    """The table the test kind writes its effect in (created for the test, then dropped)."""
    with app.app_context():
        MARKS.create(db.engine, checkfirst=True)
    yield
    with app.app_context():
        db.session.remove()
        MARKS.drop(db.engine)


@pytest.fixture
def start_worker(app, database_url, tmp_path, marks, monkeypatch):
    """start_worker(queue_url=None): a new worker process on the test database and the queue
    (a SQLite file under tmp_path unless named); the test's own commits are sent to that
    queue from then on. Every worker is killed when the test ends."""
    started = []

    def _start(queue_url=None):
        queue_url = queue_url or "sqlite:///" + str(tmp_path / "jobs-queue.sqlite3")
        monkeypatch.setitem(app.extensions, "jobs", make_queue(app, queue_url))
        env = dict(os.environ, FLASK_APP="tests.jobs.worker_app", DATABASE_URL=database_url,
                   SECRET_KEY="worker-test-secret", JOBS_QUEUE_URL=queue_url,
                   JOBS_LEASE_SECONDS=str(LEASE_SECONDS), JOBS_WORKERS="2",
                   JOBS_RETRY_DELAY_SECONDS="0", PYTHONUNBUFFERED="1")
        worker = Worker(env, tmp_path / f"worker-{len(started) + 1}.log")
        started.append(worker)
        return worker

    yield _start
    for worker in started:
        worker.kill()


def _submit(app, name, log, **payload):
    """Submit a mark job and commit (which queues it); its id."""
    with app.app_context():
        row = submit("test.worker.mark", label=f"Mark {name}", name=name, log=str(log),
                     **payload)
        db.session.commit()
        return row.id


def _job(app, job_id):
    with app.app_context():
        row = db.session.get(Job, job_id)
        try:
            return {"status": row.status, "attempts": row.attempts,
                    "lease_until": row.lease_until, "last_error": row.last_error}
        finally:
            db.session.remove()


def _marks(app, name):
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(MARKS)
                                     .where(MARKS.c.name == name))
        finally:
            db.session.remove()


def _starts(log):
    return Path(log).read_text().split() if Path(log).exists() else []


def wait_for(what, predicate, *workers):
    """Poll until predicate() is true; fail with the workers' output after TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    logs = "\n".join(f"--- {w.log_path}\n{w.log()}" for w in workers)
    pytest.fail(f"Timed out after {TIMEOUT} s waiting for {what}.\n{logs}")


def _done(app, job_id):
    return _job(app, job_id)["status"] == "done"


def test_the_worker_runs_a_committed_job(app, start_worker, tmp_path):
    """Submitted and committed: the worker (SQLite queue) runs it once, at once or when its
    delay is over."""
    _runs_committed_jobs(app, start_worker(), tmp_path)


def _runs_committed_jobs(app, worker, tmp_path):
    now_id = _submit(app, "now", tmp_path / "now.log")
    later_id = _submit(app, "later", tmp_path / "later.log", delay=1)
    wait_for("both jobs to be done", lambda: _done(app, now_id) and _done(app, later_id),
             worker)
    assert _marks(app, "now") == 1 and _marks(app, "later") == 1
    assert _starts(tmp_path / "now.log") == [str(worker.process.pid)]
    assert _job(app, now_id)["attempts"] == 1


if os.environ.get("TEST_REDIS_URL", "").strip():
    @pytest.fixture
    def redis_url():
        """TEST_REDIS_URL (a database of the tests' own, e.g. /15): the queue's keys there
        are removed before and after."""
        from huey import RedisHuey
        url = os.environ["TEST_REDIS_URL"].strip()
        huey = RedisHuey("common-ground", url=url, results=False)
        huey.flush()
        yield url
        huey.flush()

    def test_the_worker_runs_a_committed_job_from_redis(app, start_worker, redis_url,
                                                        tmp_path):
        """The same, with the queue on Redis."""
        _runs_committed_jobs(app, start_worker(redis_url), tmp_path)


def test_a_job_whose_worker_is_killed_runs_again_and_completes_once(app, start_worker,
                                                                    tmp_path):
    """SIGKILL in the middle of a job: once its hold lapses, a new worker runs it again; its
    effect is written once."""
    log = tmp_path / "killed.log"
    first = start_worker()
    job_id = _submit(app, "killed", log, hang_first=True)
    wait_for("the job to start", lambda: len(_starts(log)) == 1
             and _job(app, job_id)["status"] == "running", first)
    first.kill(signal.SIGKILL)
    assert _job(app, job_id)["status"] == "running" and _marks(app, "killed") == 0
    # Nothing renews the dead worker's hold: the next worker's start-up sweep finds it lapsed.
    wait_for("the hold to lapse", lambda: _job(app, job_id)["lease_until"] < utcnow(), first)
    second = start_worker()
    wait_for("the job to be done", lambda: _done(app, job_id), second)
    assert _marks(app, "killed") == 1
    assert _starts(log) == [str(first.process.pid), str(second.process.pid)]
    assert _job(app, job_id)["attempts"] == 2


def test_a_job_whose_message_was_lost_is_run_by_the_sweep_at_start_up(app, start_worker,
                                                                     tmp_path):
    """A job committed but never queued (the broker was down; here the tests' manual queue)
    is found by the sweep when a worker starts; a job not yet due is left waiting."""
    lost_id = _submit(app, "lost", tmp_path / "lost.log")
    later_id = _submit(app, "not-yet", tmp_path / "not-yet.log", delay=3600)
    worker = start_worker()
    wait_for("the lost job to be done", lambda: _done(app, lost_id), worker)
    assert _marks(app, "lost") == 1
    assert _job(app, later_id)["status"] == "pending" and _marks(app, "not-yet") == 0


def test_the_worker_fails_a_job_with_its_reason_after_its_attempts(app, start_worker,
                                                                   tmp_path):
    """A job that fails every time is tried 1 + retries times, then failed with its reason
    (what the partnership admin reads)."""
    worker = start_worker()
    job_id = _submit(app, "broken", tmp_path / "broken.log", fail=True)
    wait_for("the job to fail", lambda: _job(app, job_id)["status"] == "failed", worker)
    assert _job(app, job_id)["last_error"] == "RuntimeError: broken cannot be done"
    assert len(_starts(tmp_path / "broken.log")) == 3 and _marks(app, "broken") == 0

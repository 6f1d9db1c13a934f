"""The job runner: claims, retries, failures, keys, holds and the sweep (in this process;
tests/jobs/test_worker.py runs a real worker)."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from workspace.clock import utcnow
from workspace.extensions import db
from workspace.jobs import JobFailed, job, runner, submit
from workspace.jobs.models import Job

CALLS = []


@job("test.record", retries=2)
def _record(value, fail_times=0, permanent=False):
    CALLS.append(value)
    if permanent:
        raise JobFailed("The file could not be found.")
    if CALLS.count(value) <= fail_times:
        raise RuntimeError("SMTP is down")


@job("test.write_after_another", retries=0)
def _write_after_another(value):
    # Another connection writes while the job works (the hold's renewal, a request).
    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.kind == "test.write_after_another")
                           .values(label="Touched"))
    submit("test.record", value=value)


@job("test.taken_over", retries=0)
def _taken_over(value):
    # The hold lapsed, and another worker claimed the job while this one worked.
    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.kind == "test.taken_over")
                           .values(attempts=Job.attempts + 1))
    submit("test.record", value=value)


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


def _job(job_id):
    """The job as committed (ending this session's transaction: a snapshot taken before the
    runner committed would show the job as it was)."""
    db.session.rollback()
    return db.session.get(Job, job_id)


def test_a_job_runs_once_and_is_done(app, ctx):
    row = submit("test.record", value="a")
    db.session.commit()
    assert runner.run_pending() == 1
    assert runner.run_pending() == 0
    assert CALLS == ["a"]
    assert _job(row.id).status == "done" and _job(row.id).attempts == 1


def test_a_rolled_back_request_asks_for_nothing(app, ctx):
    submit("test.record", value="a")
    db.session.rollback()
    assert runner.run_pending() == 0
    assert db.session.scalar(select(Job.id)) is None


def test_a_failure_is_retried_then_succeeds(app, ctx):
    row = submit("test.record", value="b", fail_times=2)
    db.session.commit()
    runner.run_pending(ignore_schedule=True)
    job_row = _job(row.id)
    assert CALLS == ["b", "b", "b"]
    assert job_row.status == "done" and job_row.attempts == 3


def test_a_job_fails_with_its_reason_when_attempts_are_spent(app, ctx):
    row = submit("test.record", value="c", fail_times=10)
    db.session.commit()
    runner.run_pending(ignore_schedule=True)
    job_row = _job(row.id)
    assert CALLS == ["c", "c", "c"]        # 1 + retries=2
    assert job_row.status == "failed"
    assert job_row.last_error == "RuntimeError: SMTP is down"


def test_a_permanent_failure_is_not_retried(app, ctx):
    row = submit("test.record", value="d", permanent=True)
    db.session.commit()
    runner.run_pending(ignore_schedule=True)
    assert CALLS == ["d"]
    assert _job(row.id).status == "failed"
    assert _job(row.id).last_error == "The file could not be found."


def test_a_retry_waits_before_running_again(app, ctx):
    app.config["JOBS_RETRY_DELAY_SECONDS"] = 60
    try:
        row = submit("test.record", value="e", fail_times=1)
        db.session.commit()
        runner.run_pending()
        assert CALLS == ["e"]
        assert _job(row.id).status == "pending"
        assert _job(row.id).run_after > utcnow() + timedelta(seconds=50)
    finally:
        app.config["JOBS_RETRY_DELAY_SECONDS"] = 0


def test_a_second_job_with_a_waiting_key_is_not_added(app, ctx):
    first = submit("test.record", key="mail:1", value="f")
    second = submit("test.record", key="mail:1", value="g")
    db.session.commit()
    assert first.id == second.id
    runner.run_pending()
    assert CALLS == ["f"]


def test_jobs_with_one_key_never_run_at_once(app, ctx):
    running = submit("test.record", key="sign:1", value="h")
    db.session.commit()
    running.status, running.lease_until = "running", utcnow() + timedelta(minutes=1)
    waiting = submit("test.record", key="sign:1", value="i")
    db.session.commit()
    assert runner.run(waiting.id) is None          # the key is busy
    assert CALLS == []
    running.status = "done"
    db.session.commit()
    assert runner.run(waiting.id) == "done"
    assert CALLS == ["i"]


def test_a_job_whose_worker_died_runs_again_once_its_hold_lapses(app, ctx):
    row = submit("test.record", value="j")
    db.session.commit()
    row.status, row.attempts = "running", 1
    row.lease_until = utcnow() + timedelta(seconds=30)
    db.session.commit()
    assert runner.run(row.id) is None              # still held by the (dead) worker
    row.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert runner.run(row.id) == "done"
    assert CALLS == ["j"] and _job(row.id).attempts == 2


def test_a_job_that_kills_every_worker_stops_failed(app, ctx):
    row = submit("test.record", value="k")
    db.session.commit()
    row.status, row.attempts = "running", row.max_attempts
    row.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert runner.run(row.id) == "failed"
    assert CALLS == [] and "worker stopped" in _job(row.id).last_error


def test_a_failed_job_can_be_tried_again(app, ctx):
    row = submit("test.record", value="l", permanent=True)
    db.session.commit()
    runner.run_pending()
    runner.retry(_job(row.id))
    db.session.commit()
    runner.run_pending()
    assert CALLS == ["l", "l"]


def test_the_sweep_finds_lost_and_abandoned_jobs_and_runs_periodic_work(app, ctx):
    lost = submit("test.record", value="m")
    abandoned = submit("test.record", value="n")
    later = submit("test.record", value="o", delay=3600)
    db.session.commit()
    lost.run_after = utcnow() - timedelta(minutes=1)
    abandoned.status, abandoned.lease_until = "running", utcnow() - timedelta(seconds=1)
    db.session.commit()
    ticks = []
    from workspace.jobs import registry
    registry._every_minute.append(lambda: ticks.append(1))
    try:
        assert runner.sweep() == 2
    finally:
        registry._every_minute.pop()
    assert ticks == [1]
    assert later.status == "pending"


def test_a_worker_process_sweeps_once_when_it_starts_without_grace(app, tmp_path,
                                                                  monkeypatch):
    """Huey calls start-up hooks in every worker thread: only the first sweeps, and it
    queues every due job at once (a lost message is not waited for)."""
    from workspace.jobs.queue import make_queue
    sweeps = []
    monkeypatch.setattr(runner, "sweep", lambda **kwargs: sweeps.append(kwargs))
    queue = make_queue(app, "sqlite:///" + str(tmp_path / "queue.sqlite3"))
    for _ in range(3):
        for hook in queue.huey._startup.values():
            hook()
    assert sweeps == [{"grace": timedelta(0)}]


def test_a_job_writes_after_another_connection_wrote_while_it_worked(app, ctx):
    """The job's function begins its own transaction: no snapshot from the claim, which on
    SQLite could not write once another connection had ("database is locked")."""
    row = submit("test.write_after_another", value="p")
    db.session.commit()
    assert runner.run(row.id) == "done"
    db.session.rollback()
    assert db.session.scalar(select(Job.id).where(Job.kind == "test.record")) is not None


def test_a_job_taken_over_by_another_worker_writes_nothing(app, ctx):
    """A worker whose hold lapsed, and whose job another worker claimed, discards its result:
    the job's effect is written once, by the worker that holds it."""
    row = submit("test.taken_over", value="q")
    db.session.commit()
    assert runner.run(row.id) == "running"
    db.session.rollback()
    assert db.session.scalar(select(Job.id).where(Job.kind == "test.record")) is None
    assert _job(row.id).status == "running" and _job(row.id).attempts == 2

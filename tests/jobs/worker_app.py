"""The application `flask jobs worker` runs in tests/jobs/test_worker.py, with a test-only kind.

FLASK_APP=tests.jobs.worker_app: Flask finds `create_app` here and builds the real application
from the environment (DATABASE_URL, SECRET_KEY, JOBS_QUEUE_URL, JOBS_LEASE_SECONDS...). The
tests import this module too, so that `submit` knows the kind.
"""
import os
import time

import sqlalchemy as sa

from workspace import create_app as build_app
from workspace.extensions import db
from workspace.jobs import job

#: The effect of a `test.worker.mark` job: a row, written in the job's transaction (so it is
#: written once, with the job's "done"). Not in the application's models: the tests create it.
MARKS = sa.Table("test_worker_marks", sa.MetaData(),
                 sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("name", sa.String(50), nullable=False),
                 sa.Column("pid", sa.Integer, nullable=False))

#: How long the first attempt of a `hang_first` job waits to be killed before giving up.
HANG_SECONDS = 120


@job("test.worker.mark", retries=2)
def mark(name, log, hang_first=False, fail=False):
    """Note the start in the file `log` (one line per attempt, outside any transaction), then
    write the mark row. With hang_first, the first attempt hangs until the worker is killed;
    with fail, every attempt fails."""
    with open(log, "a", encoding="utf-8") as starts:
        starts.write(f"{os.getpid()}\n")
        starts.flush()
        os.fsync(starts.fileno())
    if fail:
        raise RuntimeError(f"{name} cannot be done")
    if hang_first:
        with open(log, encoding="utf-8") as starts:
            first = len(starts.read().split()) == 1
        deadline = time.monotonic() + HANG_SECONDS
        while first and time.monotonic() < deadline:
            time.sleep(0.1)
    db.session.execute(MARKS.insert().values(name=name, pid=os.getpid()))


def create_app():
    """The real application, configured from the environment."""
    return build_app()

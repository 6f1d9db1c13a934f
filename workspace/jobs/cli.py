"""flask jobs worker | run | status: the worker process and its tools."""
import logging

import click
from flask import current_app
from flask.cli import AppGroup

from . import runner

jobs_cli = AppGroup("jobs", help="Background work: the worker, and running due jobs by hand.")


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None,
              help="Jobs run at once (default JOBS_WORKERS).")
def worker_command(workers):
    """Run the worker: jobs as they are queued, and the sweep every minute."""
    queue = current_app.extensions["jobs"]
    if queue.huey is None:
        raise click.ClickException("JOBS_QUEUE_URL is 'manual': there is no queue to work on. "
                                   "Use 'flask jobs run' to run what is due.")
    huey_log = logging.getLogger("huey")     # the consumer's start, stop and each task run
    if not huey_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s in worker: "
                                               "%(message)s"))
        huey_log.addHandler(handler)
        huey_log.setLevel(logging.INFO)
    consumer = queue.huey.create_consumer(
        workers=workers or current_app.config["JOBS_WORKERS"], worker_type="thread",
        periodic=True, check_worker_health=True, max_delay=2.0)
    consumer.run()


@jobs_cli.command("run")
def run_command():
    """Run every due job now, in this process, and exit."""
    ran = runner.run_pending()
    click.echo(f"Ran {ran} job{'s' if ran != 1 else ''}.")


@jobs_cli.command("status")
def status_command():
    """How many jobs are waiting, running, done and failed."""
    counts = runner.counts()
    for status in ("pending", "running", "done", "failed"):
        click.echo(f"{status}: {counts.get(status, 0)}")

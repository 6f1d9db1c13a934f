"""Background work: slow work off the request, done by a worker process.

    from workspace.jobs import job, submit

    @job("export.render_pdf", retries=3)      # in the package that does the work
    def render_pdf(export_id): ...

    submit("export.render_pdf", key=f"pdf:{export.id}", export_id=export.id)  # in a request

`submit` writes a row in the request's transaction; when it commits, the queue (Huey: a SQLite
file by default, Redis when configured) wakes a worker (`flask jobs worker`), which runs the
kind's function. See registry.py for the rules a kind's function follows and runner.py for
retries, holds and the minute sweep.
"""
from .queue import submit
from .registry import JobFailed, every_minute, job

__all__ = ["JobFailed", "every_minute", "job", "submit"]

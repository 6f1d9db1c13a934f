"""The durable record of background work: one row per job, in the application's database."""
from ..clock import utcnow
from ..extensions import db

#: A job's states: waiting to run (or to run again), being run, finished, given up.
PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
STATUS_LABELS = {PENDING: "Waiting", RUNNING: "Running", DONE: "Done", FAILED: "Failed"}


class Job(db.Model):
    """A piece of work done off the request: rendering a PDF, signing it, sending an email.

    The row is written in the same transaction as the change that asks for it, so work is
    never asked for a change that was rolled back, nor lost for one that was committed. The
    queue (Huey) only wakes a worker; the row says what is to be done and how it went.
    """

    __tablename__ = "jobs"
    __table_args__ = (db.Index("ix_jobs_status_run_after", "status", "run_after"),)

    id = db.Column(db.Integer, primary_key=True)
    #: The registered kind (workspace/jobs/registry.py), e.g. "export.render_pdf".
    kind = db.Column(db.String(60), nullable=False)
    #: Jobs with the same key never run at the same time, and a second one asked for while
    #: one is still waiting is not added (e.g. "pdf-sign:version:12").
    key = db.Column(db.String(200), nullable=True, index=True)
    #: JSON keyword arguments for the kind's function.
    payload = db.Column(db.Text, nullable=False, default="{}")
    status = db.Column(db.String(20), nullable=False, default=PENDING)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    max_attempts = db.Column(db.Integer, nullable=False, default=5)
    #: Not before this time (UTC): a delay asked for, or the wait before a retry.
    run_after = db.Column(db.DateTime, nullable=False, default=utcnow)
    #: While running: the worker holds the job until then, and renews the hold while it
    #: works. A worker that dies stops renewing, and the job runs again once it lapses.
    lease_until = db.Column(db.DateTime, nullable=True)
    #: The reason of the last failure, as the partnership admin reads it.
    last_error = db.Column(db.Text, nullable=True)
    #: The partnership the work is for (its admins see it when it fails), and a short label.
    partnership_id = db.Column(db.Integer, db.ForeignKey("partnerships.id"), nullable=True,
                               index=True)
    label = db.Column(db.String(200), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    started_at = db.Column(db.DateTime, nullable=True)
    finished_at = db.Column(db.DateTime, nullable=True)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_failed(self):
        return self.status == FAILED

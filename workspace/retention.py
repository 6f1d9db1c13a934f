"""Retention: the tables that would otherwise grow for ever lose the rows nobody needs any more.

`flask prune` (`--dry-run` to see what would go) and a daily job in the worker remove, each
once older than its setting (0 keeps them for ever):

- draft PDFs (PRUNE_DRAFT_PDFS_AFTER_DAYS): renderings of a document's draft (no version, no
  signature), except the newest of each document in each variant, so a draft that has not
  changed downloads at once. A version's PDFs are never removed, signed or not, retired or
  not: the verify page must recognise every file handed out of an agreed version.
- presence (PRUNE_PRESENCE_AFTER_MINUTES): "is editing" rows not renewed since; never one
  still inside the presence timeout.
- failed sign-in attempts (PRUNE_LOGIN_ATTEMPTS_AFTER_DAYS): never one inside
  LOGIN_THROTTLE_MINUTES, the window the sign-in throttle counts.
- sessions (PRUNE_SESSIONS_AFTER_DAYS): sessions ended (signed out, replaced by a new sign-in,
  ended by a password change or deactivation) that long ago, and sessions never signed out
  whose last use is that long ago plus the sign-in's lifetime (their cookie expired long
  before). A session still in use is never removed.
- import receipts (PRUNE_IMPORT_RECEIPTS_AFTER_DAYS): a preview is not stored (it travels in
  a signed token), only the receipt of its confirmation; never one younger than
  IMPORT_PREVIEW_MAX_AGE_MINUTES, while its token could still be confirmed again.
- finished background work (PRUNE_JOBS_AFTER_DAYS): jobs done that long ago (what they made
  is stored where they put it; the daily prune itself is one), and failed jobs whose work a
  later job has done. A job waiting or running, or a failure not yet made good, is never
  removed: it stays before the partnership's admins until tried again.

The audit log, revisions, versions, positions, signatures and feedback are the record: never
removed here. Each kind is removed in a transaction of its own.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, exists, func, or_, select

from . import clock, files
from .accounts.models import LoginAttempt, UserSession
from .accounts.signin import SEEN_EVERY
from .db import immediate_writes
from .documents import presence as presence_rules
from .documents.models import ImportReceipt, Presence
from .export.models import PdfExport, PdfFile
from .extensions import db
from .jobs import every_minute, job, submit
from .jobs import service as jobs_service
from .jobs.models import DONE, FAILED, Job

#: The daily job's kind, and the UK hour from which it is asked for each day.
PRUNE = "retention.prune"
PRUNE_HOUR = 3
#: Rows deleted by one statement (SQLite allows some hundreds of parameters).
CHUNK = 500


@dataclass(frozen=True)
class Kind:
    """One kind of row that is pruned: its setting, and what removes it."""
    name: str
    label: str
    setting: str
    unit: str                                   # "days" or "minutes"
    remove: Callable[[datetime, bool], int]     # (older than, dry run) -> how many
    floor: Callable[[], timedelta]              # never younger than this, whatever the setting


@dataclass(frozen=True)
class Pruned:
    """What pruning one kind did (or would do, in a dry run)."""
    kind: Kind
    count: int
    before: datetime | None                     # None: the setting is 0, nothing goes

    @property
    def kept_for(self) -> str:
        value = current_app.config[self.kind.setting]
        return f"{value} {self.kind.unit}"


def _ids(stmt) -> list[int]:
    return list(db.session.scalars(stmt))


def _delete_ids(model, column, ids) -> None:
    for start in range(0, len(ids), CHUNK):
        db.session.execute(delete(model).where(column.in_(ids[start:start + CHUNK]))
                           .execution_options(synchronize_session=False))


def _delete(model, condition, dry_run: bool) -> int:
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(model).where(condition))
    return db.session.execute(delete(model).where(condition)
                              .execution_options(synchronize_session=False)).rowcount


def draft_pdf_ids(before: datetime) -> list[int]:
    """The draft renderings made before `before` that may go: no version, no signature on
    any of their files, and not the newest draft rendering of their document in their
    variant."""
    newest = select(func.max(PdfExport.id)).where(PdfExport.version_id.is_(None)) \
        .group_by(PdfExport.document_id, PdfExport.variant)
    signed = exists().where(PdfFile.export_id == PdfExport.id,
                            or_(PdfFile.signature_count > 0, PdfFile.signed_for_id.is_not(None)))
    return _ids(select(PdfExport.id).where(
        PdfExport.version_id.is_(None), PdfExport.created_at < before,
        PdfExport.id.not_in(newest), ~signed).order_by(PdfExport.id))


def remove_draft_pdfs(before: datetime, dry_run: bool = False) -> int:
    """Remove the draft renderings `draft_pdf_ids` names (their files first); how many."""
    ids = draft_pdf_ids(before)
    if not dry_run:
        _delete_ids(PdfFile, PdfFile.export_id, ids)
        _delete_ids(PdfExport, PdfExport.id, ids)
    return len(ids)


def remove_presence(before: datetime, dry_run: bool = False) -> int:
    return _delete(Presence, Presence.seen_at < before, dry_run)


def remove_login_attempts(before: datetime, dry_run: bool = False) -> int:
    return _delete(LoginAttempt, LoginAttempt.at < before, dry_run)


def remove_sessions(before: datetime, dry_run: bool = False) -> int:
    """Sessions ended before `before`, and sessions never ended whose last use (or sign-in)
    is so old that their cookie expired long ago: before `before` by more than the sign-in's
    lifetime and the granularity of last use (signin.SEEN_EVERY)."""
    abandoned = before - current_app.permanent_session_lifetime - SEEN_EVERY
    last_use = func.coalesce(UserSession.last_seen_at, UserSession.created_at)
    return _delete(UserSession, (UserSession.ended_at.is_not(None)
                                 & (UserSession.ended_at < before))
                   | (UserSession.ended_at.is_(None) & (last_use < abandoned)), dry_run)


def remove_import_receipts(before: datetime, dry_run: bool = False) -> int:
    return _delete(ImportReceipt, ImportReceipt.created_at < before, dry_run)


def remove_jobs(before: datetime, dry_run: bool = False) -> int:
    """Jobs done before `before`; first the failed jobs whose work a later job has since done
    (the Background work page no longer shows them, and removing that later job must not
    bring them back)."""
    over = _delete(Job, (Job.status == FAILED) & jobs_service.done_since(), dry_run)
    return over + _delete(Job, (Job.status == DONE) & (Job.finished_at < before), dry_run)


def _minutes(setting: str) -> Callable[[], timedelta]:
    return lambda: timedelta(minutes=current_app.config[setting])


KINDS = (
    Kind("draft_pdfs", "Draft PDFs", "PRUNE_DRAFT_PDFS_AFTER_DAYS", "days", remove_draft_pdfs,
         timedelta),
    Kind("presence", "Presence", "PRUNE_PRESENCE_AFTER_MINUTES", "minutes", remove_presence,
         presence_rules.timeout),
    Kind("login_attempts", "Failed sign-in attempts", "PRUNE_LOGIN_ATTEMPTS_AFTER_DAYS", "days",
         remove_login_attempts, _minutes("LOGIN_THROTTLE_MINUTES")),
    Kind("sessions", "Ended or abandoned sessions", "PRUNE_SESSIONS_AFTER_DAYS", "days",
         remove_sessions,
         timedelta),
    Kind("import_receipts", "Import receipts", "PRUNE_IMPORT_RECEIPTS_AFTER_DAYS", "days",
         remove_import_receipts, _minutes("IMPORT_PREVIEW_MAX_AGE_MINUTES")),
    Kind("jobs", "Finished background jobs", "PRUNE_JOBS_AFTER_DAYS", "days", remove_jobs,
         timedelta),
)


def cutoff(kind: Kind, now: datetime) -> datetime | None:
    """Rows of `kind` older than this go (None: its setting is 0, none go). Never later than
    its floor allows (the throttle's window, the presence timeout, a preview's life)."""
    value = current_app.config[kind.setting]
    if not value:
        return None
    keep = timedelta(**{kind.unit: value})
    return now - max(keep, kind.floor())


def prune_kind(kind: Kind, now: datetime | None = None, dry_run: bool = False) -> Pruned:
    """Prune one kind in a transaction of its own (rolled back in a dry run)."""
    before = cutoff(kind, now or clock.utcnow())
    if before is None:
        return Pruned(kind, 0, None)
    db.session.rollback()                       # a transaction of its own, begun IMMEDIATE
    try:
        with immediate_writes():
            count = kind.remove(before, dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return Pruned(kind, count, before)


@dataclass(frozen=True)
class Report:
    """What `prune` did: each kind in order, and how many stored files went with them."""
    kinds: list[Pruned]
    files_removed: int


def prune(now: datetime | None = None, dry_run: bool = False) -> Report:
    """Prune every kind, each in its own transaction; then remove the files in the file
    store that no row names any more: the pruned draft PDFs' and any a failed job left
    (files.remove_unreferenced: only files stored more than its grace ago, so never one whose
    row a job has yet to commit). A dry run removes nothing."""
    now = now or clock.utcnow()
    done = [prune_kind(kind, now, dry_run) for kind in KINDS]
    if dry_run:
        return Report(done, 0)
    removed = files.remove_unreferenced()
    db.session.rollback()                       # it only read the rows
    return Report(done, removed)


# The worker's daily job ------------------------------------------------------------------------

def daily_key(now: datetime) -> str:
    return f"{PRUNE}:{clock.in_uk(now).date().isoformat()}"


@job(PRUNE, retries=2)
def prune_job(day: str = "") -> None:
    """The daily pruning, in the worker (running it again removes nothing more)."""
    prune()


@every_minute
def submit_daily_prune(now: datetime | None = None) -> Job | None:
    """Once a UK day, from PRUNE_HOUR: ask for the pruning job (unless asked for already)."""
    now = now or clock.utcnow()
    if clock.in_uk(now).hour < PRUNE_HOUR:
        return None
    key = daily_key(now)
    if db.session.scalar(select(Job.id).where(Job.key == key).limit(1)) is not None:
        return None
    return submit(PRUNE, key=key, label="Daily removal of expired records",
                  day=clock.in_uk(now).date().isoformat())


# flask prune -------------------------------------------------------------------------------

@click.command("prune")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@with_appcontext
def prune_command(dry_run):
    """Remove expired draft PDFs, presence, sign-in attempts, sessions, import receipts and
    finished jobs (each past its PRUNE_* setting; the worker does it daily)."""
    report = prune(dry_run=dry_run)
    for pruned in report.kinds:
        if pruned.before is None:
            click.echo(f"{pruned.kind.label}: kept ({pruned.kind.setting} is 0).")
            continue
        verb = "would be removed" if dry_run else "removed"
        click.echo(f"{pruned.kind.label}: {pruned.count} {verb} (older than "
                   f"{pruned.kept_for}).")
    if report.files_removed:
        click.echo(f"Stored files no row names any more: {report.files_removed} removed.")

"""Retention: `flask prune` and the worker's daily job remove expired draft PDFs, presence,
failed sign-in attempts, ended sessions, import receipts and finished jobs, each past its
setting, and never a version's PDF nor a job that failed or is still to run."""
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from workspace import files, retention
from workspace.accounts.models import LoginAttempt, UserSession
from workspace.config import ConfigurationError, load_config
from workspace.documents import service as documents
from workspace.documents.models import ImportReceipt, Presence
from workspace.export.models import PdfExport, PdfFile
from workspace.extensions import db
from workspace.jobs import registry
from workspace.jobs import service as jobs_service
from workspace.jobs.models import Job
from workspace.partnerships.models import Partnership
from workspace.review.models import DocumentVersion

#: A fixed "now" (naive UTC): noon in the UK in winter.
NOW = datetime(2026, 12, 5, 12, 0)
DAY = timedelta(days=1)


@pytest.fixture
def world(app, factory):
    org = factory.organisation()
    partnership_id = factory.partnership(organisations=[org])
    user_id = factory.user(org)
    with app.app_context():
        document = documents.create_document(db.session.get(Partnership, partnership_id),
                                             "Statement", "scg")
        section = documents.append_section(document, "Housing", "Text.\n")
        db.session.commit()
        return {"user": user_id, "document": document.id, "section": section.id}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _export(document_id, age, variant="ua", version_id=None, signatures=(), retired=False,
            sha256=None):
    """A stored rendering made `age` before NOW, with its files' rows: the rendering (its
    address `sha256` if given) and, for each number in `signatures`, a signed file carrying
    that many signatures."""
    made = NOW - age
    export = PdfExport(document_id=document_id, version_id=version_id, content_sha256="c" * 64,
                       variant=variant, stamp_boxes=json.dumps({"layout": 2}), created_at=made,
                       retired_at=made if retired else None)
    db.session.add(export)
    db.session.flush()
    for count in (0, *signatures):
        address = sha256 if sha256 and not count else f"{export.id:032x}{count:032x}"
        db.session.add(PdfFile(export_id=export.id, signature_count=count,
                               file_sha256=address, size=100, created_at=made))
    db.session.flush()
    return export.id


def _version(document_id, number=1):
    row = DocumentVersion(document_id=document_id, number=number, content="{}",
                          content_sha256="c" * 64, frozen_at=NOW - 100 * DAY)
    db.session.add(row)
    db.session.flush()
    return row.id


def _kind(name):
    return next(k for k in retention.KINDS if k.name == name)


def _prune(name, dry_run=False):
    return retention.prune_kind(_kind(name), NOW, dry_run).count


def _remaining(model):
    return set(db.session.scalars(select(model.id)))


# Draft PDFs -----------------------------------------------------------------------------------

def test_old_draft_renderings_go_and_the_newest_of_each_document_and_variant_stays(
        app, ctx, world, monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_DRAFT_PDFS_AFTER_DAYS", 30)
    doc = world["document"]
    old = _export(doc, 40 * DAY)
    old_archive = _export(doc, 45 * DAY, "archive")
    recent = _export(doc, 10 * DAY)                       # within the setting
    newest_archive = _export(doc, 35 * DAY, "archive")    # old, but its variant's newest
    db.session.commit()
    assert _prune("draft_pdfs") == 2
    assert _remaining(PdfExport) == {recent, newest_archive}
    assert set(db.session.scalars(select(PdfFile.export_id))) == {recent, newest_archive}
    assert old not in _remaining(PdfExport) and old_archive not in _remaining(PdfExport)


def test_a_versions_pdfs_are_never_pruned_signed_unsigned_or_retired(app, ctx, world,
                                                                     monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_DRAFT_PDFS_AFTER_DAYS", 1)
    doc = world["document"]
    version = _version(doc)
    kept = {_export(doc, 400 * DAY, version_id=version),                    # unsigned
            _export(doc, 300 * DAY, version_id=version, signatures=(1, 2)),  # signed
            _export(doc, 200 * DAY, version_id=version, retired=True),       # withdrawn
            _export(doc, 100 * DAY, version_id=version, signatures=(1,))}
    _export(doc, 2 * DAY)                                 # the newest draft: stays too
    db.session.commit()
    assert _prune("draft_pdfs") == 0
    assert kept <= _remaining(PdfExport)
    assert _count(PdfFile) == 8


def test_a_draft_rendering_whose_file_carries_a_signature_is_never_pruned(app, ctx, world,
                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_DRAFT_PDFS_AFTER_DAYS", 1)
    doc = world["document"]
    signed = _export(doc, 90 * DAY, signatures=(1,))      # not made so; kept if ever it were
    _export(doc, 80 * DAY)
    _export(doc, 2 * DAY)
    db.session.commit()
    assert _prune("draft_pdfs") == 1
    assert signed in _remaining(PdfExport)


def test_the_pruned_draft_pdfs_bytes_leave_the_file_store(app, ctx, world):
    doc = world["document"]
    old, newest = files.put(b"%PDF- an old draft"), files.put(b"%PDF- the newest draft")
    stored_long_ago = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    for address in (old, newest):           # stored well before the store's grace
        os.utime(files.store().path(address), (stored_long_ago, stored_long_ago))
    _export(doc, 40 * DAY, sha256=old)
    _export(doc, 35 * DAY, sha256=newest)
    db.session.commit()
    assert retention.prune(NOW, dry_run=True).files_removed == 0
    assert files.store().exists(old)
    report = retention.prune(NOW)
    assert report.kinds[0].count == 1 and report.files_removed >= 1
    assert not files.store().exists(old)
    assert files.store().exists(newest)
    files.store().delete(newest)            # the store is the run's: leave no old file behind


# Presence, sign-in attempts, sessions, import receipts ---------------------------------------

def _presence(world, age):
    db.session.add(Presence(document_id=world["document"], section_id=world["section"],
                            user_id=world["user"], seen_at=NOW - age))
    db.session.commit()


def test_presence_goes_past_its_setting_and_stays_within_it(app, ctx, world, monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_PRESENCE_AFTER_MINUTES", 60)
    _presence(world, timedelta(minutes=59))
    assert _prune("presence") == 0 and _count(Presence) == 1
    db.session.execute(Presence.__table__.update().values(seen_at=NOW - timedelta(minutes=61)))
    db.session.commit()
    assert _prune("presence") == 1 and _count(Presence) == 0


def test_presence_inside_the_presence_timeout_stays_whatever_the_setting(app, ctx, world,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_PRESENCE_AFTER_MINUTES", 1)
    monkeypatch.setitem(app.config, "PRESENCE_TIMEOUT_SECONDS", 3600)
    _presence(world, timedelta(minutes=30))
    assert _prune("presence") == 0 and _count(Presence) == 1


def _attempts(*ages):
    db.session.add_all([LoginAttempt(email="a@example.org", address="10.0.0.1", at=NOW - age)
                        for age in ages])
    db.session.commit()


def test_login_attempts_go_past_their_setting_and_stay_within_it(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_LOGIN_ATTEMPTS_AFTER_DAYS", 30)
    _attempts(31 * DAY, 29 * DAY, timedelta(minutes=1))
    assert _prune("login_attempts") == 1
    assert sorted(db.session.scalars(select(LoginAttempt.at))) == [
        NOW - 29 * DAY, NOW - timedelta(minutes=1)]


def test_login_attempts_inside_the_throttle_window_are_never_pruned(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_LOGIN_ATTEMPTS_AFTER_DAYS", 1)
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_MINUTES", 3 * 24 * 60)
    _attempts(2 * DAY, 4 * DAY)
    assert _prune("login_attempts") == 1
    assert list(db.session.scalars(select(LoginAttempt.at))) == [NOW - 2 * DAY]


def test_ended_sessions_go_past_their_setting_and_live_ones_never(app, ctx, world,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_SESSIONS_AFTER_DAYS", 30)
    user = world["user"]
    db.session.add_all([
        UserSession(id="ended-long-ago", user_id=user, created_at=NOW - 90 * DAY,
                    ended_at=NOW - 31 * DAY),
        UserSession(id="ended-lately", user_id=user, created_at=NOW - 90 * DAY,
                    ended_at=NOW - 29 * DAY),
        # In use for over a year, seen within the hour: never removed.
        UserSession(id="live-and-old", user_id=user, created_at=NOW - 400 * DAY,
                    last_seen_at=NOW - timedelta(minutes=50))])
    db.session.commit()
    assert _prune("sessions") == 1
    assert set(db.session.scalars(select(UserSession.id))) == {"ended-lately", "live-and-old"}


def test_sessions_never_signed_out_go_once_long_unused(app, ctx, world, monkeypatch):
    """A session nobody signed out of goes once its last use (its sign-in when it was never
    seen since) is older than the setting plus the sign-in's lifetime (12 hours here) and the
    hour within which last use is written down: its cookie had expired long before."""
    monkeypatch.setitem(app.config, "PRUNE_SESSIONS_AFTER_DAYS", 30)
    user = world["user"]
    cut = NOW - 30 * DAY - timedelta(hours=13)
    db.session.add_all([
        UserSession(id="unused-for-long", user_id=user, created_at=NOW - 90 * DAY,
                    last_seen_at=cut - timedelta(minutes=1)),
        UserSession(id="unused-just-short", user_id=user, created_at=NOW - 90 * DAY,
                    last_seen_at=cut + timedelta(minutes=1)),
        UserSession(id="never-seen-old", user_id=user, created_at=cut - DAY),
        UserSession(id="never-seen-recent", user_id=user, created_at=NOW - DAY)])
    db.session.commit()
    assert _prune("sessions") == 2
    assert set(db.session.scalars(select(UserSession.id))) == {"unused-just-short",
                                                               "never-seen-recent"}


def _receipts(world, *ages):
    db.session.add_all([ImportReceipt(token_sha256=f"{i:064x}", document_id=world["document"],
                                      created_at=NOW - age) for i, age in enumerate(ages)])
    db.session.commit()


def test_import_receipts_go_past_their_setting_and_stay_within_it(app, ctx, world,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_IMPORT_RECEIPTS_AFTER_DAYS", 7)
    _receipts(world, 8 * DAY, 6 * DAY)
    assert _prune("import_receipts") == 1
    assert list(db.session.scalars(select(ImportReceipt.created_at))) == [NOW - 6 * DAY]


def test_a_receipt_stays_while_its_preview_could_still_be_confirmed(app, ctx, world,
                                                                    monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_IMPORT_RECEIPTS_AFTER_DAYS", 1)
    monkeypatch.setitem(app.config, "IMPORT_PREVIEW_MAX_AGE_MINUTES", 3 * 24 * 60)
    _receipts(world, 2 * DAY, 4 * DAY)
    assert _prune("import_receipts") == 1
    assert list(db.session.scalars(select(ImportReceipt.created_at))) == [NOW - 2 * DAY]


def _job(status, finished_age, created_age=None, key=None, partnership_id=None):
    created = NOW - (created_age or finished_age or DAY)
    job = Job(kind="export.render_pdf", status=status, created_at=created, run_after=created,
              finished_at=NOW - finished_age if finished_age is not None else None, key=key,
              partnership_id=partnership_id)
    db.session.add(job)
    db.session.flush()
    return job.id


def test_finished_jobs_go_past_their_setting_and_the_others_never(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_JOBS_AFTER_DAYS", 30)
    old_done = _job("done", 31 * DAY)
    kept = [_job("done", 29 * DAY),
            _job("failed", 300 * DAY),                          # the admins still see it
            _job("pending", None, created_age=300 * DAY),       # still to run
            _job("running", None, created_age=300 * DAY)]
    db.session.commit()
    assert _prune("jobs", dry_run=True) == 1
    assert db.session.get(Job, old_done) is not None
    assert _prune("jobs") == 1
    assert sorted(db.session.scalars(select(Job.id))) == sorted(kept)


def test_a_failure_made_good_goes_with_it_and_one_not_made_good_stays(app, ctx, world,
                                                                     monkeypatch):
    """The Background work page hides a failed job once a later one with its key did the
    work; removing that later job must not show the old failure again."""
    monkeypatch.setitem(app.config, "PRUNE_JOBS_AFTER_DAYS", 30)
    with app.app_context():
        partnership = db.session.scalar(select(Partnership.id))
    made_good = _job("failed", 301 * DAY, key="pdf:1", partnership_id=partnership)
    _job("done", 300 * DAY, key="pdf:1", partnership_id=partnership)
    still_failed = _job("failed", 300 * DAY, key="pdf:2", partnership_id=partnership)
    db.session.commit()
    assert [line.id for line in jobs_service.failed_jobs(partnership)] == [still_failed]
    assert _prune("jobs") == 2
    assert db.session.get(Job, made_good) is None
    assert list(db.session.scalars(select(Job.id))) == [still_failed]
    assert [line.id for line in jobs_service.failed_jobs(partnership)] == [still_failed]


# All at once: dry run, a setting of 0, the command ------------------------------------------

def _everything_old(world):
    doc = world["document"]
    _export(doc, 400 * DAY)
    _export(doc, 300 * DAY)
    _presence(world, 400 * DAY)
    _attempts(400 * DAY)
    db.session.add(UserSession(id="s", user_id=world["user"], created_at=NOW - 401 * DAY,
                               ended_at=NOW - 400 * DAY))
    _job("done", 400 * DAY)
    _receipts(world, 400 * DAY)                 # commits


MODELS = (PdfExport, Presence, LoginAttempt, UserSession, ImportReceipt, Job)


def test_a_dry_run_counts_and_deletes_nothing(app, ctx, world):
    _everything_old(world)
    before = [_count(m) for m in MODELS]
    report = retention.prune(NOW, dry_run=True)
    assert [(p.kind.name, p.count) for p in report.kinds] == [
        ("draft_pdfs", 1), ("presence", 1), ("login_attempts", 1), ("sessions", 1),
        ("import_receipts", 1), ("jobs", 1)]
    assert [_count(m) for m in MODELS] == before


def test_prune_removes_every_kind_in_one_go(app, ctx, world):
    _everything_old(world)
    assert [p.count for p in retention.prune(NOW).kinds] == [1, 1, 1, 1, 1, 1]
    assert [_count(m) for m in MODELS] == [1, 0, 0, 0, 0, 0]


def test_a_setting_of_0_keeps_that_kind_for_ever(app, ctx, world, monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_LOGIN_ATTEMPTS_AFTER_DAYS", 0)
    _everything_old(world)
    done = {p.kind.name: p for p in retention.prune(NOW).kinds}
    assert done["login_attempts"].before is None and done["login_attempts"].count == 0
    assert _count(LoginAttempt) == 1
    assert _count(Presence) == 0


def test_flask_prune_prints_the_counts_and_dry_run_removes_nothing(app, world):
    with app.app_context():
        _everything_old(world)          # 400 days before NOW: older than every default
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Draft PDFs: 1 would be removed (older than 30 days)." in dry.output
    assert "Presence: 1 would be removed (older than 60 minutes)." in dry.output
    with app.app_context():
        assert _count(LoginAttempt) == 1
    result = runner.invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:6] == [
        "Draft PDFs: 1 removed (older than 30 days).",
        "Presence: 1 removed (older than 60 minutes).",
        "Failed sign-in attempts: 1 removed (older than 30 days).",
        "Ended or abandoned sessions: 1 removed (older than 30 days).",
        "Import receipts: 1 removed (older than 7 days).",
        "Finished background jobs: 1 removed (older than 30 days)."]
    with app.app_context():
        assert [_count(m) for m in MODELS] == [1, 0, 0, 0, 0, 0]


def test_flask_prune_says_when_a_kind_is_kept(app, monkeypatch):
    monkeypatch.setitem(app.config, "PRUNE_SESSIONS_AFTER_DAYS", 0)
    result = app.test_cli_runner().invoke(args=["prune"])
    assert "Ended or abandoned sessions: kept (PRUNE_SESSIONS_AFTER_DAYS is 0)." in result.output


# The worker's schedule -----------------------------------------------------------------------

def test_the_daily_prune_is_registered_with_the_worker():
    assert retention.submit_daily_prune in registry.periodic()
    assert registry.kind(retention.PRUNE).fn is retention.prune_job


def test_the_daily_prune_is_asked_for_once_a_uk_day_from_3am(app, ctx):
    assert retention.submit_daily_prune(datetime(2026, 12, 5, 2, 59)) is None
    first = retention.submit_daily_prune(datetime(2026, 12, 5, 3, 0))
    assert first is not None and first.kind == retention.PRUNE
    db.session.commit()
    assert retention.submit_daily_prune(datetime(2026, 12, 5, 23, 0)) is None
    # British Summer Time: 02:30 UTC is 03:30 in the UK, a new UK day.
    assert retention.submit_daily_prune(datetime(2027, 6, 1, 2, 30)) is not None
    db.session.commit()
    assert _count(Job) == 2


def test_the_daily_job_prunes(app, world, run_jobs):
    with app.app_context():
        _everything_old(world)
        assert retention.submit_daily_prune(datetime(2026, 12, 5, 4, 0)) is not None
        db.session.commit()
    assert run_jobs() == 1
    with app.app_context():
        # The old finished job went; the prune's own, finished just now, stays.
        assert db.session.execute(select(Job.kind, Job.status)).all() == [
            (retention.PRUNE, "done")]
        assert [_count(m) for m in MODELS] == [1, 0, 0, 0, 0, 1]


# Settings ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "PRUNE_DRAFT_PDFS_AFTER_DAYS", "PRUNE_PRESENCE_AFTER_MINUTES",
    "PRUNE_LOGIN_ATTEMPTS_AFTER_DAYS", "PRUNE_SESSIONS_AFTER_DAYS",
    "PRUNE_IMPORT_RECEIPTS_AFTER_DAYS", "PRUNE_JOBS_AFTER_DAYS"])
@pytest.mark.parametrize("value", ["a month", "-1"])
def test_a_bad_prune_setting_is_refused_in_one_line(monkeypatch, tmp_path, capsys, name,
                                                    value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError):
        load_config(Flask("workspace", instance_path=str(tmp_path / "instance")))
    [line] = capsys.readouterr().err.strip().splitlines()
    unit = "minutes" if "MINUTES" in name else "days"
    assert line == (f"Common Ground cannot start: {name} must be a whole number of {unit}, "
                    f"0 or more, like {60 if unit == 'minutes' else 7 if 'IMPORT' in name else 30}"
                    f" (it is {value!r}).")


def test_prune_settings_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("PRUNE_DRAFT_PDFS_AFTER_DAYS", " 90 ")
    monkeypatch.setenv("PRUNE_SESSIONS_AFTER_DAYS", "0")
    app = Flask("workspace", instance_path=str(tmp_path / "instance"))
    load_config(app)
    assert (app.config["PRUNE_DRAFT_PDFS_AFTER_DAYS"], app.config["PRUNE_SESSIONS_AFTER_DAYS"],
            app.config["PRUNE_IMPORT_RECEIPTS_AFTER_DAYS"]) == (90, 0, 7)

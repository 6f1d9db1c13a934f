"""Backups and restore: `flask backup [--to DIR]` and `flask restore PATH [--yes]`.

A backup is a folder `common-ground-backup-YYYYMMDDTHHMMSSZ/`: `database.sqlite3` (SQLite's
online backup API: consistent while the app runs) or, for PostgreSQL, `database.pgdump`
(`pg_dump --format=custom`, when pg_dump is on PATH; otherwise the recipe is printed and the
command fails); `files/`, the local file store (FILES_DIR) copied after the database, so every
file the copy names is there (files are content-addressed, never rewritten); `manifest.json`
(engine, migration revision, rows per table, SHA-256 of every file). It is written under a
hidden name and renamed when whole. Object storage (FILES_S3_BUCKET) is not copied.

Restore (SQLite only) checks the manifest, every SHA-256 and `PRAGMA integrity_check` on a copy
staged beside the live database before it touches anything; then it swaps the file store
folder and replaces the database file with os.replace (the file store is put back if that
fails). Any bad input is one line, with nothing changed.
"""
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from .clock import utcnow
from .extensions import db

FORMAT, FORMAT_VERSION = "common-ground-backup", 1
PREFIX = "common-ground-backup-"
SQLITE_NAME, PG_DUMP_NAME, FILES_NAME, MANIFEST_NAME = (
    "database.sqlite3", "database.pgdump", "files", "manifest.json")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done: the message says why, in one line."""


@dataclass
class Outcome:
    path: Path | None = None
    complete: bool = True
    notes: list[str] = field(default_factory=list)


def files_dir() -> Path:
    """The local file store's folder (FILES_DIR, by default the instance folder's `files/`)."""
    return Path(current_app.config.get("FILES_DIR")
                or Path(current_app.instance_path) / "files").resolve()


def _object_storage_note(done="copied"):
    bucket = current_app.config.get("FILES_S3_BUCKET")
    return bucket and (f"Files in object storage (bucket {bucket}) are not {done}: keep them "
                       "with the provider's versioning or replication.")


def pg_dump_recipe(url) -> str:
    """The commands that back up and restore a PostgreSQL database, for the given URL."""
    plain = _libpq_url(url)
    return (f"pg_dump --format=custom --file=common-ground.pgdump '{plain}'  (restore: "
            f"pg_restore --clean --if-exists --no-owner --dbname='{plain}' common-ground.pgdump)")


def _libpq_url(url):
    """The URL as pg_dump reads it: no driver suffix, no password (it goes in PGPASSWORD)."""
    url = make_url(url)
    return URL.create("postgresql", url.username, None, url.host, url.port, url.database,
                      url.query).render_as_string(hide_password=False)


# ----- backup -----

def backup(destination_dir) -> Outcome:
    """Write a backup folder in destination_dir; return where and what to tell the operator."""
    destination = Path(destination_dir).resolve()
    store = files_dir()
    if destination == store or store in destination.parents:
        raise BackupError(f"The backup cannot go inside the file store ({store}).")
    try:
        destination.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot use {destination} for backups: {exc.strerror}.") from None
    final = destination / f"{PREFIX}{utcnow():%Y%m%dT%H%M%SZ}"
    if final.exists():
        raise BackupError(f"{final} already exists: try again in a second.")
    work = destination / f".{final.name}.{secrets.token_hex(4)}.partial"
    work.mkdir()
    outcome = Outcome(path=final)
    try:
        engine = db.engine
        manifest = {"format": FORMAT, "version": FORMAT_VERSION,
                    "created_at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "engine": engine.dialect.name}
        if engine.dialect.name == "sqlite":
            manifest.update(_copy_sqlite(_sqlite_file(engine), work / SQLITE_NAME))
        else:                        # PostgreSQL: the only other engine the app accepts
            manifest.update(_dump_postgresql(engine.url, work / PG_DUMP_NAME, outcome))
        manifest["files"] = _copy_tree(store, work / FILES_NAME)
        if _object_storage_note():
            outcome.notes.append(_object_storage_note())
        (work / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return outcome


def _sqlite_file(engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("The SQLite database is not a plain file on disk: nothing to copy.")
    return Path(name).resolve()


def _copy_sqlite(source_path, target):
    if not source_path.is_file():
        raise BackupError(f"The database file {source_path} does not exist.")
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)          # all pages in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")   # one self-contained file, no -wal
        problem = _integrity_problem(copy)
        if problem:
            raise BackupError(f"The copy of the database failed its integrity check: {problem}")
        summary = {"alembic_revision": _revision(copy), "tables": _row_counts(copy)}
    finally:
        copy.close()
        source.close()
    return summary | {"database": _described(target)}


def _dump_postgresql(url, target, outcome):
    """pg_dump when it is on PATH (its version must be the server's or newer: pg_dump says so
    if not); otherwise the recipe, and the backup is marked incomplete."""
    pg_dump = shutil.which("pg_dump")
    summary = {"alembic_revision": None, "tables": None, "database": None}
    if pg_dump is None:
        outcome.complete = False
        outcome.notes.append("pg_dump is not on PATH, so the database is NOT in this backup. "
                             "Back it up with: " + pg_dump_recipe(url))
        return summary
    env = dict(os.environ) | ({"PGPASSWORD": str(url.password)} if url.password else {})
    result = subprocess.run([pg_dump, "--format=custom", f"--file={target}", _libpq_url(url)],
                            env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = (result.stderr or "").strip().splitlines() or ["no message"]
        raise BackupError(f"pg_dump failed: {lines[-1]}")
    outcome.notes.append("Database dumped with pg_dump (restore it with pg_restore: "
                         "see the README's Backups and restore).")
    return summary | {"database": _described(target)}


def _copy_tree(source, target):
    """Copy the regular files under source (if it exists) to target; {relative path: SHA-256}.
    A file removed while the copy runs (a temporary file renamed in place) is left out."""
    hashes = {}
    target.mkdir()
    for path in sorted(source.rglob("*")) if source.is_dir() else ():
        if path.is_file() and not path.is_symlink():
            relative = path.relative_to(source).as_posix()
            with contextlib.suppress(FileNotFoundError):
                hashes[relative] = _copy_hashing(path, target / relative)
    return hashes


# ----- restore -----

def read_manifest(backup_path):
    """The backup's manifest, checked for shape; raises BackupError naming what is wrong."""
    folder = Path(backup_path)
    if not folder.exists():
        raise BackupError(f"{folder} does not exist.")
    manifest_path = folder / MANIFEST_NAME
    if not folder.is_dir() or not manifest_path.is_file():
        raise BackupError(f"{folder} is not a Common Ground backup (no {MANIFEST_NAME}).")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (ValueError, OSError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is not a Common Ground backup (not its manifest).")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"{folder} is a backup of format {manifest.get('version')!r}; this "
                          f"version of Common Ground reads format {FORMAT_VERSION}.")
    database, files = manifest.get("database"), manifest.get("files")
    if manifest.get("engine") != "sqlite" or not isinstance(database, dict) \
            or database.get("file") != SQLITE_NAME:
        raise BackupError(f"{folder} holds no SQLite database: restore a PostgreSQL dump with "
                          "pg_restore (see the README's Backups and restore).")
    if not isinstance(files, dict) or not all(
            isinstance(v, str) and Path(k).parts and not Path(k).is_absolute()
            and ".." not in Path(k).parts for k, v in files.items()):
        raise BackupError(f"{manifest_path} has no valid list of files: the backup is damaged.")
    return manifest


def restore_target():
    """The live SQLite database file a restore replaces; refuses any other database."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise BackupError(
            "flask restore works on SQLite only; this workspace's database is "
            "PostgreSQL: restore its dump with pg_restore (see the README's "
            "Backups and restore).")
    return _sqlite_file(engine)


def restore(backup_path) -> Outcome:
    """Put the workspace back as the backup has it: database and local file store."""
    target = restore_target()
    manifest = read_manifest(backup_path)
    folder = Path(backup_path)
    store = files_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    store.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    staged_db = target.with_name(f".{target.name}.restore-{token}")
    staged_files = store.with_name(f".{store.name}.restore-{token}")
    previous_files = store.with_name(f".{store.name}.before-restore-{token}")
    outcome = Outcome(path=folder)
    try:
        _stage(folder, manifest, staged_db, staged_files, outcome)
        db.session.remove()
        db.engine.dispose()          # no pooled connection keeps the old file open
        moved = swapped = False
        try:
            if store.exists():
                store.rename(previous_files)
                moved = True
            staged_files.rename(store)
            swapped = True
            for suffix in ("-wal", "-shm"):   # the old database's log must not meet the new
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            if target.exists():
                shutil.copymode(target, staged_db)     # keep the live file's permissions
            os.replace(staged_db, target)
        except BaseException:        # put the file store back as it was
            if swapped:
                shutil.rmtree(store, ignore_errors=True)
            if moved:
                previous_files.rename(store)
            raise
        shutil.rmtree(previous_files, ignore_errors=True)
    finally:
        staged_db.unlink(missing_ok=True)
        shutil.rmtree(staged_files, ignore_errors=True)
    if _object_storage_note():
        outcome.notes.append(_object_storage_note("restored"))
    return outcome


def _stage(folder, manifest, staged_db, staged_files, outcome):
    """Copy the backup beside the live workspace, checking every hash and the database's
    integrity; nothing live is touched."""
    source = folder / SQLITE_NAME
    if not source.is_file():
        raise BackupError(f"{folder} has no {SQLITE_NAME}: the backup is incomplete.")
    if _copy_hashing(source, staged_db) != manifest["database"].get("sha256"):
        raise BackupError(f"{SQLITE_NAME} does not match its SHA-256 in the manifest: the "
                          "backup is damaged or was changed.")
    connection = sqlite3.connect(staged_db)
    try:
        problem = _integrity_problem(connection)
        revision = None if problem else _revision(connection)
    except sqlite3.DatabaseError as exc:
        problem = str(exc)
    finally:
        connection.close()
    if problem:
        raise BackupError(f"{SQLITE_NAME} in the backup fails SQLite's integrity check "
                          f"({problem}): nothing was restored.")
    _check_revision(revision, outcome)
    staged_files.mkdir()
    for relative, expected in sorted(manifest["files"].items()):
        path = folder / FILES_NAME / relative
        if not path.is_file():
            raise BackupError(f"{FILES_NAME}/{relative} is missing from the backup.")
        if _copy_hashing(path, staged_files / relative) != expected:
            raise BackupError(f"{FILES_NAME}/{relative} does not match its SHA-256 in the "
                              "manifest: the backup is damaged or was changed.")


def _check_revision(revision, outcome):
    from alembic.script import ScriptDirectory
    scripts = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    if revision is None:
        return
    try:
        known = scripts.get_revision(revision)
    except Exception:   # alembic raises several kinds for an unknown or partial id
        known = None
    if known is None or known.revision != revision:
        raise BackupError(f"The backup's database is at migration {revision}, which this "
                          "version of Common Ground does not know: restore it with the "
                          "version that made it.")
    if revision not in scripts.get_heads():
        outcome.notes.append(f"The restored database is at migration {revision}: run "
                             "`flask db upgrade` before starting the app.")


def _integrity_problem(connection):
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    return None if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:3])


def _revision(connection):
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _row_counts(connection):
    names = [r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names}


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _described(path):
    return {"file": path.name, "sha256": _sha256(path), "bytes": path.stat().st_size}


def _copy_hashing(source, target):
    """Copy source to target (making its folders), returning the SHA-256 of what was copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(source, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest()


# ----- commands -----

@click.command("backup")
@click.option("--to", "destination", type=click.Path(file_okay=False),
              help="Folder to write the backup in (default: the instance folder's backups/).")
@with_appcontext
def backup_command(destination):
    """Back up the database and the local file store to a timestamped folder."""
    try:
        outcome = backup(destination or Path(current_app.instance_path) / "backups")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for note in outcome.notes:
        click.echo(note)
    if not outcome.complete:
        raise click.ClickException(f"Only the files were backed up, to {outcome.path}.")
    click.echo(f"Backup written to {outcome.path}")


@click.command("restore")
@click.argument("path", type=click.Path())
@click.option("--yes", is_flag=True, help="Replace the workspace without asking.")
@with_appcontext
def restore_command(path, yes):
    """Replace the SQLite database and the local file store with the backup at PATH.

    Stop the app and its worker first: they would keep the old database open."""
    try:
        target = restore_target()
        manifest = read_manifest(path)
        if not yes:
            click.confirm(f"Replace the database {target} and the files in {files_dir()} with "
                          f"the backup made at {manifest.get('created_at')}? Stop the app and "
                          "its worker first", abort=True)
        outcome = restore(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for note in outcome.notes:
        click.echo(note)
    click.echo(f"Restored from {outcome.path}: {len(manifest['files'])} files; start the app "
               "again.")


def register_backup_commands(app):
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

"""`flask backup` and `flask restore` (workspace/backup.py): a backup brings back the same
documents, revisions, positions, signatures and files; a bad backup is refused with nothing
changed; PostgreSQL is dumped with pg_dump (or the recipe is printed) and never restored here.

The workspace here is an app of its own (a SQLite file and a file store in temporary folders),
seeded once with the published demo: version 1 signed by six authorities with their PDFs.
"""
import hashlib
import json
import shutil
import sqlite3
import stat
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select, text

from workspace import backup as backup_module
from workspace import create_app
from workspace.backup import BackupError, backup, restore
from workspace.documents.models import Document
from workspace.extensions import db

COMPARED = ["documents", "sections", "section_revisions", "document_versions", "positions",
            "signatories", "signatures", "pdf_files"]
STORED = [b"%PDF-1.7 a signed statement", b"PK an evidence pack"]


def _store_file(root, content):
    """Put a file in the store as the file store lays it out: <root>/ab/cd/<sha256>."""
    sha = hashlib.sha256(content).hexdigest()
    path = Path(root, sha[:2], sha[2:4], sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _app(database_url, files_dir, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SERVER_NAME": "localhost",
                       "SQLALCHEMY_DATABASE_URI": database_url, "FILES_DIR": str(files_dir),
                       "MAIL_SERVER": "", "JOBS_QUEUE_URL": "manual", **config})


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The seeded workspace: its app, database file and file store."""
    from workspace.demo import seed_demo
    root = tmp_path_factory.mktemp("site")
    database, files = root / "live" / "cg.sqlite3", root / "live" / "files"
    database.parent.mkdir()
    app = _app(f"sqlite:///{database}", files)
    with app.app_context():
        db.create_all()
        flask_migrate.stamp()
        seed_demo("common-ground")
        db.session.commit()
        assert db.session.scalar(text("SELECT count(*) FROM signatures")) == 6
    for content in STORED:
        _store_file(files, content)
    yield {"app": app, "database": database, "files": files, "root": root}
    with app.app_context():
        db.engine.dispose()


def snapshot(site):
    """Every row of the compared tables, and every file in the store with its bytes."""
    with site["app"].app_context():
        rows = {t: db.session.execute(text(f'SELECT * FROM "{t}" ORDER BY id')).all()
                for t in COMPARED}
        db.session.remove()
    files = {p.relative_to(site["files"]).as_posix(): p.read_bytes()
             for p in sorted(site["files"].rglob("*")) if p.is_file()}
    return rows, files


def flask(app, *args, **kwargs):
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), **kwargs)


@pytest.fixture(scope="module")
def made(site):
    """A backup of the seeded workspace, made with `flask backup --to`."""
    result = flask(site["app"], "backup", "--to", str(site["root"] / "backups"))
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().splitlines()[-1].removeprefix("Backup written to "))


@pytest.fixture
def copy_of(made, tmp_path):
    """A copy of the backup to damage; `reseal()` rewrites its manifest's database hash."""
    folder = Path(shutil.copytree(made, tmp_path / made.name))
    return folder


def reseal(folder, **changes):
    manifest = json.loads((folder / "manifest.json").read_text())
    database = folder / "database.sqlite3"
    manifest["database"]["sha256"] = hashlib.sha256(database.read_bytes()).hexdigest()
    manifest.update(changes)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def no_leftovers(site):
    """Nothing staged beside the live database or file store."""
    return [p.name for p in site["database"].parent.iterdir() if p.name.startswith(".")]


def test_a_backup_holds_the_database_the_files_and_a_manifest(site, made):
    assert made.name.startswith("common-ground-backup-") and made.name.endswith("Z")
    assert sorted(p.name for p in made.parent.iterdir()) == [made.name]   # no partial folder
    manifest = json.loads((made / "manifest.json").read_text())
    rows, files = snapshot(site)
    assert manifest["engine"] == "sqlite"
    assert {t: manifest["tables"][t] for t in COMPARED} == {t: len(rows[t]) for t in COMPARED}
    with site["app"].app_context():
        assert manifest["alembic_revision"] == db.session.scalar(
            text("SELECT version_num FROM alembic_version"))
        db.session.remove()
    assert manifest["files"] == {name: hashlib.sha256(content).hexdigest()
                                 for name, content in files.items()}
    assert {(made / "files" / name).read_bytes() for name in manifest["files"]} == \
        set(files.values())
    assert manifest["database"]["sha256"] == hashlib.sha256(
        (made / "database.sqlite3").read_bytes()).hexdigest()
    copy = sqlite3.connect(made / "database.sqlite3")
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)   # one file, no -wal
    copy.close()


def test_restore_brings_back_documents_revisions_positions_signatures_and_files(site, made):
    before = snapshot(site)
    live = sqlite3.connect(site["database"])
    live.executescript("""
        UPDATE documents SET title = 'Renamed after the backup';
        DELETE FROM signatures; DELETE FROM positions;
        DELETE FROM section_revisions WHERE id IN (SELECT id FROM section_revisions LIMIT 5);
        INSERT INTO section_revisions SELECT * FROM section_revisions WHERE 0;
    """)
    live.commit()
    live.close()
    first = next(p for p in site["files"].rglob("*") if p.is_file())
    first.unlink()
    _store_file(site["files"], b"a file made after the backup")
    assert snapshot(site) != before

    result = flask(site["app"], "restore", str(made), "--yes")

    assert result.exit_code == 0, result.output
    stored = len(json.loads((made / "manifest.json").read_text())["files"])
    assert stored >= len(STORED)      # ours, and the demo's PDFs where the store keeps them
    assert f"Restored from {made}: {stored} files" in result.output
    assert snapshot(site) == before
    with site["app"].app_context():         # the app reads the restored file at once
        assert {d.title for d in db.session.scalars(select(Document))} == {
            "Statement of Common Ground", "JSP Vision: Engagement Plan"}
        db.session.remove()
    assert no_leftovers(site) == []


def test_restore_asks_first_and_no_changes_nothing(site, made):
    before = snapshot(site)
    result = flask(site["app"], "restore", str(made), input="n\n")
    assert result.exit_code == 1
    assert "Replace the database" in result.output and "Aborted" in result.output
    assert snapshot(site) == before


def _corrupt_a_page(database):
    data = bytearray(database.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page * 2:page * 4] = b"\xa5" * (page * 2)     # pages 3 and 4: garbage
    database.write_bytes(bytes(data))


def test_a_database_that_fails_the_integrity_check_is_refused(site, copy_of):
    _corrupt_a_page(copy_of / "database.sqlite3")
    reseal(copy_of)          # its hash now matches: only the integrity check can tell
    before = snapshot(site)
    with site["app"].app_context(), pytest.raises(BackupError, match="integrity check"):
        restore(copy_of)
    assert snapshot(site) == before and no_leftovers(site) == []


@pytest.mark.parametrize("damage, message", [
    (lambda f: f.joinpath("database.sqlite3").write_bytes(
        f.joinpath("database.sqlite3").read_bytes() + b"x"),
     "database.sqlite3 does not match its SHA-256 in the manifest"),
    (lambda f: next(p for p in f.joinpath("files").rglob("*") if p.is_file()).write_bytes(
        b"changed"), "does not match its SHA-256 in the manifest"),
    (lambda f: next(p for p in f.joinpath("files").rglob("*") if p.is_file()).unlink(),
     "is missing from the backup"),
])
def test_a_changed_or_missing_file_is_refused_before_anything_is_replaced(
        site, copy_of, damage, message):
    damage(copy_of)
    before = snapshot(site)
    result = flask(site["app"], "restore", str(copy_of), "--yes")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert snapshot(site) == before and no_leftovers(site) == []


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "nowhere", "does not exist"),
    (lambda d: d, "is not a Common Ground backup (no manifest.json)"),
    (lambda d: d.joinpath("manifest.json").write_text("{not json") and d,
     "is not a Common Ground backup"),
    (lambda d: d.joinpath("manifest.json").write_text('{"format": "other"}') and d,
     "is not a Common Ground backup"),
    (lambda d: d.joinpath("manifest.json").write_text(json.dumps(
        {"format": "common-ground-backup", "version": 1, "engine": "postgresql",
         "database": {"file": "database.pgdump"}, "files": {}})) and d,
     "holds no SQLite database: restore a PostgreSQL dump with pg_restore"),
    (lambda d: d.joinpath("manifest.json").write_text(json.dumps(
        {"format": "common-ground-backup", "version": 1, "engine": "sqlite",
         "database": {"file": "database.sqlite3"}, "files": {"../../etc/passwd": "0"}})) and d,
     "has no valid list of files"),
    (lambda d: d.joinpath("manifest.json").write_text(json.dumps(
        {"format": "common-ground-backup", "version": 2})) and d, "reads format 1"),
])
def test_what_is_not_a_backup_is_refused_in_one_line(site, tmp_path, make, message):
    path = make(tmp_path)
    before = snapshot(site)
    result = flask(site["app"], "restore", str(path), "--yes")
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert snapshot(site) == before


def test_a_backup_from_an_unknown_migration_is_refused(site, copy_of):
    connection = sqlite3.connect(copy_of / "database.sqlite3")
    connection.execute("UPDATE alembic_version SET version_num = 'f00dfeedbeef'")
    connection.commit()
    connection.close()
    reseal(copy_of)
    with site["app"].app_context(), pytest.raises(BackupError, match="f00dfeedbeef"):
        restore(copy_of)


def test_an_older_migration_is_restored_with_a_reminder_to_upgrade(site, made, copy_of):
    from alembic.script import ScriptDirectory
    with site["app"].app_context():
        scripts = ScriptDirectory.from_config(
            site["app"].extensions["migrate"].migrate.get_config())
        older = scripts.get_revision(scripts.get_current_head()).down_revision
    connection = sqlite3.connect(copy_of / "database.sqlite3")
    connection.execute("UPDATE alembic_version SET version_num = ?", (older,))
    connection.commit()
    connection.close()
    reseal(copy_of)
    result = flask(site["app"], "restore", str(copy_of), "--yes")
    assert result.exit_code == 0, result.output
    assert f"at migration {older}: run `flask db upgrade`" in result.output
    assert flask(site["app"], "restore", str(made), "--yes").exit_code == 0   # back to head


def test_a_failure_while_replacing_the_database_puts_the_file_store_back(
        site, made, monkeypatch):
    _store_file(site["files"], b"only in the live store")
    before = snapshot(site)

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(backup_module.os, "replace", fail)
    with site["app"].app_context(), pytest.raises(OSError):
        restore(made)
    assert snapshot(site) == before and no_leftovers(site) == []
    monkeypatch.undo()
    assert flask(site["app"], "restore", str(made), "--yes").exit_code == 0


# ----- PostgreSQL: dumped with pg_dump, never restored by `flask restore` -----

@pytest.fixture
def postgres_app(tmp_path):
    files = tmp_path / "files"
    _store_file(files, STORED[0])
    app = _app("postgresql+psycopg://cg:s3cret@db.invalid:5432/common_ground", files,
               SKIP_DATABASE_CHECK=True)
    app.config["FILES_S3_BUCKET"] = "cg-files"
    return app


def _fake_pg_dump(folder):
    """A pg_dump that writes its arguments and PGPASSWORD to the file it is asked for."""
    script = folder / "pg_dump"
    script.write_text('#!/bin/sh\nfor a in "$@"; do case "$a" in --file=*) out="${a#--file=}";;'
                      ' esac; done\necho "$@ PGPASSWORD=$PGPASSWORD" > "$out"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_postgresql_is_dumped_with_pg_dump_and_its_files_copied(postgres_app, tmp_path,
                                                               monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_pg_dump(bin_dir)
    monkeypatch.setenv("PATH", str(bin_dir))
    result = flask(postgres_app, "backup", "--to", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "bucket cg-files) are not copied" in result.output
    folder = next((tmp_path / "out").iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql"
    assert manifest["database"]["file"] == "database.pgdump"
    dumped = (folder / "database.pgdump").read_text()
    assert dumped.startswith("--format=custom")
    assert "postgresql://cg@db.invalid:5432/common_ground" in dumped
    assert dumped.count("s3cret") == 1 and dumped.strip().endswith("PGPASSWORD=s3cret")
    assert list(manifest["files"].values()) == [hashlib.sha256(STORED[0]).hexdigest()]


def test_postgresql_without_pg_dump_prints_the_recipe_and_fails(postgres_app, tmp_path,
                                                               monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = flask(postgres_app, "backup", "--to", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "the database is NOT in this backup" in result.output
    assert "pg_dump --format=custom --file=common-ground.pgdump " \
           "'postgresql://cg@db.invalid:5432/common_ground'" in result.output
    assert "pg_restore --clean --if-exists --no-owner" in result.output
    assert "s3cret" not in result.output
    assert "Only the files were backed up" in result.output


def test_restore_on_postgresql_is_refused(postgres_app, made):
    result = flask(postgres_app, "restore", str(made), "--yes")
    assert result.exit_code == 1
    assert "flask restore works on SQLite only" in result.output
    assert "pg_restore" in result.output


def test_a_backup_inside_the_file_store_is_refused(site):
    with site["app"].app_context(), pytest.raises(BackupError, match="inside the file store"):
        backup(site["files"] / "backups")


def test_the_restored_database_keeps_the_live_file_s_permissions(site, made):
    site["database"].chmod(0o640)
    assert flask(site["app"], "restore", str(made), "--yes").exit_code == 0
    assert stat.S_IMODE(site["database"].stat().st_mode) == 0o640

"""The app keeps its generated files in the file store, a folder or S3-compatible object
storage alike: downloads come from it, a signature adds a new file and never rewrites one, a
file the store has lost answers 503 saying so, and unreferenced files can be removed."""
import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.export.test_export_jobs import _agree, _sign
from workspace import files
from workspace.accounts.models import User
from workspace.export.models import EvidencePack, PdfExport, PdfFile
from workspace.extensions import db
from workspace.files import LocalStore

SCG = "/p/sw-herts/d/1"


def _snapshot(store):
    """{SHA-256: (bytes, how it sits in the store)} of every stored file: for a folder the
    file's inode and modification time, for a bucket the object's ETag and time."""
    found = {}
    for sha, stored_at in store.addresses():
        if isinstance(store, LocalStore):
            stat = os.stat(store.path(sha))
            how = (stat.st_ino, stat.st_mtime_ns)
        else:
            how = (store.client.head_object(Bucket=store.bucket, Key=store.key(sha))["ETag"],
                   stored_at)
        found[sha] = (store.get(sha), how)
    return found


def _version_files(app):
    """{(variant, signature count): SHA-256} of the version's current files."""
    with app.app_context():
        rows = db.session.execute(
            select(PdfExport.variant, PdfFile.signature_count, PdfFile.file_sha256)
            .join(PdfExport, PdfExport.id == PdfFile.export_id)
            .where(PdfExport.version_id.is_not(None))).all()
        return {(variant, count): sha for variant, count, sha in rows}


def test_a_signature_adds_new_files_and_never_rewrites_one(app, app_store, member, run_jobs):
    _agree(app, signing_codes=("watford",))
    run_jobs()
    before = _snapshot(app_store)
    first = _version_files(app)
    assert set(first) == {("ua", 0), ("ua", 1), ("archive", 0), ("archive", 1)}
    assert set(first.values()) <= set(before)

    _sign(app, "dacorum")
    run_jobs()
    after = _snapshot(app_store)
    # Every file stored before is there still, byte for byte, never written again.
    assert {sha: after[sha] for sha in before} == before
    # The new signature is in new files beside them, each stored under its own hash.
    now = _version_files(app)
    added = set(now.values()) - set(first.values())
    assert {key for key, sha in now.items() if sha in added} >= {("ua", 2), ("archive", 2)}
    assert added and added.isdisjoint(before) and added <= set(after)
    assert all(files.sha256_of(after[sha][0]) == sha for sha in after)

    served = member.get(f"{SCG}/versions/1/pdf")
    assert served.status_code == 200
    assert served.data == app_store.get(now[("ua", 2)])
    assert served.headers["ETag"] == f'"{now[("ua", 2)]}"'


def test_the_database_holds_no_file_bytes(app):
    from workspace.extensions import db as database
    binary = [f"{table.name}.{column.name}" for table in database.metadata.sorted_tables
              for column in table.columns
              if column.type.python_type is bytes and table.name in ("pdf_files",
                                                                     "evidence_packs")]
    assert binary == []


def test_an_evidence_pack_is_kept_in_the_store_and_served_from_it(app, app_store, demo,
                                                                 login, run_jobs):
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.role == "officer").limit(1))
    officer = login(app.test_client(), uid)
    assert officer.post("/p/sw-herts/evidence").status_code == 303
    assert run_jobs() == 1
    with app.app_context():
        pack = db.session.scalar(select(EvidencePack))
        pack_id, pdf_sha, zip_sha = pack.id, pack.pdf_sha256, pack.zip_sha256
        sizes = pack.pdf_size, pack.zip_size
    stored = _snapshot(app_store)
    assert {pdf_sha, zip_sha} <= set(stored)
    pdf = officer.get(f"/p/sw-herts/evidence/{pack_id}/pdf")
    archive = officer.get(f"/p/sw-herts/evidence/{pack_id}/zip")
    assert pdf.data == stored[pdf_sha][0] and archive.data == stored[zip_sha][0]
    assert (len(pdf.data), len(archive.data)) == sizes
    page = officer.get("/p/sw-herts/evidence").text
    assert f"({-(-sizes[0] // 1024)} KB)" in page and f"({-(-sizes[1] // 1024)} KB)" in page


def test_a_file_the_store_has_lost_answers_503_saying_so(app, app_store, member, run_jobs,
                                                         caplog):
    assert member.get(f"{SCG}/pdf").status_code == 202
    run_jobs()
    with app.app_context():
        sha = db.session.scalar(select(PdfFile.file_sha256))
    app_store.delete(sha)
    response = member.get(f"{SCG}/pdf")
    assert response.status_code == 503
    assert "could not be read from the file store" in response.text
    assert any(sha in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("store", ["local"], indirect=True)
def test_remove_unreferenced_deletes_only_old_files_no_row_names(app, app_store, member,
                                                                 run_jobs, monkeypatch):
    member.get(f"{SCG}/pdf")
    run_jobs()
    with app.app_context():
        kept = db.session.scalar(select(PdfFile.file_sha256))
    orphan = app_store.put(b"a draft PDF whose row retention deleted")
    with app.app_context():
        assert files.referenced() == {kept}
        assert files.remove_unreferenced() == 0             # stored just now: kept a while
        later = files.clock.utcnow() + files.GRACE + timedelta(minutes=1)
        monkeypatch.setattr(files.clock, "utcnow", lambda: later)
        assert files.remove_unreferenced() == 1
        assert files.remove_unreferenced() == 0
    assert not app_store.exists(orphan) and app_store.exists(kept)

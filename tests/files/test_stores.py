"""The file store, on a folder and on S3-compatible object storage (moto's server): files are
addressed by the SHA-256 of their bytes, putting is idempotent and never rewrites a file, a
missing or damaged file is an error of its own."""
import hashlib
import os

import pytest

from workspace.files import FileDamaged, FileMissing, LocalStore, S3Store

from .conftest import BUCKET

PDF = b"%PDF-1.7\n% a small file\n%%EOF\n"


def _sha(data):
    return hashlib.sha256(data).hexdigest()


def _raw(store):
    """{name under the root (or key under the prefix): bytes} of everything stored."""
    if isinstance(store, LocalStore):
        return {str(p.relative_to(store.root)): p.read_bytes()
                for p in store.root.rglob("*") if p.is_file()}
    client = store.client
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", ()):
            body = client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            found[item["Key"]] = body
    return found


def _layout(store, sha):
    return ("" if isinstance(store, LocalStore) else "cg/files/") + f"{sha[:2]}/{sha[2:4]}/{sha}"


def test_a_file_is_stored_under_the_sha256_of_its_bytes(store):
    sha = store.put(PDF)
    assert sha == _sha(PDF)
    assert _raw(store) == {_layout(store, sha): PDF}
    assert store.get(sha) == PDF and store.exists(sha)


def test_putting_the_same_bytes_again_stores_nothing_more(store):
    first = store.put(PDF)
    other = store.put(PDF + b"% one more line\n")
    assert store.put(PDF) == first and other != first
    assert sorted(_raw(store)) == sorted([_layout(store, first), _layout(store, other)])
    assert {sha for sha, _when in store.addresses()} == {first, other}


def test_a_missing_file_is_an_error_naming_it(store):
    absent = _sha(b"never stored")
    assert not store.exists(absent)
    with pytest.raises(FileMissing, match=absent):
        store.get(absent)
    assert isinstance(FileMissing(absent), LookupError)


def test_deleting_removes_only_that_file(store):
    kept, gone = store.put(PDF), store.put(b"gone")
    store.delete(gone)
    assert not store.exists(gone) and store.get(kept) == PDF
    store.delete(gone)                                        # already gone: no error


def test_an_address_that_is_not_a_sha256_is_refused(store):
    for bad in ("../../etc/passwd", "ABC", "g" * 64, "A" * 64, ""):
        with pytest.raises(ValueError, match="Not a SHA-256"):
            store.get(bad)


def test_a_file_damaged_at_rest_is_refused_not_served(store):
    sha = store.put(PDF)
    damaged = PDF.replace(b"small", b"smell")
    if isinstance(store, LocalStore):
        path = store.path(sha)
        path.chmod(0o644)
        path.write_bytes(damaged)
    else:
        store.client.put_object(Bucket=BUCKET, Key=store.key(sha), Body=damaged)
    with pytest.raises(FileDamaged, match=sha):
        store.get(sha)


def test_the_local_store_writes_a_file_whole_and_never_rewrites_it(tmp_path):
    store = LocalStore(tmp_path / "files")
    sha = store.put(PDF)
    path = store.path(sha)
    before = os.stat(path)
    store.put(PDF)
    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # Nothing half-written is left beside it (written to a temporary name, then renamed).
    assert [p.name for p in path.parent.iterdir()] == [sha]


def test_the_local_store_makes_its_folder_when_first_needed(tmp_path):
    store = LocalStore(tmp_path / "not" / "yet")
    assert list(store.addresses()) == [] and not (tmp_path / "not").exists()
    store.put(PDF)
    assert (tmp_path / "not" / "yet").is_dir()


def test_the_s3_store_uploads_once_and_keeps_to_its_prefix(s3_server, s3_bucket):
    s3_bucket.put_object(Bucket=BUCKET, Key="elsewhere/" + _sha(b"x"), Body=b"x")
    store = S3Store(BUCKET, endpoint_url=s3_server, prefix="/cg/files/")
    uploads = []
    real_put = store.client.put_object
    store.client.put_object = lambda **kw: uploads.append(kw["Key"]) or real_put(**kw)
    sha = store.put(PDF)
    store.put(PDF)
    assert uploads == [f"cg/files/{sha[:2]}/{sha[2:4]}/{sha}"]
    assert [found for found, _when in store.addresses()] == [sha]   # not the other key
    assert "s3://common-ground-test/cg/files/" in repr(store)


def test_the_s3_store_reports_a_bucket_it_cannot_reach(s3_server, s3_credentials):
    from botocore.exceptions import ClientError
    store = S3Store("no-such-bucket", endpoint_url=s3_server)
    with pytest.raises(ClientError):
        store.put(PDF)

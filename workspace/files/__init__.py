"""The file store: generated files (PDFs, evidence packs) kept out of the database.

Rows hold a file's SHA-256; the bytes live in the store under that address (stores.py): a
folder (FILES_DIR, by default the instance folder's `files/`) or, when FILES_S3_BUCKET is set,
a bucket of S3-compatible object storage. `init_app` attaches the configured store to the app;
`put` and `get` use it. A column that holds a stored file's address is declared with
`stored_file_column()`, so `remove_unreferenced` finds every reference without knowing the
areas that keep files.
"""
from __future__ import annotations

from datetime import UTC, timedelta

from flask import Flask, current_app
from sqlalchemy import select

from .. import clock
from ..extensions import db
from .stores import FileDamaged, FileMissing, LocalStore, S3Store, sha256_of

__all__ = ["FileDamaged", "FileMissing", "LocalStore", "S3Store", "get", "init_app", "put",
           "referenced", "remove_unreferenced", "sha256_of", "store", "stored_file_column"]

#: The `info` key that marks a column holding a stored file's SHA-256.
STORED_FILE = "stored_file"
#: Files younger than this are kept even when no row names them yet: a job stores its files
#: before the transaction that writes their rows commits.
GRACE = timedelta(hours=1)


def store_from_config(config) -> LocalStore | S3Store:
    """The store the settings describe (config.py reads and checks them)."""
    if config.get("FILES_S3_BUCKET"):
        return S3Store(config["FILES_S3_BUCKET"], config.get("FILES_S3_ENDPOINT_URL") or None,
                       config.get("FILES_S3_PREFIX") or "")
    return LocalStore(config["FILES_DIR"])


def init_app(app: Flask) -> None:
    """Attach the configured store to the app (`app.extensions["files"]`)."""
    app.extensions["files"] = store_from_config(app.config)


def store() -> LocalStore | S3Store:
    """The current app's store."""
    return current_app.extensions["files"]


def put(data: bytes) -> str:
    """Store the bytes (unless they already are); their SHA-256, the file's address."""
    return store().put(data)


def get(sha256: str) -> bytes:
    """The stored bytes; FileMissing when absent, FileDamaged when they no longer match."""
    return store().get(sha256)


def stored_file_column(nullable: bool = False):
    """A column for a stored file's SHA-256 (lower-case hex), found by `referenced`."""
    return db.Column(db.String(64), nullable=nullable, index=True, info={STORED_FILE: True})


def referenced() -> set[str]:
    """The address of every file a row names."""
    found: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.info.get(STORED_FILE):
                found.update(v for v in db.session.scalars(
                    select(column).where(column.is_not(None)).distinct()) if v)
    return found


def remove_unreferenced(grace: timedelta = GRACE) -> int:
    """Delete every stored file that no row names and that was stored more than `grace`
    ago; how many were deleted. For retention (after rows are deleted) and for tidying the
    store before a backup. Reads the rows in the current transaction and writes none."""
    keep = referenced()
    target = store()
    cutoff = clock.utcnow().replace(tzinfo=UTC) - grace
    count = 0
    for sha256, stored_at in list(target.addresses()):
        if sha256 not in keep and stored_at <= cutoff:
            target.delete(sha256)
            count += 1
    return count

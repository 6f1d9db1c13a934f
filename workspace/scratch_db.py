"""A scratch database for a test run or a benchmark: brand-new and empty, removed at the end.

One way to make and remove one, shared by tests/conftest.py, tests/test_migrations.py and
bench/ (bench_documents.py, and harness.py for load.py and faults.py). Without a server URL it
is a SQLite file in `folder` (or in a temporary folder removed at the end). Given a PostgreSQL
server URL (any spelling: normalised as the app's own DATABASE_URL is), a database
`<prefix>_<random>` is created on that server and dropped at the end, whatever happens, even
with connections still open to it.
"""
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .config import normalise_database_url


@contextmanager
def scratch_database(server_url: str | None = None, prefix: str = "cg_test",
                     folder: str | Path | None = None) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new, empty database; remove the database afterwards."""
    if not server_url:
        if folder is not None:
            yield _sqlite_url(folder, prefix)
            return
        with tempfile.TemporaryDirectory(prefix=f"{prefix}_") as temporary:
            yield _sqlite_url(temporary, prefix)
        return
    server = normalise_database_url(server_url)
    name = f"{prefix}_{secrets.token_hex(6)}"
    _on_server(server, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        _on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_url(folder, prefix):
    return "sqlite:///" + str(Path(folder) / f"{prefix}.sqlite3")


def _on_server(server, statement):
    """Run CREATE or DROP DATABASE, which no transaction may hold, on a connection of its own."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()

"""The migrations build, from an empty database, exactly the schema the models describe.

Each kind of database the app supports is tried: a fresh SQLite file always, and a freshly
created PostgreSQL database when TEST_DATABASE_URL names a server (CI always sets it). The
check is generic: whatever tables the models declare, Alembic's autogenerate comparison between
the migrated database and `db.metadata` must find nothing to do, and a downgrade to base must
leave nothing behind.
"""
import logging
import os
import uuid

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from workspace import create_app
from workspace.config import normalise_database_url
from workspace.extensions import db, migrate


def _server_url():
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return normalise_database_url(url) if url else None


#: PostgreSQL is tried only when a server is named; SQLite always.
KINDS = ["sqlite"] + (["postgresql"] if _server_url() else [])


@pytest.fixture
def empty_database_url(request, tmp_path):
    """A URL to a brand-new, empty database of the requested kind, removed afterwards."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3")
        return
    server = _server_url()
    name = f"cg_migrate_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def keep_logging():
    """migrations/env.py calls logging.config.fileConfig, which disables every existing logger
    and replaces the root handlers; put things back so later tests still see their logs."""
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    saved = {name: (lg.disabled, lg.level, list(lg.handlers), lg.propagate)
             for name, lg in logging.root.manager.loggerDict.items()
             if isinstance(lg, logging.Logger)}
    yield
    root.setLevel(saved_root[0])
    root.handlers[:] = saved_root[1]
    for name, lg in list(logging.root.manager.loggerDict.items()):
        if not isinstance(lg, logging.Logger):
            continue
        if name in saved:
            lg.disabled, lg.level, handlers, lg.propagate = saved[name]
            lg.handlers[:] = handlers
        else:
            lg.disabled = False


def _schema_differences(engine):
    """What autogenerate would still have to do to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "compare_server_default": True,
        })
        return compare_metadata(context, db.metadata)


def _user_tables(engine):
    return sorted(set(inspect(engine).get_table_names()) - {"alembic_version"})


@pytest.mark.parametrize("empty_database_url", KINDS, indirect=True)
def test_migrations_build_the_models_schema_and_downgrade_to_nothing(empty_database_url,
                                                                       keep_logging):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": empty_database_url,
    })
    with app.app_context():
        engine = db.engine
        try:
            assert _user_tables(engine) == [], "the database should start empty"
            assert db.metadata.tables, "no models are registered"

            scripts = ScriptDirectory.from_config(migrate.get_config())
            heads = scripts.get_heads()
            assert len(heads) == 1, f"the migrations have several heads: {heads}"

            flask_migrate.upgrade()
            with engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_heads()
            assert tuple(current) == tuple(heads)
            assert set(_user_tables(engine)) == set(db.metadata.tables)
            assert _schema_differences(engine) == []

            flask_migrate.downgrade(revision="base")
            assert _user_tables(engine) == []

            # A second upgrade proves the downgrade left nothing behind (types, sequences).
            flask_migrate.upgrade()
            assert _schema_differences(engine) == []
        finally:
            db.session.remove()
            engine.dispose()

"""The migrations build, from an empty database, exactly the schema the models describe.

Each kind of database the app supports is tried: a fresh SQLite file always, and a freshly
created PostgreSQL database when TEST_DATABASE_URL names a server (CI always sets it). The
check is generic: whatever tables the models declare, Alembic's autogenerate comparison between
the migrated database and `db.metadata` must find nothing to do, and a downgrade to base must
leave nothing behind.
"""
import logging
import os

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from workspace import create_app
from workspace.extensions import db, migrate
from workspace.scratch_db import scratch_database


def _server_url():
    """The PostgreSQL server TEST_DATABASE_URL names, or None."""
    return os.environ.get("TEST_DATABASE_URL", "").strip() or None


#: PostgreSQL is tried only when a server is named; SQLite always.
KINDS = ["sqlite"] + (["postgresql"] if _server_url() else [])


@pytest.fixture
def empty_database_url(request, tmp_path):
    """A URL to a brand-new, empty database of the requested kind, removed afterwards."""
    server = _server_url() if request.param == "postgresql" else None
    with scratch_database(server, "cg_migrate", tmp_path) as url:
        yield url


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


#: The initial schema, and the migration that brings partnership admins and consent to join.
INITIAL = "91271aa93b47"
PARTNERSHIP_ADMINS = "674d2210f26d"


@pytest.mark.parametrize("empty_database_url", KINDS, indirect=True)
def test_existing_admins_become_partnership_admins_of_their_partnerships(empty_database_url,
                                                                          keep_logging):
    """Data carried over by 674d2210f26d: each partnership's admins (users with the admin role
    in a partner organisation) become its partnership admins and stay their organisation's
    admins; every existing membership is active; nobody else gets a grant."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": empty_database_url,
    })
    with app.app_context():
        engine = db.engine
        try:
            flask_migrate.upgrade(revision=INITIAL)
            now = "2026-11-30 12:00:00"
            with engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO organisations (id, code, name, created_at) VALUES "
                    "(1, 'watford', 'Watford Borough Council', :now), "
                    "(2, 'luton', 'Luton Borough Council', :now)"), {"now": now})
                connection.execute(text(
                    "INSERT INTO partnerships (id, slug, name, short_name, created_at) VALUES "
                    "(1, 'sw-herts', 'South West Hertfordshire', 'SW Herts', :now)"),
                    {"now": now})
                connection.execute(text(
                    "INSERT INTO partners (id, partnership_id, organisation_id, joined_at) "
                    "VALUES (1, 1, 1, :now)"), {"now": now})
                connection.execute(text(
                    "INSERT INTO users (id, email, name, job_title, organisation_id, role, "
                    "password_hash, active, created_at) VALUES "
                    "(1, 'admin@watford.example', 'Watford Admin', '', 1, 'admin', 'x', "
                    ":yes, :now), "
                    "(2, 'officer@watford.example', 'Watford Officer', '', 1, 'officer', 'x', "
                    ":yes, :now), "
                    "(3, 'admin@luton.example', 'Luton Admin', '', 2, 'admin', 'x', "
                    ":yes, :now)"), {"now": now, "yes": True})
                # Pending invitations: one by Watford's admin into Watford, one by Watford's
                # admin (then a partnership admin) into Luton, which the old model allowed.
                connection.execute(text(
                    "INSERT INTO invitations (id, nonce, email, name, role, organisation_id, "
                    "partnership_id, invited_by_id, created_at, expires_at) VALUES "
                    "(1, 'n1', 'new@watford.example', 'New', 'member', 1, 1, 1, :now, :later), "
                    "(2, 'n2', 'new@luton.example', 'New', 'member', 2, 1, 1, :now, :later)"),
                    {"now": now, "later": "2099-01-01 00:00:00"})

            # To this revision (the head when it was written), so that later migrations do
            # not change what is checked here.
            flask_migrate.upgrade(revision=PARTNERSHIP_ADMINS)
            with engine.connect() as connection:
                assert MigrationContext.configure(connection).get_current_heads() == \
                    (PARTNERSHIP_ADMINS,)
                grants = connection.execute(text(
                    "SELECT partnership_id, user_id, granted_at FROM partnership_admins")).all()
                assert [(row.partnership_id, row.user_id) for row in grants] == [(1, 1)]
                assert grants[0].granted_at is not None
                assert connection.execute(text(
                    "SELECT status FROM partners WHERE id = 1")).scalar_one() == "active"
                roles = dict(connection.execute(text("SELECT id, role FROM users")).all())
                assert roles == {1: "admin", 2: "officer", 3: "admin"}
                expiries = dict(connection.execute(text(
                    "SELECT id, expires_at FROM invitations")).all())
                assert str(expiries[1]).startswith("2099")       # into its own organisation
                assert not str(expiries[2]).startswith("2099")   # into another: void
        finally:
            db.session.remove()
            engine.dispose()


#: The revision before the record of cooperation, and the one that makes strategic matters.
BEFORE_MATTERS = "8c3e4a1f2b67"
STRATEGIC_MATTERS = "039b90222477"


@pytest.mark.parametrize("empty_database_url", KINDS, indirect=True)
def test_marked_sections_become_the_partnerships_strategic_matters(empty_database_url,
                                                                   keep_logging):
    """Data carried over by 039b90222477: each partnership's sections marked as strategic
    matters become its matters SM1, SM2... in the order of its documents and their sections,
    one per distinct title (the same title, however spelt, in two documents is one matter);
    each marked section (a removed one too, so that restoring it keeps its matter) links to
    its matter; an unmarked section links to none; each partnership numbers its own."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": empty_database_url,
    })
    with app.app_context():
        engine = db.engine
        try:
            flask_migrate.upgrade(revision=BEFORE_MATTERS)
            now = "2026-12-01 12:00:00"
            with engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO partnerships (id, slug, name, short_name, created_at) VALUES "
                    "(1, 'sw-herts', 'South West Hertfordshire', 'SW Herts', :now), "
                    "(2, 'luton', 'Luton and Dunstable', 'L&D', :now)"), {"now": now})
                connection.execute(text(
                    "INSERT INTO documents (id, partnership_id, title, kind, status, "
                    "version_number, created_at) VALUES "
                    "(1, 1, 'Statement of Common Ground', 'scg', 'draft', 1, :now), "
                    "(2, 1, 'Memorandum of Understanding', 'mou', 'draft', 1, :now), "
                    "(3, 2, 'Luton SCG', 'scg', 'draft', 1, :now)"), {"now": now})
                sections = [  # id, document, position, title, marked, removed
                    (1, 1, 1, "Introduction", False, False),
                    (2, 1, 2, "Housing need", True, False),
                    (3, 1, 3, "Green Belt", True, False),
                    (4, 1, 4, "Minerals", True, True),
                    (5, 2, 1, " housing NEED ", True, False),
                    (6, 2, 2, "Transport", True, False),
                    (7, 3, 1, "Housing need", True, False)]
                for sid, document, position, title, marked, removed in sections:
                    connection.execute(text(
                        "INSERT INTO sections (id, document_id, position, depth, title, body, "
                        "html, version, feedback_sought, guidance, strategic_matter, "
                        "created_at, updated_at, removed_at) VALUES (:id, :d, :p, 0, :t, '', "
                        "'', 1, '', '', :marked, :now, :now, :removed)"),
                        {"id": sid, "d": document, "p": position, "t": title,
                         "marked": marked, "now": now, "removed": now if removed else None})

            # To this revision (the head when it was written), as above.
            flask_migrate.upgrade(revision=STRATEGIC_MATTERS)
            with engine.connect() as connection:
                assert MigrationContext.configure(connection).get_current_heads() == \
                    (STRATEGIC_MATTERS,)
                made = connection.execute(text(
                    "SELECT id, partnership_id, reference, title, description, retired_at "
                    "FROM strategic_matters ORDER BY partnership_id, id")).all()
                assert [(m.partnership_id, m.reference, m.title, m.description,
                         m.retired_at) for m in made] == [
                    (1, "SM1", "Housing need", "", None),
                    (1, "SM2", "Green Belt", "", None),
                    (1, "SM3", "Minerals", "", None),
                    (1, "SM4", "Transport", "", None),
                    (2, "SM1", "Housing need", "", None)]
                reference = {m.id: (m.partnership_id, m.reference) for m in made}
                links = dict(connection.execute(text(
                    "SELECT id, matter_id FROM sections")).all())
                assert {sid: reference.get(matter) for sid, matter in links.items()} == {
                    1: None, 2: (1, "SM1"), 3: (1, "SM2"), 4: (1, "SM3"), 5: (1, "SM1"),
                    6: (1, "SM4"), 7: (2, "SM1")}
        finally:
            db.session.remove()
            engine.dispose()

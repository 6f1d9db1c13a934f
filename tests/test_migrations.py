"""The migrations build, from an empty database, exactly the schema the models describe.

Each kind of database the app supports is tried: a fresh SQLite file always, and a freshly
created PostgreSQL database when TEST_DATABASE_URL names a server (CI always sets it). The
check is generic: whatever tables the models declare, Alembic's autogenerate comparison between
the migrated database and `db.metadata` must find nothing to do, and a downgrade to base must
leave nothing behind.
"""
import logging
import os
from contextlib import contextmanager

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


#: The revision before the file store, and the one that moves files into it.
BEFORE_FILE_STORE = "593822bb0579"
FILE_STORE = "c4f1e7a9d2b3"


def _document_with_an_export(connection, now):
    """An organisation, its user, a partnership with a document, and a PDF export of it."""
    for statement in (
            ("INSERT INTO organisations (id, code, name, created_at) VALUES "
             "(1, 'watford', 'Watford Borough Council', :now)"),
            ("INSERT INTO partnerships (id, slug, name, short_name, created_at, "
             "accessibility_contact) VALUES (1, 'sw-herts', 'South West Hertfordshire', "
             "'SW Herts', :now, '')"),
            ("INSERT INTO users (id, email, name, job_title, organisation_id, role, "
             "password_hash, active, created_at) VALUES (1, 'admin@watford.example', "
             "'Watford Admin', '', 1, 'admin', 'x', :yes, :now)"),
            ("INSERT INTO documents (id, partnership_id, title, kind, status, version_number, "
             "created_at) VALUES (1, 1, 'Statement of Common Ground', 'scg', 'draft', 1, :now)"),
            ("INSERT INTO pdf_exports (id, document_id, content_sha256, variant, stamp_boxes, "
             "page_count, created_at) VALUES (1, 1, :c, 'ua', '{}', 1, :now)")):
        connection.execute(text(statement), {"now": now, "yes": True, "c": "c" * 64})


@contextmanager
def _app_with_a_file_store(database_url, folder):
    """(app, engine) on an empty database, with its file store in `folder`, in an app
    context; the connections are closed afterwards."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "FILES_DIR": str(folder),
    })
    with app.app_context():
        engine = db.engine
        try:
            yield app, engine
        finally:
            db.session.remove()
            engine.dispose()


@pytest.mark.parametrize("empty_database_url", KINDS, indirect=True)
def test_stored_files_move_into_the_file_store_and_back(empty_database_url, keep_logging,
                                                         tmp_path):
    """Data carried over by c4f1e7a9d2b3: every PDF file and evidence pack file kept in the
    database is put in the app's file store under its SHA-256, the rows name it (with its
    size), and the byte columns are dropped; the downgrade puts the bytes back."""
    import hashlib

    from workspace.files import LocalStore

    rendering, signed = b"%PDF-1.7 rendering", b"%PDF-1.7 rendering + a signature"
    pack_pdf, pack_zip = b"%PDF-1.7 evidence", b"PK\x05\x06" + bytes(18)

    def sha(data):
        return hashlib.sha256(data).hexdigest()

    with _app_with_a_file_store(empty_database_url, tmp_path / "files") as (app, engine):
        store = app.extensions["files"]
        assert isinstance(store, LocalStore) and store.root == tmp_path / "files"
        flask_migrate.upgrade(revision=BEFORE_FILE_STORE)
        now = "2026-12-05 12:00:00"
        with engine.begin() as connection:
            _document_with_an_export(connection, now)
            for file_id, count, data in ((1, 0, rendering), (2, 1, signed)):
                connection.execute(text(
                    "INSERT INTO pdf_files (id, export_id, signature_count, data, "
                    "file_sha256, size, created_at) VALUES (:i, 1, :n, :d, :s, :z, :now)"),
                    {"i": file_id, "n": count, "d": data, "s": sha(data), "z": len(data),
                     "now": now})
            connection.execute(text(
                "INSERT INTO evidence_packs (id, partnership_id, document_id, "
                "requested_by_id, requested_at, ready_at, pdf_data, zip_data, "
                "data_sha256) VALUES (1, 1, 1, 1, :now, :now, :p, :z, :d), "
                "(2, 1, NULL, 1, :now, NULL, NULL, NULL, NULL)"),
                {"now": now, "p": pack_pdf, "z": pack_zip, "d": "d" * 64})
        assert list(store.addresses()) == []

        flask_migrate.upgrade(revision=FILE_STORE)
        assert {found for found, _when in store.addresses()} == {
            sha(rendering), sha(signed), sha(pack_pdf), sha(pack_zip)}
        for data in (rendering, signed, pack_pdf, pack_zip):
            assert store.get(sha(data)) == data
        with engine.connect() as connection:
            assert "data" not in {c["name"] for c in inspect(engine).get_columns(
                "pdf_files")}
            assert not {"pdf_data", "zip_data"} & {c["name"] for c in inspect(
                engine).get_columns("evidence_packs")}
            assert connection.execute(text(
                "SELECT id, file_sha256, size FROM pdf_files ORDER BY id")).all() == [
                (1, sha(rendering), len(rendering)), (2, sha(signed), len(signed))]
            assert connection.execute(text(
                "SELECT id, pdf_sha256, pdf_size, zip_sha256, zip_size, data_sha256 "
                "FROM evidence_packs ORDER BY id")).all() == [
                (1, sha(pack_pdf), len(pack_pdf), sha(pack_zip), len(pack_zip), "d" * 64),
                (2, None, None, None, None, None)]

        flask_migrate.downgrade(revision=BEFORE_FILE_STORE)
        with engine.connect() as connection:
            assert [(i, bytes(d)) for i, d in connection.execute(text(
                "SELECT id, data FROM pdf_files ORDER BY id"))] == [
                (1, rendering), (2, signed)]
            packs = connection.execute(text(
                "SELECT id, pdf_data, zip_data FROM evidence_packs ORDER BY id")).all()
            assert [(i, p and bytes(p), z and bytes(z)) for i, p, z in packs] == [
                (1, pack_pdf, pack_zip), (2, None, None)]


@pytest.mark.parametrize("empty_database_url", KINDS, indirect=True)
def test_the_downgrade_refuses_when_the_store_has_lost_a_file(empty_database_url,
                                                              keep_logging, tmp_path, capfd):
    """Moving files back into the database stops, naming what is missing, before changing
    anything, when the store no longer holds a file a row names."""
    with _app_with_a_file_store(empty_database_url, tmp_path / "files") as (_app, engine):
        flask_migrate.upgrade(revision=FILE_STORE)
        now = "2026-12-05 12:00:00"
        with engine.begin() as connection:
            _document_with_an_export(connection, now)
            connection.execute(text(
                "INSERT INTO pdf_files (id, export_id, signature_count, file_sha256, "
                "size, created_at) VALUES (1, 1, 0, :s, 3, :now)"),
                {"s": "e" * 64, "now": now})
        with pytest.raises(SystemExit):              # Flask-Migrate logs, then exits
            flask_migrate.downgrade(revision=BEFORE_FILE_STORE)
        assert f"does not hold 1 of them (the first: {'e' * 64})" in capfd.readouterr().err
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == \
                (FILE_STORE,)

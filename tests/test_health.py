"""Health checks: /healthz answers without the database; /readyz needs the database reachable
and migrated to head. Both public, without a session cookie, exempt from rate limits."""
import pytest
from flask_limiter import ExemptionScope
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from workspace import create_app, health
from workspace.extensions import db, limiter

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"


def _tables(app):
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


@pytest.fixture
def stamped(app):
    """stamp(revision): the test database says it is migrated to `revision` (as it was after)."""
    existed = "alembic_version" in _tables(app)
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS alembic_version "
                                "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        before = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        before = list(before)

    def _stamp(revision):
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version"))
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:r)"),
                               {"r": revision})

    yield _stamp
    with app.app_context(), db.engine.begin() as connection:
        if existed:
            connection.execute(text("DELETE FROM alembic_version"))
            for revision in before:
                connection.execute(text("INSERT INTO alembic_version (version_num) "
                                        "VALUES (:r)"), {"r": revision})
        else:
            connection.execute(text("DROP TABLE alembic_version"))


@pytest.fixture
def never_migrated(app, stamped):
    """No alembic_version table (put back afterwards by `stamped`)."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    yield
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version "
                                "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))


def _no_connection(*_args, **_kwargs):
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))


def test_healthz_answers_without_a_session_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ready_when_migrations_are_at_head(client, stamped):
    [head] = health.script_heads()
    stamped(head)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_is_not_ready_when_migrations_are_behind(client, stamped):
    stamped("91271aa93b47")                      # the initial schema only
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert "not at head" in response.json["reason"]
    assert "91271aa93b47" in response.json["reason"]


def test_readyz_is_not_ready_when_the_database_was_never_migrated(client, never_migrated):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "no migrations applied" in response.json["reason"]


def test_database_down_readyz_503_healthz_200(app, client, stamped, monkeypatch):
    [head] = health.script_heads()
    stamped(head)
    with app.app_context():
        engine = db.engine
    engine.dispose()
    monkeypatch.setattr(engine, "connect", _no_connection)
    monkeypatch.setattr(engine, "raw_connection", _no_connection)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json == {"status": "unavailable", "reason": "the database cannot be reached"}
    assert client.get("/healthz").status_code == 200


def test_an_unreachable_database_server_readyz_503_healthz_200():
    app = create_app({"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": UNREACHABLE,
                      "SKIP_DATABASE_CHECK": True, "SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    try:
        assert client.get("/healthz").json == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json["reason"] == "the database cannot be reached"
        assert "127.0.0.1" not in ready.text            # no address in the public answer
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_migration_head_is_read_once_at_start_up(client, stamped, monkeypatch):
    [head] = health.script_heads()
    stamped(head)

    def _read_again(*_args):
        raise AssertionError("the scripts were read again")

    monkeypatch.setattr(health, "ScriptDirectory", _read_again)
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize("endpoint", ["health", "readyz"])
def test_health_checks_are_exempt_from_rate_limits(app, endpoint):
    scope = limiter.limit_manager.exemption_scope(app, endpoint, None)
    assert scope & ExemptionScope.DEFAULT and scope & ExemptionScope.APPLICATION


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_need_no_sign_in(client, path):
    assert client.get(path).status_code in (200, 503)   # never a redirect to sign in

"""Settings from the environment: refusals to start, SQLite pragmas, URL spellings, dev key."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from workspace import create_app
from workspace.config import ConfigurationError, load_config, normalise_database_url
from workspace.extensions import db

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask"]
CREATE_APP = [sys.executable, "-c", "from workspace import create_app; create_app()"]
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"
UNREACHABLE_WITH_PASSWORD = "postgresql+psycopg://postgres:secretpw@127.0.0.1:1/nothing"

#: Variables a test must control; anything else in the environment passes through.
CONTROLLED = ("SECRET_KEY", "APP_ENV", "DATABASE_URL", "FLASK_APP", "FLASK_DEBUG",
              "SQLITE_BUSY_TIMEOUT_MS", "PYTHONWARNINGS")


def _run(command, **env):
    """Run a command from the repository root with a controlled environment."""
    full = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full.get("PYTHONPATH")]))
    full.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run(command, cwd=ROOT, env=full, capture_output=True, text=True,
                          timeout=60, check=False)


def _assert_one_line_refusal(result, *needles):
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# (a) production refuses to start without a SECRET_KEY ---------------------------------------

@pytest.mark.parametrize("app_env", [None, "production"])
@pytest.mark.parametrize("command", [CREATE_APP, FLASK + ["db", "upgrade"]],
                         ids=["python-c", "flask-db-upgrade"])
def test_production_without_secret_key_refuses_in_one_line(tmp_path, app_env, command):
    result = _run(command, APP_ENV=app_env, FLASK_APP="wsgi",
                  DATABASE_URL="sqlite:///" + str(tmp_path / "app.sqlite3"))
    _assert_one_line_refusal(result, "SECRET_KEY")


# (b) an unreachable database is named, password hidden, in one line -------------------------

@pytest.mark.parametrize("command", [CREATE_APP, FLASK + ["db", "upgrade"]],
                         ids=["python-c", "flask-db-upgrade"])
def test_unreachable_database_refuses_in_one_line(command):
    result = _run(command, SECRET_KEY="x" * 32, FLASK_APP="wsgi", DATABASE_URL=UNREACHABLE)
    line = _assert_one_line_refusal(result, "127.0.0.1:1/nothing", "DATABASE_URL")
    assert "postgresql+psycopg://postgres@127.0.0.1:1/nothing" in line


@pytest.mark.parametrize("command", [CREATE_APP, FLASK + ["db", "upgrade"]],
                         ids=["python-c", "flask-db-upgrade"])
def test_unreachable_database_message_hides_the_password(command):
    result = _run(command, SECRET_KEY="x" * 32, FLASK_APP="wsgi",
                  DATABASE_URL=UNREACHABLE_WITH_PASSWORD)
    _assert_one_line_refusal(result, "127.0.0.1:1/nothing")
    assert "secretpw" not in result.stderr + result.stdout


@pytest.mark.parametrize("url", [
    "nonsense",
    "postgresql+psycopg://postgres:secretpw@127.0.0.1:port/nothing",
    "nodriver://postgres:secretpw@127.0.0.1/nothing",
])
def test_unusable_database_url_refuses_in_one_line(url):
    result = _run(CREATE_APP, SECRET_KEY="x" * 32, DATABASE_URL=url)
    _assert_one_line_refusal(result, "DATABASE_URL")
    assert "secretpw" not in result.stderr + result.stdout


def test_gunicorn_stops_instead_of_restarting_workers(tmp_path):
    """A refusal exits with gunicorn's "App failed to load" status, which halts the master."""
    result = _run([sys.executable, "-m", "gunicorn", "-w", "2", "-b", "127.0.0.1:0",
                   "wsgi:app"], HOME=str(tmp_path),
                  DATABASE_URL="sqlite:///" + str(tmp_path / "app.sqlite3"))
    # With several workers gunicorn itself may print a traceback while halting; what matters
    # is that the master stops (before the timeout) and says why.
    assert result.returncode != 0, result.stderr
    assert "App failed to load" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


# (c) SQLite pragmas on the app's own engine -------------------------------------------------

def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "x" * 32,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "pragmas.sqlite3"),
        "SQLITE_BUSY_TIMEOUT_MS": 4321,
    })
    with app.app_context():
        engine = db.engine
        try:
            # Two connections at once, so both are new connections from the pool.
            with engine.connect() as first, engine.connect() as second:
                for connection in (first, second):
                    assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                    assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
                    assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 4321
        finally:
            engine.dispose()


def test_sqlite_busy_timeout_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT_MS", "2345")
    app = Flask("workspace", instance_path=str(tmp_path / "instance"))
    load_config(app)
    assert app.config["SQLITE_BUSY_TIMEOUT_MS"] == 2345


# (d) every PostgreSQL URL spelling uses psycopg 3 -------------------------------------------

@pytest.mark.parametrize("given", [
    "postgres://u:p@db.example:5432/cg",
    "postgresql://u:p@db.example:5432/cg",
    "postgresql+psycopg://u:p@db.example:5432/cg",
])
def test_postgresql_url_spellings_are_normalised(given, monkeypatch, tmp_path):
    expected = "postgresql+psycopg://u:p@db.example:5432/cg"
    assert normalise_database_url(given) == expected
    monkeypatch.setenv("DATABASE_URL", given)
    app = Flask("workspace", instance_path=str(tmp_path / "instance"))
    load_config(app)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected


def test_the_app_engine_uses_psycopg_for_a_postgres_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/cg")
    app = create_app({"SECRET_KEY": "x" * 32, "SKIP_DATABASE_CHECK": True})
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        assert db.engine.dialect.driver == "psycopg"
        db.engine.dispose()


def test_other_database_urls_are_left_alone():
    assert normalise_database_url("sqlite:////srv/cg.sqlite3") == "sqlite:////srv/cg.sqlite3"
    assert normalise_database_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"


# (e) development generates a key once and keeps it in the instance folder -------------------

def test_development_without_secret_key_keeps_a_generated_key(monkeypatch, tmp_path):
    instance = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(instance))
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "dev.sqlite3"))

    apps = [create_app(), create_app()]
    try:
        key_file = instance / "secret_key"
        assert key_file.exists()
        assert key_file.stat().st_mode & 0o777 == 0o600
        key = key_file.read_text().strip()
        assert len(key) >= 32
        assert [a.config["SECRET_KEY"] for a in apps] == [key, key]
        assert all(a.instance_path == str(instance) for a in apps)
    finally:
        for a in apps:
            with a.app_context():
                db.engine.dispose()


# (f) every number and yes/no setting refuses a bad value in one line naming it --------------

BAD_SETTINGS = [
    ("SESSION_LIFETIME_HOURS", "twelve", "a whole number of hours"),
    ("SESSION_LIFETIME_HOURS", "0", "1 or more"),
    ("INVITATION_MAX_AGE_HOURS", "3 days", "a whole number of hours"),
    ("IMPORT_PREVIEW_MAX_AGE_MINUTES", "1.5", "a whole number of minutes"),
    ("IMPORT_MAX_UNCOMPRESSED_MB", "40MB", "a whole number of megabytes"),
    ("MAX_SECTIONS_PER_DOCUMENT", "lots", "a whole number of sections"),
    ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "five", "a whole number of failures"),
    ("LOGIN_MAX_FAILURES_PER_ADDRESS", "-1", "a whole number of failures"),
    ("LOGIN_THROTTLE_MINUTES", "15m", "a whole number of minutes"),
    ("TRUSTED_PROXIES", "yes", "a whole number of proxies"),
    ("TRUSTED_PROXIES", "-1", "0 or more"),
    ("MAIL_PORT", "smtp", "a whole number"),
    ("NOTIFY_BATCH_SECONDS", "half a minute", "a number of seconds"),
    ("NOTIFY_BATCH_SECONDS", "nan", "a number of seconds"),
    ("SQLITE_BUSY_TIMEOUT_MS", "5s", "a whole number of milliseconds"),
    ("SQLITE_LOCK_RETRY_SECONDS", "-2", "a number of seconds"),
    ("MAX_UPLOAD_MB", "sixty", "a whole number of megabytes"),
    ("JOBS_WORKERS", "0", "1 or more"),
    ("JOBS_LEASE_SECONDS", "1m", "a whole number of seconds"),
    ("JOBS_RETRY_DELAY_SECONDS", "soon", "a number of seconds"),
    ("SESSION_COOKIE_SECURE", "maybe", "true or false"),
    ("MAIL_USE_TLS", "tls", "true or false"),
    ("LOG_FORMAT", "xml", "one of text, json"),
    ("LOG_LEVEL", "LOUD", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
]


@pytest.mark.parametrize("name, value, expects", BAD_SETTINGS,
                         ids=[f"{n}={v}" for n, v, _ in BAD_SETTINGS])
def test_a_bad_setting_is_refused_in_one_line_naming_it(monkeypatch, tmp_path, capsys,
                                                        name, value, expects):
    monkeypatch.setenv(name, value)
    app = Flask("workspace", instance_path=str(tmp_path / "instance"))
    with pytest.raises(ConfigurationError) as raised:
        load_config(app)
    assert raised.value.code == ConfigurationError.EXIT_STATUS
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == str(raised.value)
    assert line.startswith(f"Common Ground cannot start: {name} must be ")
    assert expects in line
    assert f"(it is {value!r})." in line


def test_the_example_refusal_reads_as_promised(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("SESSION_LIFETIME_HOURS", "twelve")
    with pytest.raises(ConfigurationError):
        load_config(Flask("workspace", instance_path=str(tmp_path / "instance")))
    assert capsys.readouterr().err.strip() == (
        "Common Ground cannot start: SESSION_LIFETIME_HOURS must be a whole number of hours, "
        "1 or more, like 12 (it is 'twelve').")


@pytest.mark.parametrize("name, value, key, expected", [
    ("SESSION_LIFETIME_HOURS", " 8 ", "PERMANENT_SESSION_LIFETIME", 8 * 3600),
    ("TRUSTED_PROXIES", "2", "TRUSTED_PROXIES", 2),
    ("NOTIFY_BATCH_SECONDS", "0.5", "NOTIFY_BATCH_SECONDS", 0.5),
    ("MAIL_USE_TLS", "off", "MAIL_USE_TLS", False),
    ("SESSION_COOKIE_SECURE", "Yes", "SESSION_COOKIE_SECURE", True),
    ("MAIL_PORT", "", "MAIL_PORT", 587),                    # empty: the default
    ("LOG_FORMAT", "JSON", "LOG_FORMAT", "json"),
    ("LOG_LEVEL", "warning", "LOG_LEVEL", "WARNING"),
])
def test_good_settings_are_read(monkeypatch, tmp_path, name, value, key, expected):
    monkeypatch.setenv(name, value)
    app = Flask("workspace", instance_path=str(tmp_path / "instance"))
    load_config(app)
    assert app.config[key] == expected


def test_defaults_for_logs(monkeypatch, tmp_path):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    app = Flask("workspace", instance_path=str(tmp_path / "instance"))
    load_config(app)
    assert (app.config["LOG_FORMAT"], app.config["LOG_LEVEL"]) == ("text", "INFO")


@pytest.mark.parametrize("command", [CREATE_APP, FLASK + ["db", "upgrade"]],
                         ids=["python-c", "flask-db-upgrade"])
def test_a_bad_number_stops_the_app_and_flask_in_one_line(tmp_path, command):
    result = _run(command, SECRET_KEY="x" * 32, FLASK_APP="wsgi",
                  DATABASE_URL="sqlite:///" + str(tmp_path / "app.sqlite3"),
                  SESSION_LIFETIME_HOURS="twelve")
    _assert_one_line_refusal(result, "SESSION_LIFETIME_HOURS must be a whole number of hours",
                             "'twelve'")

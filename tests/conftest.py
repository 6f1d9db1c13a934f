"""Test fixtures: an app and a database of its own per run, cleaned after every test.

SQLite by default (a file in a temporary folder); PostgreSQL when TEST_DATABASE_URL names a
server: a fresh database `cg_test_<random>` is created there and dropped at the end
(workspace/scratch_db.py, as the migration tests and bench/ do).
"""
import os
import secrets
import uuid

import flask_migrate
import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

import workspace.accounts.models as account_models
from workspace import create_app
from workspace.accounts.models import Organisation, User, UserSession
from workspace.clock import utcnow
from workspace.extensions import db
from workspace.jobs import runner
from workspace.partnerships.models import Partner, Partnership, PartnershipAdmin
from workspace.scratch_db import scratch_database

TEST_SECRET = "test-secret-key-not-for-production"
#: Hashing with scrypt costs ~100 ms a password; tests use a cheap method (one test checks
#: that the real constant is scrypt).
account_models.PASSWORD_METHOD = "pbkdf2:sha256:1000"


def _server_url():
    """The PostgreSQL server TEST_DATABASE_URL names, or None (SQLite)."""
    return os.environ.get("TEST_DATABASE_URL", "").strip() or None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with scratch_database(_server_url(), "cg_test", tmp_path_factory.mktemp("db")) as url:
        yield url


class CsrfClient(FlaskClient):
    """A test client that sends a valid CSRF token with every POST unless told not to."""

    def open(self, *args, csrf=True, **kwargs):
        method = kwargs.get("method", "GET").upper()
        if csrf and method in {"POST", "PUT", "PATCH", "DELETE"}:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self):
        """A token Flask-WTF accepts: the signed form of a raw value kept in the session."""
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(TEST_SECRET, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture(scope="session", autouse=True)
def files_dir(tmp_path_factory):
    """The file store's folder for this run: every app a test makes stores its files in a
    temporary folder (FILES_DIR), never in the repository's instance/."""
    folder = tmp_path_factory.mktemp("files")
    saved = os.environ.get("FILES_DIR")
    os.environ["FILES_DIR"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("FILES_DIR", None)
    else:
        os.environ["FILES_DIR"] = saved


@pytest.fixture(scope="session")
def app(database_url, files_dir):
    app = create_app({
        "FILES_DIR": str(files_dir),
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": "localhost",
        "SESSION_COOKIE_SECURE": False,
        "MAIL_SERVER": "",
        # Jobs wait in the database until a test runs them (the `run_jobs` fixture).
        "JOBS_QUEUE_URL": "manual",
        "JOBS_RETRY_DELAY_SECONDS": 0,
        "NOTIFY_BATCH_SECONDS": 0,
        # No per-address limits on the verify page: many tests post to it from one address
        # (tests/export/test_verify_limits.py sets a small limit where it tests it).
        "VERIFY_RATE_LIMIT": "",
        # Nor per-user limits on exports, imports, invitations and password changes
        # (tests/test_rate_limits.py sets small ones where it tests them).
        "EXPORT_RATE_LIMIT": "", "IMPORT_RATE_LIMIT": "", "INVITE_RATE_LIMIT": "",
        "PASSWORD_CHANGE_RATE_LIMIT": "",
    })
    app.test_client_class = CsrfClient
    with app.app_context():
        db.create_all()
        # create_all builds the schema as the migrations' head has it: say so, as
        # `flask db upgrade` would, so /readyz answers as on a migrated database.
        flask_migrate.stamp()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _clean(app):
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        # A browser may still send one last request as its context closes (an editor's
        # leaving beacon), after the live server went quiet: on PostgreSQL that request and
        # the TRUNCATE can deadlock, and one of them is cancelled. The TRUNCATE is then simply
        # run again (the request, if it was the one cancelled, was the test's last anyway).
        for attempt in range(3):
            try:
                _clean_tables(tables)
                return
            except OperationalError as exc:
                if "deadlock" not in str(exc).lower() or attempt == 2:
                    raise


def _clean_tables(tables):
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(text(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) +
                " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(autouse=True)
def _fresh_database(app):
    """Every test starts from an empty database and leaves none of its rows behind."""
    yield
    _clean(app)


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def run_jobs(app):
    """run_jobs(): run every waiting job in this process, as the worker would (delays
    included unless ignore_schedule=False); returns how many ran."""

    def _run(ignore_schedule=True):
        with app.app_context():
            return runner.run_pending(ignore_schedule=ignore_schedule)

    return _run


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(app):
    """Builders for organisations, partnerships and users, committed at once."""
    return Factory(app)


class Factory:
    def __init__(self, app):
        self.app = app

    def organisation(self, code="watford", name=None):
        with self.app.app_context():
            org = Organisation(code=code, name=name or f"{code.title()} Council")
            db.session.add(org)
            db.session.commit()
            return org.id

    def partnership(self, slug="pship", organisations=()):
        with self.app.app_context():
            p = Partnership(slug=slug, name=f"{slug.title()} Partnership", short_name=slug)
            db.session.add(p)
            db.session.flush()
            for org_id in organisations:
                db.session.add(Partner(partnership_id=p.id, organisation_id=org_id))
            db.session.commit()
            return p.id

    def user(self, organisation_id, role="officer", email=None, password="correct-horse-1",
             name=None, active=True, partnership_admin=None):
        """A user. An organisation admin ("admin") is also made partnership admin of every
        partnership its organisation is in (as the migration did for existing admins) unless
        partnership_admin=False; partnership_admin=True grants it to any other role."""
        with self.app.app_context():
            user = User(email=email or f"{role}-{uuid.uuid4().hex[:6]}@example.org",
                        name=name or f"Test {role.title()}", organisation_id=organisation_id,
                        role=role, active=active)
            user.set_password(password)
            db.session.add(user)
            db.session.flush()
            if partnership_admin or (partnership_admin is None and role == "admin"):
                for (partnership_id,) in db.session.execute(
                        select(Partner.partnership_id)
                        .where(Partner.organisation_id == organisation_id)):
                    db.session.add(PartnershipAdmin(partnership_id=partnership_id,
                                                    user_id=user.id))
            db.session.commit()
            return user.id

    def grant(self, partnership_id, user_id):
        """Make a user a partnership admin of one partnership."""
        with self.app.app_context():
            db.session.add(PartnershipAdmin(partnership_id=partnership_id, user_id=user_id))
            db.session.commit()

    def invite(self, partnership_id, organisation_id):
        """An organisation invited to a partnership, not yet accepted."""
        with self.app.app_context():
            db.session.add(Partner(partnership_id=partnership_id,
                                   organisation_id=organisation_id, status="invited"))
            db.session.commit()


@pytest.fixture
def login(app):
    """login(client, user_id): sign a client in without the password round-trip."""

    def _login(client, user_id):
        token = secrets.token_urlsafe(32)
        with app.app_context():
            now = utcnow()
            db.session.add(UserSession(id=token, user_id=user_id, created_at=now,
                                       last_seen_at=now))
            db.session.commit()
        with client.session_transaction() as sess:
            sess["_user_id"] = str(user_id)
            sess["_fresh"] = True
            sess["sid"] = token
        return client

    return _login


@pytest.fixture
def world(factory):
    """Two partnerships: `own` (Watford, Dacorum) and `foreign` (Luton), a user per role."""
    watford = factory.organisation("watford", "Watford Borough Council")
    dacorum = factory.organisation("dacorum", "Dacorum Borough Council")
    luton = factory.organisation("luton", "Luton Borough Council")
    own = factory.partnership("own", [watford, dacorum])
    foreign = factory.partnership("foreign", [luton])
    users = {role: factory.user(watford, role, email=f"{role}@watford.example")
             for role in ("viewer", "officer", "member", "admin")}
    users["dacorum_officer"] = factory.user(dacorum, "officer", email="officer@dacorum.example",
                                            name="Dacorum Officer")
    users["foreign_admin"] = factory.user(luton, "admin", email="admin@luton.example")
    return {"orgs": {"watford": watford, "dacorum": dacorum, "luton": luton},
            "partnerships": {"own": own, "foreign": foreign}, "users": users}


@pytest.fixture
def demo(app):
    """The seeded demo partnership."""
    from workspace.demo import seed_demo
    with app.app_context():
        seed_demo("common-ground", published_version=False)
        db.session.commit()


@pytest.fixture
def member(client, login, app, demo):
    """The demo's Watford Member, signed in on `client` (a test file may define its own)."""
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == "member@watford.example"))
    return login(client, uid)

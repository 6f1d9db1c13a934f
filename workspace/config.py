"""Settings from the environment, with safe embedded defaults.

Every variable read here is listed in the README's configuration table.
"""
import os
import secrets
from pathlib import Path


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url):
    """Use the psycopg 3 driver for every PostgreSQL URL spelling."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _dev_secret_key(instance_path):
    """A random key kept in instance/ so development sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(app):
    """Fill app.config from the environment."""
    env = os.environ.get("APP_ENV", "production").strip().lower()
    app.config["APP_ENV"] = env
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    default_db = "sqlite:///" + str(Path(app.instance_path) / "common-ground.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        os.environ.get("DATABASE_URL", default_db))
    secret = os.environ.get("SECRET_KEY")
    if not secret and env == "development":
        secret = _dev_secret_key(app.instance_path)
    app.config["SECRET_KEY"] = secret
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Production runs behind HTTPS: cookies are Secure unless explicitly turned off.
        SESSION_COOKIE_SECURE=_bool("SESSION_COOKIE_SECURE", env == "production"),
        SESSION_COOKIE_NAME="cg_session",
        PERMANENT_SESSION_LIFETIME=int(os.environ.get("SESSION_LIFETIME_HOURS", "12")) * 3600,
        REMEMBER_COOKIE_DURATION=0,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=True,
        DEMO_PASSWORD=os.environ.get("DEMO_PASSWORD", "common-ground"),
        INVITATION_MAX_AGE_HOURS=int(os.environ.get("INVITATION_MAX_AGE_HOURS", "72")),
        IMPORT_PREVIEW_MAX_AGE_MINUTES=int(os.environ.get("IMPORT_PREVIEW_MAX_AGE_MINUTES",
                                                          "60")),
        IMPORT_MAX_UNCOMPRESSED_MB=int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_MB", "40")),
        MAX_SECTIONS_PER_DOCUMENT=int(os.environ.get("MAX_SECTIONS_PER_DOCUMENT", "500")),
        LOGIN_MAX_FAILURES_PER_ACCOUNT=int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", "5")),
        LOGIN_MAX_FAILURES_PER_ADDRESS=int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")),
        LOGIN_THROTTLE_MINUTES=int(os.environ.get("LOGIN_THROTTLE_MINUTES", "15")),
        TRUSTED_PROXIES=int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Flask-Limiter: counts in this process's memory unless Redis is named.
        RATELIMIT_STORAGE_URI=(os.environ.get("RATELIMIT_STORAGE_URI")
                               or os.environ.get("REDIS_URL") or "memory://"),
        VERIFY_RATE_LIMIT=os.environ.get("VERIFY_RATE_LIMIT", "5 per minute;30 per hour"),
        MAIL_SERVER=os.environ.get("MAIL_SERVER", ""),
        MAIL_PORT=int(os.environ.get("MAIL_PORT", "587")),
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME", ""),
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD", ""),
        MAIL_USE_TLS=_bool("MAIL_USE_TLS", True),
        MAIL_FROM=os.environ.get("MAIL_FROM", "common-ground@localhost"),
        # Where the workspace is reached: the links in e-mails (sent by jobs, with no request).
        BASE_URL=os.environ.get("BASE_URL",
                                "http://127.0.0.1:5000" if env == "development" else ""),
        # Notifications wait this long before their e-mail goes, so a burst is one e-mail.
        NOTIFY_BATCH_SECONDS=float(os.environ.get("NOTIFY_BATCH_SECONDS", "30")),
        SQLITE_BUSY_TIMEOUT_MS=int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "5000")),
        SQLITE_LOCK_RETRY_SECONDS=float(os.environ.get("SQLITE_LOCK_RETRY_SECONDS", "2")),
        MAX_CONTENT_LENGTH=int(os.environ.get("MAX_UPLOAD_MB", "60")) * 1024 * 1024,
        SIGNING_KEY_SECRET=os.environ.get("SIGNING_KEY_SECRET", ""),
        # The "Verify a PDF" trust list: a PEM bundle of root certificates an uploaded signing
        # certificate must chain to to count as trusted. Empty: certificates are reported as
        # "not checked against a trust list", never as trusted.
        SIGNING_TRUST_ROOTS=os.environ.get("SIGNING_TRUST_ROOTS", ""),
        # Background work (workspace/jobs): the queue that wakes the worker.
        JOBS_QUEUE_URL=(os.environ.get("JOBS_QUEUE_URL") or os.environ.get("REDIS_URL") or ""),
        JOBS_WORKERS=int(os.environ.get("JOBS_WORKERS", "2")),
        JOBS_LEASE_SECONDS=int(os.environ.get("JOBS_LEASE_SECONDS", "60")),
        JOBS_RETRY_DELAY_SECONDS=float(os.environ.get("JOBS_RETRY_DELAY_SECONDS", "10")),
    )

"""Settings from the environment, with safe embedded defaults.

Every variable read here is listed in the README's configuration table.
"""
import os
import re
import secrets
import sys
from pathlib import Path

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigurationError(SystemExit):
    """A one-line reason the app cannot start; exits non-zero without a traceback.

    The line is written to stderr when raised (by `refuse`); the exit status is 4, which
    gunicorn reads as "App failed to load" and stops, instead of restarting workers in a loop
    (a message as the SystemExit code would exit 1, and 3 would make Werkzeug's reloader
    restart for ever).
    """

    EXIT_STATUS = 4

    def __init__(self, message):
        self.message = f"Common Ground cannot start: {message}"
        super().__init__(self.EXIT_STATUS)

    def __str__(self):
        return self.message


def refuse(message):
    """Write the one-line reason to stderr and stop."""
    error = ConfigurationError(message)
    print(error.message, file=sys.stderr, flush=True)
    raise error


def _raw(name):
    value = os.environ.get(name)
    return None if value is None or not value.strip() else value.strip()


def _bool(name, default=False):
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    refuse(f"{name} must be true or false (also 1/0, yes/no, on/off) (it is {value!r}).")


def _int(name, default, unit, example, minimum=0):
    """A whole number of `unit`s (None: a plain number), at least `minimum`."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        what = f"a whole number of {unit}" if unit else "a whole number"
        at_least = f", {minimum} or more" if minimum else ", 0 or more"
        refuse(f"{name} must be {what}{at_least}, like {example} (it is {value!r}).")
    return number


def _float(name, default, unit, example):
    """A number (decimals allowed) of `unit`s, zero or more."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not number >= 0 or number == float("inf"):
        refuse(f"{name} must be a number of {unit}, zero or more, like {example} "
               f"(it is {value!r}).")
    return number


def _choice(name, default, choices):
    value = _raw(name)
    if value is None:
        return default
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    refuse(f"{name} must be one of {', '.join(choices)} (it is {value!r}).")


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


#: An S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens.
S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def _files_settings(instance_path):
    """Where generated files live (workspace/files): a folder, or an S3-compatible bucket."""
    bucket = _raw("FILES_S3_BUCKET") or ""
    if bucket and not S3_BUCKET.match(bucket):
        refuse("FILES_S3_BUCKET must be a bucket name: 3 to 63 lower-case letters, digits, "
               f"dots and hyphens (it is {bucket!r}).")
    endpoint = _raw("FILES_S3_ENDPOINT_URL") or ""
    if endpoint and not re.match(r"^https?://[^/\s]+", endpoint):
        refuse("FILES_S3_ENDPOINT_URL must be an http:// or https:// address, like "
               f"https://s3.example.com (it is {endpoint!r}).")
    prefix = (_raw("FILES_S3_PREFIX") or "").strip("/")
    if prefix and not re.match(r"^[A-Za-z0-9!_.*'()/-]+$", prefix):
        refuse("FILES_S3_PREFIX must be letters, digits and / - _ . only, like "
               f"common-ground/files (it is {prefix!r}).")
    return {"FILES_DIR": _raw("FILES_DIR") or str(Path(instance_path) / "files"),
            "FILES_S3_BUCKET": bucket, "FILES_S3_ENDPOINT_URL": endpoint,
            "FILES_S3_PREFIX": prefix}


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
        PERMANENT_SESSION_LIFETIME=_int("SESSION_LIFETIME_HOURS", 12, "hours", 12, 1) * 3600,
        REMEMBER_COOKIE_DURATION=0,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=True,
        DEMO_PASSWORD=os.environ.get("DEMO_PASSWORD", "common-ground"),
        INVITATION_MAX_AGE_HOURS=_int("INVITATION_MAX_AGE_HOURS", 72, "hours", 72, 1),
        IMPORT_PREVIEW_MAX_AGE_MINUTES=_int("IMPORT_PREVIEW_MAX_AGE_MINUTES", 60,
                                            "minutes", 60, 1),
        IMPORT_MAX_UNCOMPRESSED_MB=_int("IMPORT_MAX_UNCOMPRESSED_MB", 40, "megabytes", 40, 1),
        MAX_SECTIONS_PER_DOCUMENT=_int("MAX_SECTIONS_PER_DOCUMENT", 500, "sections", 500, 1),
        LOGIN_MAX_FAILURES_PER_ACCOUNT=_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, "failures",
                                            5, 1),
        LOGIN_MAX_FAILURES_PER_ADDRESS=_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20, "failures",
                                            20, 1),
        LOGIN_THROTTLE_MINUTES=_int("LOGIN_THROTTLE_MINUTES", 15, "minutes", 15, 1),
        TRUSTED_PROXIES=_int("TRUSTED_PROXIES", 0, "proxies in front of the app", 1),
        # Flask-Limiter: counts in this process's memory unless Redis is named.
        RATELIMIT_STORAGE_URI=(os.environ.get("RATELIMIT_STORAGE_URI")
                               or os.environ.get("REDIS_URL") or "memory://"),
        VERIFY_RATE_LIMIT=os.environ.get("VERIFY_RATE_LIMIT", "5 per minute;30 per hour"),
        MAIL_SERVER=os.environ.get("MAIL_SERVER", ""),
        MAIL_PORT=_int("MAIL_PORT", 587, None, 587, 1),
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME", ""),
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD", ""),
        MAIL_USE_TLS=_bool("MAIL_USE_TLS", True),
        MAIL_FROM=os.environ.get("MAIL_FROM", "common-ground@localhost"),
        # Where the workspace is reached: the links in e-mails (sent by jobs, with no request).
        BASE_URL=os.environ.get("BASE_URL",
                                "http://127.0.0.1:5000" if env == "development" else ""),
        # Notifications wait this long before their e-mail goes, so a burst is one e-mail.
        NOTIFY_BATCH_SECONDS=_float("NOTIFY_BATCH_SECONDS", 30.0, "seconds", 30),
        SQLITE_BUSY_TIMEOUT_MS=_int("SQLITE_BUSY_TIMEOUT_MS", 5000, "milliseconds", 5000),
        SQLITE_LOCK_RETRY_SECONDS=_float("SQLITE_LOCK_RETRY_SECONDS", 2.0, "seconds", 2),
        MAX_CONTENT_LENGTH=_int("MAX_UPLOAD_MB", 60, "megabytes", 60, 1) * 1024 * 1024,
        SIGNING_KEY_SECRET=os.environ.get("SIGNING_KEY_SECRET", ""),
        # The "Verify a PDF" trust list: a PEM bundle of root certificates an uploaded signing
        # certificate must chain to to count as trusted. Empty: certificates are reported as
        # "not checked against a trust list", never as trusted.
        SIGNING_TRUST_ROOTS=os.environ.get("SIGNING_TRUST_ROOTS", ""),
        # Background work (workspace/jobs): the queue that wakes the worker.
        JOBS_QUEUE_URL=(os.environ.get("JOBS_QUEUE_URL") or os.environ.get("REDIS_URL") or ""),
        JOBS_WORKERS=_int("JOBS_WORKERS", 2, "worker threads", 2, 1),
        JOBS_LEASE_SECONDS=_int("JOBS_LEASE_SECONDS", 60, "seconds", 60, 1),
        # Logs (workspace/logs.py): one line per request; "json" for a log platform.
        LOG_FORMAT=_choice("LOG_FORMAT", "text", LOG_FORMATS),
        LOG_LEVEL=_choice("LOG_LEVEL", "INFO", LOG_LEVELS),
        JOBS_RETRY_DELAY_SECONDS=_float("JOBS_RETRY_DELAY_SECONDS", 10.0, "seconds", 10),
        # Retention (workspace/retention.py, `flask prune` and the worker's daily job): rows
        # older than this go; 0 keeps them for ever.
        PRUNE_DRAFT_PDFS_AFTER_DAYS=_int("PRUNE_DRAFT_PDFS_AFTER_DAYS", 30, "days", 30),
        PRUNE_PRESENCE_AFTER_MINUTES=_int("PRUNE_PRESENCE_AFTER_MINUTES", 60, "minutes", 60),
        PRUNE_LOGIN_ATTEMPTS_AFTER_DAYS=_int("PRUNE_LOGIN_ATTEMPTS_AFTER_DAYS", 30, "days", 30),
        PRUNE_SESSIONS_AFTER_DAYS=_int("PRUNE_SESSIONS_AFTER_DAYS", 30, "days", 30),
        PRUNE_IMPORT_RECEIPTS_AFTER_DAYS=_int("PRUNE_IMPORT_RECEIPTS_AFTER_DAYS", 7, "days", 7),
        PRUNE_JOBS_AFTER_DAYS=_int("PRUNE_JOBS_AFTER_DAYS", 30, "days", 30),
    )
    app.config.update(_files_settings(app.instance_path))

"""gunicorn settings for Common Ground: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be changed from the environment (each variable is in the README's
configuration table). The defaults suit a server behind a reverse proxy on the same machine;
the container image sets HOST=0.0.0.0 so the port can be published.
"""
import multiprocessing
import os


def _int(name, default):
    """An integer setting, or a one-line reason naming the variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise SystemExit(f"{name} must be 1 or more, not {number}")
    return number


def default_workers(cores=None):
    """2 × cores + 1, at most 8: PDFs are made by the background worker, not in requests."""
    cores = cores or multiprocessing.cpu_count()
    return min(2 * cores + 1, 8)


# Where to listen. 127.0.0.1 keeps the app behind the proxy; the image sets HOST=0.0.0.0.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"

# Processes: WEB_CONCURRENCY (the name hosting platforms set), or GUNICORN_WORKERS.
workers = _int("WEB_CONCURRENCY", 0) or _int("GUNICORN_WORKERS", 0) or default_workers()
# Threads per worker: 1 is gunicorn's sync worker (the one bench/load.py measures);
# more switches to the gthread worker, which helps when many editors poll at once.
threads = _int("GUNICORN_THREADS", 1)

# A request taking longer than this is killed and its worker restarted. Nothing slow happens
# in a request: PDFs, emails and imports' heavy parts are background jobs.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30        # on SIGTERM, requests in progress get this long to finish
keepalive = 5                # seconds an idle connection from the proxy is kept open

# gunicorn's own messages (start, stop, a worker killed) on standard error, for journald,
# `docker logs` or a log shipper. No gunicorn access log: the app writes one access line per
# request itself (workspace/logs.py: request id, user, duration, in LOG_FORMAT), and a second
# line for the same request would only double the volume. Static files have no line there
# (the reverse proxy in front logs them).
accesslog = None
errorlog = "-"
loglevel = "info"

# Addresses whose X-Forwarded-Proto gunicorn believes (comma-separated, or *). The app's own
# TRUSTED_PROXIES decides which client address and host it sees.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

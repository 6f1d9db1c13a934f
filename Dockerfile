# Common Ground: the web app (gunicorn) and, with another command, the background worker.
# Not built in CI (these machines cannot pull images); tests/test_deploy_files.py checks that
# this file agrees with gunicorn.conf.py, compose.yaml and the app.
#
#   docker build -t common-ground .
#   docker run --env-file env -p 8000:8000 common-ground                   # the web app
#   docker run --env-file env common-ground flask jobs worker               # the worker
#   docker run --env-file env common-ground flask db upgrade                # migrations
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=wsgi \
    HOST=0.0.0.0 \
    PORT=8000

# WeasyPrint (PDF export) needs Pango, HarfBuzz and fontconfig from the system, and the fonts
# static/print/print.css names: DejaVu Sans and DejaVu Sans Mono, then Liberation Sans.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
      fonts-dejavu-core fonts-liberation \
 && rm -rf /var/lib/apt/lists/*

# A user of its own, no login, no home directory writes outside /app/instance.
RUN groupadd --system --gid 10001 common-ground \
 && useradd --system --uid 10001 --gid common-ground --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin common-ground

WORKDIR /app

# The locked packages (requirements/app.lock: every version pinned, every file's hash checked),
# in a layer of their own that is rebuilt only when the lock changes.
COPY requirements/app.lock ./requirements/app.lock
RUN pip install --require-hashes -r requirements/app.lock

# The app reads its templates, static files and migrations from beside the package, so it
# is installed in place (editable), as `make install` does, not copied into site-packages;
# --no-deps: everything it needs came from the lock; built with the locked setuptools.
COPY pyproject.toml README.md ./
COPY workspace ./workspace
RUN pip install --no-deps --no-build-isolation -e . && pip check
COPY wsgi.py gunicorn.conf.py ./
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations

# instance/ holds what the app writes locally (the SQLite queue file when no Redis is set) and
# instance/files the file store (a named volume in compose.yaml starts with this ownership).
RUN mkdir -p /app/instance/files && chown -R common-ground:common-ground /app/instance
USER common-ground

EXPOSE 8000

# Liveness: the process answers (/healthz needs no database). Readiness (database reachable,
# migrations at head) is /readyz, which compose.yaml's health check uses.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"

CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]

# Common Ground: `make run` to try it, `make test` to prove it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint test-sqlite test-postgres install install-test system-libs lock audit \
        assets bench bench-tools load faults clean

# Installs come from the lock files in requirements/ (every package pinned, with its hashes),
# never from pyproject.toml's ranges: app.lock for running, test.lock (the same pins plus the
# test tools) for testing. `make lock` refreshes them after pyproject.toml changes.
APP_LOCK  := requirements/app.lock
TEST_LOCK := requirements/test.lock
# Tools that are not the app's: kept in a venv of their own inside .venv, so they never
# change a locked package. Pinned, like the rest.
TOOLS         := $(VENV)/tools
UV_VERSION    := 0.13.9
AUDIT_VERSION := 2.10.1
# Where the lock must hold: CPython 3.11 (the image's and this machine's) and every later
# version, on any platform (uv's universal resolution; markers pick per version).
LOCK_PYTHON   := 3.11

# pip -qq: errors only (a failed install still stops make). The locked packages first (hashes
# checked, nothing else fetched), then the app itself, built with the locked setuptools.
define install_from
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq --no-warn-conflicts --require-hashes -r $(1)
	$(BIN)/python -m pip install -qq --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check >/dev/null || $(BIN)/python -m pip check
endef

$(VENV)/.installed: pyproject.toml $(APP_LOCK)
	$(call install_from,$(APP_LOCK))
	touch $@

# test.lock holds app.lock's pins too, so this also refreshes what `make install` put there.
$(VENV)/.installed-test: pyproject.toml $(TEST_LOCK) $(APP_LOCK)
	$(call install_from,$(TEST_LOCK))
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed system-libs

# WeasyPrint (PDF export) needs Pango and a font from the system: install them when missing
# and we are root (Debian/Ubuntu), otherwise say how.
system-libs:
	@if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' && fc-list 2>/dev/null | grep -qi dejavu; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Pango and fonts for PDF export"; \
	  apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; \
	else \
	  echo "PDF export needs Pango and fonts: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"; \
	fi

# The browser tests (tests/browser) drive the system Chromium through Playwright: install it
# when missing and we are root, otherwise say how (without it those tests fail, never skip).
CHROMIUM := /usr/bin/chromium
install-test: $(VENV)/.installed-test system-libs
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium for the browser tests: apt-get install chromium"; \
	  apt-get update && apt-get install -y chromium; \
	else \
	  echo "The browser tests need Chromium at $(CHROMIUM): as root, run" \
	       "'apt-get update && apt-get install chromium'. Until then tests/browser fails."; \
	fi

## run: install, migrate, seed the demo on an empty database, serve on http://$(HOST):$(PORT)
## with the background worker (`flask jobs worker`) beside it; Ctrl-C stops both
run: install
	APP_ENV=$${APP_ENV:-development} $(BIN)/flask db upgrade
	APP_ENV=$${APP_ENV:-development} BASE_URL=$${BASE_URL:-http://$(HOST):$(PORT)} \
	  $(BIN)/flask seed-demo --if-empty
	@export APP_ENV=$${APP_ENV:-development} BASE_URL=$${BASE_URL:-http://$(HOST):$(PORT)}; \
	$(BIN)/flask jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM HUP; \
	echo "Background worker started (pid $$worker)"; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

## lint: Ruff with the rule set in pyproject.toml (a finding fails `make test`)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

## test: lint, then the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
test: install-test lint
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (CI sets it)."; fi

test-sqlite: install-test
	TEST_DATABASE_URL= $(BIN)/pytest

test-postgres: install-test
	@test -n "$$TEST_DATABASE_URL" || { echo "Set TEST_DATABASE_URL to a PostgreSQL server URL"; exit 2; }
	$(BIN)/pytest

## lock: re-resolve requirements/*.lock from pyproject.toml (and requirements/build.in),
## keeping every pin that still fits; `make lock UPGRADE=1` moves all to the newest allowed.
## Needs PyPI. Commit the lock files; the next `make run`/`make test` installs them.
LOCK_FLAGS = --universal --python-version $(LOCK_PYTHON) --generate-hashes \
  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: $(TOOLS)/bin/uv
	$(TOOLS)/bin/uv pip compile -q $(LOCK_FLAGS) pyproject.toml requirements/build.in \
	  -o $(APP_LOCK)
	$(TOOLS)/bin/uv pip compile -q $(LOCK_FLAGS) pyproject.toml requirements/build.in \
	  --extra test --constraint $(APP_LOCK) -o $(TEST_LOCK)

## audit: pip-audit the locked packages against PyPI's vulnerability data (needs the internet,
## so it is not part of `make test` or CI). Fails when a package is vulnerable, and (--strict)
## when one could not be checked, so an unreachable database is never a pass.
audit: $(TOOLS)/bin/pip-audit
	$(TOOLS)/bin/pip-audit --strict --disable-pip --require-hashes --progress-spinner off \
	  -r $(APP_LOCK) -r $(TEST_LOCK)

$(TOOLS)/bin/python:
	$(PYTHON) -m venv $(TOOLS)

$(TOOLS)/bin/uv: | $(TOOLS)/bin/python
	$(TOOLS)/bin/python -m pip install -qq uv==$(UV_VERSION)

$(TOOLS)/bin/pip-audit: | $(TOOLS)/bin/python
	$(TOOLS)/bin/python -m pip install -qq pip-audit==$(AUDIT_VERSION)

## assets: rebuild the vendored GOV.UK Frontend CSS and JS, only the components the pages use
## (needs Node.js and npm; the output is committed, so running the app never needs them)
GOVUK_FRONTEND = 6.6.0
assets:
	cd static/src && npm install --no-save --no-package-lock --silent \
	  govuk-frontend@$(GOVUK_FRONTEND) sass@1.108.2 esbuild@0.28.2 && \
	npx sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps \
	  govuk-frontend.scss ../vendor/govuk-frontend-$(GOVUK_FRONTEND).min.css && \
	npx esbuild govuk-frontend-components.mjs --bundle --format=esm --minify --target=es2020 \
	  --legal-comments=none --log-level=warning \
	  --banner:js="/*! GOV.UK Frontend $(GOVUK_FRONTEND) (MIT), only the components in static/src/govuk-frontend-components.mjs */" \
	  --outfile=../vendor/govuk-frontend-$(GOVUK_FRONTEND).components.min.js && \
	rm -rf node_modules

bench: install bench-tools
	$(BIN)/python bench/run_all.py

# wrk drives the page-speed benchmark's gunicorn figures (without it a slower Python client
# stands in): install it when missing and we are root (Debian/Ubuntu), otherwise say how.
bench-tools:
	@if command -v wrk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing wrk for the benchmarks"; apt-get update -qq && apt-get install -y -qq wrk; \
	else \
	  echo "The benchmarks use wrk when installed (apt-get install wrk); a Python client stands in."; \
	fi

## load: gunicorn + ~20 clients for ~20 s on SQLite (and PostgreSQL when BENCH_DATABASE_URL is
## set): figures as ratios to a bare "hello", and a check that no accepted save was lost
load: install
	$(BIN)/python bench/load.py

## faults: SIGKILL gunicorn workers in the middle of saves, then check the history and serve on
faults: install
	$(BIN)/python bench/faults.py

clean:
	rm -rf $(VENV) *.egg-info

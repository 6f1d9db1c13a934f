"""The deployment files agree with the app: Dockerfile, compose.yaml, gunicorn.conf.py and the
systemd units in deploy/. No image is built here (these machines cannot pull one): the files
are read as text and checked for entry points, ports, commands and settings.

Every environment variable the app, gunicorn.conf.py or compose.yaml reads must be in the
README's configuration tables.
"""
import ast
import logging
import re
import runpy
import shlex
from pathlib import Path

import pytest
from gunicorn.config import KNOWN_SETTINGS

from workspace.logs import ACCESS_LOGGER

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = (ROOT / "compose.yaml").read_text()
UNITS = {name: (ROOT / "deploy" / name).read_text()
         for name in ("common-ground.service", "common-ground-worker.service")}
GUNICORN_CMD = ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
#: Variables gunicorn.conf.py reads; cleared so each test controls them.
GUNICORN_VARS = ("HOST", "PORT", "WEB_CONCURRENCY", "GUNICORN_WORKERS", "GUNICORN_THREADS",
                 "GUNICORN_TIMEOUT", "FORWARDED_ALLOW_IPS")
#: The font families static/print/*.css may name, and the Debian package that provides each.
FONT_PACKAGES = {"DejaVu Sans": "fonts-dejavu-core", "DejaVu Sans Mono": "fonts-dejavu-core",
                 "Liberation Sans": "fonts-liberation"}
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


# --- small readers (no PyYAML in the test environment) --------------------------------------

def _services():
    """compose.yaml's services: {name: the block of text under it}."""
    body = COMPOSE.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks = re.split(r"^  (?=[a-z][\w-]*:\s*$)", body, flags=re.M)
    return {block.split(":", 1)[0]: block for block in blocks if block.strip()
            and not block.startswith(" ")}


def _anchor(name):
    """The text of a top-level `x-…: &name` block in compose.yaml."""
    match = re.search(rf"^x-[\w-]+: &{name}\n((?:  .*\n|\s*\n)+)", COMPOSE, flags=re.M)
    assert match, f"compose.yaml has no &{name} block"
    return match.group(1)


def _json_list(text):
    """A `["a", "b"]` list written in a Dockerfile or compose.yaml."""
    return re.findall(r'"([^"]*)"', text)


def _dockerfile_instruction(keyword):
    """Every instruction `keyword …` in the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines()
            if line.split(None, 1)[:1] == [keyword]]


def _dockerfile_env():
    env = {}
    for instruction in _dockerfile_instruction("ENV"):
        env.update(pair.split("=", 1) for pair in shlex.split(instruction))
    return env


def _unit_value(unit, key):
    values = re.findall(rf"^{key}=(.*)$", unit, flags=re.M)
    assert values, f"{key}= missing"
    return values


def _load_gunicorn_conf(monkeypatch, **env):
    for name in GUNICORN_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


# --- gunicorn.conf.py -----------------------------------------------------------------------

def test_gunicorn_conf_sets_only_settings_gunicorn_knows(monkeypatch):
    conf = _load_gunicorn_conf(monkeypatch)
    known = {setting.name for setting in KNOWN_SETTINGS}
    settings = {name for name, value in conf.items()
                if not name.startswith("_") and not callable(value)
                and not hasattr(value, "__file__")}          # modules imported by the file
    assert settings <= known, settings - known
    assert {"bind", "workers", "timeout", "graceful_timeout", "keepalive", "accesslog",
            "errorlog", "forwarded_allow_ips"} <= settings


def test_gunicorn_defaults_listen_locally_on_8000_with_errors_on_stderr(monkeypatch):
    conf = _load_gunicorn_conf(monkeypatch)
    assert conf["bind"] == "127.0.0.1:8000"
    assert conf["workers"] == conf["default_workers"]()
    assert conf["threads"] == 1
    assert conf["timeout"] == 60
    assert conf["errorlog"] == "-"
    assert conf["forwarded_allow_ips"] == "127.0.0.1"


def test_each_request_is_logged_once_by_the_app_not_again_by_gunicorn(monkeypatch, client):
    conf = _load_gunicorn_conf(monkeypatch)
    assert conf["accesslog"] is None and "access_log_format" not in conf
    # The one line is the app's (workspace/logs.py, with the request id and the user).
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    access = logging.getLogger(ACCESS_LOGGER)
    access.addHandler(handler)
    try:
        response = client.get("/healthz")
    finally:
        access.removeHandler(handler)
    assert len(records) == 1
    assert records[0].request_id == response.headers["X-Request-ID"]
    assert conf["forwarded_allow_ips"] == "127.0.0.1"


def test_gunicorn_workers_are_twice_the_cores_plus_one_at_most_eight(monkeypatch):
    default_workers = _load_gunicorn_conf(monkeypatch)["default_workers"]
    assert [default_workers(cores) for cores in (1, 2, 3, 4, 16)] == [3, 5, 7, 8, 8]


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    conf = _load_gunicorn_conf(monkeypatch, HOST="0.0.0.0", PORT="9001", WEB_CONCURRENCY="5",
                               GUNICORN_WORKERS="3", GUNICORN_THREADS="4",
                               GUNICORN_TIMEOUT="90", FORWARDED_ALLOW_IPS="10.0.0.2")
    assert conf["bind"] == "0.0.0.0:9001"
    assert conf["workers"] == 5                 # WEB_CONCURRENCY wins over GUNICORN_WORKERS
    assert (conf["threads"], conf["timeout"]) == (4, 90)
    assert conf["forwarded_allow_ips"] == "10.0.0.2"
    assert _load_gunicorn_conf(monkeypatch, GUNICORN_WORKERS="3")["workers"] == 3


@pytest.mark.parametrize(("name", "value", "reason"), [
    ("PORT", "80a", "PORT must be a whole number, not '80a'"),
    ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY must be 1 or more, not 0"),
    ("GUNICORN_TIMEOUT", "1.5", "GUNICORN_TIMEOUT must be a whole number, not '1.5'"),
])
def test_a_mistyped_gunicorn_setting_stops_with_one_line(monkeypatch, name, value, reason):
    with pytest.raises(SystemExit) as stopped:
        _load_gunicorn_conf(monkeypatch, **{name: value})
    assert str(stopped.value) == reason


# --- Dockerfile -----------------------------------------------------------------------------

def test_dockerfile_runs_gunicorn_with_the_conf_on_the_exposed_port(monkeypatch):
    (cmd,) = _dockerfile_instruction("CMD")
    assert _json_list(cmd) == GUNICORN_CMD
    env = _dockerfile_env()
    conf = _load_gunicorn_conf(monkeypatch, HOST=env["HOST"], PORT=env["PORT"])
    assert conf["bind"] == "0.0.0.0:8000"            # reachable from outside the container
    assert _dockerfile_instruction("EXPOSE") == [env["PORT"]]
    (health,) = _dockerfile_instruction("HEALTHCHECK")
    assert "/healthz" in health                      # liveness: needs no database


def test_dockerfile_runs_as_a_user_of_its_own():
    (user,) = _dockerfile_instruction("USER")
    assert user.strip() not in {"root", "0"}
    assert re.search(rf"useradd .*\b{re.escape(user.strip())}\b", re.sub(r"\\\n", "",
                                                                         DOCKERFILE))


def test_dockerfile_copies_what_exists_and_dockerignore_keeps_it():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    sources = [part for copy in _dockerfile_instruction("COPY") for part in copy.split()[:-1]]
    assert {"workspace", "templates", "static", "migrations", "wsgi.py", "gunicorn.conf.py",
            "pyproject.toml"} <= set(sources)
    for source in sources:
        assert (ROOT / source).exists(), source
        assert source not in ignored, source
    assert {".venv", ".git", "instance", "tests"} <= ignored


def test_dockerfile_installs_the_fonts_the_print_css_names():
    families = set()
    for css in (ROOT / "static" / "print").glob("*.css"):
        for declaration in re.findall(r"font-family:\s*([^;}]+)", css.read_text()):
            families.update(name.strip().strip("\"'") for name in declaration.split(","))
    named = families - GENERIC_FAMILIES - {"Arial"}      # Arial: the browser's, not the PDF's
    assert named, "static/print names no fonts"
    unknown = named - FONT_PACKAGES.keys()
    assert not unknown, f"add the Debian package for {unknown} to FONT_PACKAGES and Dockerfile"
    for family in named:
        assert FONT_PACKAGES[family] in DOCKERFILE, family
    for library in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "libfontconfig1"):
        assert library in DOCKERFILE, library


# --- compose.yaml ---------------------------------------------------------------------------

def test_compose_has_the_app_worker_migrations_postgres_and_redis():
    services = _services()
    assert set(services) == {"migrate", "app", "worker", "postgres", "redis"}
    assert _json_list(re.search(r"command: (.*)", services["app"]).group(1)) == GUNICORN_CMD
    assert _json_list(re.search(r"command: (.*)", services["worker"]).group(1)) == [
        "flask", "jobs", "worker"]
    assert _json_list(re.search(r"command: (.*)", services["migrate"]).group(1)) == [
        "flask", "db", "upgrade"]
    assert re.search(r"image: postgres:16\b", services["postgres"])
    assert re.search(r"image: redis:7\b", services["redis"])
    assert "pg_isready" in services["postgres"] and "redis-cli" in services["redis"]
    for name, path in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data")):
        volume = re.search(rf"- ([\w-]+):{path}\n", services[name]).group(1)
        assert re.search(rf"^  {volume}:", COMPOSE.split("\nvolumes:\n", 1)[1], flags=re.M)


def test_compose_starts_app_and_worker_after_healthy_stores_and_migrations():
    services = _services()
    app_block = _anchor("app")
    assert "build: ." in app_block and "environment: *app-environment" in app_block
    for name in ("migrate", "app", "worker"):
        assert "<<: *app" in services[name]
    for name in ("app", "worker"):
        depends = services[name].split("depends_on:", 1)[1]
        for store in ("postgres", "redis"):
            assert re.search(rf"{store}:\n\s+condition: service_healthy", depends), (name, store)
        assert re.search(r"migrate:\n\s+condition: service_completed_successfully", depends)
    assert re.search(r"postgres:\n\s+condition: service_healthy", app_block)


def test_compose_publishes_the_gunicorn_port_and_checks_readiness(monkeypatch):
    app = _services()["app"]
    port = _dockerfile_env()["PORT"]
    assert re.search(rf'- "\$\{{APP_PORT:-\d+\}}:{port}"', app)
    assert f"127.0.0.1:{port}/readyz" in app
    # The image's HEALTHCHECK asks gunicorn's port: the worker and the one-shot migration
    # serve nothing, so theirs is turned off (else they would show as unhealthy).
    for name in ("worker", "migrate"):
        assert re.search(r"healthcheck:\n\s+disable: true", _services()[name]), name
    # The worker stops as `flask jobs worker` expects: SIGINT lets running jobs finish.
    assert "stop_signal: SIGINT" in _services()["worker"]


def test_compose_requires_the_secrets_instead_of_defaulting_them():
    environment = _anchor("app-environment")
    for name in ("SECRET_KEY", "SIGNING_KEY_SECRET", "POSTGRES_PASSWORD"):
        assert re.search(rf"\$\{{{name}:\?", environment), name
    for name in ("DATABASE_URL", "REDIS_URL", "JOBS_QUEUE_URL", "BASE_URL", "MAIL_SERVER"):
        assert re.search(rf"^  {name}: ", environment, flags=re.M), name


# --- systemd units --------------------------------------------------------------------------

def _exec_start(unit):
    (line,) = _unit_value(unit, "ExecStart")
    return shlex.split(line)


def test_units_run_commands_this_checkout_installs(app):
    web = _exec_start(UNITS["common-ground.service"])
    worker = _exec_start(UNITS["common-ground-worker.service"])
    for command in (web, worker):
        assert command[0].startswith("/srv/common-ground/.venv/bin/")
        # The same program `make install` puts in this checkout's .venv.
        assert (ROOT / ".venv" / "bin" / Path(command[0]).name).exists(), command[0]
    assert [Path(web[0]).name, *web[1:]] == GUNICORN_CMD
    assert worker[1:] == ["--app", "wsgi", "jobs", "worker"]
    # Those CLI commands exist in the app.
    assert "worker" in app.cli.commands["jobs"].commands
    assert "upgrade" in app.cli.commands["db"].commands


@pytest.mark.parametrize("name", sorted(UNITS))
def test_units_run_as_their_own_user_with_hardening(name):
    unit = UNITS[name]
    assert _unit_value(unit, "User") == ["common-ground"]
    assert _unit_value(unit, "EnvironmentFile") == ["/etc/common-ground/env"]
    assert _unit_value(unit, "WorkingDirectory") == ["/srv/common-ground"]
    assert _unit_value(unit, "Restart") == ["on-failure"]
    for setting in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                    "ReadWritePaths=/srv/common-ground/instance"):
        assert re.search(rf"^{re.escape(setting)}$", unit, flags=re.M), setting


def test_the_worker_unit_stops_with_sigint():
    unit = UNITS["common-ground-worker.service"]
    assert _unit_value(unit, "KillSignal") == ["SIGINT"]


# --- every variable is documented -----------------------------------------------------------

def _names_read_by(path):
    """Upper-case names a Python file reads from the environment: os.environ.get("X"),
    os.getenv("X"), os.environ["X"], and calls of the file's own helpers that read it
    (config.py's _bool("X"), gunicorn.conf.py's _int("X", …)). A WSGI `environ` (a request's
    PATH_INFO, HTTP_COOKIE …) is not the environment."""
    tree = ast.parse(path.read_text())
    functions = {node.name: node for node in ast.walk(tree)
                 if isinstance(node, ast.FunctionDef)}
    helpers = {name for name, node in functions.items() if "os.environ" in ast.unparse(node)
               or "os.getenv" in ast.unparse(node)}
    while True:                     # and the helpers of helpers (_bool → _raw → os.environ)
        more = {name for name, node in functions.items() if name not in helpers
                and any(isinstance(call, ast.Call) and ast.unparse(call.func) in helpers
                        for call in ast.walk(node))}
        if not more:
            break
        helpers |= more
    names = set()
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Call) and node.args:
            func = ast.unparse(node.func)
            if func in ("os.environ.get", "os.getenv", "os.environ.setdefault") \
                    or func in helpers:
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str) \
                and re.fullmatch(r"[A-Z][A-Z0-9_]*", key.value):
            names.add(key.value)
    return names


def _names_in_compose():
    environment = _anchor("app-environment")
    names = set(re.findall(r"^  ([A-Z][A-Z0-9_]*):", environment, flags=re.M))
    names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE))
    return names


def _names_in_readme():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in re.findall(r"^\|([^|\n]*)\|", section, flags=re.M):
        names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", row))
    return names


def test_the_readers_find_what_they_should():
    # Guards the scan itself: if these were missed, the README check below would prove nothing.
    assert {"SECRET_KEY", "DATABASE_URL", "MAIL_USE_TLS", "JOBS_QUEUE_URL"} <= _names_read_by(
        ROOT / "workspace" / "config.py")
    assert {"PORT", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"} <= _names_read_by(
        ROOT / "gunicorn.conf.py")
    assert {"SECRET_KEY", "POSTGRES_PASSWORD", "BASE_URL", "APP_PORT"} <= _names_in_compose()
    assert {"APP_ENV", "TEST_DATABASE_URL", "HOST"} <= _names_in_readme()


def test_every_variable_the_app_and_deployment_read_is_in_the_readme():
    read = set()
    for path in sorted((ROOT / "workspace").rglob("*.py")) + [ROOT / "gunicorn.conf.py",
                                                               ROOT / "wsgi.py"]:
        read |= {(name, path.relative_to(ROOT).as_posix()) for name in _names_read_by(path)}
    read |= {(name, "compose.yaml") for name in _names_in_compose()}
    documented = _names_in_readme()
    missing = sorted({f"{name} (read by {where})" for name, where in read
                      if name not in documented})
    assert not missing, "not in the README's configuration tables: " + ", ".join(missing)


def test_compose_shares_one_file_store_volume_between_app_worker_and_migration():
    """The worker renders PDFs the web app serves, and the migration moves old files into the
    store: all three see the same named volume at the image's FILES_DIR (instance/files), and
    the image makes that folder for its unprivileged user, so the volume starts writable."""
    app_block = _anchor("app")
    volume = re.search(r"- ([\w-]+):/app/instance/files\n", app_block)
    assert volume, "the &app block mounts no volume at /app/instance/files"
    assert re.search(rf"^  {volume.group(1)}:", COMPOSE.split("\nvolumes:\n", 1)[1], flags=re.M)
    services = _services()
    for name in ("app", "worker", "migrate"):
        assert "<<: *app" in services[name]
        assert "volumes:" not in services[name], f"{name} replaces the shared volumes"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"mkdir -p /app/instance/files && chown -R common-ground", dockerfile)

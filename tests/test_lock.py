"""The suite runs from the lock files: requirements/app.lock (running) and test.lock (testing)
pin every package with its hashes, agree with pyproject.toml's ranges and with each other, and
are what `make install`, `make install-test` and the container install. The environment these
tests run in holds exactly the locked versions.

Nothing here reaches the network: `make lock` and `make audit` are run by people, not by CI.
"""
import re
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
APP_LOCK = ROOT / "requirements" / "app.lock"
TEST_LOCK = ROOT / "requirements" / "test.lock"
MAKEFILE = (ROOT / "Makefile").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _entries(path):
    """A lock file's requirements: one per `name==version [; marker]` line, continuation lines
    (hashes) joined, comments dropped."""
    text = re.sub(r"\s*\\\n\s*", " ", path.read_text())
    entries = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
        requirement = Requirement(re.sub(r"\s*--hash=\S+", "", line))
        entries.append((requirement, hashes))
    return entries


def _pins(path):
    """{name: version} of the entries that apply to this interpreter and platform."""
    pins = {}
    for requirement, _ in _entries(path):
        if requirement.marker is None or requirement.marker.evaluate():
            (spec,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def _recipe(target):
    """The commands `make` would run for a target, as it expands them (nothing is run)."""
    done = subprocess.run(["make", "--dry-run", "--always-make", "--no-print-directory",
                           target], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.mark.parametrize("path", [APP_LOCK, TEST_LOCK], ids=["app", "test"])
def test_every_lock_entry_is_pinned_with_hashes(path):
    entries = _entries(path)
    assert len(entries) > 40, f"{path.name} looks empty"
    for requirement, hashes in entries:
        (spec,) = requirement.specifier
        assert spec.operator == "==", requirement
        assert hashes, f"{requirement.name} has no hash in {path.name}"
        assert not requirement.extras and not requirement.url, requirement


def test_the_environment_holds_exactly_the_locked_versions():
    # Every package the test lock names for this interpreter is installed at its locked
    # version: the suite proves the pins that ship, not whatever pip found that day.
    wrong = {}
    for name, version in _pins(TEST_LOCK).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, "locked vs installed (run `make install-test`): " + repr(wrong)


def test_the_app_lock_pins_are_the_test_lock_pins():
    # The suite runs on the versions the app lock deploys, no other.
    app_pins, test_pins = _pins(APP_LOCK), _pins(TEST_LOCK)
    differ = {name: (version, test_pins.get(name)) for name, version in app_pins.items()
              if test_pins.get(name) != version}
    assert not differ, differ
    assert {"pytest", "moto", "playwright"} <= test_pins.keys() - app_pins.keys()


@pytest.mark.parametrize(("path", "requirements"), [
    (APP_LOCK, PYPROJECT["project"]["dependencies"]),
    (TEST_LOCK, PYPROJECT["project"]["dependencies"]
     + PYPROJECT["project"]["optional-dependencies"]["test"]),
    (APP_LOCK, PYPROJECT["build-system"]["requires"]),
], ids=["app", "test", "build"])
def test_the_lock_satisfies_pyproject(path, requirements):
    # A range changed in pyproject.toml without `make lock` fails here.
    pins = _pins(path)
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in {path.name}: make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{path.name} pins {name}=={pins[name]}, pyproject.toml asks {requirement}: "
            "make lock")
        for extra in requirement.extras:        # e.g. moto[server]'s flask, psycopg[binary]
            wanted = metadata.requires(requirement.name) or []
            for dependency in map(Requirement, wanted):
                marker = dependency.marker
                if marker is not None and marker.evaluate({"extra": extra}) \
                        and not marker.evaluate({"extra": ""}):
                    assert canonicalize_name(dependency.name) in pins, (
                        f"{name}[{extra}] needs {dependency.name}, missing from {path.name}")


def test_the_build_requirements_are_locked_with_the_app():
    # requirements/build.in feeds the lock what pyproject.toml's [build-system] needs, so the
    # editable install (--no-build-isolation) fetches nothing unlocked.
    build_in = [Requirement(line) for line in
                (ROOT / "requirements" / "build.in").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert sorted(map(str, build_in)) == sorted(
        str(Requirement(line)) for line in PYPROJECT["build-system"]["requires"])


def test_make_installs_from_the_locks_and_reinstalls_when_they_change():
    app, test = _recipe(".venv/.installed"), _recipe(".venv/.installed-test")
    assert re.search(r"^\$\(VENV\)/\.installed: .*\$\(APP_LOCK\)", MAKEFILE, flags=re.M)
    assert re.search(r"^\$\(VENV\)/\.installed-test: .*\$\(TEST_LOCK\)", MAKEFILE, flags=re.M)
    assert re.search(r"^APP_LOCK\s*:= requirements/app\.lock$", MAKEFILE, flags=re.M)
    assert re.search(r"^TEST_LOCK\s*:= requirements/test\.lock$", MAKEFILE, flags=re.M)
    for recipe, lock in ((app, "requirements/app.lock"), (test, "requirements/test.lock")):
        installs = [line for line in recipe.splitlines() if "pip install" in line]
        assert installs[-2].endswith(f"pip install -qq --no-warn-conflicts --require-hashes"
                                     f" -r {lock}"), installs
        assert installs[-1].endswith("pip install -qq --no-deps --no-build-isolation -e ."), \
            installs
        # Nothing installed from pyproject.toml's ranges.
        assert not re.search(r"pip install[^\n]*-e '?\.\[", recipe), recipe
    # run and test go through those stamps.
    assert re.search(r"^run: install\b", MAKEFILE, flags=re.M)
    assert re.search(r"^install: \$\(VENV\)/\.installed\b", MAKEFILE, flags=re.M)
    assert re.search(r"^test-sqlite: install-test\b", MAKEFILE, flags=re.M)
    assert re.search(r"^install-test: \$\(VENV\)/\.installed-test\b", MAKEFILE, flags=re.M)


def test_make_lock_writes_both_locks_and_audit_reads_them():
    lock = re.sub(r"\\\n\s*", " ", _recipe("lock")).splitlines()
    compiles = [line for line in lock if "uv pip compile" in line]
    assert len(compiles) == 2, lock
    assert all("--generate-hashes" in line and "pyproject.toml" in line for line in compiles)
    assert compiles[0].endswith("-o requirements/app.lock")
    assert compiles[1].endswith("--extra test --constraint requirements/app.lock"
                                " -o requirements/test.lock")
    audit = re.sub(r"\\\n\s*", " ", _recipe("audit"))
    assert "pip-audit --strict" in audit
    assert "-r requirements/app.lock -r requirements/test.lock" in audit
    # CI cannot reach a vulnerability database: the audit is not part of `make test`.
    assert "audit" not in re.search(r"^test:(.*)$", MAKEFILE, flags=re.M).group(1)
    assert "audit" not in (ROOT / ".ci" / "run").read_text()


def test_the_container_installs_the_app_lock_then_the_app_without_dependencies():
    runs = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    assert "COPY requirements/app.lock ./requirements/app.lock" in runs
    assert "RUN pip install --require-hashes -r requirements/app.lock" in runs
    assert "pip install --no-deps --no-build-isolation -e ." in runs
    lock_step = runs.index("--require-hashes -r requirements/app.lock")
    assert lock_step < runs.index("--no-deps --no-build-isolation -e .")
    assert re.search(r"^RUN pip install (?!.*requirements).*-e \.", runs, flags=re.M) \
        .group(0).count("--no-deps") == 1
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert "requirements" not in ignored and "requirements/app.lock" not in ignored

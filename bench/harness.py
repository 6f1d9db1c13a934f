"""Shared machinery of bench/load.py and bench/faults.py: databases, gunicorn, HTTP clients,
the editing and reading clients, and the checks that no accepted save was lost.

Standard library plus what the app itself installs (SQLAlchemy, psycopg, gunicorn): nothing
new to install. The app never runs in the process that measures: it runs in gunicorn, and the
schema and data are made by `flask db upgrade` and by this file run as a script
(`python bench/harness.py seed SPEC`), so the figures are those of a real deployment. The one
piece of the app's package imported here is workspace/scratch_db.py, which makes and drops the
scratch databases as the test suite's do (`databases`, before anything is measured).

Everything is bounded: each wait has a time limit, each loop a deadline and a count, and the
servers, client processes and databases made here are stopped or dropped at the end.
"""
import contextlib
import hashlib
import html
import http.client
import json
import math
import multiprocessing
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = ROOT / ".venv" / "bin"
BIN = VENV_BIN if (VENV_BIN / "gunicorn").exists() else Path(sys.executable).parent
PASSWORD = "load-test-password-1"
SLUG = "loadtest"

# Text ----------------------------------------------------------------------------------------

FILLER = ("The partner authorities will continue to work together on the strategic matters "
          "set out in this statement, sharing evidence on housing need, employment land, "
          "Green Belt and the infrastructure needed to support growth, and will record where "
          "they agree and where they do not.")
CONTESTED = "Agreed wording:"


def own_prefix(index):
    """The paragraph of the shared section that writer `index` alone edits."""
    return f"Note by writer {index}:"


def normalise(text):
    """As workspace.documents.merge.normalise: \\n line ends, one trailing newline."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").rstrip() + "\n" \
        if (text or "").strip() else ""


def paragraphs(text):
    text = normalise(text).strip("\n")
    return re.split(r"\n[ \t]*\n+", text) if text else []


def join(blocks):
    return "\n\n".join(blocks) + "\n" if blocks else ""


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Databases -----------------------------------------------------------------------------------

def sa_url(url):
    """The psycopg 3 driver for every PostgreSQL spelling (as the app does)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def hide_password(url):
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def databases(args, folder, prefix):
    """[(label, context manager yielding a URL)]: SQLite always, PostgreSQL when asked.

    The app's scratch-database helper is imported here, in the measuring process only while
    the databases are made and before any figure is taken (the forked clients inherit it)."""
    from workspace.scratch_db import scratch_database
    result = [] if args.no_sqlite else [("SQLite", scratch_database(prefix=prefix,
                                                                     folder=folder))]
    if args.postgres.strip():
        result.append(("PostgreSQL", scratch_database(args.postgres.strip(), prefix)))
    return result


def app_env(database_url):
    """The environment of a production deployment on loopback (plain HTTP cookies)."""
    env = dict(os.environ)
    for name in ("TRUSTED_PROXIES", "SQLITE_BUSY_TIMEOUT_MS"):
        env.pop(name, None)
    env.update(FLASK_APP="wsgi", DATABASE_URL=database_url, SECRET_KEY=secrets.token_hex(32),
               APP_ENV="production", SESSION_COOKIE_SECURE="0", PYTHONUNBUFFERED="1",
               MAIL_SERVER="")
    return env


def migrate(env):
    """`flask db upgrade`: the schema exactly as a deployment makes it."""
    result = subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    if result.returncode:
        raise SystemExit("flask db upgrade failed:\n" + result.stdout[-2000:]
                         + result.stderr[-2000:])


def seed(env, spec):
    """Users, a partnership and one document, made by this file run with the app."""
    result = subprocess.run([sys.executable, str(Path(__file__).resolve()), "seed",
                             json.dumps(spec)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    for line in result.stdout.splitlines():
        if line.startswith("SEED-RESULT "):
            return json.loads(line[len("SEED-RESULT "):])
    raise SystemExit(f"seeding failed ({result.returncode}):\n" + result.stdout[-2000:]
                     + result.stderr[-3000:])


def _seed_main(spec):
    """Run with the app's environment: build the data and print it as one JSON line."""
    sys.path.insert(0, str(ROOT))
    import workspace.accounts.models as account_models
    # scrypt costs ~100 ms a user and sign-ins are not what is measured: a cheap hash here
    # (Werkzeug reads the method back from the stored hash when checking).
    account_models.PASSWORD_METHOD = "pbkdf2:sha256:1000"
    from workspace import create_app
    from workspace.accounts.models import Organisation, User
    from workspace.documents import service
    from workspace.extensions import db
    from workspace.partnerships.models import Partner, Partnership

    app = create_app()
    authorities = [("dacorum", "Dacorum Borough Council"),
                   ("hertsmere", "Hertsmere Borough Council"),
                   ("stalbans", "St Albans City and District Council"),
                   ("threerivers", "Three Rivers District Council"),
                   ("watford", "Watford Borough Council"),
                   ("herts", "Hertfordshire County Council")]
    with app.app_context():
        organisations = [Organisation(code=code, name=name) for code, name in authorities]
        db.session.add_all(organisations)
        partnership = Partnership(slug=SLUG, name="Load test partnership", short_name="Load")
        db.session.add(partnership)
        db.session.flush()
        for organisation in organisations:
            db.session.add(Partner(partnership_id=partnership.id,
                                   organisation_id=organisation.id))
        users = {}
        for role, prefix, count in (("officer", "writer", spec["writers"]),
                                    ("viewer", "reader", spec["readers"])):
            for i in range(count):
                user = User(email=f"{prefix}{i}@load.example", name=f"{prefix.title()} {i}",
                            organisation_id=organisations[i % len(organisations)].id,
                            role=role)
                user.set_password(spec.get("password", PASSWORD))
                db.session.add(user)
                users[user.email] = user
        db.session.flush()
        first = next(iter(users.values()))
        document = service.create_document(partnership, "Load test Statement of Common Ground",
                                           "scg", user=first)
        shared = service.append_section(document, "Shared section", join(
            [f"{CONTESTED} the partners review this statement every year (initial)."]
            + [f"{own_prefix(i)} no note yet. {FILLER}" for i in range(spec["shared_writers"])]),
            user=first)
        own = [service.append_section(document, f"Section of writer {i}", join(
            [f"Update by writer {i}: none yet.", FILLER, FILLER]), user=first)
            for i in range(spec["own_writers"])]
        for n in range(spec.get("filler_sections", 30)):
            blocks = [f"Paragraph {k + 1} of section {n + 1}. {FILLER}" for k in range(3)]
            if n % 2:
                blocks.append("1. Agree the scope of the strategic matters.\n"
                              "2. Record each authority's position and decision route.\n"
                              "3. Review the statement after each plan stage.")
            if n % 3 == 0:
                blocks.append("| Authority | Position | Date |\n|---|---|---|\n" + "\n".join(
                    f"| {name} | {['Agreed', 'Not agreed'][(n + j) % 2]} | {j + 1} March 2026 |"
                    for j, (_, name) in enumerate(authorities)))
            service.append_section(document, f"Strategic matter {n + 1}", join(blocks),
                                   depth=min(n % 3, 1), user=first)
        db.session.commit()
        print("SEED-RESULT " + json.dumps({
            "document_id": document.id, "shared_section": shared.id,
            "own_sections": [s.id for s in own], "users": sorted(users)}), flush=True)


# Processes -----------------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stat(pid):
    """(ppid, state) from /proc/<pid>/stat, or None when the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[1]), fields[0]


def children(pid):
    """Live (not zombie) child processes of pid, found through /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = _stat(int(entry))
            if info and info[0] == pid and info[1] != "Z":
                found.append(int(entry))
    return sorted(found)


def alive(pid):
    info = _stat(pid)
    return info is not None and info[1] != "Z"


class Gunicorn:
    """A gunicorn master on a free loopback port; stopped by its id (and its workers' ids)."""

    def __init__(self, app_spec, env, workers=4, worker_class="sync", threads=1,
                 log_path=None, pythonpath=None):
        self.app_spec, self.env, self.workers = app_spec, env, workers
        self.worker_class, self.threads = worker_class, threads
        if log_path is None:
            handle, log_path = tempfile.mkstemp(prefix="cg_gunicorn_", suffix=".log")
            os.close(handle)
        self.log_path = log_path
        self.pythonpath = pythonpath
        self.proc = None
        self.port = None

    def start(self, ready_path="/healthz", timeout=60):
        self.port = free_port()
        # "-c /dev/null": not the repository's gunicorn.conf.py; the measured settings are all
        # given here.
        command = [str(BIN / "gunicorn"), "-c", os.devnull, self.app_spec,
                   "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--worker-class", self.worker_class,
                   "--threads", str(self.threads), "--timeout", "30",
                   "--graceful-timeout", "5", "--keep-alive", "5", "--log-level", "warning",
                   "--chdir", str(ROOT)]
        if self.pythonpath:
            command += ["--pythonpath", str(self.pythonpath)]
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the server
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}:\n"
                                 + self.log_tail())
            if len(self.worker_pids()) == self.workers and self.get_status(ready_path) == 200:
                return self
            time.sleep(0.1)
        self.stop()
        raise SystemExit(f"gunicorn did not answer within {timeout} s:\n" + self.log_tail())

    def get_status(self, path, timeout=5):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            return response.status
        except (OSError, http.client.HTTPException):
            return None

    def worker_pids(self):
        return children(self.proc.pid) if self.proc else []

    def wait_for_workers(self, timeout=30):
        """True once the master has its full set of workers again."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.worker_pids()) == self.workers:
                return True
            time.sleep(0.05)
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def sched(self):
        """(seconds on a CPU, seconds runnable but waiting for a CPU) of the live workers,
        from /proc/<pid>/schedstat; (0, 0) where the kernel does not keep it."""
        run = wait = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/schedstat").read_text().split()
            except OSError:
                continue
            run, wait = run + int(fields[0]), wait + int(fields[1])
        return run / 1e9, wait / 1e9

    def cpu_seconds(self):
        """CPU time (user + system) used so far by the master and its live workers."""
        total = 0
        for pid in [self.proc.pid, *self.worker_pids()]:
            try:
                raw = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = raw[raw.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])       # utime, stime in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc is None:
            return
        workers = self.worker_pids()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for pid in workers:           # only our own workers, by id, should any outlive it
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self._log.close()

    def log_tail(self, lines=40):
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace")
                             .splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# HTTP ----------------------------------------------------------------------------------------

class Client:
    """One browser: its own connection and cookie, standard library only."""

    def __init__(self, port, timeout=30):
        self.port, self.timeout = port, timeout
        self.connection = None
        self.cookies = {}
        self.csrf = None

    def _connection(self):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                         timeout=self.timeout)
        return self.connection

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method, path, form=None, htmx=False):
        """(status, text, headers, milliseconds). Network errors close and re-raise."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if self.csrf:
                headers["X-CSRFToken"] = self.csrf
        start = time.perf_counter()
        try:
            connection = self._connection()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        elapsed = (time.perf_counter() - start) * 1000
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if response.will_close:
            self.close()
        return response.status, data.decode("utf-8", "replace"), response.msg, elapsed

    def sign_in(self, email, password=PASSWORD, then="/"):
        status, text, _, _ = self.request("GET", "/sign-in")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
        if status != 200 or not token:
            raise RuntimeError(f"sign-in form: {status}")
        status, _, _, _ = self.request("POST", "/sign-in", form={
            "csrf_token": html.unescape(token.group(1)), "email": email, "password": password})
        if status != 303:
            raise RuntimeError(f"sign-in of {email} answered {status}")
        status, text, _, _ = self.request("GET", then)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', html.unescape(text))
        if status != 200 or not token:
            raise RuntimeError(f"after sign-in {then} answered {status}")
        self.csrf = token.group(1)
        return text


# The clients ---------------------------------------------------------------------------------

_SAVED = re.compile(r"Saved as revision (\d+)\.")
_TEXTAREA = re.compile(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', re.DOTALL)
_BASE = re.compile(r'name="base_version" value="(\d+)"')
_POLLER = re.compile(r'<div id="live" hx-get="([^"]+)"')


class Role:
    """What one client thread does; subclasses fill step(). Records go in self.out."""

    def __init__(self, client, spec, seeded, rng, think_ms):
        self.client, self.spec, self.rng, self.think_ms = client, spec, rng, think_ms
        self.doc = f"/p/{SLUG}/d/{seeded['document_id']}"
        self.timings = []           # (kind, status, ms)
        self.attempts = []          # saves, see Writer
        self.errors = []            # (kind, message)

    def timed(self, kind, method, path, form=None, htmx=False):
        try:
            status, text, _, ms = self.client.request(method, path, form, htmx)
        except (OSError, http.client.HTTPException) as exc:
            self.errors.append((kind, f"{type(exc).__name__}: {exc}"))
            self.timings.append((kind, 0, None))
            return None, None
        self.timings.append((kind, status, ms))
        if status >= 500:
            self.errors.append((kind, f"HTTP {status}"))
        return status, text

    def think(self):
        if self.think_ms:
            time.sleep(self.rng.uniform(0, self.think_ms) / 1000)


class Hello(Role):
    """The baseline: one GET in a loop (the bare app's "/", or the app's /healthz)."""

    def step(self):
        self.timed(self.spec.get("kind", "hello"), "GET", self.spec.get("path", "/"))


class Reader(Role):
    """Loads the document page, then polls the change feed with its cursor, page again..."""

    polls_per_page = 4

    def __init__(self, *args):
        super().__init__(*args)
        self.feed = None
        self.count = 0

    def step(self):
        if self.feed is None or self.count % (self.polls_per_page + 1) == 0:
            status, text = self.timed("page", "GET", self.doc + "/")
            match = _POLLER.search(text or "")
            if status == 200 and match:
                self.feed = html.unescape(match.group(1))
        else:
            status, text = self.timed("feed", "GET", self.feed)
            if status == 200:
                match = _POLLER.search(text or "")
                if match:
                    self.feed = html.unescape(match.group(1))
        self.count += 1
        self.think()


class Writer(Role):
    """Saves to its section, naming the base version it last saw.

    "shared": edits its own paragraph of the shared section and, now and then, the one
    contested paragraph every shared writer edits (overlaps there are conflicts); "own": edits
    a section nobody else touches. After a merge, a conflict or a failure it re-opens the
    editor (as the browser does) and carries on with new text.
    """

    def __init__(self, client, spec, seeded, rng, think_ms):
        super().__init__(client, spec, seeded, rng, think_ms)
        self.index = spec["index"]
        self.mode = spec["mode"]
        self.section = (seeded["shared_section"] if self.mode == "shared"
                        else seeded["own_sections"][spec["own_index"]])
        self.contest_rate = spec.get("contest_rate", 0.3)
        self.known = None            # (version, text) the editor holds
        self.n = 0

    def open_editor(self):
        status, text = self.timed("editor", "GET", f"{self.doc}/s/{self.section}/edit",
                                  htmx=True)
        body, base = _TEXTAREA.search(text or ""), _BASE.search(text or "")
        if status != 200 or not body or not base:
            return False
        self.known = (int(base.group(1)), html.unescape(body.group(1)))
        return True

    def compose(self, token):
        blocks = paragraphs(self.known[1])
        changed = {}
        if self.mode == "shared":
            prefix = own_prefix(self.index)
            targets = [prefix] + ([CONTESTED] if self.rng.random() < self.contest_rate else [])
            for target in targets:
                for i, block in enumerate(blocks):
                    if block.startswith(target):
                        blocks[i] = (f"{target} edit {token}. {FILLER}" if target == prefix
                                     else f"{target} the partners review it {token}.")
                        changed[target] = blocks[i]
        else:
            blocks[0] = f"Update by writer {self.index}: edit {token}."
            changed["own"] = blocks[0]
        return join(blocks), changed

    def step(self):
        if self.known is None and not self.open_editor():
            time.sleep(0.05)
            return
        self.n += 1
        token = f"k{self.index:02d}x{self.n:05d}k"     # fixed width: never inside another
        base = self.known[0]
        text, changed = self.compose(token)
        attempt = {"writer": self.index, "email": self.spec["email"], "section": self.section,
                   "mode": self.mode, "token": token, "base": base, "text": normalise(text),
                   "changed": changed, "outcome": None, "revision": None,
                   "at": time.time()}
        self.attempts.append(attempt)
        status, reply = self.timed("save", "POST", f"{self.doc}/s/{self.section}", htmx=True,
                                   form={"csrf_token": self.client.csrf, "body": text,
                                         "base_version": str(base),
                                         "summary": f"Load test {token}"})
        reply = reply or ""
        saved = _SAVED.search(reply)
        if status is None:
            attempt["outcome"] = "unknown"          # cut off: it may or may not have landed
        elif status == 200 and saved:
            attempt["outcome"], attempt["revision"] = "accepted", int(saved.group(1))
        elif status == 200 and "Your changes were merged" in reply:
            attempt["outcome"] = "merged"
        elif status == 200 and "No changes to save" in reply:
            attempt["outcome"] = "unchanged"
        elif status == 409 and 'class="cg-conflict"' in reply:
            attempt["outcome"] = "conflict"
        elif status == 409:
            attempt["outcome"] = "busy"
        else:
            attempt["outcome"] = f"http-{status}"
        if attempt["outcome"] == "accepted":
            self.known = (attempt["revision"], attempt["text"])
        else:
            self.known = None
            self.open_editor()
        self.think()


ROLES = {"hello": Hello, "reader": Reader, "writer": Writer}


def _client_process(specs, port, seeded, duration, think_ms, barrier, stop, queue, max_steps):
    """One OS process of client threads (several, so one GIL does not time them all)."""
    result = {"timings": [], "attempts": [], "errors": [], "start": None, "end": None,
              "failure": None}
    roles = []
    try:
        for spec in specs:
            client = Client(port)
            if spec.get("email"):
                client.sign_in(spec["email"], then=f"/p/{SLUG}/d/{seeded['document_id']}/")
            rng = random.Random(spec.get("seed", 0))
            roles.append(ROLES[spec["role"]](client, spec, seeded, rng,
                                             spec.get("think_ms", think_ms)))
    except Exception:
        result["failure"] = traceback.format_exc(limit=3)
    try:
        barrier.wait(timeout=120)
    except threading.BrokenBarrierError:
        result["failure"] = result["failure"] or "another client process failed to start"
    if result["failure"]:
        queue.put(result)
        return
    start = time.time()
    deadline = start + duration

    def run(role):
        steps = 0
        while time.time() < deadline and steps < max_steps and not stop.is_set():
            try:
                role.step()
            except Exception as exc:
                role.errors.append(("client", f"{type(exc).__name__}: {exc}"))
                time.sleep(0.05)
            steps += 1

    threads = [threading.Thread(target=run, args=(role,), daemon=True) for role in roles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 90)
    result["start"], result["end"] = start, time.time()
    for role in roles:
        result["timings"] += role.timings
        result["attempts"] += role.attempts
        result["errors"] += role.errors
        role.client.close()
    queue.put(result)


def run_clients(specs, port, seeded, duration, think_ms=0, processes=4, max_steps=100000,
                during=None):
    """Run the client specs in `processes` OS processes for `duration` seconds.

    `during(start_time, stop)`, when given, runs in this process while the clients run (the
    fault run kills workers from it); setting the event `stop` ends the run early. Returns the
    merged records, with what `during` returned as "extra".
    """
    context = multiprocessing.get_context("fork")
    processes = max(1, min(processes, len(specs)))
    groups = [specs[i::processes] for i in range(processes)]
    barrier = context.Barrier(processes + 1)
    stop = context.Event()
    queue = context.Queue()
    workers = [context.Process(target=_client_process, daemon=True,
                               args=(group, port, seeded, duration, think_ms, barrier, stop,
                                     queue, max_steps)) for group in groups]
    for worker in workers:
        worker.start()
    extra = None
    try:
        barrier.wait(timeout=150)
        if during is not None:
            extra = during(time.time(), stop)
    except threading.BrokenBarrierError:
        pass
    results = []
    deadline = time.monotonic() + duration + 200
    while len(results) < len(workers) and time.monotonic() < deadline:
        try:
            results.append(queue.get(timeout=5))
        except Exception:
            if not any(w.is_alive() for w in workers) and queue.empty():
                break
    for worker in workers:
        worker.join(timeout=10)
        if worker.is_alive():       # ours, by id
            worker.terminate()
            worker.join(timeout=5)
    failures = [r["failure"] for r in results if r["failure"]]
    if failures or len(results) < len(workers):
        raise SystemExit("client processes failed:\n" + "\n".join(failures or ["(no answer)"]))
    merged = {"timings": [], "attempts": [], "errors": [], "extra": extra,
              "seconds": sum(r["end"] - r["start"] for r in results) / len(results)}
    for r in results:
        for key in ("timings", "attempts", "errors"):
            merged[key] += r[key]
    return merged


def writer_specs(shared, own, think_ms, contest_rate=0.3, first=0):
    emails = [f"writer{i}@load.example" for i in range(first, first + shared + own)]
    specs = []
    for i, email in enumerate(emails):
        spec = {"role": "writer", "email": email, "index": first + i, "seed": 1000 + first + i,
                "think_ms": think_ms, "contest_rate": contest_rate}
        if i < shared:
            spec["mode"] = "shared"
        else:
            spec.update(mode="own", own_index=i - shared)
        specs.append(spec)
    return specs


# Figures -------------------------------------------------------------------------------------

def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def summarise(timings, seconds, kinds):
    """{kind: {count, rps, p50, p99, failed}} from (kind, status, ms) records."""
    figures = {}
    for kind in kinds:
        values = [ms for k, status, ms in timings if k == kind and ms is not None]
        failed = sum(1 for k, status, ms in timings if k == kind and (ms is None or status >= 500))
        figures[kind] = {"count": len(values), "rps": len(values) / seconds if seconds else 0,
                         "p50": percentile(values, 0.50), "p99": percentile(values, 0.99),
                         "failed": failed}
    return figures


# Checks --------------------------------------------------------------------------------------

def read_database(url):
    """Everything the checks need, read once after the servers stopped."""
    from sqlalchemy import create_engine, text
    engine = create_engine(sa_url(url))
    try:
        with engine.connect() as c:
            data = {"dialect": engine.dialect.name, "integrity": None, "foreign_keys": []}
            if engine.dialect.name == "sqlite":
                data["integrity"] = [r[0] for r in c.exec_driver_sql("PRAGMA integrity_check")]
                data["foreign_keys"] = c.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            data["sections"] = {r.id: r for r in c.execute(text(
                "SELECT id, version, body, html FROM sections"))}
            data["revisions"] = {}
            for r in c.execute(text(
                    "SELECT r.section_id, r.number, r.body, r.body_sha256, r.html, r.kind, "
                    "r.base_number, u.email FROM section_revisions r "
                    "LEFT JOIN users u ON u.id = r.author_id ORDER BY r.section_id, r.number")):
                data["revisions"].setdefault(r.section_id, []).append(r)
            data["changes"] = dict(c.execute(text(
                "SELECT section_id, count(*) FROM document_changes WHERE kind = 'section' "
                "GROUP BY section_id")).all())
            data["audit"] = {}
            for object_id, detail in c.execute(text(
                    "SELECT object_id, detail FROM audit_events "
                    "WHERE action = 'section.saved'")):
                number = json.loads(detail).get("revision")
                data["audit"].setdefault(object_id, []).append(number)
    finally:
        engine.dispose()
    return data


def check_integrity(data):
    """Problems with the stored history, whatever the clients did: [str]."""
    problems = []
    if data["dialect"] == "sqlite" and data["integrity"] != ["ok"]:
        problems.append(f"PRAGMA integrity_check: {data['integrity'][:5]}")
    if data["foreign_keys"]:
        problems.append(f"PRAGMA foreign_key_check: {len(data['foreign_keys'])} rows")
    for sid, section in data["sections"].items():
        revisions = data["revisions"].get(sid, [])
        numbers = [r.number for r in revisions]
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"section {sid}: revision numbers are not 1..N: {numbers[:20]}")
        if not revisions:
            continue
        last = revisions[-1]
        if section.version != last.number:
            problems.append(f"section {sid}: version {section.version} but last revision "
                            f"{last.number}")
        if section.body != last.body:
            problems.append(f"section {sid}: text differs from its last revision {last.number}")
        if section.html != last.html:
            problems.append(f"section {sid}: HTML differs from its last revision")
        for r in revisions:
            if r.body_sha256 != sha256(r.body):
                problems.append(f"section {sid} revision {r.number}: SHA-256 does not match")
        saves = [r.number for r in revisions if r.kind in ("edit", "merge", "restore")]
        if data["changes"].get(sid, 0) != len(saves):
            problems.append(f"section {sid}: {len(saves)} saved revisions but "
                            f"{data['changes'].get(sid, 0)} change-feed rows")
        if sorted(data["audit"].get(sid, [])) != saves:
            problems.append(f"section {sid}: audit events for revisions "
                            f"{sorted(data['audit'].get(sid, []))[:10]} do not match {saves[:10]}")
    return problems


def check_saves(data, attempts, seeded):
    """Every accepted save in its section's history, and the final texts: (report, lost).

    A save is "accepted" when the server said so (Saved as revision N, or merged). Each one
    must be in the history as the server said, written by its author with its text, and the
    final text of each section must still hold each writer's latest paragraph: anything else
    is a lost update. A save the server refused (conflict, busy, error) must not be in the
    history. A save cut off by a fault ("unknown") may be either, but whole.
    """
    lost, phantom = [], []
    revisions = data["revisions"]

    def first_with(attempt):
        for r in revisions.get(attempt["section"], []):
            if attempt["token"] in r.body:
                return r
        return None

    claimed = {}
    landed_unknown = 0
    for a in attempts:
        r = first_with(a)
        if a["outcome"] == "accepted":
            history = {x.number: x for x in revisions.get(a["section"], [])}
            r = history.get(a["revision"])
            if r is None or r.email != a["email"] or r.body != a["text"]:
                lost.append(f"{a['email']} {a['token']}: said revision {a['revision']} of "
                            f"section {a['section']}, history has "
                            f"{'nothing' if r is None else (r.email, r.kind)}")
                continue
        elif a["outcome"] == "merged":
            if (r is None or r.email != a["email"] or r.kind != "merge"
                    or r.base_number != a["base"]
                    or any(p not in paragraphs(r.body) for p in a["changed"].values())):
                lost.append(f"{a['email']} {a['token']}: merged save not found whole in the "
                            f"history of section {a['section']}")
                continue
            a["revision"] = r.number
        elif a["outcome"] == "unknown":
            if r is not None:
                if r.email != a["email"] or r.base_number != a["base"]:
                    phantom.append(f"{a['token']} appears in a revision by {r.email}")
                    continue
                a["revision"] = r.number
                a["landed"] = True
                landed_unknown += 1
            continue
        else:
            if r is not None:
                phantom.append(f"{a['email']} {a['token']}: answered {a['outcome']} but "
                               f"written as revision {r.number}")
            continue
        key = (a["section"], a["revision"])
        if key in claimed:
            lost.append(f"revision {key} claimed by {claimed[key]} and {a['token']}")
        claimed[key] = a["token"]

    # Every revision after the first is one of the saves (nothing unexplained).
    effective = [a for a in attempts if a.get("revision") is not None
                 and (a["outcome"] in ("accepted", "merged") or a.get("landed"))]
    explained = {(a["section"], a["revision"]) for a in effective}
    sections = {seeded["shared_section"], *seeded["own_sections"]}
    for sid in sections:
        for r in revisions.get(sid, [])[1:]:
            if (sid, r.number) not in explained:
                phantom.append(f"section {sid} revision {r.number} by {r.email}: no client "
                               "was told it was saved")

    # Final texts: each writer's latest change is still there.
    final = {sid: data["sections"][sid].body for sid in sections}
    latest = {}
    for a in sorted(effective, key=lambda a: a["revision"]):
        for target, block in a["changed"].items():
            latest[(a["section"], target)] = (a, block)
    for (sid, target), (a, block) in latest.items():
        blocks = paragraphs(final[sid])
        if block not in blocks:
            lost.append(f"section {sid}: the final text lost {a['token']} by {a['email']} "
                        f"(revision {a['revision']}, {target!r})")
    counts = {}
    for a in attempts:
        counts[a["outcome"]] = counts.get(a["outcome"], 0) + 1
    return {"counts": counts, "lost": lost, "phantom": phantom,
            "landed_unknown": landed_unknown, "sections_checked": len(sections)}


# Printing ------------------------------------------------------------------------------------

def fmt(value, spec=".1f"):
    if value is None or math.isnan(value):
        return "-"
    return format(value, spec)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "seed":
        _seed_main(json.loads(sys.argv[2]))
    else:
        print("usage: python bench/harness.py seed SPEC_JSON (run by load.py and faults.py)")
        sys.exit(2)

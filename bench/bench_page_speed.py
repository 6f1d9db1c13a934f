"""Benchmark: the document page and the per-request cost, as ratios to "hello" in the same run.

One run prints (issue 20's targets beside each figure):

In-process (Flask test client, SQLite, the demo data plus a 10- and a 60-section document):
- the 60-section document page ÷ the 12-section demo Statement of Common Ground   (≤ 4×)
- SQL statements of the 60-section page vs the 10-section one                     (60 ≤ 10)
- home and My tasks ÷ an in-process Flask "hello"                                 (≤ 10×)
  (beside them, for comparison, the floor of any signed-in page: a bench-only route that
  answers its user's name, through the same login, session, access log and commit)
- save rate ÷ the bare conditional `UPDATE … WHERE version = :base` rate, both with one
  commit per iteration on the same database                                       (≥ 0.5×)
  (also the service-level save, editing.save_section + commit, for comparison)

Under gunicorn (2 sync workers, SQLite, the demo data) with wrk when it is installed (else
bench/harness.py's Python client), beside a bare Flask "hello" served the same way:
- the live-update poll with nothing changed (204)                                 (≥ 0.40×)
- the demo SCG page                                                               (≥ 0.10×)

The machine-speed probe (bench_documents.speed_probe) is printed before and after. Not a
test: figures depend on the machine; ratios move least.

    .venv/bin/python bench/bench_page_speed.py [--calls 200] [--seconds 5] [--no-server]
"""
import argparse
import html
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import bench_documents as docs
import harness
from flask import Flask
from sqlalchemy import select, text

from workspace import create_app
from workspace.accounts.models import User, UserSession
from workspace.clock import utcnow
from workspace.documents import editing, service
from workspace.documents.models import Document, Section
from workspace.extensions import db
from workspace.partnerships.models import Partnership

PASSWORD = "bench-password-1"
READER = "member@watford.example"     # a member: positions to give, tasks to count
WRITER = "officer@watford.example"
TARGETS = {"page_60_vs_scg": 4.0, "home": 10.0, "tasks": 10.0, "save": 0.5,
           "poll": 0.40, "scg_page": 0.10}


def hello_app():
    app = Flask("hello")

    @app.get("/")
    def hello():
        return "hello\n"

    return app


def median_ms(call, calls, warmup=10):
    """Median CPU ms of this process per call: in-process on SQLite that is the whole request,
    and it moves far less than wall time on a busy 2-core machine."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(calls):
        start = time.process_time()
        call()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


# Data -----------------------------------------------------------------------------------------

def seed(app):
    """The demo, plus a 10- and a 60-section document in the demo partnership (drafts)."""
    from workspace.demo import seed_demo
    with app.app_context():
        seed_demo(PASSWORD)
        db.session.commit()
        partnership = db.session.scalars(select(Partnership)).first()
        scg = db.session.scalar(select(Document.id).where(
            Document.partnership_id == partnership.id, Document.kind == "scg")
            .order_by(Document.id))
        officer = db.session.scalar(select(User).where(User.email == WRITER))
        made = {}
        for count in (10, 60):
            document = service.create_document(partnership, f"Bench {count} sections", "scg",
                                               user=officer)
            for depth, title, body, feedback in docs.document_sections(count):
                service.append_section(document, title, body, depth=depth,
                                       feedback_sought=feedback, user=officer)
            db.session.commit()
            made[count] = document.id
        return partnership.slug, scg, made


def signed_in_cookie(app, email):
    """(cookie name, value) of a live session of `email`, as the app signs it."""
    import secrets
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        token = secrets.token_urlsafe(32)
        now = utcnow()
        db.session.add(UserSession(id=token, user_id=user.id, created_at=now, last_seen_at=now))
        db.session.commit()
        user_id = user.id
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": str(user_id), "_fresh": True, "sid": token,
                              "_permanent": True})
    return app.config["SESSION_COOKIE_NAME"], value


FLOOR_PATH = "/_bench/signed-in"


def add_floor_route(app):
    """A signed-in page that does nothing: what every signed-in request costs before its own
    work (the session's user, the cookie, the access line, the commit)."""
    from flask_login import current_user

    def signed_in():
        return f"hello {current_user.name}\n"

    app.add_url_rule(FLOOR_PATH, "bench_signed_in", signed_in)


def client_for(app, email):
    client = app.test_client()
    name, value = signed_in_cookie(app, email)
    client.set_cookie(name, value, domain="localhost")
    return client


def feed_url(page_text):
    poller = re.search(r'<div id="live" hx-get="([^"]+)"', page_text)
    return html.unescape(poller.group(1))


# In-process -----------------------------------------------------------------------------------

def in_process(calls):
    folder = tempfile.mkdtemp(prefix="cg_speed_")
    url = f"sqlite:///{folder}/bench.db"
    app = create_app({"SECRET_KEY": "bench-speed", "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "MAIL_SERVER": "", "SERVER_NAME": "localhost",
                      # One access line per request would flood the figures.
                      "LOG_LEVEL": "WARNING"})
    add_floor_route(app)
    try:
        with app.app_context():
            db.create_all()
        slug, scg, made = seed(app)
        reader, writer = client_for(app, READER), client_for(app, WRITER)
        hello = hello_app().test_client()
        base = f"/p/{slug}/d"

        def get(client, path, status=200):
            def call():
                response = client.get(path)
                assert response.status_code == status, (path, response.status_code)
                return response
            return call

        statements = {}
        for count, document_id in made.items():
            get(reader, f"{base}/{document_id}/")()
            with docs.counting_queries(app) as found:
                get(reader, f"{base}/{document_id}/")()
            statements[count] = len(found)
        poll = feed_url(get(reader, f"{base}/{scg}/")().text)
        figures = {
            "hello": median_ms(get(hello, "/"), calls),
            "scg_page": median_ms(get(reader, f"{base}/{scg}/"), calls),
            "page_60": median_ms(get(reader, f"{base}/{made[60]}/"), calls),
            "floor": median_ms(get(reader, FLOOR_PATH), calls),
            "home": median_ms(get(reader, "/"), calls),
            "tasks": median_ms(get(reader, "/tasks"), calls),
            "poll": median_ms(get(reader, poll, 204), calls),
        }
        figures.update(save_rates(app, writer, base, made[60], calls))
        figures["statements"] = statements
        return figures
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def save_rates(app, client, base, document_id, calls):
    """Saves per second: the request, the service, and the bare conditional UPDATE."""
    with app.app_context():
        sections = [(s.id, s.body, s.version) for s in db.session.scalars(
            select(Section).where(Section.document_id == document_id).order_by(Section.id))]
    versions = {sid: version for sid, _body, version in sections}
    bodies = {sid: body for sid, body, _version in sections}
    turn = {"n": 0}

    def next_section():
        sid = sections[(turn["n"] * 7) % len(sections)][0]
        turn["n"] += 1
        return sid, f"{bodies[sid]}\nEdit {turn['n']}.\n"

    def request_save():
        sid, body = next_section()
        response = client.post(f"{base}/{document_id}/s/{sid}", headers={"HX-Request": "true"},
                               data={"body": body, "base_version": str(versions[sid]),
                                     "summary": "bench"})
        assert response.status_code == 200 and "Saved as revision" in response.text
        versions[sid] += 1

    def service_save():
        sid, body = next_section()
        with app.test_request_context(method="POST"):
            section = db.session.get(Section, sid)
            user = db.session.scalar(select(User).where(User.email == WRITER))
            editing.save_section(section, body, versions[sid], user)
            db.session.commit()
        versions[sid] += 1

    with app.app_context():
        connection = db.engine.connect()

    def bare_update():
        sid, body = next_section()
        written = connection.execute(
            text("UPDATE sections SET body = :body, version = :new "
                 "WHERE id = :id AND version = :base"),
            {"body": body, "new": versions[sid] + 1, "id": sid, "base": versions[sid]}).rowcount
        connection.commit()
        assert written == 1
        versions[sid] += 1

    try:
        bare = median_ms(bare_update, calls)
    finally:
        connection.close()
    return {"save_request": median_ms(request_save, calls),
            "save_service": median_ms(service_save, calls), "save_bare": bare}


# Under gunicorn -------------------------------------------------------------------------------

HELLO_WSGI = '''from flask import Flask
app = Flask("hello")


@app.get("/")
def hello():
    return "hello\\n"
'''


def wrk_rate(port, path, cookie, seconds):
    command = ["wrk", "-t1", "-c4", f"-d{max(1, round(seconds))}s", "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie[0]}={cookie[1]}"]
    out = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, timeout=seconds + 60, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise SystemExit(f"wrk: {bad.group(1)} error answers from {path}")
    return rate


def python_rate(port, path, cookie, seconds):
    """The fallback load: 4 keep-alive clients in threads (slower than wrk; ratios only)."""
    import http.client
    import threading
    counts, stop = [], time.monotonic() + seconds
    headers = {"Cookie": f"{cookie[0]}={cookie[1]}"} if cookie else {}

    def run():
        n, connection = 0, http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            if response.status >= 400:
                raise SystemExit(f"{path}: {response.status}")
            n += 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        counts.append(n)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def warmed_rate(rate, port, path, cookie, seconds):
    """The rate after a warm-up of its own (each worker's first requests load templates,
    open the database and fill caches)."""
    rate(port, path, cookie, max(1.0, seconds / 3))
    return rate(port, path, cookie, seconds)


def under_gunicorn(seconds):
    folder = Path(tempfile.mkdtemp(prefix="cg_speed_gunicorn_"))
    url = f"sqlite:///{folder}/bench.db"
    env = harness.app_env(url)
    (folder / "hello_flask.py").write_text(HELLO_WSGI)
    rate = wrk_rate if shutil.which("wrk") else python_rate
    try:
        harness.migrate(env)
        app = create_app({"SECRET_KEY": env["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": url,
                          "SESSION_COOKIE_SECURE": False, "MAIL_SERVER": "",
                          "SERVER_NAME": "localhost"})
        with app.app_context():
            seed(app)
            slug = db.session.scalars(select(Partnership.slug)).first()
            scg = db.session.scalar(select(Document.id).where(Document.kind == "scg")
                                    .order_by(Document.id))
        cookie = signed_in_cookie(app, READER)
        client = app.test_client()
        client.set_cookie(cookie[0], cookie[1], domain="localhost")
        poll = feed_url(client.get(f"/p/{slug}/d/{scg}/").text)
        with app.app_context():
            db.engine.dispose()
        figures = {"tool": "wrk" if rate is wrk_rate else "Python client"}
        with harness.Gunicorn("hello_flask:app", env, workers=2, pythonpath=folder,
                              log_path=folder / "hello.log") as hello:
            hello.start(ready_path="/")
            figures["hello"] = warmed_rate(rate, hello.port, "/", None, seconds)
        with harness.Gunicorn("wsgi:app", env, workers=2,
                              log_path=folder / "app.log") as server:
            server.start()
            figures["poll"] = warmed_rate(rate, server.port, poll, cookie, seconds)
            figures["scg_page"] = warmed_rate(rate, server.port, f"/p/{slug}/d/{scg}/", cookie,
                                             seconds)
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Report ---------------------------------------------------------------------------------------

def verdict(value, target, at_most):
    return "ok" if (value <= target if at_most else value >= target) else "MISSED"


def report(local, served):
    hello = local["hello"]
    print(f"\nIn-process (Flask test client, SQLite; median CPU ms): hello {hello:.3f} ms")
    rows = [
        ("60-section page ÷ 12-section demo SCG page", local["page_60"] / local["scg_page"],
         TARGETS["page_60_vs_scg"], True, f"{local['page_60']:.1f} vs {local['scg_page']:.1f} ms"),
        ("home ÷ hello", local["home"] / hello, TARGETS["home"], True,
         f"{local['home']:.2f} ms"),
        ("My tasks ÷ hello", local["tasks"] / hello, TARGETS["tasks"], True,
         f"{local['tasks']:.2f} ms"),
        ("save request rate ÷ bare UPDATE rate", local["save_bare"] / local["save_request"],
         TARGETS["save"], False,
         f"{local['save_request']:.2f} vs {local['save_bare']:.3f} ms"),
    ]
    for name, value, target, at_most, detail in rows:
        sign = "≤" if at_most else "≥"
        print(f"  {name:<44}{value:>8.3f}×  target {sign} {target:g}×  "
              f"{verdict(value, target, at_most):<7} ({detail})")
    print(f"  {'service save rate ÷ bare UPDATE rate':<44}"
          f"{local['save_bare'] / local['save_service']:>8.3f}×  (for comparison; "
          f"{local['save_service']:.2f} ms)")
    print(f"  {'signed-in floor (empty page) ÷ hello':<44}{local['floor'] / hello:>8.3f}×  "
          f"(for comparison; {local['floor']:.2f} ms)")
    print(f"  {'poll, nothing changed ÷ hello':<44}{local['poll'] / hello:>8.3f}×  "
          f"(for comparison; {local['poll']:.2f} ms)")
    ten, sixty = local["statements"][10], local["statements"][60]
    print(f"  SQL statements: 10-section page {ten}, 60-section page {sixty}  "
          f"target 60 ≤ 10  {'ok' if sixty <= ten else 'MISSED'}")
    if served:
        print(f"\nUnder gunicorn (2 sync workers, SQLite, demo data, {served['tool']}): "
              f"hello {served['hello']:,.0f} req/s")
        for key, name in (("poll", "poll, nothing changed (204)"),
                          ("scg_page", "demo SCG page")):
            ratio = served[key] / served["hello"]
            print(f"  {name:<44}{served[key]:>8,.0f} req/s  {ratio:.3f}× hello  target ≥ "
                  f"{TARGETS[key]:g}×  {verdict(ratio, TARGETS[key], False)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-server", action="store_true", help="in-process figures only")
    args = parser.parse_args(argv)
    os.environ.pop("TRUSTED_PROXIES", None)
    probe_before = docs.speed_probe()
    local = in_process(args.calls)
    served = None if args.no_server else under_gunicorn(args.seconds)
    probe_after = docs.speed_probe()
    report(local, served)
    print(f"\nMachine speed probe (fixed Python work, lower is faster): {probe_before:.2f} ms "
          f"before, {probe_after:.2f} ms after the measures.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

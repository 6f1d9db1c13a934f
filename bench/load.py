"""Load: gunicorn with several workers, ~20 clients for ~20 s, and no accepted save lost.

For each database (SQLite in a temporary folder always; PostgreSQL too when --postgres URL or
BENCH_DATABASE_URL names a server, in a fresh database `cg_load_<random>` dropped at the end):

1. `flask db upgrade` and a small seed (users, a partnership, a document of ~40 sections);
2. a bare WSGI "hello" (bench/hello_app.py) served by gunicorn exactly as the app will be,
   hit by the same number of clients: the baseline every figure is divided by;
3. the app's own /healthz (Flask, no session, SELECT 1) the same way, for a second baseline;
4. the app under gunicorn (4 sync workers by default, as the README deploys it) and ~20
   signed-in clients, each in its own session, spread over several OS processes:
   - writers saving to ONE shared section: each edits its own paragraph, and now and then
     the one paragraph they all edit (overlaps there are conflicts, 409); each save names the
     base version it last saw; after a merge or a conflict it re-opens the editor (new base)
     and carries on with new text;
   - writers saving to sections of their own;
   - readers loading the document page and polling the change feed with their cursor;
   no client pauses between requests (--think-ms adds a random pause): the server is kept busy;
5. checks, from the database: PRAGMA integrity_check (SQLite), every section's version and
   text equal its last revision, revision numbers 1..N, each save has its change-feed row and
   audit event; every save the server accepted ("Saved as revision N" or merged) is in the
   history as it was told, with its author and text; no refused save was written; and the
   final text of each section still holds every writer's latest change (lost updates: 0).

    .venv/bin/python bench/load.py [--seconds 20] [--postgres URL] [--workers 4]
    make load                     # SQLite, and PostgreSQL when BENCH_DATABASE_URL is set

Prints one table per database: requests, req/s, p50/p99 latency, and the CPU time the gunicorn
processes spent per request, each also as a multiple of "hello". Exits 1 when any update was
lost or any check failed. Figures depend on the machine and on what else runs on it: read
them as ratios to "hello"; CPU ms per request moves least when the machine is busy.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

KINDS = [("page", "document page"), ("feed", "change feed"), ("editor", "open editor"),
         ("save", "save a section")]


def client_specs(args):
    writers = harness.writer_specs(args.shared_writers, args.own_writers, args.think_ms)
    readers = [{"role": "reader", "email": f"reader{i}@load.example", "seed": 2000 + i,
                "think_ms": args.think_ms} for i in range(args.readers)]
    specs = []
    for i in range(max(len(writers), len(readers))):      # interleaved across processes
        specs += writers[i:i + 1] + readers[i:i + 1]
    return specs


def measured(server, specs, seeded, seconds, processes, warmup=0.0):
    """Run the clients; also note the server's CPU seconds over the timed part.

    `warmup` seconds of the same clients first, untimed: each worker's first requests load
    modules and compile templates.
    """
    if warmup:
        harness.run_clients(specs, server.port, seeded, warmup, processes=processes)
    run = harness.run_clients(specs, server.port, seeded, seconds, processes=processes,
                              during=lambda _start, _stop: (server.cpu_seconds(),
                                                            server.sched(), time.monotonic()))
    cpu, (on_cpu, waiting), start = run["extra"]
    run["cpu_seconds"] = server.cpu_seconds() - cpu
    now_on, now_waiting = server.sched()
    span = (time.monotonic() - start) * server.workers
    run["workers_time"] = {"on_cpu": (now_on - on_cpu) / span,
                           "waiting_for_cpu": (now_waiting - waiting) / span}
    return run


def cpu_ms(run, kind=None):
    count = sum(1 for k, _, ms in run["timings"] if ms is not None and kind in (None, k))
    return 1000 * run["cpu_seconds"] / count if count else float("nan")


def run_database(label, url, args, folder):
    env = harness.app_env(url)
    started = time.monotonic()
    harness.migrate(env)
    seeded = harness.seed(env, {"writers": args.shared_writers + args.own_writers,
                                "readers": args.readers,
                                "shared_writers": args.shared_writers,
                                "own_writers": args.own_writers,
                                "filler_sections": args.sections})
    specs = client_specs(args)
    server_options = {"workers": args.workers, "worker_class": args.worker_class,
                      "threads": args.threads}
    print(f"\n{label}: schema and data ready in {time.monotonic() - started:.1f} s; "
          f"hello for {args.hello_seconds:g} s, then the app for {args.seconds:g} s ...",
          flush=True)

    with harness.Gunicorn("hello_app:app", env, pythonpath=harness.BENCH,
                          log_path=Path(folder) / "hello.log", **server_options) as hello:
        hello.start(ready_path="/")
        hello_specs = [{"role": "hello", "seed": i, "think_ms": args.think_ms}
                       for i in range(len(specs))]
        hello_run = measured(hello, hello_specs, seeded, args.hello_seconds, args.processes,
                              warmup=1.5)

    with harness.Gunicorn("wsgi:app", env, log_path=Path(folder) / "app.log",
                          **server_options) as app:
        app.start()
        health_specs = [dict(spec, kind="healthz", path="/healthz") for spec in hello_specs]
        health_run = measured(app, health_specs, seeded, args.hello_seconds, args.processes,
                               warmup=1.5)
        run = measured(app, specs, seeded, args.seconds, args.processes)
        log_tail = app.log_tail(15)

    data = harness.read_database(url)
    problems = harness.check_integrity(data)
    saves = harness.check_saves(data, run["attempts"], seeded)
    hello_figures = harness.summarise(hello_run["timings"], hello_run["seconds"], ["hello"])
    figures = harness.summarise(run["timings"], run["seconds"], [k for k, _ in KINDS])
    health = harness.summarise(health_run["timings"], health_run["seconds"], ["healthz"])
    figures["all"] = harness.summarise([("all",) + t[1:] for t in run["timings"]],
                                       run["seconds"], ["all"])["all"]
    figures["all"]["cpu_ms"] = cpu_ms(run)
    feed_204 = sum(1 for k, s, _ in run["timings"] if k == "feed" and s == 204)
    report = {
        "database": label, "seconds": round(run["seconds"], 2),
        "server": f"gunicorn {args.workers} {args.worker_class} workers"
                  + (f" x {args.threads} threads" if args.threads > 1 else ""),
        "clients": {"shared_writers": args.shared_writers, "own_writers": args.own_writers,
                    "readers": args.readers, "processes": args.processes,
                    "think_ms": args.think_ms},
        "cpus": os.cpu_count(),
        "hello": dict(hello_figures["hello"], cpu_ms=cpu_ms(hello_run)),
        "healthz": dict(health["healthz"], cpu_ms=cpu_ms(health_run)), "figures": figures,
        "workers_time": run["workers_time"],
        "load_average": os.getloadavg()[0],
        "feed_204_share": feed_204 / max(1, figures["feed"]["count"]),
        "saves": {k: v for k, v in saves.items() if k not in ("lost", "phantom")},
        "lost_updates": len(saves["lost"]), "lost": saves["lost"][:20],
        "phantom_saves": len(saves["phantom"]), "phantom": saves["phantom"][:20],
        "integrity_problems": problems[:20],
        "client_errors": len(run["errors"]), "errors": sorted(
            {f"{k}: {m}" for k, m in run["errors"]})[:10],
    }
    print_report(report, log_tail)
    return report


def print_report(r, log_tail=""):
    hello = r["hello"]
    c = r["clients"]
    n = c["shared_writers"] + c["own_writers"] + c["readers"]
    print(f"\n{r['database']}: {r['server']}, {n} clients ({c['shared_writers']} writers on one "
          f"section, {c['own_writers']} on their own sections, {c['readers']} readers) for "
          f"{r['seconds']:.1f} s, {r['cpus']} CPUs")
    head = (f"  {'':<34}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'p50 ×hello':>12}{'p99 ×hello':>12}{'CPU ms/req':>12}{'CPU ×hello':>12}")
    print(head)
    print("  " + "-" * (len(head) - 2))

    def row(name, f):
        cpu = f.get("cpu_ms")
        print(f"  {name:<34}{f['count']:>9}{harness.fmt(f['rps']):>9}"
              f"{harness.fmt(f['p50'], '.2f'):>9}{harness.fmt(f['p99'], '.2f'):>9}"
              f"{harness.fmt(f['p50'] / hello['p50']):>12}"
              f"{harness.fmt(f['p99'] / hello['p99']):>12}"
              + (f"{harness.fmt(cpu, '.2f'):>12}{harness.fmt(cpu / hello['cpu_ms']):>12}"
                 if cpu is not None else ""))

    row("hello (bare WSGI, same server)", hello)
    row("/healthz (the app, SELECT 1)", r["healthz"])
    labels = dict(KINDS)
    for kind, f in r["figures"].items():
        if kind == "all":
            continue
        name = labels[kind] + (f" ({r['feed_204_share']:.0%} 204)" if kind == "feed" else "")
        row(name, f)
    row("all app requests", r["figures"]["all"])
    print(f"  {'req/s × hello':<34}{'':>9}"
          f"{harness.fmt(r['figures']['all']['rps'] / hello['rps'], '.3f'):>9}")
    print("  CPU ms/req: CPU time of the gunicorn master and workers over the run, divided by "
          "the requests answered\n  (without the database server's own CPU); steadier than "
          "latency on a shared machine.")
    w = r["workers_time"]
    print(f"  the workers' time during the run: on a CPU {w['on_cpu']:.0%}, waiting for a CPU "
          f"{w['waiting_for_cpu']:.0%}, neither (database locks, I/O, between requests) "
          f"{max(0.0, 1 - w['on_cpu'] - w['waiting_for_cpu']):.0%}; load average "
          f"{r['load_average']:.1f} on {r['cpus']} CPUs")
    counts = r["saves"]["counts"]
    accepted = counts.get("accepted", 0) + counts.get("merged", 0)
    print(f"  saves: {sum(counts.values())} attempted; accepted {accepted} "
          f"({counts.get('accepted', 0)} as sent, {counts.get('merged', 0)} merged); "
          f"conflicted {counts.get('conflict', 0)} (409, re-opened and retried)"
          + "".join(f"; {k} {v}" for k, v in sorted(counts.items())
                    if k not in ("accepted", "merged", "conflict")))
    verdict = "ok" if not r["integrity_problems"] else "FAILED"
    print(f"  history: integrity {verdict}; every accepted save in the history and each final "
          f"text = its last revision ({r['saves']['sections_checked']} sections edited)")
    print(f"  LOST UPDATES: {r['lost_updates']}   refused saves written anyway: "
          f"{r['phantom_saves']}   client errors: {r['client_errors']}")
    for line in r["lost"] + r["phantom"] + r["integrity_problems"] + r["errors"]:
        print("    " + line)
    if r["client_errors"] and log_tail:
        print("  gunicorn log (last lines):\n" + "\n".join("    " + x
                                                          for x in log_tail.splitlines()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the load run")
    parser.add_argument("--hello-seconds", type=float, default=6.0)
    parser.add_argument("--shared-writers", type=int, default=8)
    parser.add_argument("--own-writers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--sections", type=int, default=30, help="other sections in the document")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--processes", type=int, default=4, help="client OS processes")
    parser.add_argument("--think-ms", type=float, default=0.0,
                        help="random pause of up to this many ms after each client request")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", ""),
                        help="PostgreSQL server URL (default: $BENCH_DATABASE_URL)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--json", default=str(harness.BENCH / "out" / "load.json"),
                        help="also write the figures here (bench/out/ is not committed)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.seconds > 600 or args.hello_seconds > 120:
        parser.error("--seconds must be in (0, 600] and --hello-seconds at most 120")
    if not args.postgres.strip():
        print("No PostgreSQL server given (--postgres URL or BENCH_DATABASE_URL): SQLite only.")

    reports = []
    with tempfile.TemporaryDirectory(prefix="cg_load_") as folder:
        for label, database in harness.databases(args, folder, "cg_load"):
            with database as url:
                reports.append(run_database(label, url, args, folder))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(reports, indent=2, default=str))
    failed = [r["database"] for r in reports
              if r["lost_updates"] or r["phantom_saves"] or r["integrity_problems"]]
    print()
    if failed:
        print(f"FAILED on {', '.join(failed)}: see above.", file=sys.stderr)
        return 1
    print("No update lost: " + ", ".join(
        f"{r['database']} {sum(r['saves']['counts'].get(k, 0) for k in ('accepted', 'merged'))}"
        " accepted saves checked" for r in reports) + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())

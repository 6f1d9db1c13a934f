"""Faults: SIGKILL gunicorn workers in the middle of saves; nothing half-written, the app serves on.

For each database (SQLite in a temporary folder always; PostgreSQL too when --postgres URL or
BENCH_DATABASE_URL names a server, in a fresh database `cg_faults_<random>` dropped at the end):

1. `flask db upgrade`, a small seed, gunicorn with 3 sync workers (--workers);
2. writers save concurrently (to one shared section, overlapping, and to sections of their
   own) while this script, a few times, finds a worker that is inside a save's write
   transaction and kills it with SIGKILL:
   - SQLite: the worker holding the WAL write lock (a POSIX lock on byte 120 of the -shm
     file, read from /proc/locks): it is between BEGIN IMMEDIATE and COMMIT of a write
     request (almost always a save; opening an editor also writes, to record presence);
   - PostgreSQL: the worker whose connection holds RowExclusiveLock on `sections` (from
     pg_locks; connection to worker through /proc/net/tcp and /proc/<pid>/fd): it has run
     the save's UPDATE and not yet committed;
   then waits until the gunicorn master has started a replacement and the replacement has
   opened the database (booted and serving), lets the writers run 1-2 s, kills again; the
   run ends 2 s after the last kill (--seconds bounds it);
3. afterwards: the master is up with all its workers, /healthz answers 200 and a new save is
   accepted; and in the database: PRAGMA integrity_check = ok (SQLite), every section's
   version equals its last revision number, revision numbers are 1..N with no gap, no
   section text differs from its last revision, each save has its change-feed row and audit
   event (none half-written), every save the server accepted is in the history, no refused
   save was written, and every save cut off by a kill either landed whole or not at all.

    .venv/bin/python bench/faults.py [--kills 4] [--seconds 90] [--postgres URL]
    make faults                   # SQLite, and PostgreSQL when BENCH_DATABASE_URL is set

Exits 1 on any inconsistency, or when no worker could be killed.
"""
import argparse
import json
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

# Finding a worker in the middle of a save ----------------------------------------------------

def sqlite_writer(database_path):
    """A function returning the pid holding the SQLite WAL write lock now, or None."""
    shm = Path(str(database_path) + "-shm")

    def find():
        try:
            inode = str(shm.stat().st_ino)
            lines = Path("/proc/locks").read_text().splitlines()
        except OSError:
            return None
        for line in lines:
            fields = line.split()
            if "->" in fields or len(fields) < 8:
                continue                     # a waiter, not a holder
            _, kind, _, mode, pid, device, start, _end = fields[:8]
            if (kind == "POSIX" and mode == "WRITE" and device.split(":")[-1] == inode
                    and start == "120"):
                return int(pid)
        return None

    return find, ("holding the SQLite write lock: inside a write request (a save, or opening "
                  "an editor) between BEGIN IMMEDIATE and COMMIT")


def _socket_owners(pids):
    """{socket inode: pid} for the sockets open in these processes."""
    owners = {}
    for pid in pids:
        try:
            names = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for name in names:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{name}")
            except OSError:
                continue
            if target.startswith("socket:["):
                owners[target[8:-1]] = pid
    return owners


def _local_port_inodes():
    """{local TCP port: socket inode} from /proc/net/tcp and tcp6."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9:
                found[int(fields[1].rsplit(":", 1)[1], 16)] = fields[9]
    return found


def postgres_writer(database_url, server):
    """A function returning the pid of a worker whose transaction has updated `sections`."""
    from sqlalchemy import create_engine, text
    engine = create_engine(harness.sa_url(database_url), isolation_level="AUTOCOMMIT",
                           pool_size=1)
    query = text(
        "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.relation = 'sections'::regclass AND l.mode = 'RowExclusiveLock' "
        "AND l.granted AND a.datname = current_database() AND a.pid <> pg_backend_pid()")

    def find():
        with engine.connect() as connection:
            ports = [row[0] for row in connection.execute(query)]
        if not ports:
            return None
        inodes = _local_port_inodes()
        owners = _socket_owners(server.worker_pids())
        for port in ports:
            pid = owners.get(inodes.get(port))
            if pid:
                return pid
        return None

    find.dispose = engine.dispose
    return find, "after the save's UPDATE of the section, before COMMIT (PostgreSQL row lock)"


def sqlite_opened(database_path):
    """A function: has this process opened the SQLite database (so it serves requests)?"""
    target = os.path.realpath(database_path)

    def opened(pid):
        try:
            names = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            return False
        for name in names:
            try:
                if os.readlink(f"/proc/{pid}/fd/{name}") == target:
                    return True
            except OSError:
                continue
        return False

    return opened


def postgres_opened(port):
    """A function: has this process a TCP connection to the PostgreSQL server?"""

    def opened(pid):
        owners = _socket_owners([pid])
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                if (len(fields) > 9 and int(fields[2].rsplit(":", 1)[1], 16) == port
                        and fields[9] in owners):
                    return True
        return False

    return opened


def killer(server, find, what, opened, kills, seconds, log, double_check):
    """Runs beside the clients: `kills` SIGKILLs, then ends the run.

    The first kill comes 2 s after the start; after each kill it waits until the master has
    started a replacement and the replacement has opened the database (booted, serving), lets
    the clients run 1-2 s more, and kills again. After the last one it lets them run 2 s and
    stops them. `seconds` bounds it all.
    """

    def during(start, stop):
        try:
            return kill_all(start)
        finally:                      # whatever happened: let the clients run 2 s, stop them
            stop_at = min(time.time() + 2.0, start + seconds)
            while time.time() < stop_at:
                time.sleep(0.05)
            stop.set()

    def kill_all(start):
        rng = random.Random(7)
        end = start + seconds
        target = start + 2.0
        for k in range(kills):
            while time.time() < min(target, end):
                time.sleep(0.02)
            if time.time() > end - 3:
                log.append({"kill": k + 1, "pid": None, "how": "no time left in the run"})
                break
            workers = set(server.worker_pids())
            victim, in_save = None, False
            search_until = time.monotonic() + 5.0
            while time.monotonic() < search_until:          # bounded: about 5 s
                pid = find()
                if pid in workers and (not double_check or find() == pid):
                    victim, in_save = pid, True
                    break
                time.sleep(0.001)
            if victim is None and workers:
                victim = rng.choice(sorted(workers))        # no save caught: any worker
            if victim is None:
                log.append({"kill": k + 1, "pid": None, "how": "no worker found"})
                continue
            try:
                os.kill(victim, signal.SIGKILL)
                at = time.monotonic()
            except ProcessLookupError:
                log.append({"kill": k + 1, "pid": victim, "how": "gone before the kill"})
                continue
            entry = {"kill": k + 1, "pid": victim, "in_save": in_save,
                     "how": what if in_save else "a worker (no save caught in 5 s)",
                     "at_s": round(time.time() - start, 2), "respawn_s": None,
                     "serving_s": None}
            log.append(entry)
            until = time.monotonic() + 60
            replacement = None
            while time.monotonic() < until:                 # bounded: 60 s
                pids = set(server.worker_pids())
                if entry["respawn_s"] is None and victim not in pids \
                        and len(pids) == server.workers:
                    entry["respawn_s"] = time.monotonic() - at
                    replacement = (pids - workers).pop() if pids - workers else None
                if replacement and opened(replacement):
                    entry["serving_s"] = time.monotonic() - at
                    break
                time.sleep(0.02)
            target = time.time() + rng.uniform(1.0, 2.0)
        return log

    return during


# One database ---------------------------------------------------------------------------------

def run_database(label, url, args, folder):
    env = harness.app_env(url)
    harness.migrate(env)
    writers = args.shared_writers + args.own_writers
    seeded = harness.seed(env, {"writers": writers + 1, "readers": 0,
                                "shared_writers": args.shared_writers,
                                "own_writers": args.own_writers, "filler_sections": 5})
    specs = harness.writer_specs(args.shared_writers, args.own_writers, args.think_ms)
    print(f"\n{label}: {args.kills} SIGKILLs of {args.workers} gunicorn workers during "
          f"concurrent saves by {writers} writers (at most {args.seconds:g} s) ...", flush=True)
    kills = []
    server = harness.Gunicorn("wsgi:app", env, workers=args.workers,
                              log_path=Path(folder) / f"{label}.log")
    find = None
    after = {}
    with server:
        server.start()
        if label == "SQLite":         # reading /proc/locks twice costs nothing: be sure
            find, what = sqlite_writer(url[len("sqlite:///"):])
            opened = sqlite_opened(url[len("sqlite:///"):])
            double_check = True
        else:
            from sqlalchemy.engine import make_url
            find, what = postgres_writer(url, server)
            opened = postgres_opened(make_url(url).port or 5432)
            double_check = False      # a second round trip would let the save finish
        try:
            run = harness.run_clients(specs, server.port, seeded, args.seconds,
                                      processes=args.processes,
                                      during=killer(server, find, what, opened, args.kills,
                                                    args.seconds, kills, double_check))
        finally:
            if hasattr(find, "dispose"):
                find.dispose()
        # Does it serve on?
        after["workers"] = server.wait_for_workers(timeout=30)
        after["master"] = server.alive()
        after["healthz"] = server.get_status("/healthz")
        check = harness.Client(server.port)
        attempt = None
        try:
            check.sign_in(f"writer{writers}@load.example",
                          then=f"/p/{harness.SLUG}/d/{seeded['document_id']}/")
            role = harness.Writer(check, {"index": writers, "mode": "own", "own_index": 0,
                                          "email": f"writer{writers}@load.example"},
                                  seeded, random.Random(1), 0)
            role.step()
            attempt = role.attempts[-1] if role.attempts else None
        except Exception as exc:
            after["save_error"] = f"{type(exc).__name__}: {exc}"
        finally:
            check.close()
        after["save"] = attempt["outcome"] if attempt else "not attempted"
        log_tail = server.log_tail(8)

    attempts = run["attempts"] + ([attempt] if attempt else [])
    data = harness.read_database(url)
    problems = harness.check_integrity(data)
    saves = harness.check_saves(data, attempts, seeded)
    cut = [a for a in attempts if a["outcome"] == "unknown"]
    cut_requests = {}
    for kind, status, _ in run["timings"]:
        if not status:
            cut_requests[kind] = cut_requests.get(kind, 0) + 1
    report = {
        "database": label, "workers": args.workers, "seconds": round(run["seconds"], 1),
        "kills": kills, "saves": saves["counts"],
        "cut_off": len(cut), "cut_off_landed": saves["landed_unknown"],
        "cut_off_requests": cut_requests,
        "lost": saves["lost"][:20], "phantom": saves["phantom"][:20],
        "integrity": data["integrity"][:3] if data["integrity"] else "n/a (PostgreSQL)",
        "problems": problems[:20], "after": after,
        "revisions": sum(len(v) for v in data["revisions"].values()),
    }
    report["failures"] = failures(report)
    print_report(report, log_tail)
    return report


def failures(r):
    found = []
    killed = [k for k in r["kills"] if "at_s" in k]
    if not killed:
        found.append("no worker was killed")
    if any(k["respawn_s"] is None for k in killed):
        found.append("a killed worker was not replaced within 60 s")
    if any(k["respawn_s"] is not None and k["serving_s"] is None for k in killed):
        found.append("a replacement worker did not open the database within 60 s")
    if not r["after"].get("master") or not r["after"].get("workers"):
        found.append("the gunicorn master or its workers did not come back")
    if r["after"].get("healthz") != 200:
        found.append(f"/healthz answered {r['after'].get('healthz')}")
    if r["after"].get("save") != "accepted":
        found.append(f"the save after the faults was {r['after'].get('save')} "
                     f"{r['after'].get('save_error', '')}".strip())
    found += [f"lost: {x}" for x in r["lost"]] + [f"refused but written: {x}" for x in r["phantom"]]
    found += r["problems"]
    return found


def print_report(r, log_tail):
    print(f"\n{r['database']}: {r['workers']} sync workers, {r['seconds']:.1f} s of saves")
    for k in r["kills"]:
        if "at_s" not in k:
            print(f"  kill {k['kill']}: not done: {k['how']}")
            continue
        respawn = ("NOT replaced" if k["respawn_s"] is None else
                   f"replacement started after {k['respawn_s']:.2f} s, serving after "
                   + (f"{k['serving_s']:.1f} s" if k["serving_s"] is not None else "NEVER"))
        print(f"  kill {k['kill']} at t+{k['at_s']:.1f} s: worker {k['pid']} {k['how']}; "
              f"{respawn}")
    counts = r["saves"]
    print(f"  saves: {sum(counts.values())} attempted; accepted "
          f"{counts.get('accepted', 0) + counts.get('merged', 0)} "
          f"({counts.get('merged', 0)} merged); conflicted {counts.get('conflict', 0)}; "
          f"cut off by a kill {r['cut_off']} (landed whole: {r['cut_off_landed']}, "
          f"not written: {r['cut_off'] - r['cut_off_landed']}); requests cut off: "
          + (", ".join(f"{v} {k}" for k, v in sorted(r["cut_off_requests"].items()))
             or "none")
          + "".join(f"; {k} {v}" for k, v in sorted(counts.items())
                    if k not in ("accepted", "merged", "conflict", "unknown")))
    integrity = r["integrity"] if isinstance(r["integrity"], str) else ", ".join(r["integrity"])
    print(f"  integrity_check: {integrity}; {r['revisions']} revisions checked: versions = "
          f"last revision, numbers 1..N, text = last revision, feed row and audit event each: "
          f"{'ok' if not r['problems'] else 'FAILED'}")
    a = r["after"]
    print(f"  afterwards: master {'up' if a.get('master') else 'DOWN'}, workers "
          f"{'all back' if a.get('workers') else 'MISSING'}, /healthz {a.get('healthz')}, "
          f"a new save: {a.get('save')}")
    print(f"  lost updates: {len(r['lost'])}; inconsistencies: {len(r['failures'])}")
    for line in r["failures"]:
        print("    " + line)
    if r["failures"] and log_tail:
        print("  gunicorn log (last lines):\n" + "\n".join("    " + x
                                                          for x in log_tail.splitlines()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=90.0,
                        help="at most this long: the run ends 2 s after the last kill")
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2-4)")
    parser.add_argument("--shared-writers", type=int, default=6)
    parser.add_argument("--own-writers", type=int, default=4)
    parser.add_argument("--processes", type=int, default=2, help="client OS processes")
    parser.add_argument("--think-ms", type=float, default=0.0)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", ""),
                        help="PostgreSQL server URL (default: $BENCH_DATABASE_URL)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--json", default=str(harness.BENCH / "out" / "faults.json"))
    args = parser.parse_args(argv)
    if not 1 <= args.kills <= 50 or not 0 < args.seconds <= 600 or not 2 <= args.workers <= 8:
        parser.error("--kills 1..50, --seconds up to 600, --workers 2..8")
    if not args.postgres.strip():
        print("No PostgreSQL server given (--postgres URL or BENCH_DATABASE_URL): SQLite only.")
    reports = []
    with tempfile.TemporaryDirectory(prefix="cg_faults_") as folder:
        for label, database in harness.databases(args, folder, "cg_faults"):
            with database as url:
                reports.append(run_database(label, url, args, folder))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(reports, indent=2, default=str))
    print()
    failed = [r["database"] for r in reports if r["failures"]]
    if failed:
        print(f"FAILED on {', '.join(failed)}: see above.", file=sys.stderr)
        return 1
    print("Faults survived: " + "; ".join(
        f"{r['database']} {sum(1 for k in r['kills'] if k.get('in_save'))} of "
        f"{sum(1 for k in r['kills'] if 'at_s' in k)} kills inside a write transaction, "
        f"0 lost, history consistent" for r in reports)
          + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())

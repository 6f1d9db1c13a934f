"""Run every bench/bench_*.py: on SQLite always, on PostgreSQL too when BENCH_DATABASE_URL is set.

Each benchmark is a script of its own, run in a fresh interpreter with the same Python, so one
cannot warm caches for the next. Extra arguments are passed to every benchmark, so use only
options they all take, e.g.

    .venv/bin/python bench/run_all.py --calls 100

The exit status is the first non-zero status of a benchmark, else 0.
"""
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print("No benchmarks found in", HERE)
        return 0
    postgres = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not postgres:
        print("BENCH_DATABASE_URL is not set: PostgreSQL runs skipped "
              "(e.g. BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres).")
    status = 0
    for script in scripts:
        print(f"\n=== {script.name}", flush=True)
        # Each script reads BENCH_DATABASE_URL itself (its --postgres defaults to it).
        command = [sys.executable, str(script), *argv]
        result = subprocess.run(command, cwd=HERE.parent, check=False)
        if result.returncode and not status:
            status = result.returncode
            print(f"{script.name} exited with status {result.returncode}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: signing a 60-section document, and saving while its PDF is produced.

In one run, on the same machine, with the Flask test client (the whole request: routing,
session, queries, rendering, commit) on a SQLite file:

- baseline:       POST a section save of another (draft) document, nothing else running
- sign:           POST /p/<slug>/d/<doc>/sign by each authority's Member in turn (all six hold
                  a trial signing certificate); the first signature is the one whose PDF is
                  rendered. Reported as medians and as ratios to the baseline save.
- save while a PDF is produced: another process signs for one authority and then works as
                  the job worker would (`runner.run_pending()`: renders and signs the PDFs,
                  when the code makes them in jobs); meanwhile this process saves sections of
                  the draft document, one after another, until that process has finished.
                  Reported: saves made, their median and slowest time, and the ratio of the
                  median to the baseline save; saves refused (503 "busy") or failing.

The same script measures the code before and after PDFs moved to background jobs (run it from
a worktree of the older commit: `git worktree add /tmp/before <commit>`; copy this file there).

    .venv/bin/python bench/bench_signing.py [--rounds 2] [--calls 40] [--postgres URL]

Not a test: figures depend on the machine (a shared 2-core VM); compare ratios.
"""
import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_documents as bd
from sqlalchemy import select

from workspace import create_app
from workspace.accounts.models import Organisation, User
from workspace.documents import service as documents
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.scratch_db import scratch_database

MEMBER = "member@{code}.example"
FILLER = ("The partner authorities will continue to work together on the strategic matters "
          "set out in this statement and record where they agree and where they do not.")


#: One secret for this process and the other one: signing keys are encrypted with it.
SECRET = "bench-signing-" + os.urandom(8).hex()


def build_app(database_url, secret=SECRET):
    """The app on the benchmark's database; jobs stay in the database (nothing wakes a
    worker: this script runs them where it says)."""
    app = create_app({"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": database_url,
                      "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "MAIL_SERVER": "", "JOBS_QUEUE_URL": "manual"})
    with app.app_context():
        db.create_all()
    return app


def build(app, rounds):
    """Members, keys and signatories; `rounds` agreed 60-section documents waiting for
    signatures, and a draft document to save into. Returns (agreed ids, draft id, sections)."""
    from workspace.export.keys import make_self_signed
    from workspace.review import lifecycle, positions
    from workspace.review.models import Signatory
    bd.build_data(app)
    with app.test_request_context():
        partnership = db.session.scalar(select(Partnership))
        organisations = db.session.scalars(select(Organisation)).all()
        admin = User(email="admin@bench.example", name="Bench Admin", role="admin",
                     organisation_id=organisations[0].id)
        admin.set_password(bd.PASSWORD)
        db.session.add(admin)
        members = {}
        for organisation in organisations:
            member = User(email=MEMBER.format(code=organisation.code), role="member",
                          name=f"Member for {organisation.name}", job_title="Portfolio Holder",
                          organisation_id=organisation.id)
            member.set_password(bd.PASSWORD)
            db.session.add(member)
            members[organisation.id] = member
            make_self_signed(organisation)
        db.session.flush()
        from workspace.partnerships.models import PartnershipAdmin
        db.session.add(PartnershipAdmin(partnership_id=partnership.id, user_id=admin.id))
        officer = db.session.scalar(select(User).where(User.role == "officer"))
        agreed = []
        for n in range(rounds):
            document = documents.create_document(
                partnership, f"Statement of Common Ground {n + 1}", "scg", user=officer)
            for i, (depth, title, body, feedback) in enumerate(
                    bd.document_sections(bd.SECTIONS)):
                section = documents.append_section(document, title, body, depth=depth,
                                                   feedback_sought=feedback, user=officer)
                section.strategic_matter = i % 10 == 1     # six strategic matters
            for organisation in organisations:
                db.session.add(Signatory(document_id=document.id,
                                         organisation_id=organisation.id))
            db.session.flush()
            lifecycle.send_out(document, admin, reason="Benchmark")
            for cell in positions.agreement_grid(document).outstanding:
                positions.record_position(cell.section,
                                          members[cell.signatory.organisation_id], "agreed")
            lifecycle.agree(document, admin)
            agreed.append(document.id)
        draft = documents.create_document(partnership, "Engagement notes", "scg", user=officer)
        sections = [documents.append_section(
            draft, f"Notes {i + 1}", f"Paragraph one of notes {i + 1}. {FILLER}\n\n{FILLER}\n",
            user=officer) for i in range(12)]
        db.session.commit()
        return agreed, draft.id, [s.id for s in sections], \
            [o.code for o in organisations]


def signed_in(app, email):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": bd.PASSWORD})
    if response.status_code != 303:
        raise SystemExit(f"bench: sign-in of {email} failed with {response.status_code}")
    return client


def sign(client, document_id, code):
    response = client.post(f"/p/{bd.SLUG}/d/{document_id}/sign", data={
        "password": bd.PASSWORD, "signed_name": f"Member for {code}",
        "signed_position": "Portfolio Holder"})
    assert response.status_code == 303, (response.status_code, response.text[:300])


class Saver:
    """Saves the draft document's sections in turn as Watford's officer."""

    def __init__(self, app, document_id, section_ids):
        self.client = signed_in(app, "officer@watford.example")
        self.base = f"/p/{bd.SLUG}/d/{document_id}"
        self.section_ids = section_ids
        self.versions = dict.fromkeys(section_ids, 1)
        self.count = 0

    def save(self):
        """(seconds, status)."""
        sid = self.section_ids[self.count % len(self.section_ids)]
        self.count += 1
        start = time.perf_counter()
        response = self.client.post(f"{self.base}/s/{sid}", headers={"HX-Request": "true"},
                                    data={"body": f"Saved {self.count}. {FILLER}\n",
                                          "base_version": str(self.versions[sid]),
                                          "summary": f"Bench save {self.count}"})
        took = time.perf_counter() - start
        if response.status_code == 200:
            self.versions[sid] += 1
        return took, response.status_code


def _sign_then_work(database_url, secret, document_id, code, started, finished):
    """In another process: one signature, then the jobs it asked for, as a worker would."""
    app = build_app(database_url, secret)
    client = signed_in(app, MEMBER.format(code=code))
    started.set()
    start = time.perf_counter()
    sign(client, document_id, code)
    try:
        from workspace.jobs import runner
    except ImportError:
        runner = None
    if runner is not None:
        with app.app_context():
            runner.run_pending(ignore_schedule=True)
    finished.value = time.perf_counter() - start


def run(kind, database_url, rounds, calls):
    app = build_app(database_url)
    agreed, draft, sections, codes = build(app, rounds + 2)
    stepwise, agreed = agreed[-1], agreed[:-1]
    saver = Saver(app, draft, sections)
    for _ in range(10):
        saver.save()                                           # warm up
    baseline = [saver.save()[0] for _ in range(calls)]

    sign_times, first_times = [], []
    for document_id in agreed[:rounds]:
        for n, code in enumerate(codes):
            client = signed_in(app, MEMBER.format(code=code))
            start = time.perf_counter()
            sign(client, document_id, code)
            (first_times if n == 0 else sign_times).append(time.perf_counter() - start)

    from workspace.jobs import runner
    with app.app_context():                       # the signed documents' jobs, if any
        start = time.perf_counter()
        runner.run_pending(ignore_schedule=True)
        jobs_s = time.perf_counter() - start

    # The worker's cost of one signature at a time: each Member signs and the jobs it asked
    # for run before the next signs (both variants; the PDFs get one more signature each).
    step_times = []
    for code in codes:
        sign(signed_in(app, MEMBER.format(code=code)), stepwise, code)
        with app.app_context():
            start = time.perf_counter()
            runner.run_pending(ignore_schedule=True)
            step_times.append(time.perf_counter() - start)

    # Saves while another process signs the last document (its first signature: the PDFs
    # are rendered and signed) and, where there are jobs, runs them.
    context = multiprocessing.get_context("spawn")
    started, finished = context.Event(), context.Value("d", 0.0)
    with app.app_context():
        db.engine.dispose()
    other = context.Process(target=_sign_then_work,
                            args=(database_url, SECRET, agreed[-1], codes[0], started, finished))
    other.start()
    started.wait(120)
    during, statuses, ok = [], {}, []
    while other.is_alive():
        took, status = saver.save()
        during.append(took)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            ok.append(took)
    other.join()
    ok = ok or during
    base = statistics.median(baseline)
    return {
        "database": kind, "baseline_ms": base * 1000,
        "first_sign_ms": statistics.median(first_times) * 1000,
        "sign_ms": statistics.median(sign_times) * 1000,
        "first_sign_ratio": statistics.median(first_times) / base,
        "sign_ratio": statistics.median(sign_times) / base,
        "jobs_s": jobs_s, "step_ms": [t * 1000 for t in step_times],
        "other_s": finished.value, "saves": len(during), "statuses": statuses,
        "during_median_ms": statistics.median(ok) * 1000 if during else float("nan"),
        "during_max_ms": max(during) * 1000 if during else float("nan"),
        "during_ratio": statistics.median(ok) / base if during else float("nan"),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="documents signed by all six")
    parser.add_argument("--calls", type=int, default=40, help="baseline saves")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args, _unknown = parser.parse_known_args(argv)
    reports = []
    probe = bd.speed_probe()
    with scratch_database(prefix="cg_bench") as url:
        reports.append(run("SQLite", url, args.rounds, args.calls))
    if args.postgres:
        with scratch_database(args.postgres, "cg_bench") as url:
            reports.append(run("PostgreSQL", url, args.rounds, args.calls))
    print(f"Signing a {bd.SECTIONS}-section document ({args.rounds} documents x 6 authorities;"
          f" medians; machine speed probe {probe:.2f} ms)")
    for r in reports:
        print(f"  {r['database']}: baseline save {r['baseline_ms']:.1f} ms | first signature "
              f"{r['first_sign_ms']:.0f} ms ({r['first_sign_ratio']:.1f}x) | later signatures "
              f"{r['sign_ms']:.0f} ms ({r['sign_ratio']:.1f}x)")
        print(f"    worker: the jobs of {args.rounds} documents signed by all six "
              f"{r['jobs_s']:.1f} s; one signature at a time, the jobs after each: "
              + ", ".join(f"{ms:.0f}" for ms in r["step_ms"]) + " ms")
        print(f"    while another process signed and produced the PDFs "
              f"({r['other_s']:.1f} s): {r['saves']} saves, answers {r['statuses']}, median "
              f"{r['during_median_ms']:.1f} ms ({r['during_ratio']:.1f}x baseline), slowest "
              f"{r['during_max_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: PDF export of a 60-section document.

In one run, on the same machine and the same HTML:

- app render:   GET /p/<slug>/d/<doc>/pdf with nothing stored yet (202: a job is asked for),
                the render job run in this process as the worker would (load the document,
                build the print HTML, WeasyPrint, store the file), then the GET that serves it
- direct:       WeasyPrint alone on the same HTML with the same options (tagged PDF/UA-1)
- ratio:        app render / direct (target <= 1.15: the app adds little to WeasyPrint)
- per page:     app render / pages
- peak memory:  the largest Python allocation peak during one app render (tracemalloc) and
                the process's peak resident size
- stored:       GET of a frozen version's PDF again, served from the database (target <= 20 ms
                median); and of the draft's, which first fingerprints the live content to know
                whether the stored file is still current

    .venv/bin/python bench/bench_export.py [--renders 3] [--calls 200] [--postgres URL]

Not a test: figures depend on the machine.
"""
import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_documents as bd
from sqlalchemy import delete
from weasyprint import HTML

from workspace.documents.models import Document
from workspace.export import pdf, service
from workspace.export.models import PdfExport, PdfFile
from workspace.extensions import db
from workspace.jobs import runner
from workspace.scratch_db import scratch_database

#: Jobs wait in the database; this script runs them (as the worker would) where it says.
os.environ["JOBS_QUEUE_URL"] = "manual"


def _forget_stored(app):
    with app.app_context():
        db.session.execute(delete(PdfFile))
        db.session.execute(delete(PdfExport))
        db.session.commit()


def _get_rendered(app, client, url):
    """Ask for the PDF; while it is being prepared (202), run its job, then ask again."""
    response = client.get(url)
    if response.status_code == 202:
        with app.app_context():
            runner.run_pending(ignore_schedule=True)
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response


def run(kind, database_url, renders, calls):
    app = bd.build_app(database_url)
    document_id, _sections = bd.build_data(app)
    client = app.test_client()
    bd.sign_in(client)
    url = f"/p/{bd.SLUG}/d/{document_id}/pdf"
    _get_rendered(app, client, url)                   # warm fonts and caches once
    _forget_stored(app)

    app_times = []
    for _ in range(renders):
        _forget_stored(app)
        start = time.perf_counter()
        _get_rendered(app, client, url)
        app_times.append(time.perf_counter() - start)

    with app.test_request_context():
        document = db.session.get(Document, document_id)
        content, fingerprint, row, agreed = service.export_source(document)
        html = pdf.render_html(service.print_context(document, content, fingerprint, row,
                                                     agreed))
        root = pdf.print_root()
    direct_times = []
    pages = 0
    for _ in range(renders):
        start = time.perf_counter()
        rendered = HTML(string=html, base_url=root.as_uri() + "/",
                        url_fetcher=pdf.StaticOnlyFetcher(root)).render(
            pdf_variant="pdf/ua-1", pdf_tags=True)
        rendered.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
        direct_times.append(time.perf_counter() - start)
        pages = len(rendered.pages)

    _forget_stored(app)
    tracemalloc.start()
    _get_rendered(app, client, url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    draft_stored = _timed_gets(client, url, calls)
    # Freeze the document as version N (the lifecycle's own freeze), then time its downloads.
    from workspace.accounts.models import User
    from workspace.review import lifecycle
    with app.test_request_context():
        document = db.session.get(Document, document_id)
        lifecycle.freeze(document, db.session.get(User, 1), False)
        document.status = "agreed"
        number = document.version_number
        db.session.commit()
    version_url = f"/p/{bd.SLUG}/d/{document_id}/versions/{number}/pdf"
    _get_rendered(app, client, version_url)           # renders once
    stored = _timed_gets(client, version_url, calls)
    size = len(client.get(version_url).data)

    app_median, direct_median = statistics.median(app_times), statistics.median(direct_times)
    return {
        "database": kind, "pages": pages, "size_kb": size / 1024,
        "app_s": app_median, "direct_s": direct_median, "ratio": app_median / direct_median,
        "per_page_ms": app_median / pages * 1000, "peak_python_mb": peak / 1024 / 1024,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "stored_median_ms": statistics.median(stored) * 1000,
        "stored_p90_ms": bd.percentile(stored, 0.9) * 1000,
        "draft_stored_ms": statistics.median(draft_stored) * 1000,
    }


def _timed_gets(client, url, calls):
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=3)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args, _unknown = parser.parse_known_args(argv)
    reports = []
    with scratch_database(prefix="cg_bench") as url:
        reports.append(run("SQLite", url, args.renders, args.calls))
    if args.postgres:
        with scratch_database(args.postgres, "cg_bench") as url:
            reports.append(run("PostgreSQL", url, args.renders, args.calls))
    print(f"PDF export of a {bd.SECTIONS}-section document "
          f"(medians; {args.renders} renders, {args.calls} stored downloads)")
    header = ("database", "pages", "app render", "WeasyPrint", "ratio (<=1.15)", "per page",
              "peak Python", "peak RSS", "stored version (<=20 ms)", "p90", "stored draft")
    print(" | ".join(header))
    missed = False
    for r in reports:
        print(" | ".join([
            r["database"], str(r["pages"]), f"{r['app_s']:.2f} s", f"{r['direct_s']:.2f} s",
            f"{r['ratio']:.2f}", f"{r['per_page_ms']:.0f} ms", f"{r['peak_python_mb']:.0f} MB",
            f"{r['max_rss_mb']:.0f} MB", f"{r['stored_median_ms']:.1f} ms",
            f"{r['stored_p90_ms']:.1f} ms", f"{r['draft_stored_ms']:.1f} ms"]))
        missed |= r["ratio"] > 1.15 or r["stored_median_ms"] > 20
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())

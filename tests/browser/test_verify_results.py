"""The Verify page's results in a real browser: every result (trial certificates, a file cut
back to an earlier revision, a draft, a file from elsewhere, and the genuine, complete, current
and trusted file on its green panel) passes axe's WCAG 2.2 A/AA checks at 1280 and 390 px, and
the result heading has focus after the upload.

Set CG_SCREENSHOTS to a folder to keep a screenshot of each result at both widths."""
import os
import re
import threading
from pathlib import Path

from sqlalchemy import select

from tests.export.test_verify_findings import _agree_sign_and_publish, _bundle, _ca, _issued_by
from workspace import files
from workspace.documents.models import Document
from workspace.export import service
from workspace.export.models import PdfExport, PdfFile
from workspace.extensions import db
from workspace.jobs import runner

from .support import expect
from .test_accessibility import assert_accessible, published_demo  # noqa: F401 (fixture)

WIDTHS = (1280, 390)


def _in_thread(work):
    """Run `work` outside Playwright's event loop (signing runs asyncio)."""
    failures = []

    def target():
        try:
            work()
        except Exception as exc:        # reported below
            failures.append(exc)

    worker = threading.Thread(target=target)
    worker.start()
    worker.join(timeout=180)
    assert not worker.is_alive(), "preparing the PDFs took over 3 minutes"
    assert not failures, failures


def _version_file(app, number=1):
    with app.app_context():
        db.session.rollback()
        return files.get(db.session.scalar(
            select(PdfFile.file_sha256).join(PdfExport, PdfExport.id == PdfFile.export_id)
            .join(Document, Document.id == PdfExport.document_id)
            .where(PdfExport.variant == "ua", PdfExport.version_id.is_not(None),
                   PdfExport.retired_at.is_(None))
            .order_by(PdfExport.id.desc(), PdfFile.signature_count.desc()).limit(1)))


def _draft_file(app):
    def render():
        with app.test_request_context():
            service.get_pdf(db.session.get(Document, 1), None, "ua")
            db.session.commit()
            runner.run_pending(ignore_schedule=True)
    _in_thread(render)
    with app.app_context():
        db.session.rollback()
        return files.get(db.session.scalar(
            select(PdfFile.file_sha256).join(PdfExport, PdfExport.id == PdfFile.export_id)
            .where(PdfExport.version_id.is_(None)).limit(1)))


def _check(open_page, path, heading, name):
    for width in WIDTHS:
        page = open_page().page
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/verify")
        page.get_by_label("PDF file").set_input_files(str(path))
        page.get_by_role("button", name="Check the PDF").click()
        result = page.get_by_role("heading", level=2, name=heading)
        expect(result).to_be_visible()
        expect(result).to_be_focused()
        assert_accessible(page, f"verify: {name} at {width} px")
        folder = os.environ.get("CG_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"verify-{name}-{width}.png"),
                            full_page=True)


def test_each_verify_result_is_accessible(app, published_demo, open_page,  # noqa: F811
                                          tmp_path):
    signed = _version_file(app)
    ends = [m.end() for m in re.finditer(rb"%%EOF\r?\n?", signed)]
    files = {"trial": signed, "incomplete": signed[:ends[5]], "draft": _draft_file(app)}
    from pypdf import PdfWriter
    elsewhere = tmp_path / "elsewhere.pdf"
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.write(str(elsewhere))
    for name, data in files.items():
        (tmp_path / f"{name}.pdf").write_bytes(data)
    _check(open_page, tmp_path / "trial.pdf",
           "Trial certificates – not trusted for publication", "trial")
    _check(open_page, tmp_path / "incomplete.pdf",
           re.compile(r"^Incomplete: carries 5 of the 6 signatures"), "incomplete")
    _check(open_page, tmp_path / "draft.pdf", "Draft – not agreed, carries no signatures",
           "draft")
    _check(open_page, elsewhere, "Not a file made by this workspace", "elsewhere")


def test_the_genuine_trusted_result_is_accessible(app, demo, open_page, run_jobs, tmp_path,
                                                  monkeypatch):
    ca = _ca("Test Signing Root CA")
    _in_thread(lambda: _agree_sign_and_publish(
        app, run_jobs, keyed={code: (lambda o: _issued_by(ca, o)) for code in
                              ("dacorum", "hertsmere", "stalbans", "threerivers", "watford",
                               "herts")}))
    monkeypatch.setitem(app.config, "SIGNING_TRUST_ROOTS", _bundle(tmp_path, "roots.pem", ca[1]))
    path = tmp_path / "genuine.pdf"
    path.write_bytes(_version_file(app))
    _check(open_page, path, "Genuine, complete and current", "genuine")

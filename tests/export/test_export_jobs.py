"""PDFs are rendered and signed by background jobs, off the request: the page that says a file
is being prepared, serving it once ready, idempotent jobs, signatures in order one version at a
time, retries and failures with their reason, and saves that go through while a PDF is signed."""
import json
import re
import threading

from sqlalchemy import func, select

from tests.support import agree
from workspace.accounts.models import Organisation, User
from workspace.documents.models import Document, Section
from workspace.export import jobs as export_jobs
from workspace.export import keys, service, signing
from workspace.export.models import PdfExport, PdfFile
from workspace.extensions import db
from workspace.jobs import runner
from workspace.jobs.models import Job
from workspace.review import lifecycle, positions
from workspace.review.models import DocumentVersion

SCG = "/p/sw-herts/d/1"


def _agree(app, signing_codes=(), keyed=("dacorum", "stalbans", "watford")):
    """Agree version 1 of the SCG; the authorities in `keyed` get trial certificates and the
    Members of `signing_codes` sign, in that order. Returns the version's id."""
    with app.test_request_context():
        document = db.session.get(Document, 1)
        members = {u.organisation.code: u for u in
                   db.session.scalars(select(User).where(User.role == "member"))}
        for cell in positions.agreement_grid(document).outstanding:
            member = next(u for u in members.values()
                          if u.organisation_id == cell.signatory.organisation_id)
            positions.record_position(cell.section, member, "agreed")
        for organisation in db.session.scalars(select(Organisation)):
            if organisation.code in keyed:
                keys.make_self_signed(organisation)
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        agree(document, admin, with_exceptions=True)
        for code in signing_codes:
            member = members[code]
            lifecycle.sign(document, member, "common-ground", member.name, member.job_title)
        version_id = lifecycle.current_version(document).id
        db.session.commit()
        return version_id


def _sign(app, code):
    with app.test_request_context():
        document = db.session.get(Document, 1)
        member = db.session.scalar(select(User).where(User.email == f"member@{code}.example"))
        lifecycle.sign(document, member, "common-ground", member.name, member.job_title)
        db.session.commit()


def _files(app, variant="ua"):
    """[(signature count, organisation code)] of the version's export, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            select(PdfFile.signature_count, Organisation.code)
            .join(PdfExport, PdfExport.id == PdfFile.export_id)
            .outerjoin(Organisation, Organisation.id == PdfFile.signed_for_id)
            .where(PdfExport.variant == variant, PdfExport.version_id.is_not(None))
            .order_by(PdfFile.signature_count)).all()
        return [tuple(r) for r in rows]


def _jobs(app):
    with app.app_context():
        return [(j.kind, j.key, j.status) for j in
                db.session.scalars(select(Job).order_by(Job.id))]


def test_a_pdf_not_ready_answers_at_once_with_a_page_that_refreshes_itself(app, member):
    response = member.get(f"{SCG}/pdf")
    assert response.status_code == 202
    assert response.mimetype == "text/html"
    # It reloads its own address, marked as its own reload (not the person's: see
    # tests/pages/test_background_session.py).
    assert response.headers["Refresh"] == f"3; url={SCG}/pdf?reloaded=1"
    assert response.headers["Cache-Control"] == "no-store"
    page = response.text
    assert re.search(r"<h1[^>]*>Your PDF is being prepared</h1>", page)
    assert re.search(r'role="status"[^>]*>The PDF of the draft of version 1 of Statement of '
                     r"Common Ground[^<]*\(accessible\) is being prepared", page)
    assert f'href="{SCG}/pdf"' in page and "Try the download now" in page
    assert f'href="{SCG}/"' in page and "Back to Statement of Common Ground" in page
    # The job waits in the database with a label the partnership admin can read.
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert job.kind == "export.render_pdf" and job.status == "pending"
        assert job.key.startswith("pdf:1:") and job.key.endswith(":ua")
        assert job.partnership_id == db.session.get(Document, 1).partnership_id
        assert "(accessible)" in job.label
    # Asking again while it waits asks for nothing more.
    assert member.get(f"{SCG}/pdf").status_code == 202
    archive = member.get(f"{SCG}/pdf?variant=archive")
    assert archive.status_code == 202 and f'href="{SCG}/pdf?variant=archive"' in archive.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 2


def test_the_file_is_served_once_its_job_has_run(app, member, run_jobs):
    assert member.get(f"{SCG}/pdf").status_code == 202
    assert run_jobs() == 1
    response = member.get(f"{SCG}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert _jobs(app)[0][2] == "done"


def test_running_a_render_job_twice_adds_nothing(app, member, run_jobs):
    member.get(f"{SCG}/pdf")
    with app.app_context():
        payload = db.session.scalar(select(Job.payload))
    run_jobs()
    with app.app_context():
        export_jobs.render_pdf(**json.loads(payload))      # as a worker that died before
        db.session.commit()                                # marking it done would, again
        assert db.session.scalar(select(func.count(PdfExport.id))) == 1
        assert db.session.scalar(select(func.count(PdfFile.id))) == 1


def test_signatures_go_in_one_after_another_in_the_order_given(app, member, run_jobs):
    version_id = _agree(app, signing_codes=("stalbans", "watford"))
    # Signing asks one job per version, which makes both variants with every signature.
    jobs = _jobs(app)
    assert [(k, s) for k, _key, s in jobs] == [("export.sign_pdf", "pending")]
    assert jobs[0][1] == f"pdf-sign:version:{version_id}"
    assert member.get(f"{SCG}/versions/1/pdf").status_code == 202
    run_jobs()
    # One rendering naming both, and its file with St Albans' and Watford's digital
    # signatures in the order given.
    assert _files(app) == [(0, None), (2, "watford")]
    assert _files(app, "archive") == [(0, None), (2, "watford")]

    # A later signature: the version download is "being prepared" until the file has it.
    _sign(app, "dacorum")
    assert member.get(f"{SCG}/versions/1/pdf").status_code == 202
    _sign(app, "hertsmere")                       # no certificate: named, not signed
    with app.app_context():
        waiting = db.session.scalars(select(Job).where(Job.status == "pending")).all()
        assert [j.key for j in waiting] == [f"pdf-sign:version:{version_id}"]
    run_jobs()
    assert _files(app) == [(0, None), (0, None), (2, "watford"), (3, "dacorum")]
    response = member.get(f"{SCG}/versions/1/pdf")
    assert response.status_code == 200

    # Running the signing job again adds nothing.
    with app.app_context():
        export_jobs.sign_pdf(version_id=version_id)
        db.session.commit()
    assert len(_files(app)) == 4 and len(_files(app, "archive")) == 4


def test_two_signing_jobs_of_one_version_never_run_at_once(app, ctx, member):
    version_id = _agree(app, signing_codes=("watford",))
    first = db.session.scalar(select(Job).where(Job.kind == "export.sign_pdf"))
    first.status, first.lease_until = "running", service.utcnow() + runner._lease()
    db.session.commit()
    with app.test_request_context():
        second = service.ask_signing(db.session.get(Document, 1),
                                     db.session.get(DocumentVersion, version_id))
        db.session.commit()
        second_id = second.id
    assert second_id != first.id
    assert runner.run(second_id) is None          # its key is busy: not claimed


def test_a_failed_render_is_retried_then_shown_with_its_reason(app, member, run_jobs,
                                                               monkeypatch):
    calls = []

    def broken(html, variant="ua"):
        calls.append(variant)
        raise RuntimeError("the renderer ran out of memory")
    monkeypatch.setattr(service, "render_pdf", broken)
    assert member.get(f"{SCG}/pdf").status_code == 202
    run_jobs()
    assert len(calls) == 4                         # 1 + retries=3
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert job.status == "failed" and job.attempts == 4
        assert job.last_error == "RuntimeError: the renderer ran out of memory"
    page = member.get(f"{SCG}/pdf")
    assert page.status_code == 503 and "Refresh" not in page.headers
    assert re.search(r"<h1[^>]*>The PDF could not be prepared</h1>", page.text)
    assert "Reason: RuntimeError: the renderer ran out of memory" in page.text
    assert 'role="alert"' in page.text and "Back to Statement of Common Ground" in page.text
    with app.app_context():                        # nothing asked again behind the admin
        assert db.session.scalar(select(func.count(Job.id))) == 1
        runner.retry(db.session.scalar(select(Job)))   # the partnership admin tries again
        db.session.commit()
    monkeypatch.undo()
    run_jobs()
    assert member.get(f"{SCG}/pdf").status_code == 200


def test_a_signing_job_that_stops_part_way_writes_nothing_and_is_done_again(
        app, member, run_jobs, monkeypatch):
    _agree(app, signing_codes=("stalbans", "watford", "dacorum"), )
    real = signing.sign_pdf
    calls = []

    def dies_once(data, key_row, organisation, *args, **kwargs):
        calls.append(organisation.code)
        if len(calls) == 2:
            raise RuntimeError("worker stopped")
        return real(data, key_row, organisation, *args, **kwargs)
    monkeypatch.setattr(signing, "sign_pdf", dies_once)
    run_jobs()
    assert _files(app) == [(0, None), (3, "dacorum")]
    assert _files(app, "archive") == [(0, None), (3, "dacorum")]


def test_a_save_during_a_signature_succeeds(app, member, run_jobs, monkeypatch, login,
                                            factory):
    """While the signing job is between reading and writing (pyHanko at work), another
    session saves a section: no transaction of the job holds the database's write lock."""
    _agree(app, signing_codes=("watford",))
    run_jobs()                                    # rendered and signed by Watford
    _sign(app, "dacorum")
    with app.app_context():
        officer = db.session.scalar(select(User.id).where(
            User.email == "officer@watford.example"))
        plan = db.session.scalar(select(Document).where(Document.id != 1, Document.status ==
                                                        "draft").order_by(Document.id))
        section = db.session.scalar(select(Section).where(Section.document_id == plan.id)
                                    .order_by(Section.id))
        save_url = f"/p/sw-herts/d/{plan.id}/s/{section.id}"
        base, body = section.version, section.body
    editor = login(app.test_client(), officer)
    real = signing.sign_pdf
    saves = []

    def sign_while_someone_saves(*args, **kwargs):
        assert not db.session().in_transaction()  # the job holds no transaction

        def save():                   # a thread of its own: its own app context and session
            response = editor.post(save_url, headers={"HX-Request": "true"}, data={
                "body": body + f"\nSaved while the PDF was being signed ({len(saves)}).\n",
                "base_version": str(base + len(saves)), "summary": "during signing"})
            saves.append(response.status_code)
        other = threading.Thread(target=save)
        other.start()
        other.join()                  # the job waits until the save has answered
        return real(*args, **kwargs)
    monkeypatch.setattr(signing, "sign_pdf", sign_while_someone_saves)
    run_jobs()
    assert saves and set(saves) == {200}
    assert _files(app)[-1] == (2, "dacorum")
    with app.app_context():
        assert db.session.get(Section, section.id).version == base + len(saves)

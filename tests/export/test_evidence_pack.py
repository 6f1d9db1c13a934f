"""The evidence pack: made by a background job from the record of cooperation and the
positions over a document's versions; its CSV and JSON parse and match the records, its PDF
is tagged; who may ask for it, read it, and what a download says before it is ready."""
import hashlib
import io
import json
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, func, select

from workspace import clock
from workspace.documents.models import Section
from workspace.export import evidence_jobs
from workspace.export.models import EvidencePack
from workspace.extensions import db
from workspace.jobs.models import Job
from workspace.partnerships.models import Partnership

from .evidence_record import (
    DACORUM,
    HOUSING_V2,
    RESERVATION,
    WATFORD,
    build_record,
)
from .evidence_record import tables as _tables


@pytest.fixture
def record(app, world, factory):
    """See evidence_record.build_record."""
    return build_record(app, world, factory)


@pytest.fixture
def admin(app, login, record):
    return login(app.test_client(), record["users"]["admin"])


def _ask(client, url):
    response = client.post(url)
    assert response.status_code == 303, response.data
    return response


def _pack(app):
    with app.app_context():
        return db.session.scalar(select(EvidencePack).order_by(EvidencePack.id.desc()))


def test_document_pack_matches_the_record_matter_by_matter(app, admin, record, run_jobs):
    base = record["base"]
    _ask(admin, f"{base}/evidence")
    pack = _pack(app)
    assert pack.document_id == record["document"] and not pack.is_ready

    page = admin.get(f"{base}/evidence")
    assert page.status_code == 200
    assert page.headers["Refresh"] == f"3; url={base}/evidence?reloaded=1"
    assert "Being prepared" in page.text and "Test Admin (Watford Borough Council)" in page.text
    assert "Make a fresh evidence pack" not in page.text      # not while this one is made
    early = admin.get(f"{base}/evidence/{pack.id}/pdf")
    assert early.status_code == 202
    assert early.headers["Refresh"] == f"3; url={base}/evidence/{pack.id}/pdf?reloaded=1"
    assert "Your evidence pack is being prepared" in early.text

    assert run_jobs() == 1
    page = admin.get(f"{base}/evidence")
    assert "Refresh" not in page.headers and "Ready: made" in page.text
    assert "Make a fresh evidence pack" in page.text
    today = clock.today().isoformat()
    pdf = admin.get(f"{base}/evidence/{pack.id}/pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"] == \
        f'attachment; filename="own-Statement-of-Common-Ground-evidence-pack-{today}.pdf"'
    got = admin.get(f"{base}/evidence/{pack.id}/zip")
    assert got.status_code == 200 and got.headers["Content-Type"] == "application/zip"
    assert got.headers["Content-Disposition"].startswith("attachment; filename=")
    for file in (pdf, got):                       # the page gives each file's size
        assert f"({-(-len(file.data) // 1024)} KB)" in page.text

    archive, t = _tables(got.data)
    text = archive.read("evidence.json")
    pack = _pack(app)
    assert hashlib.sha256(text).hexdigest() == pack.data_sha256
    data = json.loads(text)

    # Matters: those the document's sections link to, not Transport.
    assert [(r["matter_reference"], r["matter_title"]) for r in t["matters.csv"]] == \
        [("SM1", "Housing need"), ("SM2", "Green Belt")]
    sm1 = t["matters.csv"][0]
    assert (sm1["meeting_count"], sm1["stated_position_count"], sm1["recorded_position_count"],
            sm1["action_count"], sm1["retired"]) == ("2", "3", "4", "1", "false")

    # Meetings, attendees (authority code and name), stated positions, ISO dates.
    assert [(r["held_on"], r["title"], r["kind"], r["body_short_name"], r["matter_references"])
            for r in t["meetings.csv"]] == [
        ("2018-01-23", "JSP workshop", "workshop", "", "SM1; SM2"),
        ("2018-03-15", "SPOG 1", "steering_group", "SPOG", "SM1")]
    assert t["meetings.csv"][1]["body_name"] == "Strategic Planning Officer Group"
    assert [(r["held_on"], r["organisation_code"], r["organisation_name"], r["role"])
            for r in t["attendees.csv"]] == [
        ("2018-01-23", *WATFORD, "Head of Planning"), ("2018-01-23", *DACORUM,
                                                       "Planning Manager"),
        ("2018-03-15", *WATFORD, "Head of Planning")]
    assert [(r["held_on"], r["matter_reference"], r["organisation_code"],
             r["organisation_name"], r["stance"], r["statement"])
            for r in t["stated_positions.csv"]] == [
        ("2018-01-23", "SM1", *DACORUM, "", "DBC agreed."),
        ("2018-01-23", "SM1", *WATFORD, "agreed", "WBC accepted the logic of a JSP."),
        ("2018-03-15", "SM1", *WATFORD, "not_agreed", "Not before the numbers are known."),
        ("2018-01-23", "SM2", *DACORUM, "reservations", "DBC wants the review first.")]

    # Recorded positions over the versions: which version each counted at.
    positions = [(r["matter_reference"], r["organisation_code"], r["organisation_name"],
                  r["stance"], r["current_at_versions"], r["current_now"])
                 for r in t["recorded_positions.csv"]]
    assert positions == [
        ("SM1", *WATFORD, "agreed", "1", "false"),
        ("SM1", *DACORUM, "reservations", "1", "false"),
        ("SM1", *WATFORD, "agreed", "2", "true"),
        ("SM1", *DACORUM, "agreed", "2", "true"),
        ("SM2", *WATFORD, "agreed", "1; 2", "true"),
        ("SM2", *DACORUM, "agreed", "1; 2", "true")]
    first = t["recorded_positions.csv"][0]
    assert (first["route"], first["route_label"], first["route_body"], first["meeting_date"],
            first["minute_ref"], first["given_by"], first["section_title"]) == \
        ("cabinet", "Cabinet", "Cabinet", "2026-06-16", "CA/12/26", "Cllr Watford",
         "Housing need")
    assert t["recorded_positions.csv"][1]["reason"] == RESERVATION
    assert t["recorded_positions.csv"][1]["route_label"] == "Committee"
    assert t["recorded_positions.csv"][2]["revision_number"] == "2"
    assert t["recorded_positions.csv"][2]["text_sha256"] == \
        hashlib.sha256(HOUSING_V2.encode()).hexdigest()
    assert first["created_at"].endswith("Z") and "T" in first["created_at"]

    # Actions: on the matters, and the one about the document alone; not Transport's.
    actions = {r["what"]: r for r in t["actions.csv"]}
    assert sorted(actions) == ["Agree the review method", "Proof-read the SCG",
                               "Set up a meeting with Government"]
    done = actions["Set up a meeting with Government"]
    assert (done["matter_references"], done["lead_code"], done["lead_name"],
            done["supporter_codes"], done["supporter_names"], done["due_on"], done["status"],
            done["outcome"], done["meeting_held_on"], done["number"], done["overdue"]) == \
        ("SM1", *WATFORD, "dacorum", DACORUM[1], "2018-03-31", "done",
         "Met the ministry on 12 March.", "2018-01-23", "1", "false")
    assert actions["Agree the review method"]["overdue"] == "true"
    assert actions["Proof-read the SCG"]["matter_references"] == ""

    # Versions and signatures.
    assert [(r["version_number"], r["published"], r["document_title"])
            for r in t["versions.csv"]] == [("1", "true", "Statement of Common Ground"),
                                            ("2", "false", "Statement of Common Ground")]
    assert all(len(r["content_sha256"]) == 64 for r in t["versions.csv"])
    assert [(r["version_number"], r["organisation_code"], r["organisation_name"],
             r["signed_name"]) for r in t["signatures.csv"]] == [
        ("1", *DACORUM, "Cllr Dacorum"), ("1", *WATFORD, "Cllr Watford"),
        ("2", *WATFORD, "Cllr Watford")]
    assert t["signatures.csv"][0]["signed_position"] == "Portfolio Holder for Planning"
    assert date.fromisoformat(t["versions.csv"][0]["frozen_at"][:10])

    # evidence.json: the same, nested per matter.
    assert data["document"]["title"] == "Statement of Common Ground"
    assert data["partnership"]["slug"] == "own"
    housing, belt = data["matters"]
    assert [m["title"] for m in housing["meetings"]] == ["JSP workshop", "SPOG 1"]
    assert housing["meetings"][0]["attendees"][0]["authority"] == \
        {"code": "watford", "name": WATFORD[1]}
    assert [(s["authority"]["code"], s["stance"]) for s in
            housing["meetings"][1]["stated_positions"]] == [("watford", "not_agreed")]
    assert [p["current_at_versions"] for p in housing["recorded_positions"]] == \
        [[1], [1], [2], [2]]
    assert [a["what"] for a in belt["actions"]] == ["Agree the review method"]
    assert [a["what"] for a in data["other_actions"]] == ["Proof-read the SCG"]
    assert [(v["number"], [s["authority"]["code"] for s in v["signatures"]])
            for v in data["versions"]] == [(1, ["dacorum", "watford"]), (2, ["watford"])]

    # The PDF: tagged, in English, titled, stating the data's fingerprint, matter by matter.
    reader = PdfReader(io.BytesIO(pdf.data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("Evidence pack: Statement of Common Ground")
    words = " ".join(page.extract_text() for page in reader.pages)
    flat = words.replace("\n", "").replace(" ", "")
    assert pack.data_sha256 in flat
    for expected in ("SM1 Housing need", "SM2 Green Belt", "JSP workshop",
                     "WBC accepted the logic of a JSP.", "CA/12/26", "Versions and signatures",
                     "Set up a meeting with Government", "Cllr Dacorum"):
        assert expected.replace(" ", "") in flat, expected
    assert "Transport" not in words


def test_partnership_pack_covers_every_matter_and_the_other_meetings(app, admin, record,
                                                                     run_jobs):
    _ask(admin, "/p/own/evidence")
    pack = _pack(app)
    assert pack.document_id is None
    run_jobs()
    got = admin.get(f"/p/own/evidence/{pack.id}/zip")
    assert got.status_code == 200
    assert f"own-evidence-pack-{clock.today().isoformat()}.zip" in \
        got.headers["Content-Disposition"]
    _archive, t = _tables(got.data)
    assert [r["matter_reference"] for r in t["matters.csv"]] == ["SM1", "SM2", "SM3"]
    assert [r["title"] for r in t["meetings.csv"]] == ["JSP workshop", "SPOG 1",
                                                       "Transport talk"]
    assert sorted(r["what"] for r in t["actions.csv"]) == [
        "Agree the review method", "Model the junctions", "Proof-read the SCG",
        "Set up a meeting with Government"]
    assert len(t["versions.csv"]) == 2
    pdf = admin.get(f"/p/own/evidence/{pack.id}/pdf")
    assert pdf.status_code == 200
    assert "/StructTreeRoot" in PdfReader(io.BytesIO(pdf.data)).trailer["/Root"]


def test_asking_again_while_one_is_prepared_makes_no_second(app, admin, record):
    _ask(admin, f"{record['base']}/evidence")
    again = admin.post(f"{record['base']}/evidence", follow_redirects=True)
    assert "still being prepared" in again.text
    with app.app_context():
        assert db.session.scalar(select(func.count(EvidencePack.id))) == 1
        assert db.session.scalar(select(func.count(Job.id)).where(
            Job.kind == evidence_jobs.EVIDENCE)) == 1


def test_running_the_job_again_changes_nothing(app, admin, record, run_jobs, monkeypatch):
    _ask(admin, f"{record['base']}/evidence")
    run_jobs()
    before = _pack(app)

    def no_render(*args, **kwargs):
        raise AssertionError("made twice")
    monkeypatch.setattr("workspace.export.evidence_files.make_pdf", no_render)
    with app.app_context():
        evidence_jobs.make_evidence_pack(before.id)
        db.session.commit()
    after = _pack(app)
    assert (after.ready_at, after.data_sha256) == (before.ready_at, before.data_sha256)


def test_a_failed_pack_says_why(app, admin, record, run_jobs, monkeypatch):
    from workspace.jobs import JobFailed

    def broken(html):
        raise JobFailed("The PDF renderer is missing a font.")
    monkeypatch.setattr("workspace.export.evidence_files.make_pdf", broken)
    _ask(admin, f"{record['base']}/evidence")
    run_jobs()
    pack = _pack(app)
    answer = admin.get(f"{record['base']}/evidence/{pack.id}/pdf")
    assert answer.status_code == 503 and "Refresh" not in answer.headers
    assert "The PDF renderer is missing a font." in answer.text
    assert "Failed" in admin.get(f"{record['base']}/evidence").text
    _ask(admin, f"{record['base']}/evidence")          # a fresh one may be asked for
    with app.app_context():
        assert db.session.scalar(select(func.count(EvidencePack.id))) == 2


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_only_officers_and_partnership_admins_ask_for_a_pack(app, login, record, role):
    client = login(app.test_client(), record["users"][role])
    for url in (f"{record['base']}/evidence", "/p/own/evidence"):
        refused = client.post(url)
        assert refused.status_code == 403
        assert "Only officers and partnership admins can ask for an evidence pack" in \
            refused.text
        page = client.get(url)
        assert page.status_code == 200 and "Make an evidence pack" not in page.text
    with app.app_context():
        assert db.session.scalar(select(func.count(EvidencePack.id))) == 0


def test_an_officer_asks_and_everyone_in_the_partnership_reads(app, login, record, run_jobs):
    officer = login(app.test_client(), record["users"]["officer"])
    _ask(officer, f"{record['base']}/evidence")
    run_jobs()
    pack = _pack(app)
    viewer = login(app.test_client(), record["users"]["viewer"])
    assert "Download the evidence pack as PDF" in viewer.get(f"{record['base']}/evidence").text
    assert viewer.get(f"{record['base']}/evidence/{pack.id}/zip").status_code == 200


def test_another_partnership_sees_nothing(app, login, record, run_jobs):
    admin = login(app.test_client(), record["users"]["admin"])
    _ask(admin, f"{record['base']}/evidence")
    pack = _pack(app)
    outsider = login(app.test_client(), record["users"]["foreign_admin"])
    for url in (f"{record['base']}/evidence", "/p/own/evidence",
                f"{record['base']}/evidence/{pack.id}/pdf"):
        assert outsider.get(url).status_code == 404
        assert outsider.post(url).status_code in (404, 405)
    assert outsider.post(f"{record['base']}/evidence").status_code == 404
    # A document's pack is not served under another document or as the partnership's.
    assert admin.get(f"/p/own/d/{record['other']}/evidence/{pack.id}/pdf").status_code == 404
    assert admin.get(f"/p/own/evidence/{pack.id}/zip").status_code == 404


def test_section_counts_as_linked_once_removed(app, admin, record):
    """A removed section's positions stay in the pack: they were recorded evidence."""
    with app.test_request_context():
        from workspace.export import evidence
        section = db.session.get(Section, record["sections"]["belt"])
        partnership = db.session.get(Partnership, section.document.partnership_id)
        section.removed_at = clock.utcnow()
        data = evidence.build(partnership, section.document)
        belt = data["matters"][1]
        assert belt["sections"][0]["removed"] is True
        assert len(belt["recorded_positions"]) == 2
        assert not any(p["current_now"] for p in belt["recorded_positions"])
        db.session.rollback()


def test_a_pack_whose_work_is_gone_is_not_waited_for(app, admin, record):
    """A pack not made whose job no longer waits or runs is shown failed, and a fresh one may
    be asked for (it would otherwise say "being prepared" for ever)."""
    _ask(admin, f"{record['base']}/evidence")
    with app.app_context():
        db.session.execute(delete(Job))
        db.session.commit()
    page = admin.get(f"{record['base']}/evidence")
    assert "Refresh" not in page.headers
    assert "The background work stopped without making the pack." in page.text
    _ask(admin, f"{record['base']}/evidence")
    with app.app_context():
        assert db.session.scalar(select(func.count(EvidencePack.id))) == 2

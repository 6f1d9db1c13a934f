"""The `{{cooperation}}` live block: the cooperation activity table drawn from the records,
live in the draft and its PDF, frozen into a version (covered by its fingerprint), and in
the Word export from the values the version keeps."""
import hashlib
import io
import json
import re
from datetime import date, datetime

import pytest
from docx import Document as WordDocument
from pypdf import PdfReader

from tests.support import agree
from workspace.accounts.models import User
from workspace.cooperation import blocks
from workspace.cooperation.models import (
    Action,
    ActionMatter,
    ActionSupporter,
    Meeting,
    MeetingAttendee,
    MeetingMatter,
)
from workspace.documents import service as documents
from workspace.documents.markdown import render_markdown
from workspace.documents.models import Document, Section
from workspace.engagement.models import Stakeholder
from workspace.export import docx as word_export
from workspace.export import docx_blocks
from workspace.extensions import db
from workspace.partnerships.models import Body, Partnership, StrategicMatter
from workspace.review import lifecycle
from workspace.review.models import Signatory
from workspace.review.positions import record_position

from ..support import download

HEADER = ["Date", "Activity", "Authorities involved", "Strategic matters", "Outcome"]


def _meeting(world, partnership_id, held_on, title, orgs, matters, outcome="", **values):
    meeting = Meeting(partnership_id=partnership_id, held_on=held_on, title=title,
                      kind=values.pop("kind", "workshop"), outcome=outcome,
                      recorded_by_id=world["users"]["officer"], **values)
    meeting.attendees = [MeetingAttendee(organisation_id=world["orgs"][o], role="Planning lead")
                         for o in orgs]
    meeting.matters = [MeetingMatter(matter_id=m) for m in matters]
    db.session.add(meeting)
    db.session.flush()
    return meeting


@pytest.fixture
def records(app, world):
    """Matters SM1 (housing) and SM2 (Green Belt); a workshop on both (2018), a SPOG
    meeting on SM2 (2019) listed first in the database; a standalone action on SM1, done."""
    with app.app_context():
        pid = world["partnerships"]["own"]
        sm1 = StrategicMatter(partnership_id=pid, reference="SM1", title="Housing need")
        sm2 = StrategicMatter(partnership_id=pid, reference="SM2", title="Green Belt")
        spog = Body(partnership_id=pid, name="Strategic Planning Officers Group",
                    short_name="SPOG", kind="officer_group")
        db.session.add_all([sm1, sm2, spog])
        db.session.flush()
        later = _meeting(world, pid, date(2019, 3, 4), "Green Belt review", ["watford"],
                         [sm2.id], "Joint review commissioned", kind="officer_group",
                         body_id=spog.id)
        workshop = _meeting(world, pid, date(2018, 1, 23), "Joint strategic plan workshop",
                            ["watford", "dacorum", "watford"], [sm2.id, sm1.id],
                            "Agreed to prepare a JSP")
        action = Action(partnership_id=pid, what="Draft a memorandum of understanding",
                        lead_organisation_id=world["orgs"]["dacorum"], status="done",
                        outcome="MoU signed", closed_at=datetime(2018, 6, 30, 23, 30),
                        created_by_id=world["users"]["officer"])
        action.supporters = [ActionSupporter(organisation_id=world["orgs"]["watford"])]
        action.matters = [ActionMatter(matter_id=sm1.id)]
        # Not activity: an open action, and one agreed at a meeting (the meeting is the row).
        db.session.add_all([action, Action(
            partnership_id=pid, what="Still open", status="open",
            lead_organisation_id=world["orgs"]["watford"],
            created_by_id=world["users"]["officer"]), Action(
            partnership_id=pid, what="From the workshop", status="done", meeting_id=workshop.id,
            closed_at=datetime(2018, 2, 1), lead_organisation_id=world["orgs"]["watford"],
            created_by_id=world["users"]["officer"])])
        db.session.commit()
        return {"sm1": sm1.id, "sm2": sm2.id, "workshop": workshop.id, "later": later.id}


def _scg(app, world, body):
    """An SCG out for agreement whose one strategic-matter section holds `body`, with
    Watford as its signatory."""
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        admin = db.session.get(User, world["users"]["admin"])
        document = documents.create_document(partnership, "SCG", "scg", admin)
        section = documents.append_section(document, "Annex 1", body, user=admin)
        section.strategic_matter = True
        db.session.add(Signatory(document_id=document.id,
                                 organisation_id=world["orgs"]["watford"], all_matters=True))
        lifecycle.send_out(document, admin, reason="A test of the annex alone.")
        db.session.commit()
        return {"id": document.id, "section": section.id, "base": f"/p/own/d/{document.id}"}


@pytest.fixture
def scg(app, world, records):
    return _scg(app, world, "How we cooperated.\n\n{{cooperation}}\n\nOn housing:\n\n"
                            "{{cooperation sm1}}\n")


def _freeze(app, world, scg):
    with app.test_request_context():
        record_position(db.session.get(Section, scg["section"]),
                        db.session.get(User, world["users"]["member"]), "agreed",
                        route="delegation")
        agree(db.session.get(Document, scg["id"]),
                        db.session.get(User, world["users"]["admin"]))
        db.session.commit()


def _version(app, scg):
    with app.app_context():
        row = lifecycle.version(db.session.get(Document, scg["id"]), 1)
        return lifecycle.version_content(row), row.content, row.content_sha256


def _change_the_record(app, world, records):
    """The workshop's outcome corrected, and a meeting recorded since."""
    with app.app_context():
        db.session.get(Meeting, records["workshop"]).outcome = "Outcome corrected later"
        _meeting(world, world["partnerships"]["own"], date(2020, 5, 6), "Member group meeting",
                 ["dacorum"], [records["sm1"]], "SPOG formed", kind="member_group")
        db.session.commit()


def _rows(html):
    """The table rows' cells as text, per table."""
    tables = re.findall(r"<tbody.*?</tbody>", html, re.S)
    return [[[re.sub(r"<[^>]+>", " ", c).split() for c in
              re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
             for row in re.findall(r"<tr.*?</tr>", table, re.S)] for table in tables]


def _pdf_text(data):
    """The PDF's text, its lines joined (table cells wrap)."""
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
                    .split())


def _word_tables(data):
    word = WordDocument(io.BytesIO(data))
    return [[[c.text for c in r.cells] for r in t.rows] for t in word.tables]


def test_the_table_lists_each_activity_oldest_first_from_the_records(app, world, records):
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        html = str(blocks.expand("<p>{{cooperation}}</p>", partnership))
    rows = _rows(html)[0]
    assert [" ".join(r[0]) for r in rows] == ["23 January 2018", "1 July 2018", "4 March 2019"]
    workshop, action, spog = ([" ".join(words) for words in row] for row in rows)
    assert workshop == ["23 January 2018", "Joint strategic plan workshop Workshop",
                        "Dacorum Borough Council, Watford Borough Council",
                        "SM1 Housing need SM2 Green Belt", "Agreed to prepare a JSP"]
    # A standalone action closed (at 23:30 UTC, 1 July in the UK): its lead and supporters.
    assert action == ["1 July 2018", "Draft a memorandum of understanding Agreed action",
                      "Dacorum Borough Council (lead), Watford Borough Council",
                      "SM1 Housing need", "Done: MoU signed"]
    assert spog[1] == "Green Belt review Strategic Planning Officers Group (SPOG)"
    assert "Still open" not in html and "From the workshop" not in html
    assert "Cooperation activity (3 activities, oldest first)" in html


def test_a_closed_action_is_dated_the_day_it_was_closed_in_the_uk(app, world, records):
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        rows = blocks.context(partnership)["rows"]
    assert [r["date"] for r in rows] == ["2018-01-23", "2018-07-01", "2019-03-04"]


def test_the_table_is_accessible_and_prints_without_a_scroll_region(app, world, records):
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        page = str(blocks.expand("<p>{{cooperation}}</p>", partnership))
        printed = str(blocks.expand("<p>{{cooperation}}</p>", partnership, printing=True))
    assert "<caption" in page and page.count('<th scope="col"') == 5
    assert page.count('<th scope="row"') == 3 and '<time datetime="2018-01-23">' in page
    assert 'role="region"' in page and 'tabindex="0"' in page
    assert '<a class="govuk-link" href="/p/own/meetings">Open the record of meetings</a>' in page
    assert 'role="region"' not in printed and "tabindex" not in printed
    assert not re.search(r"<a\b|<button|<form|hx-", printed)


def test_the_table_can_be_limited_to_matters(app, world, records):
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        one = str(blocks.expand("<p>{{cooperation sm1}}</p>", partnership))
        two = str(blocks.expand("<p>{{ cooperation SM2, SM1 }}</p>", partnership))
        unknown = str(blocks.expand("<p>{{cooperation SM9}}</p>", partnership))
    assert [" ".join(r[1]) for r in _rows(one)[0]] == [
        "Joint strategic plan workshop Workshop",
        "Draft a memorandum of understanding Agreed action"]
    assert "Cooperation activity on SM1 Housing need (2 activities" in one
    assert len(_rows(two)[0]) == 3
    assert "on SM2 Green Belt; SM1 Housing need (3 activities" in two
    assert "Not a strategic matter of this partnership: SM9." in unknown
    assert "No cooperation recorded yet." in unknown


def test_markers_are_exact_paragraphs_and_cannot_bypass_the_sanitiser(app, world, records):
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        html = render_markdown("Text {{cooperation}}\n\n`{{cooperation}}`\n\n"
                               "{{cooperation <script>x</script>}}\n\n{{register SM1}}\n")
        out = str(blocks.expand(html, partnership))
        assert out == html and "<table" not in out and "<script>" not in out
        assert blocks.expand(html, None) == html


def test_the_draft_shows_a_newly_recorded_meeting(app, world, records, scg, login, client):
    with app.app_context():
        _text, before = lifecycle.canonical_content(db.session.get(Document, scg["id"]))
    _change_the_record(app, world, records)
    viewer = login(client, world["users"]["viewer"])
    page = viewer.get(scg["base"] + "/").get_data(as_text=True)
    assert "{{cooperation" not in page
    assert "Member group meeting" in page and "SPOG formed" in page
    assert "Outcome corrected later" in page
    with app.app_context():
        text, after = lifecycle.canonical_content(db.session.get(Document, scg["id"]))
    assert after != before                       # the draft PDF is re-made from the records
    assert "SPOG formed" in json.loads(text)["sections"][0]["html"]


def test_the_draft_pdf_shows_the_table(app, world, records, scg, login, client, run_jobs):
    _change_the_record(app, world, records)
    viewer = login(client, world["users"]["viewer"])
    response = download(viewer, f"{scg['base']}/pdf", run_jobs)
    assert response.status_code == 200
    text = _pdf_text(response.data)
    assert "Cooperation activity" in text and "SPOG formed" in text and "{{" not in text


def test_freezing_binds_the_table_into_the_version_and_its_fingerprint(app, world, records, scg):
    _freeze(app, world, scg)
    content, text, sha = _version(app, scg)
    html = content["sections"][0]["html"]
    assert "{{cooperation" not in html and html.count("<table") == 2
    assert "Agreed to prepare a JSP" in html
    assert not re.search(r"<a\b|<button|<form|hx-|role=\"region\"", html)
    values = content["blocks"]["cooperation"]
    assert [r["activity"] for r in values["rows"]] == [
        "Joint strategic plan workshop", "Draft a memorandum of understanding",
        "Green Belt review"]
    assert values["matters"] == {"SM1": "Housing need", "SM2": "Green Belt"}
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == sha


def test_a_changed_meeting_does_not_change_the_frozen_version(app, world, records, scg, login,
                                                              client, run_jobs):
    _freeze(app, world, scg)
    frozen, text, sha = _version(app, scg)
    _change_the_record(app, world, records)
    assert _version(app, scg) == (frozen, text, sha)
    viewer = login(client, world["users"]["viewer"])
    page = viewer.get(f"{scg['base']}/versions/1").get_data(as_text=True)
    assert "Agreed to prepare a JSP" in page
    assert "Outcome corrected later" not in page and "Member group meeting" not in page
    response = download(viewer, f"{scg['base']}/versions/1/pdf", run_jobs)
    assert response.status_code == 200
    pdf = _pdf_text(response.data)
    assert "Agreed to prepare a JSP" in pdf
    assert "Outcome corrected later" not in pdf and "Member group meeting" not in pdf
    # The draft, meanwhile, is live.
    assert "Member group meeting" in viewer.get(scg["base"] + "/").get_data(as_text=True)


def test_the_word_file_of_a_version_has_the_tables_as_frozen(app, world, records, scg, login,
                                                            client):
    _freeze(app, world, scg)
    _change_the_record(app, world, records)
    viewer = login(client, world["users"]["viewer"])
    response = viewer.get(f"{scg['base']}/versions/1/docx")
    assert response.status_code == 200
    tables = [t for t in _word_tables(response.data) if t[0] == HEADER]
    assert len(tables) == 2
    everything, housing = tables
    assert [r[1] for r in everything[1:]] == [
        "Joint strategic plan workshop (Workshop)",
        "Draft a memorandum of understanding (Agreed action)",
        "Green Belt review (Strategic Planning Officers Group (SPOG))"]
    assert everything[1] == ["23 January 2018", "Joint strategic plan workshop (Workshop)",
                             "Dacorum Borough Council, Watford Borough Council",
                             "SM1 Housing need; SM2 Green Belt", "Agreed to prepare a JSP"]
    assert [r[0] for r in housing[1:]] == ["23 January 2018", "1 July 2018"]
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(response.data)).paragraphs)
    assert "Cooperation activity on SM1 Housing need (2 activities, oldest first)" in text
    assert "{{" not in text and "Outcome corrected later" not in str(tables)


def test_the_word_file_of_the_draft_has_the_live_table(app, world, records, scg):
    _change_the_record(app, world, records)
    with app.test_request_context():
        data, _ = word_export.build_docx(db.session.get(Document, scg["id"]), None)
    everything = next(t for t in _word_tables(data) if t[0] == HEADER)
    assert everything[-1][1] == "Member group meeting (Member group)"


def test_word_markers_for_the_cooperation_table_carry_their_options():
    parts = docx_blocks.split("A.\n\n{{ cooperation SM1, sm2 }}\n\n- {{cooperation}}\n\n"
                              "{{cooperation}}\n")
    assert parts == [("text", "A.\n\n"), ("block", "cooperation SM1 sm2"),
                     ("text", "\n- {{cooperation}}\n\n"), ("block", "cooperation")]
    word = WordDocument()
    docx_blocks.write_section(word, "{{cooperation SM1}}\n", None, word_export.write_markdown)
    assert word.paragraphs[0].text.startswith("(Cooperation activity: shown live")


def test_engagement_and_cooperation_blocks_show_together(app, world, records, login, client):
    """The live_blocks filter runs every package's registered blocks."""
    scg = _scg(app, world, "{{register}}\n\n{{cooperation}}\n")
    with app.app_context():
        db.session.add(Stakeholder(
            partnership_id=world["partnerships"]["own"], name="Alpha Health Trust",
            category="health", lead_partner="Watford Borough Council", influence=5,
            quality=2, relationship_now="coexist", relationship_target="collaborate",
            priority="high"))
        db.session.commit()
    viewer = login(client, world["users"]["viewer"])
    page = viewer.get(scg["base"] + "/").get_data(as_text=True)
    assert "Alpha Health Trust" in page and "Agreed to prepare a JSP" in page
    assert "{{register}}" not in page and "{{cooperation}}" not in page
    with app.app_context():
        text, _ = lifecycle.canonical_content(db.session.get(Document, scg["id"]))
    assert set(json.loads(text)["blocks"]) == {"register", "cooperation"}

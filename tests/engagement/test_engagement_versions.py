"""Live blocks in frozen versions, PDFs, Word files, the version page and the position form:
a frozen version binds the engagement data as it stood when it was frozen (its signatures
cover it); the draft shows the data as it is now."""
import hashlib
import io
import json
import re
import zipfile
from datetime import date

import pytest
from docx import Document as WordDocument
from pypdf import PdfReader

from tests.support import agree
from workspace.accounts.models import User
from workspace.documents import service as documents
from workspace.documents.models import Document, Section
from workspace.engagement.models import EngagementActivity, Stakeholder
from workspace.export import docx as word_export
from workspace.export import docx_blocks
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.review import lifecycle
from workspace.review.models import Signatory
from workspace.review.positions import record_position

from ..support import download

BLOCKS_TEXT = "The register and the pictures, live.\n\n{{register}}\n\n{{map}}\n\n" \
              "{{ladder}}\n\n{{timeline}}\n"
MARKERS = ("{{register}}", "{{map}}", "{{ladder}}", "{{timeline}}")


def _stakeholder(partnership_id, name, **values):
    row = Stakeholder(partnership_id=partnership_id, name=name, category="health",
                      lead_partner="Watford Borough Council", influence=5, quality=2,
                      relationship_now="coexist", relationship_target="collaborate",
                      priority="high", **values)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def plan(app, world):
    """An engagement plan whose one strategic matter embeds the four blocks, out for
    agreement, with Watford as its signatory, one stakeholder, "Alpha Health Trust", and
    one activity."""
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        admin = db.session.get(User, world["users"]["admin"])
        document = documents.create_document(partnership, "Engagement plan",
                                             "engagement_plan", admin)
        section = documents.append_section(document, "Stakeholders", BLOCKS_TEXT, user=admin)
        section.strategic_matter = True
        db.session.add(Signatory(document_id=document.id,
                                 organisation_id=world["orgs"]["watford"], all_matters=True))
        stakeholder = _stakeholder(partnership.id, "Alpha Health Trust")
        db.session.add(EngagementActivity(partnership_id=partnership.id,
                                          audience="Youth focus group",
                                          start_date=date(2021, 9, 13),
                                          end_date=date(2021, 10, 8)))
        lifecycle.send_out(document, admin)
        db.session.commit()
        return {"id": document.id, "section": section.id, "stakeholder": stakeholder.id,
                "base": f"/p/own/d/{document.id}"}


def _freeze(app, world, plan):
    with app.test_request_context():
        document = db.session.get(Document, plan["id"])
        section = db.session.get(Section, plan["section"])
        record_position(section, db.session.get(User, world["users"]["member"]), "agreed",
                        route="delegation")
        row = agree(document, db.session.get(User, world["users"]["admin"]))
        db.session.commit()
        return row.number


def _rename_stakeholder(app, plan, name):
    with app.app_context():
        db.session.get(Stakeholder, plan["stakeholder"]).name = name
        db.session.commit()


def _version_content(app, plan, number=1):
    with app.app_context():
        row = lifecycle.version(db.session.get(Document, plan["id"]), number)
        return lifecycle.version_content(row), row.content, row.content_sha256


def _word_text(data):
    word = WordDocument(io.BytesIO(data))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def test_freezing_binds_the_blocks_into_the_stored_html_and_its_fingerprint(app, world, plan):
    _freeze(app, world, plan)
    content, text, sha = _version_content(app, plan)
    html = content["sections"][0]["html"]
    for marker in MARKERS:
        assert marker not in html
    assert html.count('class="cg-chart cg-chart--') == 3      # map, ladder and timeline
    assert "Alpha Health Trust" in html
    assert "<title id=" in html and "<desc id=" in html
    # Print-friendly: nothing that would be dead in a PDF.
    assert not re.search(r"<a\b|<button|<form|hx-", html)
    # The data as values, for the Word file, and all of it under the signed fingerprint.
    assert content["blocks"]["register"][0]["name"] == "Alpha Health Trust"
    assert set(content["blocks"]) == {"register", "map", "ladder", "timeline"}
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == sha


def test_a_frozen_version_keeps_its_data_when_the_register_changes(app, world, plan, login,
                                                                  client):
    _freeze(app, world, plan)
    frozen, _, sha = _version_content(app, plan)
    _rename_stakeholder(app, plan, "Beta Care Board")
    viewer = login(client, world["users"]["viewer"])
    page = viewer.get(f"{plan['base']}/versions/1").get_data(as_text=True)
    assert "Alpha Health Trust" in page and "Beta Care Board" not in page
    assert "{{register}}" not in page and 'class="cg-chart cg-chart--' in page
    assert _version_content(app, plan) == (frozen, _version_content(app, plan)[1], sha)
    word = viewer.get(f"{plan['base']}/versions/1/docx")
    assert word.status_code == 200
    text = _word_text(word.data)
    assert "Alpha Health Trust" in text and "Beta Care Board" not in text
    assert "{{" not in zipfile.ZipFile(io.BytesIO(word.data)).read(
        "word/document.xml").decode()


PICTURE_REGION = re.compile(
    r'<div class="cg-chart-scroll" role="region" tabindex="0" '
    r'aria-labelledby="([\w-]+-title)" data-labelledby="\1"><svg\b')


def _picture_regions(page):
    """The ids that the scrolling regions round the pictures are labelled by, each checked
    to be a picture's title on the page."""
    labels = PICTURE_REGION.findall(page)
    for label in labels:
        assert f'<title id="{label}">' in page
    return labels


def test_frozen_pictures_and_wide_tables_scroll_in_named_regions_stored_html_unchanged(
        app, world, plan, login, client):
    """On a phone a frozen version's pictures and wide tables keep a readable size and scroll
    sideways, in a region named after the picture or table that the keyboard reaches (the
    public register has no script); the stored html, under the signed fingerprint, is not
    touched."""
    _freeze(app, world, plan)
    _, text, sha = _version_content(app, plan)
    assert "cg-chart-scroll" not in text          # frozen print-friendly, as signed
    viewer = login(client, world["users"]["viewer"])
    page = viewer.get(f"{plan['base']}/versions/1").get_data(as_text=True)
    assert len(set(_picture_regions(page))) == 3              # map, ladder and timeline
    with app.test_request_context():
        document = db.session.get(Document, plan["id"])
        member = db.session.get(User, world["users"]["member"])
        lifecycle.sign(document, member, "correct-horse-1", member.name, "Portfolio Holder")
        lifecycle.publish(document, db.session.get(User, world["users"]["admin"]))
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        partnership.publishes_register = True
        public_path = f"/public/{partnership.slug}/{document.public_slug}/v1"
        db.session.commit()
    public = app.test_client().get(public_path)
    assert public.status_code == 200
    public_page = public.get_data(as_text=True)
    assert len(set(_picture_regions(public_page))) == 3
    # The register (eight columns) scrolls in a region named by its caption, not squeezed.
    register = re.search(r'<div class="cg-table-scroll cg-table-scroll--wide" role="region" '
                         r'tabindex="0" '
                         r'aria-labelledby="([\w-]+)"><table class="govuk-table '
                         r'cg-register-block">\s*<caption id="\1"', public_page)
    assert register, "the register is not in a named scrolling region"
    assert _version_content(app, plan)[1:] == (text, sha)


def test_the_version_pdf_shows_the_frozen_pictures(app, world, plan, login, client,
                                                   run_jobs):
    _freeze(app, world, plan)
    _rename_stakeholder(app, plan, "Beta Care Board")
    viewer = login(client, world["users"]["viewer"])
    response = download(viewer, f"{plan['base']}/versions/1/pdf", run_jobs)
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Alpha Health Trust" in text and "Beta Care Board" not in text
    assert "{{" not in text
    # Text drawn inside the SVG pictures (map labels, ladder legend, timeline marker).
    assert "Quality of relationship (1 poor" in text and "Solid bar: now" in text
    assert "As at" in text and "Today" not in text


def test_the_draft_pdf_and_word_file_show_the_live_data(app, world, plan, login, client):
    with app.app_context():
        document = db.session.get(Document, plan["id"])
        _before, before_sha = lifecycle.canonical_content(document)
    _rename_stakeholder(app, plan, "Beta Care Board")
    with app.app_context():
        after, after_sha = lifecycle.canonical_content(db.session.get(Document, plan["id"]))
    assert before_sha != after_sha          # the draft PDF is stored by fingerprint: re-made
    assert "Beta Care Board" in json.loads(after)["sections"][0]["html"]
    viewer = login(client, world["users"]["viewer"])
    text = _word_text(viewer.get(f"{plan['base']}/docx").data)
    assert "Beta Care Board" in text and "Alpha Health Trust" not in text
    assert "{{" not in text


def test_word_file_has_a_table_for_each_block(app, world, plan):
    _freeze(app, world, plan)
    with app.test_request_context():
        data, _ = word_export.build_docx(db.session.get(Document, plan["id"]), 1)
    word = WordDocument(io.BytesIO(data))
    headers = [[c.text for c in t.rows[0].cells] for t in word.tables]
    assert ["Stakeholder", "Category", "Lead", "Relationship now \u2192 target", "Influence",
            "Quality", "Priority", "Objectives supported"] in headers
    assert ["Number", "Stakeholder", "Influence", "Quality of relationship"] in headers
    assert ["Stage", "Now", "At target"] in headers
    assert ["Date", "Decision by", "Outcome"] in headers
    ladder = next(t for t in word.tables if t.rows[0].cells[0].text == "Stage")
    assert [c.text for c in ladder.rows[1].cells] == ["Compete", "0", "0"]
    assert [c.text for c in ladder.rows[2].cells] == ["Co-exist", "1", "0"]


def test_word_markers_are_split_at_top_level_paragraphs_only():
    parts = docx_blocks.split("Intro.\n\n{{ map }}\n\nAfter `{{map}}`.\n\n- {{ladder}}\n")
    assert parts == [("text", "Intro.\n\n"), ("block", "map"),
                     ("text", "\nAfter `{{map}}`.\n\n- {{ladder}}\n")]


def test_a_version_frozen_without_block_data_prints_a_note_not_the_marker():
    word = WordDocument()
    docx_blocks.write_section(word, "Text.\n\n{{register}}\n", None,
                              word_export.write_markdown)
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == "Text." and "{{" not in "".join(texts)
    assert texts[1].startswith("(Stakeholder register: shown live")


def test_the_member_position_form_shows_the_live_blocks(app, world, plan, login, client):
    member = login(client, world["users"]["member"])
    with app.app_context():
        version = db.session.get(Section, plan["section"]).version
    # A plain form post with a problem answers with the position form as a page.
    response = member.post(f"{plan['base']}/s/{plan['section']}/positions",
                           data={"stance": "not_agreed", "reason": "",
                                 "seen_version": str(version)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Record a position on" in page
    for marker in MARKERS:
        assert marker not in page
    assert 'class="cg-chart cg-chart--' in page and "Alpha Health Trust" in page
    _rename_stakeholder(app, plan, "Beta Care Board")           # live: the draft as it is
    page = member.post(f"{plan['base']}/s/{plan['section']}/positions",
                       data={"stance": "not_agreed", "reason": "",
                             "seen_version": str(version)}).get_data(as_text=True)
    assert "Beta Care Board" in page


def test_blocks_in_two_sections_have_distinct_ids_in_the_frozen_version(app, world, plan):
    with app.test_request_context():
        document = db.session.get(Document, plan["id"])
        documents.append_section(document, "Again", "{{map}}\n",
                                 user=db.session.get(User, world["users"]["admin"]))
        db.session.commit()
        text, _sha = lifecycle.canonical_content(document)
    html = "".join(s["html"] for s in json.loads(text)["sections"])
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_a_document_without_markers_keeps_its_content_shape(app, world):
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = documents.create_document(partnership, "SCG", "scg")
        documents.append_section(document, "Housing", "Homes.\n")
        text, _ = lifecycle.canonical_content(document)
    assert "blocks" not in json.loads(text)


def test_blocks_in_two_sections_have_distinct_ids_on_the_document_page(app, world, plan, login,
                                                                         client):
    with app.test_request_context():
        document = db.session.get(Document, plan["id"])
        documents.append_section(document, "Again", "{{map}}\n\n{{map}}\n",
                                 user=db.session.get(User, world["users"]["admin"]))
        db.session.commit()
    login(client, world["users"]["officer"])
    page = client.get(plan["base"] + "/").text
    assert page.count("<svg") >= 3        # the first section's pictures and two more maps
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert [i for i in set(ids) if ids.count(i) > 1] == []


def test_the_timeline_dates_today_in_the_uk_like_the_lifecycle(app, world, plan, monkeypatch):
    from workspace import clock
    from workspace.engagement import blocks
    monkeypatch.setattr(clock, "today", lambda: date(2030, 3, 31))
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        data = blocks.context(partnership)
    assert data["timeline"]["today"]["date"] == date(2030, 3, 31)

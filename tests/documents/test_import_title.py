"""A file's own title and its typed heading numbers.

A file that starts with one top-level heading, with everything else inside it, has a title:
the preview offers it as the new document's title (or leaves it out of an import into a
document that has its own) and brings its sub-sections up one level, for Word and Markdown
alike (Parsed.title_heading, Parsed.without_title). Typed outline numbers are dropped from
headings ("1 Introduction", "2.3. Housing"), figures that are not outline numbers kept.
"""
import gc
import html
import io
import re
import warnings

import pytest
from docx import Document as WordDocument
from sqlalchemy import func, select

from workspace.documents import word_import
from workspace.documents.import_parsing import (
    OPENING_NOTE,
    Parsed,
    ParsedSection,
    heading_title,
)
from workspace.documents.markdown_import import parse_markdown
from workspace.documents.models import Document, Section
from workspace.documents.service import append_section, create_document
from workspace.extensions import db
from workspace.partnerships.models import Partnership

NEW = "/p/own/documents/new/import"
INTO = "/p/own/d/{}/import/"

TITLED = (b"# Statement of Common Ground: Watford and Three Rivers\n\nJune 2026.\n\n"
          b"## 1 Introduction\n\nWhy.\n\n## 2 Housing\n\nNeed.\n\n### 2.1 Unmet need\n\nMore.\n")


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


@pytest.fixture(autouse=True)
def _collect_test_client_upload_files():
    """As in test_import: close the temporary files Werkzeug's test client spools."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


# Typed heading numbers ------------------------------------------------------------------------

@pytest.mark.parametrize("typed,title", [
    ("1 Introduction", "Introduction"),
    ("1. Introduction", "Introduction"),
    ("2.3 Housing", "Housing"),
    ("2.3. Housing", "Housing"),
    ("3.4.1 Detail", "Detail"),
    ("1) Scope", "Scope"),
    ("12 Monitoring", "Monitoring"),
    ("3 The title", "The title"),
    ("1.5 million homes", "1.5 million homes"),
    ("1.5 Million Homes", "1.5 Million Homes"),
    ("5 year housing land supply", "5 year housing land supply"),
    ("5 Year Housing Land Supply", "5 Year Housing Land Supply"),
    ("2026 review", "2026 review"),
    ("2026 Review", "2026 Review"),
    ("10,000 homes", "10,000 homes"),
    ("Part 1: Context", "Part 1: Context"),
    ("Annex A", "Annex A"),
    ("A.1 Background", "A.1 Background"),
    ("  1 Introduction  ", "Introduction"),
])
def test_typed_outline_numbers_are_dropped_and_other_figures_kept(typed, title):
    assert heading_title(typed) == title


def test_an_exported_heading_number_is_not_imported_as_text():
    """Round trip: a Word export that writes "3 The title" comes back as "The title" (no
    "3 2 The title" once the import numbers it again)."""
    word = WordDocument()
    word.add_heading("3 The title", 1)
    word.add_heading("3.1 Housing need", 2)
    word.add_heading("4 Next part", 1)
    out = io.BytesIO()
    word.save(out)
    parsed = word_import.parse_docx(out.getvalue())
    assert [(s.title, s.depth) for s in parsed.sections] == [
        ("The title", 0), ("Housing need", 1), ("Next part", 0)]
    parsed = parse_markdown(b"# 3 The title\n\n## 3.1 Housing need\n\n# 4 Next part\n")
    assert [s.title for s in parsed.sections] == ["The title", "Housing need", "Next part"]


# The file's title -----------------------------------------------------------------------------

def test_a_file_with_one_top_heading_has_a_title_and_its_sub_sections_come_up_a_level():
    parsed = parse_markdown(TITLED)
    assert parsed.title_heading == "Statement of Common Ground: Watford and Three Rivers"
    lifted = parsed.without_title()
    assert [(s.title, s.depth, s.body) for s in lifted.sections] == [
        ("Opening text", 0, "June 2026.\n"), ("Introduction", 0, "Why.\n"),
        ("Housing", 0, "Need.\n"), ("Unmet need", 1, "More.\n")]
    assert OPENING_NOTE in lifted.notes
    # Without text under the title there is no opening section.
    bare = Parsed([ParsedSection("Title", 0, ""), ParsedSection("A", 1, "a\n")])
    assert [(s.title, s.depth) for s in bare.without_title().sections] == [("A", 0)]
    assert bare.without_title().notes == []


@pytest.mark.parametrize("text", [
    b"# One\n\n## A\n\n# Two\n",            # two top-level headings
    b"Before.\n\n# Title\n\n## A\n",        # text before the heading
    b"# Title\n\nOnly text.\n",             # nothing inside it
    b"## Only sub-sections\n\n## B\n",      # two parts: ## is the file's top level
    b"No headings at all.\n",
])
def test_no_title_is_offered_unless_the_file_starts_with_its_one_top_heading(text):
    parsed = parse_markdown(text)
    assert parsed.title_heading is None
    assert parsed.without_title() is parsed


def test_a_file_of_sub_headings_is_a_file_of_parts():
    parsed = parse_markdown(b"## A\n\n### A.1 detail\n\n## B\n\n#### deep\n")
    assert [(s.title, s.depth) for s in parsed.sections] == [
        ("A", 0), ("A.1 detail", 1), ("B", 0), ("deep", 1)]


def test_a_word_file_has_a_title_the_same_way():
    word = WordDocument()
    word.add_heading("Joint statement", 1)
    word.add_paragraph("Between the councils.")
    word.add_heading("1 Introduction", 2)
    word.add_paragraph("Why.")
    word.add_heading("2. Housing", 2)
    out = io.BytesIO()
    word.save(out)
    parsed = word_import.parse_docx(out.getvalue())
    assert parsed.title_heading == "Joint statement"
    assert [(s.title, s.depth) for s in parsed.without_title().sections] == [
        ("Opening text", 0), ("Introduction", 0), ("Housing", 0)]


# A new document from a titled file ------------------------------------------------------------

def _new_preview(client, title, data=TITLED, name="statement.md"):
    return client.post(NEW, content_type="multipart/form-data",
                       data={"title": title, "kind": "scg",
                             "file": (io.BytesIO(data), name)})


def _token(page):
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def _outline(app, title=None):
    with app.app_context():
        query = select(Document)
        if title:
            query = query.where(Document.title == title)
        document = db.session.scalars(query).one()
        sections = db.session.scalars(select(Section).where(Section.document_id == document.id)
                                      .order_by(Section.position)).all()
        return document.title, [(s.title, s.depth) for s in sections]


def test_a_blank_title_uses_the_files_title_and_its_sub_sections_are_the_sections(app,
                                                                                    officer):
    page = _new_preview(officer, "")
    assert page.status_code == 200
    assert "Check the new document" in page.text
    assert ("\u201cStatement of Common Ground: Watford and Three Rivers\u201d is the file's "
            "title") in html.unescape(page.text)
    assert re.search(r'<h3 [^>]*><span class="cg-number">2</span> Introduction</h3>',
                     page.text)
    assert re.search(r'<h4 [^>]*><span class="cg-number">3.1</span> Unmet need</h4>',
                     page.text)
    response = officer.post(NEW + "/confirm", data={"token": _token(page), "use_title": "y"})
    assert response.status_code == 303
    assert _outline(app) == ("Statement of Common Ground: Watford and Three Rivers", [
        ("Opening text", 0), ("Introduction", 0), ("Housing", 0), ("Unmet need", 1)])


def test_a_typed_title_is_kept_and_the_box_leaves_the_files_title_out(app, officer):
    page = _new_preview(officer, "Our statement")
    assert re.search(r'<input [^>]*name="use_title" type="checkbox" value="y" checked',
                     page.text)
    assert "Leave out the file's title" in html.unescape(page.text)
    officer.post(NEW + "/confirm", data={"token": _token(page), "use_title": "y"})
    assert _outline(app) == ("Our statement", [
        ("Opening text", 0), ("Introduction", 0), ("Housing", 0), ("Unmet need", 1)])


def test_unticked_the_files_title_stays_a_section_with_the_others_inside_it(app, officer):
    page = _new_preview(officer, "Our statement")
    officer.post(NEW + "/confirm", data={"token": _token(page)})          # box unticked
    assert _outline(app) == ("Our statement", [
        ("Statement of Common Ground: Watford and Three Rivers", 0), ("Introduction", 1),
        ("Housing", 1), ("Unmet need", 2)])


def test_without_a_typed_title_or_the_files_nothing_is_created(app, officer):
    page = _new_preview(officer, "")
    response = officer.post(NEW + "/confirm", data={"token": _token(page)})
    assert response.status_code == 422
    assert "Enter a title, or use \u201cStatement of Common Ground" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0


# An import into an existing document -----------------------------------------------------------

def _document(app, title, sections):
    with app.test_request_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "own"))
        document = create_document(partnership, title, "scg")
        for name in sections:
            append_section(document, name, "Text.\n")
        db.session.commit()
        return document.id


def _into(client, document_id, data=TITLED):
    return client.post(INTO.format(document_id), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "statement.md"), "after": "end"})


def _box(page):
    return re.search(r'<input [^>]*name="use_title"[^>]*>', page.text).group(0)


def test_into_an_empty_document_the_files_title_is_left_out_to_begin_with(app, officer):
    document_id = _document(app, "Draft SCG", [])
    page = _into(officer, document_id)
    assert "checked" in _box(page)
    assert "Import 4 sections" in page.text
    response = officer.post(INTO.format(document_id) + "confirm",
                            data={"token": _token(page), "after": "end", "use_title": "y"})
    assert response.status_code == 303
    assert _outline(app, "Draft SCG")[1] == [
        ("Opening text", 0), ("Introduction", 0), ("Housing", 0), ("Unmet need", 1)]


def test_into_a_document_with_sections_the_title_is_kept_unless_it_is_the_documents(
        app, officer):
    document_id = _document(app, "Draft SCG", ["First"])
    page = _into(officer, document_id)
    assert "checked" not in _box(page)
    assert "Import 4 sections" in page.text
    officer.post(INTO.format(document_id) + "confirm",
                 data={"token": _token(page), "after": "end"})
    assert _outline(app, "Draft SCG")[1] == [
        ("First", 0), ("Statement of Common Ground: Watford and Three Rivers", 0),
        ("Introduction", 1), ("Housing", 1), ("Unmet need", 2)]
    same = _document(app, "Statement of Common Ground:  watford and Three Rivers", ["First"])
    assert "checked" in _box(_into(officer, same))


def test_no_box_when_the_file_has_no_title(app, officer):
    page = _into(officer, _document(app, "Draft SCG", []), b"# One\n\n# Two\n")
    assert 'name="use_title"' not in page.text

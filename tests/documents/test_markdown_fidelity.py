"""A Markdown file imports as a Markdown viewer (CommonMark, markdown-it-py) reads it: headings
of both kinds split it, fences of both kinds nest, HTML comments are left out and counted in
the preview, and each section's body is the file's own lines."""
import gc
import io
import re
import warnings

import pytest
from sqlalchemy import select

from workspace.documents.markdown_import import parse_markdown
from workspace.documents.models import Section
from workspace.documents.service import append_section, create_document
from workspace.extensions import db
from workspace.partnerships.models import Partnership

URL = "/p/own/d/{}/import/"


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


@pytest.fixture
def document_id(app, world):
    with app.test_request_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "own"))
        document = create_document(partnership, "Draft SCG", "scg")
        append_section(document, "First", "Existing text.\n")
        db.session.commit()
        return document.id


@pytest.fixture(autouse=True)
def _collect_test_client_upload_files():
    """As in test_import: close the temporary files Werkzeug's test client spools."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _outline(text):
    parsed = parse_markdown(text.encode())
    return [(s.title, s.depth) for s in parsed.sections], parsed


# Headings of both kinds -----------------------------------------------------------------------

def test_setext_headings_are_sections_like_atx_ones():
    outline, parsed = _outline(
        "Housing need\n============\n\nNeed text.\n\nUnmet need\n----------\n\nUnmet text.\n\n"
        "# Green Belt\n\nBelt text.\n\n## Release\nRelease text.\n")
    assert outline == [("Housing need", 0), ("Unmet need", 1), ("Green Belt", 0),
                       ("Release", 1)]
    assert [s.body for s in parsed.sections] == [
        "Need text.\n", "Unmet text.\n", "Belt text.\n", "Release text.\n"]
    assert parsed.notes == []


def test_a_multi_line_setext_heading_is_one_title_and_a_thematic_break_is_not_a_heading():
    outline, parsed = _outline(
        "# Part\n\nA paragraph.\n\n---\n\nAfter the rule.\n\nTwo line\nheading\n---\n\nBody.\n")
    assert outline == [("Part", 0), ("Two line heading", 1)]
    assert parsed.sections[0].body == "A paragraph.\n\n---\n\nAfter the rule.\n"


def test_headings_inside_quotes_and_lists_stay_text():
    outline, parsed = _outline("# Part\n\n> # Quoted\n\n- item\n\n  ## In a list\n")
    assert outline == [("Part", 0)]
    assert "> # Quoted" in parsed.sections[0].body
    assert "  ## In a list" in parsed.sections[0].body


# Fenced code of both kinds, nested ----------------------------------------------------------

def test_a_backtick_fence_inside_a_tilde_fence_is_code_and_the_next_heading_is_a_heading():
    text = ("# Example\n\n~~~markdown\nSome text\n```\n# Not a heading\n```\n~~~\n\n"
            "# After the code\n\nText.\n")
    outline, parsed = _outline(text)
    assert outline == [("Example", 0), ("After the code", 0)]
    assert parsed.sections[0].body == (
        "~~~markdown\nSome text\n```\n# Not a heading\n```\n~~~\n")


def test_a_tilde_fence_inside_a_backtick_fence_and_a_longer_fence_nest_too():
    text = ("# One\n\n```\n~~~\n# no\n~~~\n```\n\n# Two\n\n````\n```\n# no\n```\n````\n\n"
            "Setext in code?\n\n```\nNo\n---\n```\n\n# Three\n")
    outline, parsed = _outline(text)
    assert outline == [("One", 0), ("Two", 0), ("Three", 0)]
    assert "````\n```\n# no\n```\n````" in parsed.sections[1].body
    assert "```\nNo\n---\n```" in parsed.sections[1].body


def test_the_body_is_the_files_own_lines_indentation_and_all():
    body = ("Intro with trailing  \nline break.\n\n1. first\n\n   continued\n   - nested\n\n"
            "    indented code\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    _, parsed = _outline(f"# Part\n\n{body}\n\n\n## Next\n\n    code first\n\nText.\n")
    assert parsed.sections[0].body == body
    assert parsed.sections[1].body == "    code first\n\nText.\n"


# HTML comments --------------------------------------------------------------------------------

COMMENTED = (
    "<!-- Drafting note: check with the county -->\n"
    "# Housing <!-- was: Homes -->\n\n"
    "The need is 784 homes<!-- source? --> a year.\n"
    "<!-- to do -->\n"
    "Second line of the paragraph.\n\n"
    "<!--\nA comment\n\n# over a heading-like line\n-->\n\n"
    "## Supply\n\n```html\n<!-- code keeps its comment -->\n```\n")


def test_html_comments_are_left_out_and_counted_with_where():
    outline, parsed = _outline(COMMENTED)
    assert outline == [("Housing", 0), ("Supply", 1)]
    housing, supply = (s.body for s in parsed.sections)
    assert housing == "The need is 784 homes a year.\nSecond line of the paragraph.\n"
    assert supply == "```html\n<!-- code keeps its comment -->\n```\n"
    assert parsed.notes == [("5 HTML comments were not imported (in \u201cOpening text\u201d "
                             "and \u201cHousing\u201d).")]
    assert not any(s.title == "Opening text" for s in parsed.sections)


def test_a_comment_only_file_part_before_a_heading_makes_no_opening_section():
    outline, parsed = _outline("<!-- front matter -->\n\n# Only\n\nText.\n")
    assert outline == [("Only", 0)]
    assert parsed.notes == ["1 HTML comment was not imported (in \u201cOpening text\u201d)."]


def test_the_preview_lists_what_is_not_imported_before_the_sections_and_the_import_has_no_comments(
        app, officer, document_id):
    page = officer.post(URL.format(document_id), content_type="multipart/form-data",
                        data={"file": (io.BytesIO(COMMENTED.encode()), "notes.md"),
                              "after": "end"})
    assert page.status_code == 200
    notes = page.text.index('id="import-notes-heading">Not imported, or changed</h3>')
    first_section = page.text.index('class="cg-import-section')
    assert notes < first_section
    assert re.search(r"<li>5 HTML comments were not imported \(in \u201cOpening text\u201d "
                     r"and \u201cHousing\u201d\)\.</li>", page.text)
    assert "Drafting note" not in page.text and "source?" not in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    response = officer.post(URL.format(document_id) + "confirm",
                            data={"token": token, "after": "end"})
    assert response.status_code == 303
    with app.app_context():
        bodies = db.session.scalars(select(Section.body)
                                    .where(Section.document_id == document_id)).all()
    assert not any("source?" in b or "to do" in b or "A comment" in b for b in bodies)
    assert any("<!-- code keeps its comment -->" in b for b in bodies)


def test_a_file_without_headings_still_drops_its_comments():
    outline, parsed = _outline("Text <!-- hidden --> here.\n")
    assert outline == [("Imported text", 0)]
    assert parsed.sections[0].body == "Text  here.\n"
    assert parsed.notes[-1] == "1 HTML comment was not imported (in \u201cImported text\u201d)."

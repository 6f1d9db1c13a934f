"""Word export -> Word import gives back the same sections, titles and text: heading numbers
are Word numbering (not typed text), footnotes are real Word footnotes, ^sup^ and ~sub~ are
Word superscript and subscript."""
import io

import pytest
from docx import Document as WordDocument

from workspace.documents import service as documents
from workspace.documents.import_parsing import OPENING_TITLE
from workspace.documents.models import Document
from workspace.documents.word_import import parse_docx
from workspace.export.docx import build_docx
from workspace.export.docx_parts import TOC_PLACEHOLDER
from workspace.extensions import db
from workspace.partnerships.models import Partnership

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

#: A realistic statement: nested sections, a table, lists, emphasis, footnotes, sup and sub.
SECTIONS = [
    ("Introduction", 0,
     "This statement sets out where the authorities agree on *strategic* matters.\n"),
    ("Purpose of the statement", 1,
     ("It meets the **duty to cooperate** in the NPPF (December 2024)[^1].\n\n"
      "- Watford Borough Council\n- Dacorum Borough Council\n\n"
      "[^1]: National Planning Policy Framework, paragraph 27.\n")),
    ("Housing", 0, "The authorities agree the figures below.\n"),
    ("Housing need and distribution", 1,
     ("| Authority | Homes a year |\n|---|---|\n| Watford | 784 |\n| Dacorum | 1,041 |\n\n"
      "- Need is met within the area.\n  - Unmet need is reviewed each year.\n")),
    ("Air quality", 2,
     ("NO~2~ levels near the A41 fall by the 2^nd^ review[^2].\n\n"
      "[^2]: Air Quality Annual Status Report 2024.\n")),
    ("Transport", 0, "Strategic transport corridors are shared.\n"),
]


@pytest.fixture
def statement(app, factory):
    org = factory.organisation("watford", "Watford Borough Council")
    pid = factory.partnership("sw-herts", [org])
    with app.app_context():
        partnership = db.session.get(Partnership, pid)
        document = documents.create_document(partnership, "Statement of Common Ground", "scg")
        for title, depth, body in SECTIONS:
            documents.append_section(document, title, body, depth=depth)
        db.session.commit()
        return document.id


def _export(app, document_id):
    with app.test_request_context():
        data, _version = build_docx(db.session.get(Document, document_id))
    return data


def _without_front_matter(sections):
    """The sections, less an opening section holding only the export's front matter (the
    title, the status line and the contents, before the first heading), which the import
    keeps as "Opening text" until it recognises Word's Title/Subtitle styles and Word's own
    table of contents control (word_import, not this part)."""
    if sections and sections[0].title == OPENING_TITLE:
        lines = [line.strip() for line in sections[0].body.split("\n\n") if line.strip()]
        assert lines[0] == "Statement of Common Ground"
        assert lines[1].startswith("Sw-Herts Partnership \u00b7 Statement of Common Ground")
        assert lines[2:] in ([], ["**Contents**", TOC_PLACEHOLDER])
        return sections[1:]
    return sections


def test_export_then_import_gives_back_the_same_sections_titles_and_text(app, statement):
    parsed = parse_docx(_export(app, statement))
    sections = [(s.title, s.depth, s.body.strip())
                for s in _without_front_matter(parsed.sections)]
    assert sections == [(t, d, b.strip()) for t, d, b in SECTIONS]


def test_heading_numbers_are_word_numbering_not_typed_text(app, statement):
    word = WordDocument(io.BytesIO(_export(app, statement)))
    headings = [p for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert [p.text for p in headings] == [t for t, _d, _b in SECTIONS]
    levels = [int(p._p.find(f"{W}pPr/{W}numPr/{W}ilvl").get(f"{W}val")) for p in headings]
    assert levels == [d for _t, d, _b in SECTIONS]
    num_ids = {p._p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") for p in headings}
    assert len(num_ids) == 1
    numbering = word.part.numbering_part.element
    num = next(n for n in numbering.findall(f"{W}num") if n.get(f"{W}numId") in num_ids)
    abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
    abstract = next(a for a in numbering.findall(f"{W}abstractNum")
                    if a.get(f"{W}abstractNumId") == abstract_id)
    texts = [lvl.find(f"{W}lvlText").get(f"{W}val") for lvl in abstract.findall(f"{W}lvl")]
    assert texts[:3] == ["%1", "%1.%2", "%1.%2.%3"]


def test_footnotes_are_real_word_footnotes_and_sup_sub_are_vertical_alignment(app, statement):
    word = WordDocument(io.BytesIO(_export(app, statement)))
    body = word.element.body
    refs = [r.get(f"{W}id") for r in body.iter(f"{W}footnoteReference")]
    assert refs == ["1", "2"]
    part = next(r.target_part for r in word.part.rels.values()
                if r.reltype.endswith("/footnotes"))
    xml = part.blob.decode()
    assert "National Planning Policy Framework, paragraph 27." in xml
    assert "Air Quality Annual Status Report 2024." in xml
    assert "[^" not in "".join(p.text for p in word.paragraphs)
    runs = {r.text: r for p in word.paragraphs for r in p.runs}
    assert runs["2"].font.subscript and runs["nd"].font.superscript


def test_a_heading_typed_with_its_number_when_word_would_count_differently(app, factory):
    """A section two levels below its parent would be "1.0.1" in Word: typed instead."""
    from workspace.export.docx_parts import word_numbers
    assert word_numbers([0, 1, 1, 0, 1, 2]) == ["1", "1.1", "1.2", "2", "2.1", "2.1.1"]
    assert word_numbers([0, 2]) is None

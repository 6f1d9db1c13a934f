"""Word files import as they read in Word: automatic numbering, footnotes and endnotes,
superscript and subscript, emphasis with spaces inside, merged cells, content controls, and
notes for what is left out (headers, footers, comments, tracked changes, images, objects)."""
import pytest

from workspace.documents import word_import
from workspace.documents.import_parsing import ImportRefused
from workspace.documents.markdown import render_markdown

from .word_fixtures import (
    abstract,
    build,
    cell,
    heading,
    level,
    num,
    para,
    raw,
    run,
    start_override,
    table,
)

# A multilevel list as council templates use it: "1" on Heading 1, "1.1" on paragraphs; and a
# separate bulleted list.
OUTLINE = (abstract(0, level(0, text="%1."), level(1, text="%1.%2"))
           + abstract(1, level(0, "bullet", "\u2022")) + num(1, 0) + num(2, 1))


def _parse(body, **parts):
    return word_import.parse_docx(build(body, **parts))


def _bodies(parsed):
    return {s.title: s.body for s in parsed.sections}


def test_paragraph_numbers_read_as_in_word_and_bullets_do_not_swallow_them():
    """The issue's case: 1.1-1.4 and 2.1 came in as "1., 1., 1., 2., 1." and 1.2-1.4 ended up
    inside the bullet list before them."""
    body = (heading("Introduction") + para("The plan area.", num_id=1, ilvl=1)
            + para("Dacorum", num_id=2) + para("Watford", num_id=2)
            + para("Housing need.", style="Numbered")        # numbered by its style
            + para("Green Belt.", num_id=1, ilvl=1) + para("Transport.", num_id=1, ilvl=1)
            + heading("Matters agreed") + para("Agreed.", num_id=1, ilvl=1))
    parsed = _parse(body, numbering=OUTLINE, heading_numbering=True)
    assert [(s.title, s.depth) for s in parsed.sections] == [
        ("Introduction", 0), ("Matters agreed", 0)]
    intro, agreed = (s.body for s in parsed.sections)
    assert intro == ("1.1 The plan area.\n\n- Dacorum\n- Watford\n\n1.2 Housing need.\n\n"
                     "1.3 Green Belt.\n\n1.4 Transport.\n")
    assert agreed == "2.1 Agreed.\n"
    html = render_markdown(intro)
    assert html.count("<li>") == 2 and "<ol" not in html
    assert "<p>1.2 Housing need.</p>" in html and "<p>1.4 Transport.</p>" in html


def test_number_formats_start_values_restarts_and_shared_counters():
    numbering = (abstract(0, level(0, text="%1.", start=5), level(1, "lowerLetter", "(%2)"),
                          level(2, "lowerRoman", "%3)"))
                 + abstract(1, level(0, "upperLetter", "%1)"))
                 + abstract(2, level(0, "decimal", "%1)"))
                 + num(1, 0) + num(2, 0) + num(3, 0, start_override(0, 1)) + num(4, 1)
                 + num(5, 2))
    body = (heading("Terms") + para("Five", num_id=1) + para("sub a", num_id=1, ilvl=1)
            + para("sub b", num_id=1, ilvl=1) + para("roman", num_id=1, ilvl=2)
            + para("Six, sub list restarts", num_id=1) + para("sub again", num_id=1, ilvl=1)
            + para("Seven: a second list on the same definition continues", num_id=2)
            + para("One: this list restarts", num_id=3)
            + para("Annex", num_id=4) + para("Paren", num_id=5))
    text = _parse(body, numbering=numbering).sections[0].body
    assert text == ("5\\. Five\n\n(a) sub a\n\n(b) sub b\n\ni) roman\n\n"
                    "6\\. Six, sub list restarts\n\n(a) sub again\n\n"
                    "7\\. Seven: a second list on the same definition continues\n\n"
                    "1\\. One: this list restarts\n\nA) Annex\n\n1\\) Paren\n")
    html = render_markdown(text)
    assert "<ol" not in html and "<p>5. Five</p>" in html and "<p>1) Paren</p>" in html


def test_without_numbering_definitions_a_numbered_paragraph_keeps_its_text():
    parsed = _parse(heading("A") + para("Plain", num_id=9))
    assert parsed.sections[0].body == "Plain\n"


def test_footnotes_and_endnotes_become_markdown_footnotes_in_their_section():
    ref = '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>' \
          '<w:footnoteReference w:id="{}"/></w:r>'
    end = '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>' \
          '<w:endnoteReference w:id="{}"/></w:r>'
    body = (heading("Background") + para("Adopted in December 2014", raw(ref.format(1)), ".")
            + heading("Housing") + para("Need", raw(ref.format(2)), " and supply",
                                        raw(end.format(1)), "."))
    parsed = _parse(body, footnotes={1: "Core Strategy, para 4.2.", 2: "SHMA 2024."},
                    endnotes={1: "See the evidence base."})
    background, housing = (s.body for s in parsed.sections)
    assert background == ("Adopted in December 2014[^1].\n\n"
                          "[^1]: Core Strategy, para 4.2.\n")
    assert housing == "Need[^2] and supply[^i].\n\n[^2]: SHMA 2024.\n[^i]: See the evidence base.\n"
    html = render_markdown(background)
    assert "20142" not in html and "Core Strategy, para 4.2." in html and "<sup" in html


def test_superscript_and_subscript_are_kept_and_carets_in_text_escaped():
    body = heading("Figures") + para(
        "Published December 2014", raw(run("2", vert="superscript")), ", CO",
        raw(run("2", vert="subscript")), " falls, ", raw(run("1st ed", vert="superscript")),
        " x^y ~5")
    text = _parse(body).sections[0].body
    assert text == "Published December 2014^2^, CO~2~ falls, ^1st\\ ed^ x\\^y \\~5\n"
    html = render_markdown(text)
    assert "2014<sup>2</sup>" in html and "CO<sub>2</sub>" in html
    assert "<sup>1st ed</sup>" in html and "x^y ~5" in html


def test_emphasis_with_spaces_inside_runs_renders_as_emphasis():
    body = heading("Recommendations") + para(
        raw(run("Recommendation 1: ", bold=True)), "Agree the figure. ",
        raw(run("Rec", bold=True)), raw(run("ommend", bold=True)), raw(run(" ")),
        raw(run(" in part", italic=True)), raw(run(" both ", bold=True, italic=True)),
        raw(run("strong", style="Strong")), ".")
    text = _parse(body).sections[0].body
    assert text == ("**Recommendation 1:** Agree the figure. **Recommend**  *in part* "
                    "***both*** **strong**.\n")
    html = render_markdown(text)
    assert "<strong>Recommendation 1:</strong> Agree" in html and "*" not in html
    assert "<em>in part</em>" in html and "<strong>Recommend</strong>" in html


def test_merged_cells_appear_once_with_the_header_row_as_today():
    body = heading("Signatures") + table(
        [cell("Party"), cell("Name"), cell("Date")],
        [cell("Signed on behalf of the parties", span=3)],
        [cell("Council", vmerge="restart"), cell("A. Person"), cell("1 May")],
        [cell("Council", vmerge="continue"), cell("B. Person"), cell("2 May")])
    text = _parse(body).sections[0].body
    assert text == ("| Party | Name | Date |\n|---|---|---|\n"
                    "| Signed on behalf of the parties |  |  |\n"
                    "| Council | A. Person | 1 May |\n|  | B. Person | 2 May |\n")
    assert text.count("Signed on behalf") == 1 and text.count("Council") == 1


def test_content_controls_are_imported_as_text():
    body = (heading("Parties")
            + "<w:sdt><w:sdtPr><w:alias w:val='Council name'/></w:sdtPr><w:sdtContent>"
            + para("Dacorum Borough Council") + para("Watford Borough Council")
            + "</w:sdtContent></w:sdt>"
            + para("Dated ", raw("<w:sdt><w:sdtContent>" + run("1 May 2026", bold=True)
                                 + "</w:sdtContent></w:sdt>"), "."))
    text = _parse(body).sections[0].body
    assert text == "Dacorum Borough Council\n\nWatford Borough Council\n\nDated **1 May 2026**.\n"


def test_tracked_changes_are_imported_as_accepted_and_said_so():
    body = heading("Housing") + para(
        "The need is ", raw('<w:del w:id="1" w:author="A"><w:r><w:delText>900</w:delText>'
                            '</w:r></w:del>'),
        raw('<w:ins w:id="2" w:author="A">' + run("1,000") + "</w:ins>"), " homes a year.")
    parsed = _parse(body)
    assert parsed.sections[0].body == "The need is 1,000 homes a year.\n"
    assert ("2 tracked changes were imported as accepted: inserted text kept, deleted text "
            "left out. They were in \u201cHousing\u201d.") in parsed.notes


def test_the_preview_notes_say_what_was_left_out_with_counts_and_where():
    image = ('<w:r><w:drawing><wp:inline><a:graphic><a:graphicData uri="http://schemas.'
             'openxmlformats.org/drawingml/2006/picture"><pic:pic/></a:graphicData></a:graphic>'
             '</wp:inline></w:drawing></w:r>')
    obj = '<w:r><w:object><o:OLEObject ProgID="Excel.Sheet.12"/></w:object></w:r>'
    comment = '<w:r><w:commentReference w:id="0"/></w:r>'
    body = (heading("Context") + para("Map", raw(image), raw(comment))
            + heading("Evidence") + para("Table", raw(obj), raw(comment)))
    parsed = _parse(body, headers=["V1.0", "SCG 6"], footers=["Page 1"], comments=["x", "y"])
    assert parsed.notes == [
        "2 page headers were not imported: \u201cV1.0\u201d, \u201cSCG 6\u201d.",
        "1 page footer was not imported: \u201cPage 1\u201d.",
        "2 comments were not imported. They were in \u201cContext\u201d, \u201cEvidence\u201d.",
        "1 image was not imported. It was in \u201cContext\u201d.",
        ("1 embedded object (a chart, equation or file) was not imported. "
         "It was in \u201cEvidence\u201d.")]
    assert _bodies(parsed) == {"Context": "Map\n", "Evidence": "Table\n"}


def test_a_heading_that_is_numbered_by_word_keeps_only_its_title():
    parsed = _parse(heading("Scope") + para("Text", num_id=1, ilvl=1),
                    numbering=OUTLINE, heading_numbering=True)
    assert parsed.sections[0].title == "Scope" and parsed.sections[0].body == "1.1 Text\n"


@pytest.mark.parametrize(("name", "root"), [("word/footnotes.xml", "w:footnotes"),
                                             ("word/header1.xml", "w:hdr")])
def test_entities_in_note_and_header_parts_are_never_resolved(tmp_path, name, root):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")

    def add_entity(parts):
        parts[name] = parts[name].replace("&amp;xxe;", "&xxe;").replace(
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">]>')

    data = build(heading("A") + para("x", raw('<w:r><w:footnoteReference w:id="1"/></w:r>')),
                 footnotes={1: "&xxe;"}, headers=["&xxe;"], edit=add_entity)
    try:
        parsed = word_import.parse_docx(data)
    except ImportRefused:
        return                                     # refused as damaged: also safe
    everything = "".join(s.body for s in parsed.sections) + " ".join(parsed.notes)
    assert "TOP-SECRET-VALUE" not in everything


def test_a_title_subtitle_and_word_contents_at_the_top_are_left_out_and_said_so():
    """As the Word export writes them: the export then re-imports as the sections it had."""
    import io

    from docx import Document as WordDocument
    from docx.oxml import parse_xml
    word = WordDocument()
    word.add_paragraph("Statement of Common Ground", style="Title")
    word.add_paragraph("South West Herts \u00b7 DRAFT", style="Subtitle")
    word.element.body.append(parse_xml(
        '<w:sdt xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj>'
        '</w:sdtPr><w:sdtContent><w:p><w:r><w:t>Contents</w:t></w:r></w:p><w:p><w:r><w:t>'
        'Update the field</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    from docx.enum.style import WD_STYLE_TYPE
    word.styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH)
    word.add_paragraph("1 Introduction\t3", style="TOC 1")
    word.add_heading("Introduction", 1)
    word.add_paragraph("Text.")
    out = io.BytesIO()
    word.save(out)
    parsed = word_import.parse_docx(out.getvalue())
    assert [(s.title, s.body) for s in parsed.sections] == [("Introduction", "Text.\n")]
    assert parsed.notes == [
        ("The title and subtitle at the top of the file were not imported as text: "
        "\u201cStatement of Common Ground\u201d, \u201cSouth West Herts \u00b7 DRAFT\u201d."),
        ("Word's table of contents was left out: the sections are listed and numbered "
        "automatically.")]


def test_styles_are_looked_up_once_per_style_not_once_per_paragraph(monkeypatch):
    """python-docx finds a paragraph's default style by scanning every style: done for each
    of 1,800 paragraphs it took 5-15 s; the import now does it once per style."""
    from docx.oxml.styles import CT_Styles
    calls = []
    original = CT_Styles.default_for
    monkeypatch.setattr(CT_Styles, "default_for",
                        lambda self, kind: calls.append(kind) or original(self, kind))
    body = heading("Many") + "".join(para(f"Paragraph {n}.") for n in range(200))
    parsed = _parse(body)
    assert parsed.sections[0].body.count("Paragraph") == 200
    assert len(calls) <= 3


def test_emphasis_ending_in_punctuation_against_a_letter_still_renders():
    """Markdown reads "**Note:**text" as literal asterisks: the colon goes outside."""
    body = heading("Notes") + para(raw(run("Note:", bold=True)), "text, x",
                                   raw(run("(a)", italic=True)), "y ", raw(run("?!", bold=True)))
    text = _parse(body).sections[0].body
    assert text == "**Note**:text, x(*a*)y **?!**\n"
    html = render_markdown(text)
    assert "<strong>Note</strong>:text" in html and "x(<em>a</em>)y" in html


def test_numbered_paragraphs_in_table_cells_keep_their_numbers():
    row = "<w:tc><w:tcPr/>{}</w:tc>"
    body = (heading("Matters", 1) + para("Before.", num_id=1, ilvl=1) + table(
        [cell("Matter"), cell("Position")],
        [row.format(para("Housing need", num_id=1, ilvl=1)),
         row.format(para("Agreed") + para("Watford", num_id=2))]))
    text = _parse(body, numbering=OUTLINE, heading_numbering=True).sections[0].body
    assert text == ("1.1 Before.\n\n| Matter | Position |\n|---|---|\n"
                    "| 1.2 Housing need | Agreed \u2022 Watford |\n")


def test_list_numbers_and_levels_beyond_words_own_limits_are_read_within_them():
    """A file is anyone's to write: a list starting at 10^18 in roman numerals looped for ever,
    one in letters built a string of gigabytes, and a level of 12 was a 500. Starts beyond
    Word's 32767 and levels beyond 8 are read as the defaults; the text is kept."""
    numbering = (abstract(0, level(0, "lowerRoman", "%1.", start=10**18))
                 + abstract(1, level(0, "lowerLetter", "%1)", start=2 * 10**9))
                 + abstract(2, level(0, "decimal", "%1.", start="²"))
                 + num(1, 0) + num(2, 1) + num(3, 2, start_override(0, 10**12)))
    body = (heading("Terms") + para("Roman", num_id=1) + para("Letter", num_id=2)
            + para("Odd start", num_id=3) + para("Deep", num_id=1, ilvl=12))
    text = _parse(body, numbering=numbering).sections[0].body
    assert "Roman" in text and "Letter" in text and "Odd start" in text and "Deep" in text
    assert len(text) < 200, text

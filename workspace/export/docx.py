"""Word export: a version (or the draft) as a .docx for committee papers, built with
python-docx from the same frozen content the PDF is made from.

Section text is Markdown; it is parsed into markdown-it tokens and written as Word
paragraphs, lists and tables, so nothing passes through HTML. Guidance is never printed.
"""
import io
import re

from docx import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from ..clock import DATE, display
from ..documents.markdown import parser
from ..review.models import STATUSES
from ..suggestions.listings import open_by_number
from . import docx_parts, service
from .docx_blocks import write_section

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: The app's Markdown dialect: CommonMark, tables, strikethrough, footnotes, ^sup^, ~sub~.
_md = parser()
URL_SCHEMES = ("http://", "https://", "mailto:")
RECORD_STATUS = {"agreed": "Agreement reached", "not_agreed": "Agreement not reached",
                 "outstanding": "Still to be agreed"}
#: Characters XML 1.0 forbids (C0 controls but tab, line feed and carriage return; lone
#: surrogates; U+FFFE and U+FFFF): lxml refuses them, so one in older data would make the
#: whole export fail. Forms strip them now (workspace.security); rows saved earlier may not.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """Text (or nested dicts and lists of it) without the characters XML cannot hold."""
    if isinstance(value, str):
        return XML_INVALID.sub("", value)
    if isinstance(value, dict):
        return {k: xml_text(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [xml_text(v) for v in value]
    return value


def file_name(document, number, on=None):
    """The PDF's file name with .docx, e.g. SW-Herts-Statement-of-Common-Ground-v2-....docx"""
    return re.sub(r"\.pdf$", ".docx", service.file_name(document, number, on))


def build_docx(document, number=None):
    """(bytes, version number) of the document's version `number`, or of the draft."""
    content, sha, row, agreed = service.export_source(document, number)
    content = xml_text(content)
    blocks = xml_text(service.signature_blocks(document, row))
    word = WordDocument()
    word.core_properties.title = content["title"]
    partnership = xml_text(document.partnership.name)
    docx_parts.running_header(word, f"{partnership} \u00b7 {content['title']}")
    docx_parts.page_footer(word, sha if row is not None else None)
    word.add_heading(content["title"], 0)
    status = STATUSES.get(document.status, document.status) if row is None or \
        row.number >= document.version_number else "Published"
    version = row.number if row else document.version_number
    word.add_paragraph(f"{partnership} \u00b7 {document.kind_label}"
                       f" \u00b7 version {version} \u00b7 {status}"
                       + ("" if agreed else " \u00b7 DRAFT"), style="Subtitle")
    docx_parts.contents(word)
    # Open suggestions are drafting notes: in the Word file of the draft only, never in a
    # frozen version's file (nor in any PDF, which prints the content alone).
    suggested = open_by_number(document) if row is None else {}
    # Heading numbers are Word numbering (a multilevel list on the section headings), so the
    # heading's text is its title; typed as text only if Word's count would differ.
    sections = content["sections"]
    numbered = docx_parts.word_numbers([s["number"].count(".") for s in sections]) == \
        [s["number"] for s in sections]
    num_id = docx_parts.heading_numbering(word) if numbered and sections else None
    for section in sections:
        depth = section["number"].count(".")
        heading = word.add_heading(section["title"] if numbered else
                                   f"{section['number']} {section['title']}", min(depth + 1, 9))
        if numbered:
            docx_parts.number_heading(heading, num_id, min(depth, 8))
        write_section(word, section["body"], content.get("blocks"), write_markdown)
        if suggested.get(section["number"]):
            _suggestions(word, suggested[section["number"]], min(depth + 2, 4))
    if content.get("record_of_agreement"):
        _record_of_agreement(word, content["record_of_agreement"])
    if blocks:
        _signatures(word, blocks)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue(), version


def _suggestions(word, suggestions, level):
    """The section's open suggestions as a clearly marked list: who suggested, when, why, and
    the proposed text of the section."""
    word.add_heading("Suggested changes (not agreed)", level)
    word.add_paragraph().add_run(
        "Proposed by partners and not yet accepted: they are not part of the text above."
    ).italic = True
    for n, suggestion in enumerate(suggestions, 1):
        credit = xml_text(f"Suggested by {suggestion.organisation.name} "
                          f"({suggestion.author.name}), "
                          f"{display(suggestion.created_at, DATE)}")
        place = f"{n} of {len(suggestions)}: " if len(suggestions) > 1 else ""
        word.add_paragraph().add_run(place + credit).bold = True
        if suggestion.reason:
            paragraph = word.add_paragraph()
            paragraph.add_run("Reason: ").bold = True
            paragraph.add_run(xml_text(suggestion.reason))
        word.add_paragraph().add_run("Proposed text:").bold = True
        write_markdown(word, suggestion.body)
        word.add_paragraph().add_run(
            f"End of the suggested change{' ' + str(n) if len(suggestions) > 1 else ''}."
        ).italic = True


def _record_of_agreement(word, record):
    word.add_heading("Record of agreement", 1)
    for matter in record:
        word.add_heading(f"{matter['number']} {matter['title']}: "
                         f"{RECORD_STATUS.get(matter['status'], matter['status'])}", 2)
        table = word.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells,
                              ("Authority", "Position", "Reason", "Decision route")):
            cell.paragraphs[0].add_run(text).bold = True
        for entry in matter["positions"]:
            route = " ".join(p for p in (entry["route"], entry["route_body"],
                                         entry["meeting_date_text"], entry["minute_ref"]) if p)
            cells = table.add_row().cells
            for cell, text in zip(cells, (entry["organisation"], entry["stance"],
                                          entry["reason"], route)):
                cell.text = text or ""


def _signatures(word, blocks):
    word.add_heading("Signatures", 1)
    for block in blocks:
        table = word.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in (("Authority", block["organisation"]), ("Name", block["name"]),
                             ("Position", block["position"]), ("Date", block["date"]),
                             ("Signature", "Signed in Common Ground" if block["signed"]
                              else "")):
            cells = table.add_row().cells
            cells[0].paragraphs[0].add_run(label).bold = True
            cells[1].text = value or ""
        word.add_paragraph()


# Markdown -> Word ---------------------------------------------------------------------------

def write_markdown(word, text):
    """Append Markdown as Word paragraphs, headings, lists, tables, quotes and code."""
    tokens = _md.parse(xml_text(text or ""), {})
    notes = _note_texts(tokens)

    def note(paragraph, note_id):
        if note_id in notes:
            _footnotes(word).add(paragraph, notes[note_id], _inline)

    lists = []          # stack of [kind, Word numbering id or None, item has its marker]
    quote = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        kind = tok.type
        if kind == "bullet_list_open":
            # Nested lists are levels of a Word list (w:ilvl 1, 2 …), so a reader of the file
            # (the import, pandoc, LibreOffice) sees them nested, not only indented.
            lists.append(["bullet", docx_parts.nested_list(word, "bullet", len(lists))
                          if lists else None, False])
        elif kind == "ordered_list_open":
            style = _list_style("ordered", len(lists) + 1)
            num = docx_parts.nested_list(word, "decimal", len(lists), _start(tok)) if lists \
                else _restart_numbering(word, style, _start(tok))
            lists.append(["ordered", num, False])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            lists[-1][2] = False
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "heading_open":
            paragraph = word.add_paragraph()
            _inline(paragraph, tokens[i + 1].children or [], bold=True, note=note)
            i += 2
        elif kind == "paragraph_open":
            paragraph = word.add_paragraph(style=_paragraph_style(word, lists, quote))
            if lists and not lists[-1][2]:
                lists[-1][2] = True             # the item's first paragraph has the marker
                if lists[-1][1] is not None:
                    _number(paragraph, lists[-1][1], len(lists) - 1)
            _inline(paragraph, tokens[i + 1].children or [], note=note)
            i += 2
        elif kind in ("fence", "code_block"):
            run = word.add_paragraph().add_run(tok.content.rstrip("\n"))
            run.font.name = "Courier New"
            run.font.size = Pt(9)
        elif kind == "hr":
            word.add_paragraph("\u2014" * 10)
        elif kind == "table_open":
            i = _table(word, tokens, i, note)
        elif kind == "footnote_block_open":     # written as Word footnotes at their references
            while tokens[i].type != "footnote_block_close":
                i += 1
        i += 1


def _footnotes(word):
    """The Word file's footnotes (made on its first note)."""
    if getattr(word, "_cg_footnotes", None) is None:
        word._cg_footnotes = docx_parts.Footnotes(word)
    return word._cg_footnotes


def _note_texts(tokens):
    """{footnote id: [inline tokens of each of its paragraphs]} from the notes block."""
    notes, current = {}, None
    for tok in tokens:
        if tok.type == "footnote_open":
            current = notes.setdefault(tok.meta["id"], [])
        elif tok.type == "footnote_close":
            current = None
        elif current is not None and tok.type == "inline":
            current.append(tok.children or [])
    return notes


def _list_style(kind, level):
    base = {"bullet": "List Bullet", "ordered": "List Number"}.get(kind, "List Continue")
    level = min(level, 3)
    return base if level == 1 else f"{base} {level}"


def _paragraph_style(word, lists, quote):
    if lists:
        # A further paragraph of the same item is indented like it, without a marker.
        kind = "continue" if lists[-1][2] else lists[-1][0]
        return _list_style(kind, len(lists))
    return "Quote" if quote else None


def _start(tok):
    """The number an ordered list starts at ("3. item" starts at 3)."""
    try:
        return max(0, int(tok.attrGet("start") or 1))
    except ValueError:
        return 1


def _restart_numbering(word, style, start=1):
    """A new Word list (w:num) on the style's list definition, counting from `start`.

    Paragraphs of one style share its w:num and so one counter: without a w:num of its own
    (with a startOverride), a second numbered list would carry on from the first.
    """
    numbering = word.part.numbering_part.element
    style_num = word.styles[style].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(style_num).abstractNumId.val
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(start)
    return num.numId


def _number(paragraph, num_id, level=0):
    """Put the paragraph in the Word list `num_id` at `level` (0: the style gives the
    indent; nested lists are levels of a multilevel list, docx_parts.nested_list)."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def _table(word, tokens, i, note=None):
    """Write the table starting at tokens[i]; return the index of its table_close."""
    rows, header_rows = [], 0
    in_head = False
    while tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            rows.append([])
            header_rows += in_head
        elif tok.type == "inline":
            rows[-1].append(tok.children or [])
        i += 1
    columns = max((len(r) for r in rows), default=0)
    if columns:
        table = word.add_table(rows=len(rows), cols=columns)
        table.style = docx_parts.header_table_style(word)
        docx_parts.header_rows(table, header_rows)
        for r, cells in enumerate(rows):
            for c, children in enumerate(cells):
                _inline(table.cell(r, c).paragraphs[0], children, note=note)
    return i


def _inline(paragraph, children, bold=False, note=None):
    """Runs for inline tokens: bold, italic, strike, superscript, subscript, code, links,
    line breaks, and footnote references (note(paragraph, id) writes the footnote)."""
    state = {"strong": bold, "em": False, "s": False, "sup": False, "sub": False}
    link = None
    for tok in children:
        kind = tok.type
        if kind in ("strong_open", "strong_close"):
            state["strong"] = kind.endswith("open") or bold
        elif kind in ("em_open", "em_close"):
            state["em"] = kind.endswith("open")
        elif kind in ("s_open", "s_close", "sup_open", "sup_close", "sub_open", "sub_close"):
            state[kind.split("_")[0]] = kind.endswith("open")
        elif kind == "footnote_ref" and note is not None and link is None:
            note(paragraph, tok.meta["id"])
        elif kind == "link_open":
            href = tok.attrGet("href") or ""
            link = href if href.startswith(URL_SCHEMES) else None
            link_runs = []
        elif kind == "link_close":
            if link is not None:
                _hyperlink(paragraph, link, "".join(link_runs))
            link = None
        elif kind in ("text", "code_inline", "softbreak", "hardbreak"):
            text = " " if kind == "softbreak" else tok.content
            if link is not None:
                link_runs.append(text)
                continue
            if kind == "hardbreak":
                paragraph.add_run().add_break()
                continue
            run = paragraph.add_run(text)
            run.bold = state["strong"] or None
            run.italic = state["em"] or None
            run.font.strike = state["s"] or None
            if state["sup"]:        # one w:vertAlign: setting the other to None removes it
                run.font.superscript = True
            elif state["sub"]:
                run.font.subscript = True
            if kind == "code_inline":
                run.font.name = "Courier New"


def _hyperlink(paragraph, url, text):
    """A real Word hyperlink (python-docx has no API for one)."""
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(style)
    props.append(underline)
    run.append(props)
    node = OxmlElement("w:t")
    node.text = text
    node.set(qn("xml:space"), "preserve")
    run.append(node)
    link.append(run)
    paragraph._p.append(link)

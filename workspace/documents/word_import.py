"""Sections from a Word (.docx) file.

Read from the document XML (python-docx opens the package), so macros, scripts and embedded
objects are never run; the package is first unpacked with a count of its real bytes
(docx_safety). Headings become sections (Heading 1 a part, 2 a sub-section, 3 and below a
sub-sub-section). Paragraphs inside content controls and tracked insertions are read; tracked
deletions are not (changes are taken as accepted). Word's automatic paragraph numbers are
written as text at the start of the paragraph, as Word shows them ("1.2", "(a)", "5\\."),
worked out by word_numbering; bulleted paragraphs become Markdown lists. Runs, footnotes and
superscript: word_inline; notes, headers and footers: word_notes. Tables become pipe tables
with merged cells once (continuation cells empty). A Title and Subtitle before the first
heading and Word's table of contents are left out and said so.
"""
import io
import logging
import re
import zipfile

from docx import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from ..numbers import whole_number
from . import docx_safety, word_inline, word_notes, word_numbering
from .editing import MAX_TITLE
from .import_parsing import (
    OPENING_NOTE,
    OPENING_TITLE,
    ImportRefused,
    Parsed,
    ParsedSection,
    heading_title,
    nest,
)
from .models import MAX_DEPTH

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"


DAMAGED = ("The Word document is damaged or not a Word document, and cannot be read. Open it "
           "in Word, save a new copy and upload that.")


def _open_docx(data):
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in \
                data or "EncryptedPackage".encode("utf-16-le") in data:
            raise ImportRefused("The Word document is password-protected. Remove the password "
                               "in Word (File, Info, Protect Document) and upload it again.")
        raise ImportRefused("This is an older Word (.doc) file, not a .docx. Open it in Word "
                           "and save it as a Word Document (.docx).")
    if not data.startswith(b"PK"):
        raise ImportRefused("The file is not a Word document, whatever its name says. Upload a "
                           ".docx saved from Word.")
    try:
        # Every part unpacked with a count of its real bytes before python-docx opens it.
        names, types = docx_safety.check_package(data)
    except docx_safety.PackageError as exc:
        raise ImportRefused(exc.message) from None
    types = types.decode("utf-8", "replace")
    if _MACRO_TYPE in types:
        raise ImportRefused("The document contains macros (.docm). Macros are never run here: "
                           "save it from Word as a Word Document (.docx) and upload that.")
    notes = []
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        notes.append("The file contained macros; they were ignored and never run.")
    try:
        return WordDocument(io.BytesIO(data)), notes
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile,
            etree.XMLSyntaxError):
        raise ImportRefused(DAMAGED) from None


def _styles(paragraph):
    """The paragraph's style and the styles it is based on, nearest first."""
    style, seen = paragraph.style, []
    while style is not None and len(seen) < 10:
        seen.append(style)
        style = style.base_style
    return seen


def _outline_level(p_pr):
    node = p_pr.find(qn("w:outlineLvl")) if p_pr is not None else None
    value = node.get(qn("w:val")) if node is not None else None
    number = whole_number(value, maximum=8)
    return number + 1 if number is not None else None


def _heading_level(p, styles):
    """1 for Heading 1 ...; also a house style based on a Heading style, or a paragraph
    given an outline level (Word's navigation pane shows both as headings)."""
    level = _outline_level(p.pPr)
    if level:
        return level
    for style in styles:
        match = re.fullmatch(r"Heading (\d)", style.name or "")
        if match:
            return int(match.group(1))
        level = _outline_level(style.element.pPr)
        if level:
            return level
    return None


def _label_markdown(label):
    """Word's number for a paragraph as text that Markdown will not read as a list marker."""
    text = word_inline.escape(label)
    if re.fullmatch(r"\d{1,9}[.)]", text):
        text = text[:-1] + "\\" + text[-1]
    elif text in ("-", "+"):
        text = "\\" + text
    return text


def _blocks(parent):
    """The paragraphs and tables of `parent` in reading order, inside content controls and
    tracked insertions too; tracked deletions are left out."""
    for child in parent:
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            gallery = child.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/"
                                 f"{qn('w:docPartGallery')}")
            content = child.find(qn("w:sdtContent"))
            if gallery is not None and gallery.get(qn("w:val")) == "Table of Contents":
                yield child                  # Word's table of contents: left out
            elif content is not None:
                yield from _blocks(content)
        elif child.tag in (qn("w:customXml"), qn("w:ins"), qn("w:moveTo")):
            yield from _blocks(child)


class _Reader:
    def __init__(self, word):
        self.word = word
        self.context = word_inline.Context(word)
        self.numbering = word_numbering.Numbering(word)
        self._chains = {}

    def styles(self, p):
        """The paragraph's style chain, nearest first, worked out once per style (python-docx
        looks the default style up by scanning every style, for every paragraph)."""
        key = p.style
        if key not in self._chains:
            self._chains[key] = _styles(Paragraph(p, self.word._body))
        return self._chains[key]

    def style_name(self, p):
        chain = self.styles(p)
        return (chain[0].name if chain else "") or ""

    def paragraph(self, p):
        """(Markdown text, Word's label or None, list level) of a paragraph."""
        label, ilvl = self.numbering.label(p, self.styles(p))
        if label is None:
            match = re.fullmatch(r"List Bullet(?: (\d))?", self.style_name(p))
            if match:
                label, ilvl = word_numbering.BULLET, int(match.group(1) or 1) - 1
        return word_inline.paragraph_markdown(p, self.context), label, ilvl

    def cell_text(self, tc):
        parts = []
        for p in tc.iter(qn("w:p")):
            text, label, _ilvl = self.paragraph(p)
            if text and label and label != word_numbering.BULLET:
                text = _label_markdown(label) + " " + text
            elif text and label:
                text = "\u2022 " + text
            if text:
                parts.append(text)
        return " ".join(parts).replace("\n", " ").strip()

    def table(self, tbl):
        rows = []
        for tr in tbl.iter(qn("w:tr")):
            if tr.getparent() is not tbl and tr.getparent().getparent().getparent() is not tbl:
                continue                     # a row of a table nested in a cell
            cells = [""] * _grid(tr, f"{qn('w:trPr')}/{qn('w:gridBefore')}")
            for tc in tr.findall(".//" + qn("w:tc")):
                if tc.getparent() is not tr and tc.getparent().tag != qn("w:sdtContent"):
                    continue
                tc_pr = tc.find(qn("w:tcPr"))
                merge = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
                continued = merge is not None and merge.get(qn("w:val"), "continue") != \
                    "restart"
                cells.append("" if continued else self.cell_text(tc))
                cells += [""] * (_grid(tc_pr, qn("w:gridSpan"), 1) - 1)
            rows.append(cells)
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)


def _grid(node, path, default=0):
    """An integer setting such as a cell's w:gridSpan, within reason."""
    found = node.find(path) if node is not None else None
    try:
        return max(default, min(int(found.get(qn("w:val"))), 63))
    except (AttributeError, TypeError, ValueError):
        return default


def parse_docx(data):
    """Sections from a .docx: one per heading, with its text as Markdown; ImportRefused when
    the file cannot be read (whatever python-docx or the walk below trips on in a damaged
    package: a part without its expected elements raises AttributeError or TypeError)."""
    try:
        return _parse_docx(data)
    except ImportRefused:
        raise
    except Exception:
        log.warning("A .docx could not be read", exc_info=True)
        raise ImportRefused(DAMAGED) from None


def _parse_docx(data):
    word, notes = _open_docx(data)
    reader = _Reader(word)
    context = reader.context
    sections, blocks = [], []
    current = None
    bullets = None                       # the list level the open bulleted list starts at
    first_reference = 0
    note_texts = {kind: word_notes.note_texts(word, kind, word_inline.Context(word))
                  for kind in ("footnote", "endnote")}

    def body():
        text = "\n\n".join(b for b in blocks if b).strip()
        refs = context.references[first_reference:]
        if refs:
            text = (text + "\n\n" + word_notes.definitions(refs, note_texts)).strip()
        return text + "\n" if text else ""

    front = []                           # Title and Subtitle before the first heading
    for element in _blocks(word.element.body):
        if element.tag == qn("w:sdt"):
            context.count("contents")
            continue
        if element.tag == qn("w:tbl"):
            blocks.append(reader.table(element))
            bullets = None
            continue
        style = reader.style_name(element)
        if re.fullmatch(r"(?i)toc \d|toc heading", style):
            context.count("contents")
            continue
        if current is None and style in ("Title", "Subtitle") and not any(blocks):
            front.append(_plain(element, word))
            continue
        level = _heading_level(element, reader.styles(element))
        before = len(context.references)
        text, label, ilvl = reader.paragraph(element)
        if level is not None:
            title = heading_title(_plain(element, word)) if text else ""
            if title and len(context.references) > before:
                context.count("heading notes", len(context.references) - before)
                del context.references[before:]
            if title:
                if current is not None:
                    current.body = body()
                elif any(blocks):
                    sections.append(ParsedSection(OPENING_TITLE, 0, body()))
                    notes.append(OPENING_NOTE)
                blocks, first_reference = [], len(context.references)
                current = ParsedSection(title[:MAX_TITLE], min(level - 1, MAX_DEPTH))
                sections.append(current)
                context.section = current.title
                bullets = None
                continue
        if not text:
            continue
        if label == word_numbering.BULLET:
            if bullets is None:
                bullets = ilvl
                blocks.append("")
            else:
                blocks[-1] += "\n"
            blocks[-1] += "  " * max(0, min(ilvl - bullets, 3)) + "- " + text
            continue
        bullets = None
        blocks.append(_label_markdown(label) + " " + text if label else text)
    if any(front):
        quoted = ", ".join(f"\u201c{t[:MAX_TITLE]}\u201d" for t in front if t)
        notes.append(f"The title and subtitle at the top of the file were not imported as "
                     f"text: {quoted}.")
    if context.total("contents"):
        notes.append("Word's table of contents was left out: the sections are listed and "
                     "numbered automatically.")
    return _finish(word, sections, current, body, notes, context)


def _plain(p, word):
    """A heading's text, without note references."""
    pieces = word_inline.segments(p, word_notes.Quiet(word))
    return " ".join("".join(t for t, fmt in pieces if fmt is not None).split())


def _finish(word, sections, current, body, notes, context):
    if current is not None:
        current.body = body()
    if not sections:
        title = (word.core_properties.title or "Imported text").strip()[:MAX_TITLE]
        sections = [ParsedSection(title, 0, body())]
        notes.append("The document has no headings, so it was imported as one section. "
                     "Use Word's Heading styles to split it into sections.")
    notes += word_notes.sentences(context, word_notes.running_texts(word, context))
    headed = context.total("heading notes")
    if headed:
        notes.append(f"{headed} footnote{'s' if headed != 1 else ''} on headings "
                     f"{'were' if headed != 1 else 'was'} not imported.")
    return Parsed(nest(sections), notes)

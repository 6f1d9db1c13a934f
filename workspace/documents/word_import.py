"""Sections from a Word (.docx) file.

Read with python-docx: only the document XML is read, so macros, scripts and embedded objects
are never run. Headings become sections (Heading 1 a part, 2 a sub-section, 3 and below a
sub-sub-section); tables, lists, bold, italic and web links become Markdown; images are
counted and reported, not imported. The package is first unpacked with a count of its real
bytes (docx_safety).
"""
import io
import re
import zipfile

from docx import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from lxml import etree

from . import docx_safety
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

URL_SCHEMES = ("http://", "https://", "mailto:")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"


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
        raise ImportRefused("The Word document is damaged or not a Word document, and cannot "
                           "be read. Open it in Word, save a new copy and upload that.") \
            from None


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
    return int(value) + 1 if value and value.isdigit() and int(value) < 9 else None


def _heading_level(paragraph):
    """1 for Heading 1 ...; also a house style based on a Heading style, or a paragraph
    given an outline level (Word's navigation pane shows both as headings)."""
    level = _outline_level(paragraph._p.pPr)
    if level:
        return level
    for style in _styles(paragraph):
        match = re.fullmatch(r"Heading (\d)", style.name or "")
        if match:
            return int(match.group(1))
        level = _outline_level(style.element.pPr)
        if level:
            return level
    return None


def _num_pr(paragraph):
    """(numId, level) of the paragraph's list numbering, direct or from its style."""
    for p_pr in [paragraph._p.pPr] + [s.element.pPr for s in _styles(paragraph)]:
        num_pr = p_pr.numPr if p_pr is not None else None
        if num_pr is not None and num_pr.numId is not None:
            ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
            return num_pr.numId.val, ilvl
    return None, 0


def _number_format(word, num_id, ilvl, cache):
    """Word's number format ("decimal", "bullet" ...) of a list level, or None."""
    key = (num_id, ilvl)
    if key not in cache:
        cache[key] = None
        try:
            numbering = word.part.numbering_part.element
            abstract = numbering.num_having_numId(num_id).abstractNumId.val
            found = numbering.xpath(f'./w:abstractNum[@w:abstractNumId="{int(abstract)}"]'
                                    f'/w:lvl[@w:ilvl="{int(ilvl)}"]/w:numFmt/@w:val')
            cache[key] = found[0] if found else None
        except (KeyError, NotImplementedError, ValueError, AttributeError):
            pass
    return cache[key]


def _list_prefix(paragraph, word=None, cache=None):
    """The Markdown list marker for a list paragraph ("- ", "1. ", indented by level)."""
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    match = re.fullmatch(r"List (Bullet|Number|Paragraph)(?: (\d))?", name)
    num_id, ilvl = _num_pr(paragraph)
    if num_id == 0:                     # numbering explicitly switched off
        num_id = None
    if not match and num_id is None:
        return None
    level = int(match.group(2) or 1) - 1 if match and match.group(2) else ilvl
    ordered = bool(match and match.group(1) == "Number")
    if num_id is not None and word is not None:
        number_format = _number_format(word, num_id, ilvl, {} if cache is None else cache)
        if number_format is not None:
            ordered = number_format not in ("bullet", "none")
    return "   " * min(level, 2) + ("1. " if ordered else "- ")


def _escape(text):
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)


def _run_markdown(run, text=None):
    text = _escape(run.text if text is None else text)
    if not text.strip():
        return text
    if run.bold:
        text = f"**{text}**"
    if run.italic:
        text = f"*{text}*"
    return text


def _paragraph_markdown(paragraph, counts):
    parts = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Hyperlink):
            text = "".join(_run_markdown(r) for r in item.runs)
            address = item.address or ""
            if address.startswith(URL_SCHEMES):
                parts.append(f"[{text}](<{address}>)")
            else:
                if address:
                    counts["links"] += 1
                parts.append(text)
        else:
            if item._r.findall(".//" + qn("w:drawing")) or item._r.findall(".//" + qn("w:pict")):
                counts["images"] += 1
            parts.append(_run_markdown(item))
    return "".join(parts).strip()


def _table_markdown(table, counts):
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = " ".join(_paragraph_markdown(p, counts) for p in cell.paragraphs)
            cells.append(text.replace("\n", " ").strip())
        rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def parse_docx(data):
    """Sections from a .docx: one per heading, with its text as Markdown."""
    word, notes = _open_docx(data)
    counts = {"images": 0, "links": 0}
    formats = {}                        # (numId, level) -> Word number format
    sections, blocks = [], []
    current = None
    list_open = False

    def close():
        if current is not None:
            current.body = "\n\n".join(b for b in blocks if b).strip() + "\n" if any(
                blocks) else ""

    for item in word.iter_inner_content():
        if isinstance(item, Table):
            blocks.append(_table_markdown(item, counts))
            list_open = False
            continue
        level = _heading_level(item)
        if level is not None and item.text.strip():
            close()
            if current is None and any(blocks):
                sections.append(ParsedSection(OPENING_TITLE, 0, ""))
                sections[-1].body = "\n\n".join(b for b in blocks if b).strip() + "\n"
                notes.append(OPENING_NOTE)
            blocks = []
            current = ParsedSection(heading_title(item.text) or item.text.strip()[:MAX_TITLE],
                                    min(level - 1, MAX_DEPTH))
            sections.append(current)
            list_open = False
            continue
        text = _paragraph_markdown(item, counts)
        prefix = _list_prefix(item, word, formats)
        if prefix and text:
            if list_open:
                blocks[-1] += "\n" + prefix + text
            else:
                blocks.append(prefix + text)
            list_open = True
            continue
        list_open = False
        if text:
            blocks.append(text)
    close()
    if not sections:
        title = (word.core_properties.title or "Imported text").strip()[:MAX_TITLE]
        body = "\n\n".join(b for b in blocks if b).strip()
        sections = [ParsedSection(title, 0, body + "\n" if body else "")]
        notes.append("The document has no headings, so it was imported as one section. "
                     "Use Word's Heading styles to split it into sections.")
    if counts["images"]:
        notes.append(f"{counts['images']} image{'s were' if counts['images'] != 1 else ' was'}"
                     " not imported.")
    if counts["links"]:
        notes.append(f"{counts['links']} link{'s' if counts['links'] != 1 else ''} to "
                     "something other than a web page or email address became plain text.")
    return Parsed(nest(sections), notes)

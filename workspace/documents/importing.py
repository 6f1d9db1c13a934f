"""Import of Word (.docx) and Markdown files: parse into sections for a preview, then add
them all in one transaction on confirm.

Word files are read with python-docx: only the document XML is read, so macros, scripts and
embedded objects are never run. Headings become sections (Heading 1 a part, 2 a sub-section,
3 and below a sub-sub-section); tables, lists, bold, italic and web links become Markdown;
images are counted and reported, not imported.
"""
import io
import re
import zipfile
from dataclasses import asdict, dataclass, field

from docx import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from lxml import etree
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..security import CONTROL_CHARACTERS
from .models import MAX_DEPTH, Section
from .service import (
    MAX_BODY_BYTES,
    MAX_TITLE,
    append_section,
    check_unlocked,
    live_sections,
    record_change,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Refuse archives that expand to more than this (a "zip bomb").
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_SECTIONS = 500
URL_SCHEMES = ("http://", "https://", "mailto:")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"


class ImportError_(Exception):
    """A file that cannot be imported; the message is for the user, nothing is saved."""

    def __init__(self, message, status=422):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class ParsedSection:
    title: str
    depth: int = 0
    body: str = ""


@dataclass
class Parsed:
    sections: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def as_data(self):
        return {"sections": [asdict(s) for s in self.sections], "notes": self.notes}

    @classmethod
    def from_data(cls, data):
        return cls([ParsedSection(**s) for s in data["sections"]], list(data["notes"]))


def parse_upload(filename, data):
    """Parsed sections of an uploaded .docx or .md file, or ImportError_ with the reason."""
    name = (filename or "").lower()
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportError_("The file is larger than 20 MB. Split it, or remove large images, "
                           "and try again.", status=413)
    if not data:
        raise ImportError_("Choose a Word (.docx) or Markdown (.md) file to import.")
    if name.endswith((".docx", ".docm")):
        parsed = parse_docx(data)
    elif name.endswith((".md", ".markdown", ".txt")):
        parsed = parse_markdown(data)
    else:
        raise ImportError_("The file must be a Word document (.docx) or a Markdown file "
                           "(.md).")
    _check_sizes(parsed)
    return parsed


def _check_sizes(parsed):
    if len(parsed.sections) > MAX_SECTIONS:
        raise ImportError_(f"The file has more than {MAX_SECTIONS} headings; import it in "
                           "parts.")
    for section in parsed.sections:
        if len(section.body.encode("utf-8")) > MAX_BODY_BYTES:
            raise ImportError_(f"\u201c{section.title}\u201d is longer than "
                               f"{MAX_BODY_BYTES // 1024} KB. Add headings to split it.")


# Word ---------------------------------------------------------------------------------------

def _open_docx(data):
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in \
                data or "EncryptedPackage".encode("utf-16-le") in data:
            raise ImportError_("The Word document is password-protected. Remove the password "
                               "in Word (File, Info, Protect Document) and upload it again.")
        raise ImportError_("This is an older Word (.doc) file, not a .docx. Open it in Word "
                           "and save it as a Word Document (.docx).")
    if not data.startswith(b"PK"):
        raise ImportError_("The file is not a Word document, whatever its name says. Upload a "
                           ".docx saved from Word.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise ImportError_("The Word document expands to more than 200 MB and cannot be "
                               "imported.", status=413)
        names = set(archive.namelist())
        types = archive.read("[Content_Types].xml").decode("utf-8", "replace") \
            if "[Content_Types].xml" in names else ""
    except zipfile.BadZipFile:
        raise ImportError_("The Word document is damaged and cannot be read. Open it in "
                           "Word, save a new copy and upload that.") from None
    if _MACRO_TYPE in types:
        raise ImportError_("The document contains macros (.docm). Macros are never run here: "
                           "save it from Word as a Word Document (.docx) and upload that.")
    notes = []
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        notes.append("The file contained macros; they were ignored and never run.")
    try:
        return WordDocument(io.BytesIO(data)), notes
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile,
            etree.XMLSyntaxError):
        raise ImportError_("The Word document is damaged or not a Word document, and cannot "
                           "be read. Open it in Word, save a new copy and upload that.") \
            from None


def _heading_level(paragraph):
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    match = re.fullmatch(r"Heading (\d)", name)
    if match:
        return int(match.group(1))
    return None


def _list_prefix(paragraph):
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    match = re.fullmatch(r"List (Bullet|Number|Paragraph)(?: (\d))?", name)
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if not match and not numbered:
        return None
    level = int(match.group(2) or 1) - 1 if match else 0
    ordered = bool(match and match.group(1) == "Number")
    return "   " * level + ("1. " if ordered else "- ")


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
                sections.append(ParsedSection("Introduction", 0, ""))
                sections[-1].body = "\n\n".join(b for b in blocks if b).strip() + "\n"
            blocks = []
            current = ParsedSection(item.text.strip()[:MAX_TITLE],
                                    min(level - 1, MAX_DEPTH))
            sections.append(current)
            list_open = False
            continue
        text = _paragraph_markdown(item, counts)
        prefix = _list_prefix(item)
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
    return Parsed(_nest(sections), notes)


def _nest(sections):
    """No section deeper than one below the section above it."""
    previous = -1
    for section in sections:
        section.depth = max(0, min(section.depth, previous + 1, MAX_DEPTH))
        previous = section.depth
    return sections


# Markdown -----------------------------------------------------------------------------------

_ATX = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")


def parse_markdown(data):
    """Sections from a Markdown file: one per # heading (## nested, ### and below deeper)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_("The Markdown file is not UTF-8 text. Save it as UTF-8 and upload "
                           "it again.") from None
    if "\x00" in text:
        raise ImportError_("The file is not a Markdown text file, whatever its name says.")
    # As for every form (workspace.security): no control characters (the Word export, XML,
    # refuses them).
    text = CONTROL_CHARACTERS.sub("", text)
    notes = []
    images = len(_IMAGE.findall(text))
    text = _IMAGE.sub(lambda m: m.group(1), text)
    sections, lines, current = [], [], None
    in_fence = False

    def flush():
        body = "\n".join(lines).strip()
        return body + "\n" if body else ""

    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _ATX.match(line)
        if match:
            if current is None:
                if flush():
                    sections.append(ParsedSection("Introduction", 0, flush()))
            else:
                current.body = flush()
            current = ParsedSection(match.group(2).strip()[:MAX_TITLE],
                                    min(len(match.group(1)) - 1, MAX_DEPTH))
            sections.append(current)
            lines = []
        else:
            lines.append(line)
    if current is not None:
        current.body = flush()
    if not sections:
        sections = [ParsedSection("Imported text", 0, flush())]
        notes.append("The file has no headings, so it was imported as one section. Start a "
                     "line with # to begin a section.")
    if images:
        notes.append(f"{images} image{'s were' if images != 1 else ' was'} not imported.")
    if re.search(r"<\s*script", text, re.IGNORECASE):
        notes.append("The file contained HTML; it is shown as text and never run.")
    return Parsed(_nest(sections), notes)


# Saving -------------------------------------------------------------------------------------

def import_sections(document, parsed, after, user, filename=""):
    """Add every parsed section after `after` (None: at the end), each as revision 1.

    All or nothing: the caller's transaction commits once; nothing is written before this.
    """
    check_unlocked(document)
    existing = live_sections(document)
    if after is not None:
        index = next((i + 1 for i, s in enumerate(existing) if s.id == after.id), None)
        if index is None:
            raise ImportError_("Choose a section of this document to import after.")
    else:
        index = len(existing)
    added = [append_section(document, s.title, s.body, depth=s.depth, user=user)
             for s in parsed.sections]
    for i, section in enumerate(existing[:index] + added + existing[index:]):
        section.position = (i + 1) * 10
    db.session.flush()
    record_change(document.id, added[0].id if added else None, "structure")
    audit.record("document.imported", document, actor=user, document=document,
                 file=filename[:200], sections=len(added), notes=parsed.notes)
    return added


def section_choices(document):
    """[(id, title)] of live sections, for "import after"."""
    return db.session.execute(select(Section.id, Section.title).where(
        Section.document_id == document.id, Section.removed_at.is_(None))
        .order_by(Section.position)).all()

"""Import of Word (.docx) and Markdown files: parse into sections for a preview, then add
them all (to a document, or as a new one) in one transaction on confirm.

Between the preview and the confirmation the parsed sections travel in a signed, timed token
in the page (nothing is stored before the confirmation); it expires after
IMPORT_PREVIEW_MAX_AGE_MINUTES.

A heading's typed outline number ("1.", "2.1", "3.4.1", "1)") is dropped: sections are
numbered automatically. Text before the first heading becomes a section called "Opening text"
(OPENING_TITLE), so it cannot be mistaken for the file's own "Introduction".

Word files are read with python-docx: only the document XML is read, so macros, scripts and
embedded objects are never run. Headings become sections (Heading 1 a part, 2 a sub-section,
3 and below a sub-sub-section); tables, lists, bold, italic and web links become Markdown;
images are counted and reported, not imported. The package is first unpacked with a count of
its real bytes (docx_safety); a document's section limit is checked before anything is added.
"""
import hashlib
import io
import re
import zipfile
from dataclasses import asdict, dataclass, field

from docx import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from lxml import etree
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..security import CONTROL_CHARACTERS
from . import docx_safety, limits
from .markdown import render_markdown
from .models import DOCUMENT_KINDS, MAX_DEPTH, ImportReceipt, Section
from .service import (
    MAX_BODY_BYTES,
    MAX_TITLE,
    EditError,
    append_section,
    check_title,
    check_unlocked,
    create_document,
    live_sections,
    number_sections,
    record_change,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
URL_SCHEMES = ("http://", "https://", "mailto:")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"


class ImportError_(Exception):
    """A file that cannot be imported; the message is for the user, nothing is saved."""

    def __init__(self, message, status=422, field="file", kept=None):
        super().__init__(message)
        self.message = message
        self.status = status
        #: The form field the message belongs to.
        self.field = field
        #: What the user had entered, to show again (an expired preview's title and kind).
        self.kept = kept or {}


class AlreadyImported(Exception):
    """The preview was confirmed before: nothing is imported again."""

    def __init__(self, document_id):
        super().__init__("already imported")
        #: Where the first confirmation put the sections.
        self.document_id = document_id


class Refused(Exception):
    """A new-document import whose form has problems: {field: message}, nothing saved.

    `token` carries the file's preview when the file itself was fine, so the user need not
    choose it again.
    """

    def __init__(self, errors, status=422, token=None, filename=""):
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.status = status
        self.token = token
        self.filename = filename


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


#: The title of the section made from text before the first heading.
OPENING_TITLE = "Opening text"
OPENING_NOTE = ("The text before the first heading became a section called "
                f"\u201c{OPENING_TITLE}\u201d.")
#: A typed outline number at the start of a heading, with the space after it: "1.", "1)",
#: "1.1", "1.1.", "2.3.4". Only plain numeric outline numbers: "Part 1: ...", "Annex A",
#: "5 year housing land supply" and "2026 review" keep their titles.
_TYPED_NUMBER = re.compile(r"^\d{1,3}(?:(?:\.\d{1,3})+\.?|\.|\))\s+(?=\S)")


def heading_title(text):
    """A heading's text as a section title: trimmed, without a typed outline number."""
    return _TYPED_NUMBER.sub("", (text or "").strip(), count=1)[:MAX_TITLE]


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
    too_many = limits.file_refusal(len(parsed.sections))
    if too_many:
        raise ImportError_(too_many)
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
        # Every part unpacked with a count of its real bytes before python-docx opens it.
        names, types = docx_safety.check_package(data)
    except docx_safety.PackageError as exc:
        raise ImportError_(exc.message) from None
    types = types.decode("utf-8", "replace")
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
                    sections.append(ParsedSection(OPENING_TITLE, 0, flush()))
                    notes.append(OPENING_NOTE)
            else:
                current.body = flush()
            current = ParsedSection(heading_title(match.group(2)) or
                                    match.group(2).strip()[:MAX_TITLE],
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


# The preview token -------------------------------------------------------------------------

#: What a token was made for: import into a document, or as a new document.
INTO_DOCUMENT = "document-import"
NEW_DOCUMENT = "new-document-import"


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.secret_key, salt=purpose)


def seal_preview(purpose, data):
    """The signed, timed token that carries a preview to its confirmation."""
    return _serializer(purpose).dumps(data)


def preview_max_age():
    """Seconds a preview may be confirmed in."""
    return current_app.config["IMPORT_PREVIEW_MAX_AGE_MINUTES"] * 60


def open_preview(purpose, token):
    """The data sealed at the preview, or ImportError_: 410 when it has expired (the data
    it held is kept, as `kept`), 400 when it was altered or made for something else."""
    serializer = _serializer(purpose)
    try:
        return serializer.loads(token or "", max_age=preview_max_age())
    except SignatureExpired as exc:
        try:
            kept = serializer.load_payload(exc.payload)
        except BadSignature:
            kept = {}
        minutes = current_app.config["IMPORT_PREVIEW_MAX_AGE_MINUTES"]
        raise ImportError_(
            f"The preview has expired: it can be confirmed for {minutes} minutes. Nothing was "
            "imported. Choose the file again to see a new preview.", status=410,
            kept=kept if isinstance(kept, dict) else {}) from None
    except BadSignature:
        raise ImportError_("The preview was altered or belongs to another page, so nothing "
                           "was imported. Choose the file again.", status=400) from None


def preview_sections(parsed):
    """[(number, depth, title, sanitised HTML)] of the parsed sections, for the preview."""
    return [(number, s.depth, s.title, Markup(render_markdown(s.body)))
            for number, s in number_sections(parsed.sections)]


# A new document from a file ---------------------------------------------------------------

def kind_label(kind):
    """What a kind of document is called on the "New document" forms."""
    return "Another kind of document" if kind == "other" else DOCUMENT_KINDS.get(kind, "")


def kind_choices():
    """[(kind, label)] for the kind of a new document."""
    return [(kind, kind_label(kind)) for kind in DOCUMENT_KINDS]


def preview_new_document(partnership, title, kind, filename, data, token=None):
    """Check a new document's title, kind and file and parse the file; nothing is saved.

    Returns (parsed, filename, token for the confirmation). Without a new file, the file of
    an earlier preview (`token`) is used again. Refused names every problem at once.
    """
    errors, status = {}, 422
    try:
        title = check_title(title)
    except EditError as exc:
        errors["title"] = exc.message
    if kind not in DOCUMENT_KINDS:
        errors["kind"] = "Choose the kind of document"
    parsed = None
    if data or not token:
        try:
            parsed = parse_upload(filename, data)
        except ImportError_ as exc:
            errors["file"], status = exc.message, exc.status
    else:
        try:
            earlier = open_preview(NEW_DOCUMENT, token)
            if earlier.get("partnership") != partnership.id:
                raise ImportError_("Choose a Word (.docx) or Markdown (.md) file to import.")
            parsed, filename = Parsed.from_data(earlier["parsed"]), earlier.get("file", "")
        except ImportError_ as exc:
            errors["file"] = exc.message
    sealed = None if parsed is None else seal_preview(NEW_DOCUMENT, {
        "partnership": partnership.id, "title": title, "kind": kind, "file": filename,
        "parsed": parsed.as_data()})
    if errors:
        # The file is kept for the next try in the form, a multipart form whose text fields
        # Flask caps at MAX_FORM_MEMORY_SIZE: a bigger one must be chosen again.
        fits = sealed and len(sealed) < current_app.config["MAX_FORM_MEMORY_SIZE"] - 1024
        raise Refused(errors, status if "file" in errors else 422,
                      token=sealed if fits and "file" not in errors else None,
                      filename=filename)
    return parsed, filename, sealed


def import_new_document(partnership, token, user):
    """Create the previewed document and all its sections, each as revision 1, audited.

    All or nothing: the request's one commit saves it; any failure rolls everything back.
    A preview confirmed before raises AlreadyImported and creates nothing.
    """
    done = imported_already(token)
    if done is not None:
        raise AlreadyImported(done)
    data = open_preview(NEW_DOCUMENT, token)
    if data.get("partnership") != partnership.id:
        raise ImportError_("The preview belongs to another partnership, so nothing was "
                           "imported. Choose the file again.", status=400)
    if data.get("kind") not in DOCUMENT_KINDS:
        raise ImportError_("Choose the kind of document", status=422, field="kind",
                           kept=data)
    try:
        title = check_title(data.get("title", ""))
    except EditError as exc:
        raise ImportError_(exc.message, field="title", kept=data) from None
    parsed = Parsed.from_data(data["parsed"])
    try:
        _check_sizes(parsed)
    except ImportError_ as exc:
        raise ImportError_(exc.message, kept=data) from None
    document = create_document(partnership, title, data["kind"], user)
    write_receipt(token, document)
    for part in _nest(parsed.sections):
        append_section(document, part.title[:MAX_TITLE] or "Untitled", part.body,
                       depth=part.depth, user=user)
    filename = str(data.get("file", ""))[:200]
    audit.record("document.imported", document, actor=user, partnership=partnership,
                 document=document, file=filename, sections=len(parsed.sections),
                 notes=parsed.notes, new=True)
    return document


# Saving -------------------------------------------------------------------------------------

def token_sha256(token):
    """The fingerprint of a preview token that an ImportReceipt records."""
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def imported_already(token):
    """The id of the document a preview was imported into, or None if it never was."""
    return db.session.scalar(select(ImportReceipt.document_id)
                             .where(ImportReceipt.token_sha256 == token_sha256(token)))


def write_receipt(token, document):
    """Record that this preview is imported, in the import's own transaction.

    The token's fingerprint is unique in the database: a second confirmation of the same
    preview (a resubmitted form, a retry, another tab), even one running at the same moment,
    fails here; everything it wrote is rolled back and AlreadyImported raised.
    """
    done = imported_already(token)
    if done is not None:
        # Confirmed by another request since this one began: keep nothing it wrote.
        db.session.rollback()
        raise AlreadyImported(done)
    try:
        with db.session.begin_nested():
            db.session.add(ImportReceipt(token_sha256=token_sha256(token),
                                         document_id=document.id, created_at=utcnow()))
    except IntegrityError:
        # Another confirmation of the same preview committed first (PostgreSQL waits for it
        # at the unique index, then refuses this one). Nothing of this request is kept.
        db.session.rollback()
        raise AlreadyImported(imported_already(token)) from None


def placement(document, after):
    """(index in the live sections, depth offset) for sections imported after `after`.

    They go after the whole branch of `after` (its last sub-section), never between a section
    and its sub-sections; the file's top-level headings become siblings of `after` (2.1 chosen:
    they are 2.2, 2.3 ...), deeper ones nest below them. None: at the end, as parts.
    """
    rows = db.session.execute(
        select(Section.id, Section.depth)
        .where(Section.document_id == document.id, Section.removed_at.is_(None))
        .order_by(Section.position)).all()
    if after is None:
        return rows, len(rows), 0
    numbered = number_sections(rows)
    index = next((i for i, (_, row) in enumerate(numbered) if row.id == after.id), None)
    if index is None:
        raise ImportError_("Choose a section of this document to import after.")
    prefix = numbered[index][0] + "."
    end = index + 1
    while end < len(numbered) and numbered[end][0].startswith(prefix):
        end += 1
    return rows, end, numbered[index][0].count(".")


def _placed_depths(parsed_sections, offset):
    return [min(s.depth + offset, MAX_DEPTH) for s in parsed_sections]


def placed_previews(document, parsed, after):
    """The preview of an import into a document after `after` (None: at the end):
    [(number, depth, title, html)] with the numbers the sections will have there."""
    rows, index, offset = placement(document, after)
    depths = _placed_depths(parsed.sections, offset)
    mine = [ParsedSection(s.title, d, s.body) for s, d in zip(parsed.sections, depths)]
    combined = list(rows[:index]) + mine + list(rows[index:])
    numbers = {id(item): number for number, item in number_sections(combined)}
    return [(numbers[id(s)], s.depth, s.title, Markup(render_markdown(s.body))) for s in mine]


def import_sections(document, parsed, after, user, filename="", token=None):
    """Add every parsed section after `after`'s branch (None: at the end), each as
    revision 1; with `token`, write its receipt so the same preview is never imported twice.

    All or nothing: the caller's transaction commits once; nothing is written before this.
    Past the document's section limit nothing is imported (ImportError_, 422).
    """
    limits.lock(document)
    check_unlocked(document)
    if token is not None:
        write_receipt(token, document)
    check_fits(document, parsed)
    existing = live_sections(document)
    _rows, index, offset = placement(document, after)
    depths = _placed_depths(parsed.sections, offset)
    added = [append_section(document, s.title, s.body, depth=depth, user=user)
             for s, depth in zip(parsed.sections, depths)]
    for i, section in enumerate(existing[:index] + added + existing[index:]):
        section.position = (i + 1) * 10
    db.session.flush()
    record_change(document.id, added[0].id if added else None, "structure")
    audit.record("document.imported", document, actor=user, document=document,
                 file=filename[:200], sections=len(added), notes=parsed.notes)
    return added


def check_fits(document, parsed):
    """ImportError_ (422) when the parsed sections would take the document past its limit."""
    refused = limits.refusal(document, len(parsed.sections))
    if refused:
        raise ImportError_(refused)


def section_choices(document):
    """[(id, label)] of live sections for "import after": the number, the title, and an
    indent by level, so that three sections called "Introduction" can be told apart."""
    rows = db.session.execute(
        select(Section.id, Section.title, Section.depth)
        .where(Section.document_id == document.id, Section.removed_at.is_(None))
        .order_by(Section.position)).all()
    return [(row.id, "\u00a0\u00a0\u00a0" * number.count(".") + f"{number} {row.title}")
            for number, row in number_sections(rows)]


def section_label(document, section):
    """"3.2 Strategic matters": the number and title of a live section."""
    return next((label.strip("\u00a0") for sid, label in section_choices(document)
                 if sid == section.id), section.title)

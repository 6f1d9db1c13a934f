"""The parts of the Word export python-docx has no API for: real Word footnotes, heading
numbers as a Word multilevel list, a running header, "Page X of Y" in the footer, and a
table of contents field that Word fills in when the file is opened."""
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

LEVELS = 9
#: Word's contents field: heading levels 1-3, entries as links, no tab leader in web view,
#: and paragraphs with an outline level.
TOC_FIELD = 'TOC \\o "1-3" \\h \\z \\u'
#: settings.xml elements that come after w:updateFields in the schema's sequence.
_AFTER_UPDATE = {"hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                 "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                 "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
                 "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
                 "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"}
TOC_PLACEHOLDER = ("The contents are filled in by Word: choose Yes when Word asks to update "
                   "fields, or right-click here and choose Update Field.")


# Heading numbers ---------------------------------------------------------------------------

def heading_numbering(word):
    """A new multilevel list "1", "1.1", "1.1.1" … for the section headings; its numId."""
    levels = [
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:lvlText w:val="{".".join(f"%{n + 1}" for n in range(i + 1))}"/>'
        '<w:lvlJc w:val="left"/><w:suff w:val="space"/>'
        '<w:pPr><w:ind w:left="0" w:firstLine="0"/></w:pPr></w:lvl>' for i in range(LEVELS)]
    abstract_id = _abstract(word, levels)
    return word.part.numbering_part.element.add_num(abstract_id).numId


def _abstract(word, levels, multi="multilevel"):
    """A new w:abstractNum of `levels` (the w:lvl XML of each); its id."""
    numbering = word.part.numbering_part.element
    ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    abstract_id = max(ids, default=-1) + 1
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
                         f'<w:multiLevelType w:val="{multi}"/>{"".join(levels)}'
                         '</w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)     # every abstractNum before the first num
    else:
        numbering.append(abstract)
    return abstract_id


def nested_list(word, kind, level, start=1):
    """A new Word list (w:num) for a list nested `level` deep: bullets or decimal numbers
    ("1.", restarting at `start`), indented by level, on one multilevel definition per kind
    in the file."""
    cache = word.__dict__.setdefault("_cg_lists", {})
    if kind not in cache:
        cache[kind] = _abstract(word, [
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{kind}"/>'
            f'<w:lvlText w:val="{chr(0x2022) if kind == "bullet" else f"%{i + 1}."}"/>'
            f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{360 * (i + 1)}" w:hanging="360"/>'
            '</w:pPr></w:lvl>' for i in range(LEVELS)])
    num = word.part.numbering_part.element.add_num(cache[kind])
    if kind != "bullet":
        num.add_lvlOverride(ilvl=level).add_startOverride(start)
    return num.numId


def number_heading(paragraph, num_id, level):
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def word_numbers(depths):
    """The numbers Word's multilevel list gives headings at these depths ("1", "1.1" …), to
    check they are the section numbers before relying on Word to print them."""
    counters, out = [], []
    for depth in depths:
        if depth > len(counters):
            return None                       # a level skipped: Word would print "1.0.1"
        counters = counters[:depth + 1]
        if len(counters) == depth:
            counters.append(0)
        counters[depth] += 1
        out.append(".".join(map(str, counters)))
    return out


# Footnotes ---------------------------------------------------------------------------------

class Footnotes:
    """The document's footnotes part, made on the first note: each add() is a Word footnote
    (numbered by Word, 1, 2, 3 … through the document) referenced where the run stands."""

    def __init__(self, word):
        self.word = word
        self.part = None
        self.next_id = 1

    def _footnotes(self):
        if self.part is None:
            element = parse_xml(
                f'<w:footnotes {nsdecls("w", "r")}>'
                '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0"'
                ' w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p>'
                '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p>'
                '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r>'
                '<w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>')
            package = self.word.part.package
            self.part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, element,
                                package)
            self.word.part.relate_to(self.part, RT.FOOTNOTES)
        return self.part

    def add(self, paragraph, paragraphs, write_inline):
        """A footnote reference at the end of `paragraph`; the note's text is `paragraphs`
        (lists of inline tokens), each written by write_inline(paragraph, children)."""
        part = self._footnotes()
        note_id = self.next_id
        self.next_id += 1
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(note_id))
        part.element.append(note)
        for n, children in enumerate(paragraphs or [[]]):
            p = OxmlElement("w:p")
            note.append(p)
            body = Paragraph(p, _Parent(part))
            if n == 0:
                _reference_run(body, "w:footnoteRef")
                body.add_run(" ")
            write_inline(body, children)
            for run in body.runs:
                run.font.size = Pt(9)
        _reference_run(paragraph, "w:footnoteReference", note_id)
        return note_id


class _Parent:
    """What a python-docx Paragraph needs of its parent: the part it lives in (for links)."""

    def __init__(self, part):
        self.part = part


def _reference_run(paragraph, tag, note_id=None):
    run = paragraph.add_run()
    run.font.superscript = True
    mark = OxmlElement(tag)
    if note_id is not None:
        mark.set(qn("w:id"), str(note_id))
    run._r.append(mark)


# Header, footer and fields -----------------------------------------------------------------

def _field(paragraph, instruction, placeholder="", dirty=False):
    """A complex field: begin, instruction, separate, the text shown until Word updates it,
    end."""
    def char(kind):
        run = OxmlElement("w:r")
        mark = OxmlElement("w:fldChar")
        mark.set(qn("w:fldCharType"), kind)
        if dirty and kind == "begin":
            mark.set(qn("w:dirty"), "true")
        run.append(mark)
        paragraph._p.append(run)

    char("begin")
    run = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run.append(text)
    paragraph._p.append(run)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def running_header(word, text):
    header = word.sections[0].header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.text = text
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def page_footer(word, fingerprint=None):
    """"Page X of Y" (PAGE and NUMPAGES fields) and, for a frozen version, its content
    fingerprint."""
    footer = word.sections[0].footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES", "1")
    if fingerprint:
        line = footer.add_paragraph(f"Content fingerprint (SHA-256): {fingerprint}")
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in line.runs:
            run.font.size = Pt(7)


def contents(word):
    """A "Contents" title and Word's TOC field, in a table of contents content control (as
    Word makes one), marked dirty and with updateFields set so Word offers to fill it in."""
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:docPartObj><w:docPartGallery '
        'w:val="Table of Contents"/><w:docPartUnique/></w:docPartObj></w:sdtPr>'
        '<w:sdtContent/></w:sdt>')
    content = sdt.find(qn("w:sdtContent"))
    title = OxmlElement("w:p")
    content.append(title)
    Paragraph(title, word._body).add_run("Contents").bold = True
    field = OxmlElement("w:p")
    content.append(field)
    _field(Paragraph(field, word._body), TOC_FIELD, TOC_PLACEHOLDER, dirty=True)
    word.element.body.sectPr.addprevious(sdt)
    settings = word.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        # In the schema's order: after the compatibility options, before w:compat and on.
        later = next((c for c in settings if c.tag.split("}")[-1] in _AFTER_UPDATE), None)
        if later is not None:
            later.addprevious(update)
        else:
            settings.append(update)


# Tables ------------------------------------------------------------------------------------

TABLE_STYLE = "Common Ground Table"


def header_table_style(word):
    """Table Grid with a bold header row (the style's firstRow), so a header cell's text is
    bold by the table's style rather than by its runs: it reads as a header in Word and
    comes back without ** when the file is imported."""
    if TABLE_STYLE not in [s.name for s in word.styles]:
        style = word.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
        style.base_style = word.styles["Table Grid"]
        style.element.append(parse_xml(
            f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:rPr><w:b/></w:rPr>'
            '</w:tblStylePr>'))
    return word.styles[TABLE_STYLE]


def header_rows(table, count):
    """The first `count` rows are the table's header: bold by its style, repeated at the top
    of each page, and announced as headers by screen readers."""
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:
        look.set(qn("w:firstRow"), "1" if count else "0")
        look.set(qn("w:firstColumn"), "0")
    for row in table.rows[:count]:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))

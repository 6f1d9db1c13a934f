"""A small writer of Word (.docx) packages from their XML parts, for the Word import tests:
numbering, footnotes, endnotes, headers, footers, comments and tracked changes, written as
Word writes them (no binary fixtures)."""
import io
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = (f'xmlns:w="{W}" xmlns:r="{R}" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
      'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml."

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {NS}>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>
<w:basedOn w:val="Normal"/><w:pPr>{{h1num}}<w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/>
<w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Numbered"><w:name w:val="SCG Numbered"/>
<w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr>
</w:pPr></w:style>
<w:style w:type="character" w:styleId="FootnoteReference"><w:name w:val="footnote reference"/>
<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/><w:rPr><w:b/></w:rPr>
</w:style>
</w:styles>"""


def level(ilvl, fmt="decimal", text=None, start=1, extra=""):
    text = f"%{ilvl + 1}." if text is None else text
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{escape(text)}"/>{extra}</w:lvl>')


def abstract(abstract_id, *levels):
    return f'<w:abstractNum w:abstractNumId="{abstract_id}">{"".join(levels)}</w:abstractNum>'


def num(num_id, abstract_id, overrides=""):
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>' \
           f'{overrides}</w:num>'


def start_override(ilvl, value):
    return f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{value}"/></w:lvlOverride>'


def run(text, bold=False, italic=False, vert=None, style=None):
    props = (f'<w:rStyle w:val="{style}"/>' if style else "") + ("<w:b/>" if bold else "") + \
        ("<w:i/>" if italic else "") + (f'<w:vertAlign w:val="{vert}"/>' if vert else "")
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(*content, style=None, num_id=None, ilvl=0):
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num_id is not None:
        props += f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    inner = "".join(run(c) if isinstance(c, str) else c[0] for c in content)
    return f"<w:p><w:pPr>{props}</w:pPr>{inner}</w:p>"


def raw(xml):
    """Markup to put in a paragraph as it is (a tuple, so para() does not treat it as text)."""
    return (xml,)


def heading(text, level_=1):
    return para(text, style=f"Heading{level_}")


def cell(text, span=1, vmerge=None):
    props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        "" if vmerge is None else ("<w:vMerge/>" if vmerge == "continue"
                                   else '<w:vMerge w:val="restart"/>'))
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{para(text)}</w:tc>"


def table(*rows):
    return "<w:tbl><w:tblPr/>" + "".join(f"<w:tr>{''.join(r)}</w:tr>" for r in rows) + \
        "</w:tbl>"


def notes_part(kind, notes):
    """footnotes.xml or endnotes.xml with Word's two separators and `notes` {id: text}."""
    body = "".join(f'<w:{kind} w:type="{t}" w:id="{i}"><w:p><w:r><w:separator/></w:r></w:p>'
                   f'</w:{kind}>' for i, t in ((-1, "separator"), (0, "continuationSeparator")))
    body += "".join(f'<w:{kind} w:id="{i}"><w:p><w:r><w:rPr><w:rStyle w:val='
                    f'"FootnoteReference"/></w:rPr><w:{kind}Ref/></w:r>{run(" " + text)}</w:p>'
                    f'</w:{kind}>' for i, text in notes.items())
    return f'<?xml version="1.0" encoding="UTF-8"?><w:{kind}s {NS}>{body}</w:{kind}s>'


def build(body, numbering=None, footnotes=None, endnotes=None, headers=(), footers=(),
          comments=None, heading_numbering=False, edit=None):
    """The bytes of a .docx whose body is `body` (XML of paragraphs and tables)."""
    parts, rels = {}, []
    types = [f'<Override PartName="/word/document.xml" ContentType="{TYPE}document.main+xml"/>',
             f'<Override PartName="/word/styles.xml" ContentType="{TYPE}styles+xml"/>']

    def add(name, xml, rel, content_type):
        parts[f"word/{name}"] = xml
        rels.append(f'<Relationship Id="rId{len(rels) + 1}" Type="{REL}{rel}" '
                    f'Target="{name}"/>')
        types.append(f'<Override PartName="/word/{name}" ContentType="{TYPE}{content_type}"/>')
        return f"rId{len(rels)}"

    h1num = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' \
        if heading_numbering else ""
    add("styles.xml", STYLES.replace("{h1num}", h1num), "styles", "styles+xml")
    types.pop()
    if numbering is not None:
        add("numbering.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:numbering {NS}>'
            f"{numbering}</w:numbering>", "numbering", "numbering+xml")
    if footnotes is not None:
        add("footnotes.xml", notes_part("footnote", footnotes), "footnotes", "footnotes+xml")
    if endnotes is not None:
        add("endnotes.xml", notes_part("endnote", endnotes), "endnotes", "endnotes+xml")
    if comments is not None:
        add("comments.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:comments {NS}>'
            + "".join(f'<w:comment w:id="{i}" w:author="A"><w:p>{run(t)}</w:p></w:comment>'
                      for i, t in enumerate(comments)) + "</w:comments>",
            "comments", "comments+xml")
    refs = ""
    for kind, texts in (("header", headers), ("footer", footers)):
        tag = "hdr" if kind == "header" else "ftr"
        for number, text in enumerate(texts, 1):
            rel_id = add(f"{kind}{number}.xml", f'<?xml version="1.0" encoding="UTF-8"?>'
                         f'<w:{tag} {NS}>{para(text)}</w:{tag}>', kind,
                         f"{kind}+xml")
            refs += f'<w:{kind}Reference w:type="default" r:id="{rel_id}"/>'
    parts["word/document.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS}>'
                                  f"<w:body>{body}<w:sectPr>{refs}</w:sectPr></w:body>"
                                  "</w:document>")
    parts["word/_rels/document.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships">' + "".join(rels) + "</Relationships>")
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
        f'{REL}officeDocument" Target="word/document.xml"/></Relationships>')
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
        'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/>' + "".join(types) + "</Types>")
    if edit is not None:
        edit(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml.encode("utf-8") if isinstance(xml, str) else xml)
    return out.getvalue()

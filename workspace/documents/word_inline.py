"""A Word paragraph's text as Markdown, read from its XML.

Runs are read wherever Word puts them: in hyperlinks, content controls (w:sdt), smart tags,
simple fields, and tracked insertions (w:ins, w:moveTo) — changes are taken as accepted, so
tracked deletions (w:del, w:moveFrom) are left out and counted. Bold, italic, superscript
(`^x^`) and subscript (`~x~`) come from the run or its character style; neighbouring runs
of the same formatting are merged, and spaces at the edges of a run are moved outside its
markers, so Word's "**Recommendation 1: **" renders as bold. Footnote and endnote references
become `[^n]`; images and embedded objects are counted, field codes never shown.
"""
import re
import unicodedata

from docx.oxml.ns import qn

URL_SCHEMES = ("http://", "https://", "mailto:")
_RECURSE = {qn(t) for t in ("w:ins", "w:moveTo", "w:smartTag", "w:customXml", "w:fldSimple",
                            "w:sdtContent", "w:dir", "w:bdo")}
_DELETED = {qn("w:del"), qn("w:moveFrom")}
_OFF = ("0", "false", "off")


def escape(text):
    return re.sub(r"([\\`*_\[\]<>|#^~])", r"\\\1", text)


class Context:
    """What reading paragraphs collects: counts by kind and section, and note references."""

    def __init__(self, word):
        self.word = word
        self.section = None           # the title of the section being read
        self.counts = {}              # kind -> {section title: count}
        self.references = []          # (kind, Word id, label) in reading order
        self.labels = {"footnote": 0, "endnote": 0}
        self._char_styles = {}

    def count(self, kind, number=1):
        where = self.counts.setdefault(kind, {})
        where[self.section] = where.get(self.section, 0) + number

    def total(self, kind):
        return sum(self.counts.get(kind, {}).values())

    def char_style(self, style_id):
        """(bold, italic, vertAlign) a character style gives, following its bases."""
        if style_id not in self._char_styles:
            found, seen = [None, None, None], 0
            try:
                style = self.word.styles.element.get_by_id(style_id)
            except (AttributeError, KeyError):
                style = None
            while style is not None and seen < 10:
                _formats(style.find(qn("w:rPr")), found)
                based = style.find(qn("w:basedOn"))
                style = self.word.styles.element.get_by_id(based.get(qn("w:val"))) \
                    if based is not None else None
                seen += 1
            self._char_styles[style_id] = found
        return self._char_styles[style_id]

    def reference(self, kind, word_id):
        self.labels[kind] += 1
        number = self.labels[kind]
        label = str(number) if kind == "footnote" else _roman(number)
        self.references.append((kind, word_id, label))
        return f"[^{label}]"


def _roman(number):
    from .word_numbering import roman
    return roman(number)


def _toggle(node):
    return None if node is None else node.get(qn("w:val"), "1").lower() not in _OFF


def _formats(r_pr, found):
    """Fill the unset of [bold, italic, vertAlign] from the run properties `r_pr`."""
    if r_pr is None:
        return found
    for at, tag in ((0, "w:b"), (1, "w:i")):
        if found[at] is None:
            found[at] = _toggle(r_pr.find(qn(tag)))
    if found[2] is None:
        vert = r_pr.find(qn("w:vertAlign"))
        if vert is not None:
            found[2] = vert.get(qn("w:val"))
    return found


def _run_format(run, context):
    r_pr = run.find(qn("w:rPr"))
    found = _formats(r_pr, [None, None, None])
    style = r_pr.find(qn("w:rStyle")) if r_pr is not None else None
    if style is not None and None in found:
        inherited = context.char_style(style.get(qn("w:val")))
        found = [f if f is not None else i for f, i in zip(found, inherited)]
    vert = found[2] if found[2] in ("superscript", "subscript") else None
    return (bool(found[0]), bool(found[1]), vert)


def _run_segments(run, context, out):
    fmt = _run_format(run, context)
    for child in run:
        tag = child.tag
        if tag == qn("w:t"):
            out.append((child.text or "", fmt))
        elif tag in (qn("w:tab"), qn("w:ptab")):
            out.append((" ", fmt))
        elif tag in (qn("w:br"), qn("w:cr")):
            out.append(("\n", fmt))
        elif tag == qn("w:noBreakHyphen"):
            out.append(("-", fmt))
        elif tag in (qn("w:footnoteReference"), qn("w:endnoteReference")):
            kind = "footnote" if tag == qn("w:footnoteReference") else "endnote"
            out.append((context.reference(kind, child.get(qn("w:id"))), None))
        elif tag == qn("w:commentReference"):
            context.count("comments")
        elif tag in (qn("w:drawing"), qn("w:pict"), qn("w:object")):
            pictures = child.findall(".//{*}pic") + child.findall(".//{*}imagedata")
            chart_or_ole = tag == qn("w:object") or not pictures
            context.count("objects" if chart_or_ole else "images")
            boxes = len(list(child.iter(qn("w:txbxContent"))))
            if boxes:
                context.count("text boxes", boxes)


def segments(parent, context, out=None):
    """The (text, (bold, italic, vertAlign)) pieces of a paragraph-like element; pieces that
    are already Markdown (links, note references) have the format None."""
    out = [] if out is None else out
    for child in parent:
        tag = child.tag
        if tag == qn("w:r"):
            _run_segments(child, context, out)
        elif tag == qn("w:hyperlink"):
            inner = markdown(segments(child, context))
            address = _address(child, context)
            if address.startswith(URL_SCHEMES) and inner.strip():
                out.append((f"[{inner}](<{address}>)", None))
            else:
                if address:
                    context.count("links")
                out.append((inner, None))
        elif tag in _DELETED:
            context.count("tracked changes")
        elif tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                segments(content, context, out)
        elif tag in _RECURSE:
            if tag in (qn("w:ins"), qn("w:moveTo")):
                context.count("tracked changes")
            segments(child, context, out)
    return out


def _address(link, context):
    rel_id = link.get(qn("r:id"))
    if not rel_id:
        return "#" + link.get(qn("w:anchor"), "") if link.get(qn("w:anchor")) else ""
    try:
        rel = context.word.part.rels[rel_id]
    except KeyError:
        return ""
    return rel.target_ref if rel.is_external else ""


def _punctuation(char):
    return bool(char) and unicodedata.category(char)[0] in "PS"


def _wrap(text, fmt, before="", after=""):
    """Escaped `text` with its markers, spaces at its edges moved outside them. Punctuation at
    an edge that touches a letter outside is moved out too, since Markdown would not read
    the markers there as emphasis ("**Note:**text" becomes "**Note**:text")."""
    core = text.strip(" \t")
    if not core or core.isspace():
        return escape(text)
    lead = text[:len(text) - len(text.lstrip(" \t"))]
    trail = text[len(text.rstrip(" \t")):]
    bold, italic, vert = fmt
    if (bold or italic) and not lead and before.isalnum():
        while core and _punctuation(core[0]):
            lead, core = lead + core[0], core[1:]
    if (bold or italic) and not trail and after.isalnum():
        while core and _punctuation(core[-1]):
            core, trail = core[:-1], core[-1] + trail
    if not core:
        return escape(text)
    lead, body, trail = escape(lead), escape(core), escape(trail)
    if vert:
        mark = "^" if vert == "superscript" else "~"
        body = mark + body.replace(" ", "\\ ").replace("\n", "\\ ") + mark
    if bold and italic:
        body = f"***{body}***"
    elif bold:
        body = f"**{body}**"
    elif italic:
        body = f"*{body}*"
    return lead + body + trail


def markdown(pieces):
    """Markdown for a paragraph's pieces: same-format neighbours merged, then wrapped."""
    merged = []
    for text, fmt in pieces:
        if not text:
            continue
        if merged and fmt is not None and merged[-1][1] == fmt:
            merged[-1] = (merged[-1][0] + text, fmt)
        else:
            merged.append((text, fmt))
    out = []
    for at, (text, fmt) in enumerate(merged):
        if fmt is None:
            out.append(text)
            continue
        before = out[-1][-1:] if out else ""
        after = merged[at + 1][0][:1] if at + 1 < len(merged) else ""
        out.append(_wrap(text, fmt, before, after))
    return "".join(out)


def paragraph_markdown(p, context):
    return markdown(segments(p, context)).strip()

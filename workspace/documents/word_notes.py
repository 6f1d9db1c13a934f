"""Word's footnotes and endnotes, page headers and footers, and the sentences that tell the
user what an import left out (Parsed.notes), with counts and where."""
import re

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from . import word_inline
from .import_parsing import OPENING_TITLE

_SKIPPED = ("separator", "continuationSeparator", "continuationNotice")


def _parts(word, reltype):
    """The XML roots of the document's parts of one relationship type, in a stable order."""
    roots = []
    rels = word.part.rels
    for _number, rel_id in sorted((int(re.sub(r"\D", "", k)[:9] or 0), k) for k in rels):
        rel = rels[rel_id]
        if rel.reltype != reltype or rel.is_external:
            continue
        part = rel.target_part
        element = getattr(part, "element", None)
        roots.append(element if element is not None else parse_xml(part.blob))
    return roots


def note_texts(word, kind, context):
    """{Word id: the note's text as one line of Markdown} of "footnote" or "endnote"."""
    reltype = RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES
    texts = {}
    for root in _parts(word, reltype):
        for note in root.findall(qn(f"w:{kind}")):
            if note.get(qn("w:type")) in _SKIPPED:
                continue
            paragraphs = [word_inline.paragraph_markdown(p, context)
                          for p in note.iter(qn("w:p"))]
            texts[note.get(qn("w:id"))] = " ".join(p for p in paragraphs if p)
    return texts


def definitions(references, texts):
    """The `[^n]: text` lines for the references a section made."""
    lines = []
    for kind, word_id, label in references:
        text = texts.get(kind, {}).get(word_id, "").replace("\n", " ").strip()
        lines.append(f"[^{label}]: {text or '(empty ' + kind + ')'}")
    return "\n".join(lines)


def running_texts(word, context):
    """{"header": [distinct texts], "footer": [...]} of the page headers and footers."""
    found = {}
    for kind, reltype in (("header", RT.HEADER), ("footer", RT.FOOTER)):
        texts = []
        for root in _parts(word, reltype):
            lines = []
            for p in root.iter(qn("w:p")):
                pieces = word_inline.segments(p, Quiet(word))
                line = " ".join("".join(t for t, _fmt in pieces).split())
                if line:
                    lines.append(line)
            text = " ".join(lines)
            if text and text not in texts:
                texts.append(text)
        found[kind] = texts
    return found


class Quiet(word_inline.Context):
    """A reading context whose counts and references go nowhere (headers, footers)."""

    def reference(self, kind, word_id):
        return ""


def _plural(number, one, many=None):
    return f"{number} {one if number == 1 else (many or one + 's')}"


def _where(places, total):
    """" It was in “Housing”." or " They were in “A”, “B” and 3 more sections."."""
    titles = [OPENING_TITLE if t is None else t for t in places]
    quoted = ", ".join(f"\u201c{t}\u201d" for t in titles[:5])
    more = f" and {_plural(len(titles) - 5, 'more section')}" if len(titles) > 5 else ""
    return f" {'It was' if total == 1 else 'They were'} in {quoted}{more}."


def sentences(context, running):
    """The notes for what was left out or changed, one sentence per kind."""
    notes = []
    for kind, label in (("header", "page header"), ("footer", "page footer")):
        texts = running.get(kind, [])
        if texts:
            verb = "was" if len(texts) == 1 else "were"
            quoted = ", ".join(f"\u201c{t[:80]}\u201d" for t in texts)
            notes.append(f"{_plural(len(texts), label)} {verb} not imported: {quoted}.")
    for kind, one, many, what in (
            ("comments", "comment", None, "not imported"),
            ("tracked changes", "tracked change", None,
             "imported as accepted: inserted text kept, deleted text left out"),
            ("images", "image", None, "not imported"),
            ("objects", "embedded object (a chart, equation or file)",
             "embedded objects (charts, equations or files)", "not imported"),
            ("text boxes", "text box", "text boxes", "not imported")):
        total = context.total(kind)
        if total:
            verb = "was" if total == 1 else "were"
            where = _where(list(context.counts[kind]), total)
            notes.append(f"{_plural(total, one, many)} {verb} {what}.{where}")
    links = context.total("links")
    if links:
        notes.append(f"{_plural(links, 'link')} to something other than a web page or email "
                     "address became plain text.")
    return notes

"""Sections from a Markdown file, split where markdown-it-py (CommonMark) finds a heading.

Only headings at the top level of the file split it: ATX ("# Title") and setext ("Title"
underlined with ==== or ----) alike; # and ==== are parts, ## and ---- sub-sections, ### and
below sub-sub-sections. A heading inside fenced code (``` or ~~~, nested as CommonMark nests
them), a block quote or a list stays text. Each section's body is the file's own lines
between its heading and the next, so the Markdown is kept as written, less HTML comments
(<!-- ... -->, block or inline), which are dropped and counted in a note.
"""
import re
from bisect import bisect_right
from collections import Counter

from markdown_it import MarkdownIt

from ..security import CONTROL_CHARACTERS
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

NO_HEADINGS_NOTE = ("The file has no headings, so it was imported as one section. Start a "
                    "line with # to begin a section.")
#: An image, replaced by its alt text. Neither part runs past a bracket, a parenthesis or a
#: line's end: each try stops at the next one, so a file of "![x![x![x…" costs linear time
#: (with `[^\]]*` every "![" scanned to the end of the file: 180 KB took 86 s).
_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\([^()\n]*\)")
#: The largest Markdown file imported, and the most table cells in it: markdown-it spends
#: about 15 µs on each cell, so a 20 MB upload of table rows would hold a worker for minutes.
MAX_MARKDOWN_BYTES = 2 * 1024 * 1024
MAX_TABLE_CELLS = 100_000
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: The parser that finds headings and comments: as the app's renderer reads the text (tables,
#: strikethrough), with HTML recognised so that comments can be found and left out.
_splitter = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def _is_comment(text):
    return text.strip().startswith("<!--")


def _decode(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("The Markdown file is not UTF-8 text. Save it as UTF-8 and upload "
                           "it again.") from None
    if "\x00" in text:
        raise ImportRefused("The file is not a Markdown text file, whatever its name says.")
    # As for every form (workspace.security): no control characters (the Word export, XML,
    # refuses them).
    return CONTROL_CHARACTERS.sub("", text)


def _without_comments(lines, tokens):
    """The lines with every HTML comment taken out (a line that held only a comment goes),
    and for each comment the line it started on."""
    lines = list(lines)
    found = []
    for token in tokens:
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "html_block" and _is_comment(token.content):
            found += [start] * len(_COMMENT.findall(token.content))
            rest = _COMMENT.sub("", "\n".join(lines[start:end])).strip()
            lines[start:end] = [None] * (end - start)
            lines[start] = rest or None
        elif token.type == "inline" and token.children:
            comments = [c.content for c in token.children
                        if c.type == "html_inline" and _is_comment(c.content)]
            if not comments:
                continue
            found += [start] * len(comments)
            text = "\n".join(line or "" for line in lines[start:end])
            for comment in comments:
                text = text.replace(comment, "", 1)
            # A line that held only a comment goes, rather than splitting its paragraph.
            kept = [line if line.strip() or not was else None
                    for line, was in zip(text.split("\n"), lines[start:end])]
            lines[start:end] = kept + [None] * (end - start - len(kept))
    return lines, found


def _body(lines):
    """Lines as a section's body: without dropped lines and blank lines at either end."""
    kept = [line.rstrip() if i == len(lines) - 1 else line
            for i, line in enumerate(lines) if line is not None]
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept).rstrip() + "\n" if kept else ""


#: Inline tokens whose text a title keeps (emphasis marks and links' addresses go).
_TITLE_TEXT = {"text", "code_inline", "html_inline"}
#: HTML in a heading that a title drops (keeping what it wraps): comments, <sup> and <sub>.
_TITLE_DROPS = re.compile(r"<!--.*?-->|</?(?:sup|sub)>", re.IGNORECASE | re.DOTALL)


def _title(inline):
    """The heading as plain text: "## **2 Taking forward**" is titled "Taking forward" (a
    title is plain text: its marks would show as asterisks). What looks like a tag stays as
    written ("Sites <A1> and <A2>"). A setext heading may run over several lines: one line
    of title."""
    if inline is None:
        return ""
    parts = [c.content if c.type in _TITLE_TEXT else " " if c.type.endswith("break") else ""
             for c in inline.children or []]
    text = " ".join(_TITLE_DROPS.sub("", "".join(parts)).split())
    return heading_title(text) or text[:MAX_TITLE]


#: <sup>…</sup> and <sub>…</sub> as HTML in the file (shown as text: HTML is not rendered).
_HTML_SCRIPT = re.compile(r"<(sup|sub)>([^<>\n]{1,40})</\1>", re.IGNORECASE)
#: A paragraph that starts with a superscript label: a footnote written out, e.g.
#: "<sup>1</sup> A revised version of NPPF…".
_NOTE_LINE = re.compile(r"^<sup>(\w{1,6})</sup>[ \t]+(?=\S)", re.IGNORECASE | re.MULTILINE)
#: Code, left as written: fenced blocks and inline code spans.
_CODE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)|`[^`\n]+`",
                   re.MULTILINE | re.DOTALL)
#: Inside a link's text: "[NPPF<sup>1</sup>](…)" (a footnote mark there would break the link).
_LINK_BEFORE = re.compile(r"\[[^\[\]\n]*\Z")
_LINK_AFTER = re.compile(r"[^\[\]\n]*\]\(")


def _scripts(text):
    """HTML superscripts and subscripts as the app writes them, and footnotes written as
    <sup>N</sup> as footnotes: "NPPF<sup>1</sup>" → "NPPF[^1]", "<sup>1</sup> A revised…" →
    "[^1]: A revised…", "21<sup>st</sup>" → "21^st^". A label becomes a footnote only when one
    paragraph starts with it and it marks text elsewhere (not in a link): anything else would
    leave a note with no mark, which is not shown. Code is left as written.
    (text, footnotes made, other marks made)."""
    if "<su" not in text.lower():
        return text, 0, 0
    code = [m.span() for m in _CODE.finditer(text)]
    starts = [start for start, _ in code]

    def in_code(position):
        index = bisect_right(starts, position) - 1
        return index >= 0 and position < code[index][1]

    def in_link(match):
        # A link's text is looked for within 300 characters either side (linear time).
        start, end = match.span()
        return bool(_LINK_BEFORE.search(text[max(0, start - 300):start])
                    and _LINK_AFTER.match(text[end:end + 300]))

    notes = {m.start(): m for m in _NOTE_LINE.finditer(text) if not in_code(m.start())}
    found = [m for m in _HTML_SCRIPT.finditer(text) if not in_code(m.start())]
    note_count = Counter(m.group(1) for m in notes.values())
    marks_in_text = [m for m in found if m.start() not in notes]
    linked = {m.start() for m in marks_in_text if in_link(m)}
    marked = Counter(m.group(2) for m in marks_in_text
                     if m.group(1).lower() == "sup" and m.start() not in linked)
    in_links = {m.group(2) for m in marks_in_text if m.start() in linked}
    labels = {label for label, count in note_count.items()
              if count == 1 and marked[label] and label not in in_links}
    out, place, marks = [], 0, 0
    for match in found:
        kind, inner = match.group(1).lower(), match.group(2)
        note = notes.get(match.start())
        if kind == "sup" and inner in labels:
            end = note.end() if note else match.end()
            new = f"[^{inner}]: " if note else f"[^{inner}]"
        else:
            end, marks = match.end(), marks + 1
            mark = "^" if kind == "sup" else "~"
            new = mark + re.sub(r"([ ^~\\])", r"\\\1", inner) + mark
        out += [text[place:match.start()], new]
        place = end
    return "".join(out) + text[place:], len(labels), marks


def _quote_list(titles):
    names = [f"\u201c{t}\u201d" for t in dict.fromkeys(titles)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def parse_markdown(data):
    """Sections from a Markdown file: one per top-level heading (## nested, ### and below
    deeper), and notes on what was left out."""
    if len(data) > MAX_MARKDOWN_BYTES:
        raise ImportRefused("The Markdown file is larger than 2 MB. Split it into parts and "
                           "import each one.", status=413)
    text = _decode(data)
    if text.count("|") > MAX_TABLE_CELLS:
        raise ImportRefused(f"The file's tables have more than {MAX_TABLE_CELLS:,} cells. "
                           "Split it into parts and import each one.")
    notes = []
    images = len(_IMAGE.findall(text))
    text = _IMAGE.sub(lambda m: m.group(1), text)
    tokens = _splitter.parse(text)
    lines, comments = _without_comments(text.splitlines(), tokens)
    headings = [(tokens[i].map, int(tokens[i].tag[1]) - 1, tokens[i + 1])
                for i, token in enumerate(tokens)
                if token.type == "heading_open" and token.level == 0 and token.map]
    sections, comment_places = [], []
    first = headings[0][0][0] if headings else len(lines)
    if _body(lines[:first]):
        sections.append(ParsedSection(OPENING_TITLE, 0, _body(lines[:first])))
        notes.append(OPENING_NOTE)
    for index, ((start, end), level, inline) in enumerate(headings):
        stop = headings[index + 1][0][0] if index + 1 < len(headings) else len(lines)
        title = _title(inline)
        sections.append(ParsedSection(title, min(level, MAX_DEPTH), _body(lines[end:stop])))
        comment_places += [title for line in comments if start <= line < stop]
    if headings:
        comment_places = [OPENING_TITLE for line in comments if line < first] + comment_places
    if not headings:
        sections = [ParsedSection("Imported text", 0, _body(lines))]
        notes = [NO_HEADINGS_NOTE]
        comment_places = ["Imported text"] * len(comments)
    # Section by section: a footnote is one only where its mark and its text share a section
    # (a footnote's text with no mark in its section would not be shown).
    footnotes = marks = 0
    for section in sections:
        section.body, made, other = _scripts(section.body)
        footnotes, marks = footnotes + made, marks + other
    if comments:
        count = len(comments)
        notes.append(f"{count} HTML comment{'s were' if count != 1 else ' was'} not "
                     f"imported (in {_quote_list(comment_places)}).")
    if images:
        notes.append(f"{images} image{'s were' if images != 1 else ' was'} not imported.")
    if footnotes:
        notes.append(f"{footnotes} footnote{'s' if footnotes != 1 else ''} written as HTML "
                     "(<sup>) " + ("were made Markdown footnotes." if footnotes != 1 else
                                   "was made a Markdown footnote."))
    if marks:
        notes.append(("1 superscript or subscript written as HTML (<sup>, <sub>) became a ^ "
                      "or ~ mark.") if marks == 1 else
                     f"{marks} superscripts or subscripts written as HTML (<sup>, <sub>) "
                     "became ^ and ~ marks.")
    if re.search(r"<\s*script", text, re.IGNORECASE):
        notes.append("The file contained HTML; it is shown as text and never run.")
    return Parsed(nest(sections), notes)

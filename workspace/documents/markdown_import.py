"""Sections from a Markdown file: one per # heading (## nested, ### and below deeper)."""
import re

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

_ATX = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")


def parse_markdown(data):
    """Sections from a Markdown file: one per # heading (## nested, ### and below deeper)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("The Markdown file is not UTF-8 text. Save it as UTF-8 and upload "
                           "it again.") from None
    if "\x00" in text:
        raise ImportRefused("The file is not a Markdown text file, whatever its name says.")
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
    return Parsed(nest(sections), notes)

"""What an imported file becomes: sections (a title, a depth, a Markdown body) and notes for the
user, or ImportRefused with the reason. Shared by the Word and Markdown readers.

A heading's typed outline number ("1 Introduction", "1.", "2.3", "2.3.", "3.4.1", "1)") is
dropped: sections are numbered automatically; a figure that is not an outline number ("1.5
million homes", "5 year supply", "2026 review") stays. Text before the first heading becomes a
section called "Opening text" (OPENING_TITLE), so it cannot be mistaken for the file's own
"Introduction". A file that starts with one top-level heading with everything else inside it
has a title (Parsed.title_heading) that the preview offers to leave out
(Parsed.without_title), bringing its sub-sections up one level.
"""
import re
from dataclasses import asdict, dataclass, field

from . import limits
from .editing import MAX_BODY_BYTES, MAX_TITLE
from .models import MAX_DEPTH


class ImportRefused(Exception):
    """A file that cannot be imported; the message is for the user, nothing is saved."""

    def __init__(self, message, status=422, field="file", kept=None):
        super().__init__(message)
        self.message = message
        self.status = status
        #: The form field the message belongs to.
        self.field = field
        #: What the user had entered, to show again (an expired preview's title and kind).
        self.kept = kept or {}


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

    @property
    def title_heading(self):
        """The file's own title, or None: the text of its one top-level heading when the file
        starts with it (no text before it) and every other section is below it."""
        first, rest = (self.sections[0], self.sections[1:]) if self.sections else (None, [])
        if not rest or first.depth != 0 or any(s.depth < 1 for s in rest):
            return None
        if first.title == OPENING_TITLE and OPENING_NOTE in self.notes:
            return None
        return first.title

    def without_title(self):
        """The file with its title heading taken out (see title_heading) and its sections one
        level up; text under the title before its first sub-section becomes the opening text.
        Unchanged when the file has no title."""
        if self.title_heading is None:
            return self
        first, rest = self.sections[0], self.sections[1:]
        sections = [ParsedSection(s.title, s.depth - 1, s.body) for s in rest]
        notes = list(self.notes)
        if first.body.strip():
            sections.insert(0, ParsedSection(OPENING_TITLE, 0, first.body))
            notes += [] if OPENING_NOTE in notes else [OPENING_NOTE]
        return Parsed(sections, notes)


#: The title of the section made from text before the first heading.
OPENING_TITLE = "Opening text"
OPENING_NOTE = ("The text before the first heading became a section called "
                f"\u201c{OPENING_TITLE}\u201d.")
#: A typed outline number at the start of a heading, with the space after it: "1", "1.",
#: "1)", "2.3", "2.3.", "3.4.1". Letter numbers ("A.1") are kept: they name an annex, which
#: the automatic figures cannot.
_TYPED_NUMBER = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2})*)(?P<end>\.|\))?\s+"
                           r"(?P<word>\S+)")
#: Words that say the figure before them is a quantity, not an outline number, even when
#: capitalised: "5 Year Housing Land Supply", "1.5 Million Homes".
_QUANTITY_WORDS = frozenset({
    "year", "years", "yr", "month", "months", "week", "weeks", "day", "days", "hour",
    "hours", "minute", "minutes", "million", "millions", "billion", "thousand", "hundred",
    "percent", "per", "cent", "%", "hectare", "hectares", "ha", "acre", "acres", "mile",
    "miles", "km", "metre", "metres", "meter", "meters", "home", "homes", "dwelling",
    "dwellings", "house", "houses", "unit", "units", "pitch", "pitches", "plot", "plots",
    "bed", "bedroom", "bedrooms", "storey", "storeys", "floor", "floors",
})


def _is_outline_number(match):
    """Whether a figure at the start of a heading is a typed outline number: ended by "." or
    ")" ("1.", "2.3.", "1)"), or followed by a capitalised word that is not a quantity
    ("1 Introduction", "2.3 Housing"; not "5 year", "1.5 million", "5 Year Supply")."""
    if match["end"]:
        return True
    word = match["word"]
    return word[:1].isupper() and word.strip(",.:;").lower() not in _QUANTITY_WORDS


def heading_title(text):
    """A heading's text as a section title: trimmed, without a typed outline number.

    "1 Introduction", "1. Introduction", "2.3 Housing", "2.3. Housing" and "1) Scope" lose
    their numbers; "1.5 million homes", "5 year housing land supply", "2026 review",
    "10,000 homes", "Part 1: Context" and "A.1 Background" keep theirs.
    """
    text = (text or "").strip()
    match = _TYPED_NUMBER.match(text)
    if match and _is_outline_number(match):
        text = text[match.start("word"):]
    return text[:MAX_TITLE]


def check_sizes(parsed):
    """ImportRefused when the file has more sections than a document may hold, or a section
    longer than a section may be."""
    too_many = limits.file_refusal(len(parsed.sections))
    if too_many:
        raise ImportRefused(too_many)
    for section in parsed.sections:
        if len(section.body.encode("utf-8")) > MAX_BODY_BYTES:
            raise ImportRefused(f"\u201c{section.title}\u201d is longer than "
                               f"{MAX_BODY_BYTES // 1024} KB. Add headings to split it.")


def nest(sections):
    """No section deeper than one below the section above it, and the file's shallowest
    headings at the top level (a file of ## headings is a file of parts, not one part with
    the rest inside it)."""
    previous = -1
    top = min((s.depth for s in sections), default=0)
    for section in sections:
        section.depth = max(0, min(section.depth - top, previous + 1, MAX_DEPTH))
        previous = section.depth
    return sections

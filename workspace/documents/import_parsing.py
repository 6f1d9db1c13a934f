"""What an imported file becomes: sections (a title, a depth, a Markdown body) and notes for the
user, or ImportRefused with the reason. Shared by the Word and Markdown readers.

A heading's typed outline number ("1.", "2.1", "3.4.1", "1)") is dropped: sections are
numbered automatically. Text before the first heading becomes a section called "Opening text"
(OPENING_TITLE), so it cannot be mistaken for the file's own "Introduction".
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
    """No section deeper than one below the section above it."""
    previous = -1
    for section in sections:
        section.depth = max(0, min(section.depth, previous + 1, MAX_DEPTH))
        previous = section.depth
    return sections

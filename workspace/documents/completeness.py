"""The completeness check for a Statement of Common Ground: which expected parts are missing
or still hold only guidance text.

The expected parts are those of the SCG template whose structure the document follows most
closely (by section titles), so a statement started from Annex 4 is measured against Annex 4
and one started from the planning practice guidance list against that list.
"""
import re
from dataclasses import dataclass
from functools import lru_cache

from .numbering import number_sections
from .service import live_sections
from .starters import SCG_TEMPLATES


@dataclass(frozen=True)
class Gap:
    #: "missing", "guidance_only" or "no_matters".
    kind: str
    title: str
    message: str
    #: The section to link to: the gap itself; for a missing part the section whose
    #: structure page adds it (the one it would follow, or the first section when it belongs
    #: at the start); with no strategic matter, the section to mark as one. None: no section.
    section_id: int | None
    number: str = ""


@dataclass(frozen=True)
class Completeness:
    template_name: str
    gaps: tuple
    expected_count: int

    @property
    def complete(self):
        return not self.gaps


_NUMBERING = re.compile(r"^(?:(?:part|annex|section)\s+)?(?:\d+(?:\.\d+)*|[ivx]+)"
                        r"(?:[.:)\-]\s*|\s+)", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _title_key(title):
    """'Part 1: Strategic context' -> 'strategic context'. Cached: the page asks for every
    template part against every section title."""
    text = _NUMBERING.sub("", (title or "").strip().lower())
    return re.sub(r"\s+", " ", text).strip(" .:")


def _text_key(text):
    """Text without Markdown punctuation, spacing or case, to compare with guidance."""
    return re.sub(r"[\W_]+", " ", (text or "").lower()).strip()


def _matches(part, title):
    key = _title_key(title)
    return key == _title_key(part.title) or key in part.aliases


def _best_template(sections):
    keys = {_title_key(s.title) for s in sections}

    def score(template):
        return sum(1 for part in template.sections
                   if _title_key(part.title) in keys or keys & set(part.aliases))
    return max(SCG_TEMPLATES, key=score)


def holds_only_guidance(section, extra_guidance=""):
    """True when the body is empty or is nothing but the section's (or the part's) guidance."""
    body = _text_key(section.body)
    if not body:
        return True
    return any(body == _text_key(g) for g in (section.guidance, extra_guidance) if g)


def check(document, numbered=None):
    """The completeness of a Statement of Common Ground (None for other kinds of document).

    `numbered`: the document's live sections as number_sections gives them, when the caller
    has them already."""
    if document.kind != "scg":
        return None
    if numbered is None:
        numbered = number_sections(live_sections(document))
    sections = [s for _, s in numbered]
    numbers = {s.id: n for n, s in numbered}
    template = _best_template(sections)
    gaps = []
    previous = None
    first_matter = None             # the section of the first part meant as a matter
    for part in template.sections:
        found = next((s for s in sections if _matches(part, s.title)), None)
        if found is None:
            if previous is not None:
                where, near = f"add it after {numbers[previous.id]} {previous.title}", previous
            elif sections:
                first = sections[0]
                where, near = (f"add it at the start (add it after {numbers[first.id]} "
                               f"{first.title}, then move it up)"), first
            else:
                where, near = "add it at the start", None
            gaps.append(Gap("missing", part.title, f"\u201c{part.title}\u201d is missing: "
                            f"{where}.", getattr(near, "id", None)))
            continue
        previous = found
        if part.strategic_matter and first_matter is None:
            first_matter = found
        if holds_only_guidance(found, part.guidance):
            gaps.append(Gap("guidance_only", found.title, f"{numbers[found.id]} "
                            f"\u201c{found.title}\u201d still holds only guidance text.",
                            found.id, numbers[found.id]))
    for section in sections:
        if section.strategic_matter and holds_only_guidance(section) and \
                not any(g.section_id == section.id and g.kind == "guidance_only" for g in gaps):
            gaps.append(Gap("guidance_only", section.title, f"{numbers[section.id]} "
                            f"\u201c{section.title}\u201d (a strategic matter) still holds "
                            "only guidance text.", section.id, numbers[section.id]))
    if not any(s.strategic_matter for s in sections):
        target = first_matter or (sections[0] if sections else None)
        gaps.append(Gap("no_matters", "Strategic matters", "No section is marked as a "
                        "strategic matter, so there is no record of agreement: mark each "
                        "matter with \u201cMark as a strategic matter\u201d under its section.",
                        getattr(target, "id", None), numbers.get(getattr(target, "id", None),
                                                                 "")))
    return Completeness(template.name, tuple(gaps), len(template.sections))


def shown(document, may_edit, numbered=None):
    """The check as a page shows it, or None: only to those who can fill the gaps (officers
    and partnership admins: `may_edit`), and only while the text may change (Draft, Out for
    agreement). Members never see it; once agreed, nobody does."""
    if not (may_edit and document.is_editable):
        return None
    return check(document, numbered)

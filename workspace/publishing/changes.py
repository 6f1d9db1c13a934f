"""What changed from one published version of a document to the next: the sections' rendered
differences (over each version's frozen HTML, live blocks as they were printed) and the
positions that changed, read from the two versions' records of agreement.

Both inputs are frozen, so the page made from them is rendered once and kept (the view keys
it by the two fingerprints, rendering.render_once).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from markupsafe import Markup

from ..documents.rendered_diff import rendered_html_diff
from ..review.models import DocumentVersion
from .matters import matter_key, position_label


@dataclass
class SectionChange:
    """One section compared: "changed", "added", "removed" or "unchanged"."""
    kind: str
    number: str                 # as numbered in the newer version (the older for removed)
    title: str
    old_number: str = ""
    old_title: str = ""
    difference: Markup = field(default_factory=Markup)
    #: "Now a strategic matter" or "No longer a strategic matter", when that changed.
    matter_note: str = ""

    @property
    def renamed(self) -> bool:
        return bool(self.old_title) and self.old_title != self.title

    @property
    def renumbered(self) -> bool:
        return bool(self.old_number) and self.old_number != self.number


@dataclass
class PositionChange:
    """One authority's position on one strategic matter, before and after."""
    matter: str                 # reference, e.g. SM2 (or the section number when unknown)
    matter_name: str
    organisation: str
    before: str                 # "Agreed", ... or "Not a strategic matter then"
    after: str
    reason: str                 # the newer reason ("" when none)
    before_reason: str
    decided_by: str


@dataclass
class Changes:
    sections: list[SectionChange] = field(default_factory=list)
    positions: list[PositionChange] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[SectionChange]:
        return [s for s in self.sections if s.kind == kind]

    @property
    def changed_sections(self) -> list[SectionChange]:
        return [s for s in self.sections if s.kind != "unchanged"]


def html_diff(old_html: str, new_html: str) -> Markup:
    """Tracked changes from one rendered (sanitised) HTML text to another, with the rendered
    diff of the documents area: block by block, word by word, <ins>/<del> marks that say
    "inserted"/"deleted" to screen readers."""
    return rendered_html_diff(old_html, new_html)


def match_sections(old: list[dict], new: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Pairs (old, new) of frozen sections: matched by title first (in order), then the rest by
    number; a section only one side has pairs with None. Newer order, each removed section
    after the one it followed."""
    pairs: dict[int, int] = {}          # new index -> old index
    used: set[int] = set()
    by_title: dict[str, list[int]] = {}
    for i, s in enumerate(old):
        by_title.setdefault(s.get("title", "").strip().casefold(), []).append(i)
    for j, s in enumerate(new):
        for i in by_title.get(s.get("title", "").strip().casefold(), []):
            if i not in used:
                pairs[j] = i
                used.add(i)
                break
    by_number = {s.get("number"): i for i, s in enumerate(old) if i not in used}
    for j, s in enumerate(new):
        i = by_number.get(s.get("number"))
        if j not in pairs and i is not None and i not in used:
            pairs[j] = i
            used.add(i)
    removed_after: dict[int, list[int]] = {}    # new index (-1: at the start) -> old indexes
    old_to_new = {i: j for j, i in pairs.items()}
    for i in range(len(old)):
        if i in used:
            continue
        before = [old_to_new[k] for k in range(i) if k in old_to_new]
        removed_after.setdefault(max(before) if before else -1, []).append(i)
    out: list[tuple[dict | None, dict | None]] = [
        (old[i], None) for i in removed_after.get(-1, [])]
    for j, s in enumerate(new):
        out.append((old[pairs[j]] if j in pairs else None, s))
        out.extend((old[i], None) for i in removed_after.get(j, []))
    return out


#: What a section that became (True) or stopped being (False) a strategic matter says.
MATTER_NOTES = {True: "Now a strategic matter", False: "No longer a strategic matter"}


def section_changes(old: list[dict], new: list[dict]) -> list[SectionChange]:
    found = []
    for a, b in match_sections(old, new):
        if a is None:
            found.append(SectionChange("added", b.get("number", ""), b.get("title", ""),
                                       difference=html_diff("", b.get("html", ""))))
        elif b is None:
            found.append(SectionChange("removed", a.get("number", ""), a.get("title", ""),
                                       difference=html_diff(a.get("html", ""), "")))
        else:
            same = a.get("html", "") == b.get("html", "")
            note = "" if bool(a.get("strategic_matter")) == bool(b.get("strategic_matter")) \
                else MATTER_NOTES[bool(b.get("strategic_matter"))]
            found.append(SectionChange(
                "unchanged" if same and not note and a.get("title") == b.get("title")
                else "changed", b.get("number", ""), b.get("title", ""), a.get("number", ""),
                a.get("title", ""),
                Markup("") if same else html_diff(a.get("html", ""), b.get("html", "")),
                note))
    return found


def _decided_by(entry: dict) -> str:
    return ", ".join(dict.fromkeys(x for x in (
        entry.get("route", ""), entry.get("route_body", ""), entry.get("meeting_date_text", ""),
        entry.get("minute_ref", "")) if x))


def _positions(record: list[dict], resolve) -> dict[tuple[str, str], tuple[dict, dict]]:
    """{(matter key, organisation name): (matter entry, position entry)}."""
    out = {}
    for matter in record:
        key = matter_key(matter, resolve)
        for entry in matter.get("positions", []):
            out[(key, entry.get("organisation", ""))] = (matter, entry)
    return out


#: What a side of a position change says where that side had no such matter or authority.
ABSENT = "Not in the record then"


def position_changes(old_record: list[dict], new_record: list[dict],
                     resolve) -> list[PositionChange]:
    """Positions whose stance or reason differs, plus those only one version records.
    `resolve(matter entry) -> (reference, name)` names each matter (see matters.py)."""
    before, after = _positions(old_record, resolve), _positions(new_record, resolve)
    found = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        old_entry, new_entry = (old or (None, {}))[1], (new or (None, {}))[1]
        old_label = position_label(old_entry) if old else ABSENT
        new_label = position_label(new_entry) if new else ABSENT
        if old and new and old_label == new_label and \
                old_entry.get("reason", "") == new_entry.get("reason", ""):
            continue
        reference, name = resolve((new or old)[0])
        found.append(PositionChange(
            reference, name, key[1], old_label, new_label,
            new_entry.get("reason", "") if new else "",
            old_entry.get("reason", "") if old else "",
            _decided_by(new_entry) if new else ""))
    return found


def compare(previous: DocumentVersion, current: DocumentVersion, resolve) -> Changes:
    """What changed from `previous` to `current` (both frozen versions)."""
    old, new = json.loads(previous.content), json.loads(current.content)
    return Changes(section_changes(old.get("sections", []), new.get("sections", [])),
                   position_changes(old.get("record_of_agreement", []),
                                    new.get("record_of_agreement", []), resolve))

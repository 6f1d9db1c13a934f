"""Naming what a frozen record of agreement holds, for the public: each strategic matter's
reference and title, each authority's code, each position in the open data's words.

Versions frozen since the record names them carry `matter_reference`, `matter_title` and
`organisation_code`; older ones do not, so their matter is found from the section it was
frozen from (the matter that section is about), else the partnership's matter of the same
title, else the section's number; and the authority's code from its name.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from ..accounts.models import Organisation
from ..documents.models import Section
from ..extensions import db
from ..partnerships.matters import matters as partnership_matters
from ..partnerships.models import Partnership

#: The open data's `position` for each state of a record-of-agreement entry (a position given
#: on an earlier text of the section, or none, is no position).
POSITIONS = {"agreed": "agreed", "reservations": "agreed-with-reservations",
             "not_agreed": "not-agreed"}
NO_POSITION = "no-position"
#: Each `position` in words.
POSITION_LABELS = {"agreed": "Agreed", "agreed-with-reservations": "Agreed with reservations",
                   "not-agreed": "Not agreed", NO_POSITION: "No position"}


def position_code(entry: dict) -> str:
    return POSITIONS.get(entry.get("state", ""), NO_POSITION)


def position_label(entry: dict) -> str:
    return POSITION_LABELS[position_code(entry)]


def matter_key(matter: dict, resolve) -> str:
    """What pairs a matter across two versions: its reference."""
    return resolve(matter)[0]


def matter_resolver(partnership: Partnership):
    """resolve(matter entry) -> (reference, name) for the records of this partnership."""
    by_title = {m.title.strip().casefold(): m
                for m in partnership_matters(partnership, include_retired=True)}
    found: dict[int, tuple[str, str] | None] = {}

    def from_section(section_id):
        if section_id not in found:
            section = db.session.get(Section, section_id) if isinstance(section_id, int) \
                else None
            matter = section.matter if section is not None else None
            found[section_id] = (matter.reference, matter.title) \
                if matter is not None and matter.partnership_id == partnership.id else None
        return found[section_id]

    def resolve(entry: dict) -> tuple[str, str]:
        title = entry.get("title", "")
        if entry.get("matter_reference"):
            return entry["matter_reference"], entry.get("matter_title") or title
        named = from_section(entry.get("section_id"))
        if named is not None:
            return named
        matter = by_title.get(title.strip().casefold())
        if matter is not None:
            return matter.reference, matter.title
        return f"section-{entry.get('number', '')}", title

    return resolve


def organisation_resolver(partnership: Partnership):
    """code(position entry) -> the authority's code (by name for older versions: first among
    the partnership's organisations, then any; else a slug of the name)."""
    own = {o.name: o.code for o in partnership.organisations}
    found: dict[str, str] = {}

    def code(entry: dict) -> str:
        if entry.get("organisation_code"):
            return entry["organisation_code"]
        name = entry.get("organisation", "")
        if name in own:
            return own[name]
        if name not in found:
            found[name] = db.session.scalar(
                select(Organisation.code).where(Organisation.name == name)
                .order_by(Organisation.id).limit(1)) or \
                re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        return found[name]

    return code

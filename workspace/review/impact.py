"""What a change would do to recorded positions, answered for `documents` through the
`section_change_impact` signal (documents never imports review).

A position is affected when it is current (given on the section's text as it stands) and the
change would make it stale (a new text) or take it off the grid (new_body None: the section
removed, no longer a strategic matter, or its signatory's scope changed).
"""
from __future__ import annotations

from ..documents.models import Section, sha256_text
from ..signals import section_change_impact
from .agreement import current_positions, is_current
from .scope import in_scope, signatories, strategic_matters


def affected_positions(section: Section, new_body: str | None = None) -> list[tuple[str, str]]:
    """[(authority name, stance label)] of the section's current positions that the change
    would unpick, by authority name."""
    sha = sha256_text(section.body)
    if new_body is not None and sha256_text(new_body) == sha:
        return []
    found = current_positions(section.document, [section.id])
    rows = [(p.organisation.name, p.stance_label) for p in found.values()
            if is_current(p, section, sha)]
    return sorted(rows)


@section_change_impact.connect
def _on_section_change(section: Section, new_body: str | None = None, **_kwargs):
    return affected_positions(section, new_body)


def scope_impact(document, rows) -> list[tuple[str, str, str]]:
    """[(authority name, matter title, stance label)] of current positions that new signatory
    scope rows would take off the grid: an authority that stops signing, or stops signing
    for a matter it has a current position on."""
    matters = strategic_matters(document)
    found = current_positions(document, [m.id for m in matters])
    wanted = {row.organisation.id: row for row in rows}
    affected = []
    for signatory in signatories(document):
        row = wanted.get(signatory.organisation_id)
        if row is None:
            continue
        for matter in matters:
            position = found.get((matter.id, signatory.organisation_id))
            if position is None or not in_scope(signatory, matter) or not is_current(
                    position, matter):
                continue
            keeps = row.scope == "all" or (row.scope == "listed" and matter.id in row.matter_ids)
            if not keeps:
                affected.append((signatory.organisation.name, matter.title,
                                 position.stance_label))
    return sorted(affected)

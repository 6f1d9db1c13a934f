"""The evidence pack's data: for a document (or the whole partnership), matter by matter, who
said what when and what was agreed, as plain values (dates as ISO 8601 text).

Which strategic matters a pack covers: a document's pack covers the matters its sections link
to (Section.matter_id, sections removed since included: positions were recorded on them); the
meetings, stated positions and actions are then those about these matters, whatever their
date, and the recorded positions those on the document's sections linked to them. Meetings
about other matters are not evidence for this document and are left out. A partnership's pack
covers every strategic matter of the partnership (retired ones too) across all its documents,
and also lists the meetings that discussed none of them. Actions that name none of the pack's
matters are listed apart ("other_actions"): for a document, those linked to the document; for
the partnership, those linked to no matter.

A recorded position says at which frozen versions it was the authority's position that
counted: the latest it had given on the section when the version was frozen, given on the
very text frozen in that version.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select

from ..accounts.models import Organisation
from ..clock import today, utcnow
from ..cooperation.models import Action, ActionDocument, Meeting, StatedPosition
from ..documents.models import Document, Section, sha256_text
from ..extensions import db
from ..partnerships.matters import matters as partnership_matters
from ..partnerships.models import Partnership, StrategicMatter
from ..review import signing
from ..review.models import DocumentVersion, Position

#: Names the shape of the data (evidence.json's "format"): bumped when it changes.
FORMAT = "common-ground-evidence-pack/1"


def iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def iso_time(value: datetime | None) -> str:
    """A naive UTC timestamp as ISO 8601 UTC to the second, e.g. 2026-12-05T12:30:00Z."""
    return value.replace(microsecond=0).isoformat() + "Z" if value else ""


def authority(organisation: Organisation) -> dict:
    """An authority as the pack names it: its code and its name."""
    return {"code": organisation.code, "name": organisation.name}


def canonical_json(data: dict) -> str:
    """The pack's data as canonical JSON: evidence.json, whose SHA-256 the pack states."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _documents(partnership: Partnership, document: Document | None) -> list[Document]:
    if document is not None:
        return [document]
    return db.session.scalars(select(Document).where(
        Document.partnership_id == partnership.id).order_by(Document.id)).all()


def _pack_matters(partnership, document, sections) -> list[StrategicMatter]:
    every = partnership_matters(partnership, include_retired=True)
    if document is None:
        return every
    linked = {s.matter_id for s in sections}
    return [m for m in every if m.id in linked]


def _meeting(meeting: Meeting, references: dict[int, str]) -> dict:
    body = meeting.body
    return {
        "id": meeting.id, "held_on": iso_date(meeting.held_on), "title": meeting.title,
        "kind": meeting.kind, "kind_label": meeting.kind_label,
        "body": {"name": body.name, "short_name": body.short_name} if body else None,
        "outcome": meeting.outcome, "notes": meeting.notes, "record_version": meeting.version,
        "matters": sorted(references[mm.matter_id] for mm in meeting.matters
                          if mm.matter_id in references),
        "attendees": [{"authority": authority(a.organisation), "role": a.role,
                       "person": a.person} for a in meeting.attendees],
    }


def _stated(row: StatedPosition, meeting: Meeting) -> dict:
    return {"meeting_id": meeting.id, "held_on": iso_date(meeting.held_on),
            "authority": authority(row.organisation), "statement": row.statement,
            "stance": row.stance or "", "stance_label": row.stance_label}


def _action(action: Action, references: dict[int, str], on: date) -> dict:
    meeting = action.meeting
    supporters = sorted((s.organisation for s in action.supporters), key=lambda o: o.name)
    return {
        "id": action.id, "number": action.number,
        "meeting_id": meeting.id if meeting else None,
        "meeting_held_on": iso_date(meeting.held_on) if meeting else "",
        "meeting_title": meeting.title if meeting else "",
        "what": action.what, "lead": authority(action.lead),
        "supporters": [authority(o) for o in supporters],
        "due_on": iso_date(action.due_on), "status": action.status,
        "status_label": action.status_label, "outcome": action.outcome,
        "closed_at": iso_time(action.closed_at), "overdue": action.is_overdue(on),
        "matters": sorted(references[am.matter_id] for am in action.matters
                          if am.matter_id in references),
        "documents": sorted(d.document.title for d in action.documents),
    }


def _section_bodies(row: DocumentVersion) -> dict[int, str]:
    """{section id: SHA-256 of its text} as frozen in the version (the record of agreement
    names each strategic matter's section id and number; the sections list its text)."""
    content = json.loads(row.content)
    by_number = {s.get("number"): s.get("body", "") for s in content.get("sections", [])}
    return {entry["section_id"]: sha256_text(by_number.get(entry.get("number"), ""))
            for entry in content.get("record_of_agreement", []) if "section_id" in entry}


def _currency(positions: list[Position], rows: list[DocumentVersion],
              sections: dict[int, Section]) -> tuple[dict[int, list[int]], set[int]]:
    """({position id: numbers of the versions it counted at}, ids of positions that count
    on the text as it stands now)."""
    by_pair = defaultdict(list)
    for p in sorted(positions, key=lambda p: p.id):
        by_pair[(p.section_id, p.organisation_id)].append(p)
    counted = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.number):
        frozen = _section_bodies(row)
        for (section_id, _org), given in by_pair.items():
            before = [p for p in given if p.created_at <= row.frozen_at]
            if before and frozen.get(section_id) == before[-1].text_sha256:
                counted[before[-1].id].append(row.number)
    now = set()
    for (section_id, _org), given in by_pair.items():
        section = sections[section_id]
        if section.removed_at is None and given[-1].text_sha256 == sha256_text(section.body):
            now.add(given[-1].id)
    return counted, now


def _recorded(p: Position, document: Document, section: Section, counted, now) -> dict:
    return {
        "id": p.id, "document_id": document.id, "document_title": document.title,
        "section_id": section.id, "section_title": section.title,
        "authority": authority(p.organisation), "stance": p.stance,
        "stance_label": p.stance_label, "reason": p.reason, "route": p.route or "",
        "route_label": p.route_label, "route_body": p.route_body,
        "meeting_date": iso_date(p.meeting_date), "minute_ref": p.minute_ref,
        "revision_number": p.revision_number, "text_sha256": p.text_sha256,
        "given_by": p.user.name if p.user else "", "created_at": iso_time(p.created_at),
        "current_at_versions": counted.get(p.id, []), "current_now": p.id in now,
    }


def _versions(documents: list[Document], rows: dict[int, list[DocumentVersion]]) -> list:
    found = []
    for document in documents:
        for row in sorted(rows.get(document.id, []), key=lambda r: r.number):
            given = sorted(signing.signatures(row, include_void=True),
                           key=lambda s: (s.signed_at, s.id))
            found.append({
                "document_id": document.id, "document_title": document.title,
                "number": row.number, "frozen_at": iso_time(row.frozen_at),
                "content_sha256": row.content_sha256,
                "agreed_with_exceptions": row.agreed_with_exceptions,
                "published": row.published_at is not None,
                "published_at": iso_time(row.published_at),
                "signatures": [{
                    "authority": authority(s.organisation), "signed_name": s.signed_name,
                    "signed_position": s.signed_position, "signed_at": iso_time(s.signed_at),
                    "content_sha256": s.content_sha256, "voided_at": iso_time(s.voided_at),
                } for s in given]})
    return found


def build(partnership: Partnership, document: Document | None = None) -> dict:
    """The pack's data, nested per strategic matter (see the module's docstring)."""
    on = today()
    documents = _documents(partnership, document)
    document_ids = [d.id for d in documents]
    sections = db.session.scalars(select(Section).where(
        Section.document_id.in_(document_ids), Section.matter_id.is_not(None))
        .order_by(Section.document_id, Section.position)).all() if document_ids else []
    chosen = _pack_matters(partnership, document, sections)
    references = {m.id: m.reference for m in chosen}
    every_reference = {m.id: m.reference for m in
                       partnership_matters(partnership, include_retired=True)}

    meetings = db.session.scalars(select(Meeting).where(
        Meeting.partnership_id == partnership.id).order_by(Meeting.held_on, Meeting.id)).all()
    stated = db.session.scalars(select(StatedPosition).join(
        Meeting, Meeting.id == StatedPosition.meeting_id).where(
        Meeting.partnership_id == partnership.id)).all()
    stated_by = defaultdict(list)
    for row in stated:
        stated_by[(row.meeting_id, row.matter_id)].append(row)

    actions = db.session.scalars(select(Action).where(
        Action.partnership_id == partnership.id).order_by(Action.created_at, Action.id)).all()

    by_id = {s.id: s for s in sections}
    positions = db.session.scalars(select(Position).where(
        Position.section_id.in_(list(by_id))).order_by(Position.id)).all() if by_id else []
    version_rows = defaultdict(list)
    if document_ids:
        for row in db.session.scalars(select(DocumentVersion).where(
                DocumentVersion.document_id.in_(document_ids))):
            version_rows[row.document_id].append(row)
    counted, now = {}, set()
    for d in documents:
        own = [p for p in positions if p.document_id == d.id]
        c, n = _currency(own, version_rows.get(d.id, []), by_id)
        counted.update(c)
        now |= n
    documents_by_id = {d.id: d for d in documents}

    listed = []
    for m in chosen:
        held = [mt for mt in meetings if any(mm.matter_id == m.id for mm in mt.matters)]
        timeline = []
        for mt in held:
            entry = _meeting(mt, every_reference)
            entry["stated_positions"] = [
                _stated(s, mt) for s in sorted(stated_by[(mt.id, m.id)],
                                               key=lambda s: s.organisation.name)]
            timeline.append(entry)
        linked = [s for s in sections if s.matter_id == m.id]
        recorded = [_recorded(p, documents_by_id[p.document_id], by_id[p.section_id],
                              counted, now)
                    for p in positions if by_id[p.section_id].matter_id == m.id]
        listed.append({
            "reference": m.reference, "title": m.title, "description": m.description,
            "retired": m.retired_at is not None,
            "sections": [{"document_id": s.document_id, "section_id": s.id, "title": s.title,
                          "removed": s.removed_at is not None} for s in linked],
            "meetings": timeline, "recorded_positions": recorded,
            "actions": [_action(a, every_reference, on) for a in actions
                        if any(am.matter_id == m.id for am in a.matters)],
        })

    if document is None:
        other_actions = [a for a in actions if not a.matters]
        other_meetings = [mt for mt in meetings
                          if not any(mm.matter_id in references for mm in mt.matters)]
    else:
        concerning = set(db.session.scalars(select(ActionDocument.action_id).where(
            ActionDocument.document_id == document.id)))
        other_actions = [a for a in actions if a.id in concerning and
                         not any(am.matter_id in references for am in a.matters)]
        other_meetings = []
    return {
        "format": FORMAT, "made_at": iso_time(utcnow()), "made_on": iso_date(on),
        "partnership": {"slug": partnership.slug, "name": partnership.name,
                        "short_name": partnership.short_name},
        "document": {"id": document.id, "title": document.title, "kind": document.kind,
                     "status": document.status, "version_number": document.version_number}
        if document is not None else None,
        "authorities": sorted((authority(o) for o in partnership.organisations),
                              key=lambda a: a["name"]),
        "matters": listed,
        "other_meetings": [_meeting(mt, every_reference) for mt in other_meetings],
        "other_actions": [_action(a, every_reference, on) for a in other_actions],
        "versions": _versions(documents, version_rows),
    }

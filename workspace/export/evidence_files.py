"""The evidence pack's files: a ZIP of the data as CSV and JSON with a README, and a tagged
PDF (PDF/UA-1, rendered by pdf.render_pdf as the documents' PDFs are) that reads matter by
matter.

CSV files are UTF-8 with one header row and the column names below (stable: a change of shape
bumps evidence.FORMAT); dates are ISO 8601 (2026-12-05), times ISO 8601 UTC
(2026-12-05T12:30:00Z), true/false for yes/no, several values joined by "; ". Authorities are
named by code and name in two columns.
"""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import datetime

from flask import render_template

from ..engagement.csv_io import neutralise
from .evidence import canonical_json
from .pdf import print_root, render_pdf

#: file -> (what a row is, [(column, meaning)]): the README lists them, the CSVs follow them.
TABLES = {
    "matters.csv": ("one row per strategic matter the pack covers", [
        ("matter_reference", "the matter's reference, e.g. SM1"),
        ("matter_title", "its title"), ("matter_description", "its description"),
        ("retired", "true when the partnership no longer lists it"),
        ("section_titles", "the document sections linked to it"),
        ("meeting_count", "meetings that discussed it"),
        ("stated_position_count", "positions stated at those meetings"),
        ("recorded_position_count", "positions recorded on the linked sections"),
        ("action_count", "actions linked to it")]),
    "meetings.csv": ("one row per meeting", [
        ("meeting_id", "the meeting's number in the workspace"),
        ("held_on", "date held"), ("title", "title"), ("kind", "kind (key)"),
        ("kind_label", "kind (words)"), ("body_name", "the partnership body that met"),
        ("body_short_name", "its short name, e.g. SPOG"),
        ("matter_references", "the strategic matters discussed"),
        ("attendee_codes", "the authorities present (codes)"),
        ("outcome", "the outcome in a line"), ("notes", "the notes (Markdown)"),
        ("record_version", "how many times the record was made or corrected")]),
    "attendees.csv": ("one row per attendee of a meeting", [
        ("meeting_id", "the meeting"), ("held_on", "its date"),
        ("organisation_code", "the attendee's authority (code)"),
        ("organisation_name", "the attendee's authority (name)"),
        ("role", "the attendee's role"), ("person", "the person's name, when recorded")]),
    "stated_positions.csv": ("one row per position an authority stated at a meeting", [
        ("meeting_id", "the meeting"), ("held_on", "its date"),
        ("matter_reference", "the strategic matter"),
        ("organisation_code", "the authority (code)"),
        ("organisation_name", "the authority (name)"),
        ("stance", "agreed, reservations, not_agreed, no_position or empty"),
        ("stance_label", "the stance in words"), ("statement", "what it said")]),
    "recorded_positions.csv": ("one row per position recorded on a document's section", [
        ("position_id", "the position's number in the workspace"),
        ("matter_reference", "the strategic matter"), ("document_id", "the document"),
        ("document_title", "its title"), ("section_id", "the section"),
        ("section_title", "its title"), ("organisation_code", "the authority (code)"),
        ("organisation_name", "the authority (name)"),
        ("stance", "agreed, reservations or not_agreed"),
        ("stance_label", "the stance in words"), ("reason", "the reason given"),
        ("route", "how it was decided (key)"), ("route_label", "how it was decided (words)"),
        ("route_body", "the body that decided"),
        ("meeting_date", "the date of the deciding meeting"),
        ("minute_ref", "the minute reference"),
        ("revision_number", "the section revision it was given on"),
        ("text_sha256", "SHA-256 of the section text it was given on"),
        ("given_by", "the Member who recorded it"), ("created_at", "when it was recorded"),
        ("current_at_versions", ("the frozen versions at which it was the authority's "
                                 "position that counted")),
        ("current_now", "true when it still counts on the text as it stands")]),
    "actions.csv": ("one row per agreed action", [
        ("action_id", "the action's number in the workspace"),
        ("matter_references", "the strategic matters it is about"),
        ("meeting_id", "the meeting that agreed it"),
        ("meeting_held_on", "that meeting's date"), ("number", "its number at the meeting"),
        ("what", "what was agreed"), ("lead_code", "the lead authority (code)"),
        ("lead_name", "the lead authority (name)"),
        ("supporter_codes", "supporting authorities (codes)"),
        ("supporter_names", "supporting authorities (names)"), ("due_on", "due date"),
        ("status", "open, done or dropped"), ("status_label", "the status in words"),
        ("outcome", "what came of it, or why it was dropped"),
        ("closed_at", "when it was closed"),
        ("overdue", "true when open past its due date on the day the pack was made")]),
    "versions.csv": ("one row per frozen version of a document", [
        ("document_id", "the document"), ("document_title", "its title"),
        ("version_number", "the version"), ("frozen_at", "when it was agreed and frozen"),
        ("content_sha256", "SHA-256 of the frozen content, as signed"),
        ("agreed_with_exceptions", "true when agreed except the matters not agreed"),
        ("published", "true when published"), ("published_at", "when it was published")]),
    "signatures.csv": ("one row per signature on a version", [
        ("document_id", "the document"), ("document_title", "its title"),
        ("version_number", "the version signed"),
        ("organisation_code", "the authority (code)"),
        ("organisation_name", "the authority (name)"),
        ("signed_name", "who signed, as printed"), ("signed_position", "in what capacity"),
        ("signed_at", "when"), ("content_sha256", "SHA-256 of the content signed"),
        ("voided_at", "when it stopped counting (the document went back to draft)")]),
}


def columns(name: str) -> list[str]:
    return [column for column, _ in TABLES[name][1]]


def _joined(values) -> str:
    return "; ".join(str(v) for v in values)


def _meetings(data: dict) -> list[dict]:
    """Every meeting in the pack once, by date."""
    found = {}
    for m in data["matters"]:
        for meeting in m["meetings"]:
            found.setdefault(meeting["id"], meeting)
    for meeting in data["other_meetings"]:
        found.setdefault(meeting["id"], meeting)
    return sorted(found.values(), key=lambda mt: (mt["held_on"], mt["id"]))


def _actions(data: dict) -> list[dict]:
    found = {}
    for a in [a for m in data["matters"] for a in m["actions"]] + data["other_actions"]:
        found.setdefault(a["id"], a)
    return sorted(found.values(), key=lambda a: a["id"])


def rows(data: dict) -> dict[str, list[dict]]:
    """{file name: its rows as {column: value}} from the pack's data."""
    tables = {name: [] for name in TABLES}
    for m in data["matters"]:
        tables["matters.csv"].append({
            "matter_reference": m["reference"], "matter_title": m["title"],
            "matter_description": m["description"], "retired": m["retired"],
            "section_titles": _joined(s["title"] for s in m["sections"]),
            "meeting_count": len(m["meetings"]),
            "stated_position_count": sum(len(mt["stated_positions"]) for mt in m["meetings"]),
            "recorded_position_count": len(m["recorded_positions"]),
            "action_count": len(m["actions"])})
        for mt in m["meetings"]:
            for s in mt["stated_positions"]:
                tables["stated_positions.csv"].append({
                    "meeting_id": mt["id"], "held_on": mt["held_on"],
                    "matter_reference": m["reference"],
                    "organisation_code": s["authority"]["code"],
                    "organisation_name": s["authority"]["name"], "stance": s["stance"],
                    "stance_label": s["stance_label"], "statement": s["statement"]})
        for p in m["recorded_positions"]:
            tables["recorded_positions.csv"].append(dict(
                {k: p[k] for k in columns("recorded_positions.csv") if k in p},
                position_id=p["id"], matter_reference=m["reference"],
                organisation_code=p["authority"]["code"],
                organisation_name=p["authority"]["name"],
                current_at_versions=_joined(p["current_at_versions"])))
    for mt in _meetings(data):
        body = mt["body"] or {}
        tables["meetings.csv"].append({
            "meeting_id": mt["id"], "held_on": mt["held_on"], "title": mt["title"],
            "kind": mt["kind"], "kind_label": mt["kind_label"],
            "body_name": body.get("name", ""), "body_short_name": body.get("short_name", ""),
            "matter_references": _joined(mt["matters"]),
            "attendee_codes": _joined(dict.fromkeys(a["authority"]["code"]
                                                    for a in mt["attendees"])),
            "outcome": mt["outcome"], "notes": mt["notes"],
            "record_version": mt["record_version"]})
        for a in mt["attendees"]:
            tables["attendees.csv"].append({
                "meeting_id": mt["id"], "held_on": mt["held_on"],
                "organisation_code": a["authority"]["code"],
                "organisation_name": a["authority"]["name"], "role": a["role"],
                "person": a["person"]})
    for a in _actions(data):
        tables["actions.csv"].append(dict(
            {k: a[k] for k in columns("actions.csv") if k in a}, action_id=a["id"],
            matter_references=_joined(a["matters"]), lead_code=a["lead"]["code"],
            lead_name=a["lead"]["name"],
            supporter_codes=_joined(s["code"] for s in a["supporters"]),
            supporter_names=_joined(s["name"] for s in a["supporters"])))
    for v in data["versions"]:
        tables["versions.csv"].append(dict(
            {k: v[k] for k in columns("versions.csv") if k in v}, version_number=v["number"]))
        for s in v["signatures"]:
            tables["signatures.csv"].append(dict(
                {k: s[k] for k in columns("signatures.csv") if k in s},
                document_id=v["document_id"], document_title=v["document_title"],
                version_number=v["number"], organisation_code=s["authority"]["code"],
                organisation_name=s["authority"]["name"]))
    return tables


def _cell(value) -> str:
    """A CSV cell: booleans as true/false, and text a spreadsheet would run as a formula
    ("=…", "+…", "-…", "@…") behind an apostrophe (the JSON keeps the text as it is)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise(value)


def csv_text(name: str, table: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns(name))
    for row in table:
        writer.writerow([_cell(row.get(column)) for column in columns(name)])
    return out.getvalue()


def readme(data: dict, sha: str) -> str:
    """README.txt: what the pack is of, and every file's columns."""
    what = data["document"]["title"] if data["document"] else "the whole partnership"
    lines = [f"Evidence pack: {what}", f"{data['partnership']['name']}",
             f"Made {data['made_at']} (UTC).", "",
             ("The record of cooperation, matter by matter: the meetings that discussed each "
              "strategic matter, what each authority said there, the positions recorded on "
              "the document over its versions, the agreed actions, and the versions and "
              "signatures."), "",
             "evidence.json holds all of it, nested per strategic matter. Its SHA-256 is",
             f"  {sha}", "the fingerprint printed on the PDF's title page.", "",
             ("The CSV files hold the same data as tables: UTF-8, one header row, dates as "
              "ISO 8601 (2026-12-05), times as ISO 8601 in UTC (2026-12-05T12:30:00Z), "
              "true/false, several values joined by \"; \". Authorities are named by their "
              "code and their name."), ""]
    for name, (what_row, cols) in TABLES.items():
        lines.append(f"{name}: {what_row}")
        lines.extend(f"  {column}: {meaning}" for column, meaning in cols)
        lines.append("")
    return "\n".join(lines)


def make_zip(data: dict) -> tuple[bytes, str]:
    """(ZIP bytes, SHA-256 of evidence.json): the CSVs, evidence.json and README.txt."""
    text = canonical_json(data)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    made = datetime.fromisoformat(data["made_at"].rstrip("Z"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(name, content):
            info = zipfile.ZipInfo(name, date_time=made.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode("utf-8"))
        add("README.txt", readme(data, sha))
        add("evidence.json", text)
        for name, table in rows(data).items():
            add(name, csv_text(name, table))
    return out.getvalue(), sha


def print_html(data: dict, sha: str) -> str:
    """The PDF's HTML (templates/export/evidence_print.html)."""
    stylesheet = (print_root() / "print.css").as_uri()
    return render_template("export/evidence_print.html", stylesheet=stylesheet, data=data,
                           sha=sha, tables=rows(data))


def make_pdf(html: str) -> bytes:
    """The tagged PDF (PDF/UA-1) of the pack: seconds of work, done with no transaction
    open."""
    data, _pages = render_pdf(html, "ua")
    return data

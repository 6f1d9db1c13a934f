"""Open data of a published version: one row per strategic matter x signatory authority, read
from the version's frozen record of agreement, as JSON (with the document, the schema and the
content fingerprint) and as CSV (one header row, the same fields, UTF-8).

Every value is a string ("" when empty), dates ISO, so a CSV row read back is the JSON row
(but for text a spreadsheet would run as a formula, which the CSV puts behind an apostrophe).
The fields and their schema are in schema.py.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from ..clock import in_uk
from ..documents.models import Document
from ..engagement.csv_io import neutralise
from ..partnerships.models import Partnership
from ..review.models import DocumentVersion
from ..review.signing import signatures
from ..review.versions import version_content
from ..web import absolute_url
from .matters import matter_resolver, organisation_resolver, position_code
from .schema import FIELD_NAMES, SCHEMA_VERSION


def uk_date(value: datetime | None) -> str:
    return in_uk(value).date().isoformat() if value else ""


def utc_time(value: datetime | None) -> str:
    return value.replace(microsecond=0).isoformat() + "Z" if value else ""


def decided_by(entry: dict) -> str:
    """The decision route and the body, once each: "Partnership board, SPMG", "Cabinet"."""
    return ", ".join(dict.fromkeys(x for x in (entry.get("route", ""),
                                               entry.get("route_body", "")) if x))


def urls(partnership: Partnership, document: Document, version: DocumentVersion) -> dict:
    """{documentation-url, document-url}: the version's page and its signed PDF, absolute."""
    args = {"slug": partnership.slug, "document_slug": document.public_slug,
            "number": version.number}
    return {"documentation-url": absolute_url("public.version", **args),
            "document-url": absolute_url("public.version_pdf", **args)}


def rows(partnership: Partnership, document: Document, version: DocumentVersion,
         content: dict | None = None) -> list[dict]:
    """The version's positions as open data rows (FIELD_NAMES order)."""
    content = content if content is not None else version_content(version)
    matter_of, code_of = matter_resolver(partnership), organisation_resolver(partnership)
    given = signatures(version)
    signed = {s.organisation.name: s.signed_at for s in given}
    signed_code = {s.organisation.code: s.signed_at for s in given}
    links = urls(partnership, document, version)
    entry_date, start_date = uk_date(version.published_at), uk_date(version.frozen_at)
    found = []
    for matter in content.get("record_of_agreement") or []:
        reference, name = matter_of(matter)
        for entry in matter.get("positions", []):
            code = code_of(entry)
            position = position_code(entry)
            counts = position != "no-position"
            found.append(dict(zip(FIELD_NAMES, [
                f"{document.public_slug}-v{version.number}-{reference}-{code}",
                reference, name, code, entry.get("organisation", ""), position,
                entry.get("reason", "") if counts else "",
                decided_by(entry) if counts else "",
                entry.get("meeting_date", "") if counts else "",
                entry.get("minute_ref", "") if counts else "",
                utc_time(signed_code.get(code) or signed.get(entry.get("organisation"))),
                entry_date, start_date, links["documentation-url"], links["document-url"],
            ], strict=True)))
    return found


def schema_url(partnership: Partnership) -> str:
    return absolute_url("public.data_schema", slug=partnership.slug)


def document_data(partnership: Partnership, document: Document,
                  version: DocumentVersion) -> dict:
    """The whole data.json of a published version."""
    content = version_content(version)
    return {
        "schema": schema_url(partnership),
        "schema-version": SCHEMA_VERSION,
        "document": {
            "reference": document.public_slug, "name": content.get("title") or document.title,
            "partnership": partnership.slug, "partnership-name": partnership.name,
            "entry-date": uk_date(version.published_at),
            "start-date": uk_date(version.frozen_at),
            **urls(partnership, document, version),
        },
        "version": version.number,
        "content-sha256": version.content_sha256,
        "positions": rows(partnership, document, version, content),
    }


def as_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def as_csv(found: list[dict]) -> str:
    """One header row (FIELD_NAMES), then a row per position; RFC 4180 line ends."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELD_NAMES)
    writer.writeheader()
    # Text a spreadsheet would run as a formula goes behind an apostrophe (as in every CSV the
    # workspace writes); the JSON keeps it as it is.
    writer.writerows({key: neutralise(value) for key, value in row.items()} for row in found)
    return out.getvalue()


def file_name(document: Document, version: DocumentVersion, extension: str) -> str:
    return f"{document.public_slug}-v{version.number}-positions.{extension}"

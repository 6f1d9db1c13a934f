"""The open data's fields and its JSON Schema (draft 2020-12), with a version number.

One list of fields (FIELDS) makes the CSV header, the JSON rows, the schema and the page that
documents them, so they cannot disagree. Field names follow the planning data platform's
conventions where they fit: kebab-case, `reference`, `organisation`, `entry-date`,
`start-date`, `documentation-url`, `document-url`.

Change SCHEMA_VERSION with any change of the fields: a new optional field is a minor change
(1.1), a renamed, removed or retyped one a major change (2.0).
"""
from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = "1.0"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

DATE = r"^(\d{4}-\d{2}-\d{2})?$"
DATE_TIME = r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)?$"
URL = r"^https?://"
POSITIONS = ["agreed", "agreed-with-reservations", "not-agreed", "no-position"]


@dataclass(frozen=True)
class Field:
    name: str
    description: str
    example: str
    #: Extra JSON Schema keywords for the value (every value is a string; "" when empty).
    rules: tuple = ()
    required_value: bool = False

    def json_schema(self) -> dict:
        schema = {"type": "string", "description": self.description, **dict(self.rules)}
        if self.required_value and "enum" not in schema and "pattern" not in schema:
            schema["minLength"] = 1
        return schema


FIELDS = [
    Field("reference", "The row's own reference, unique and stable: the document's public "
          "address, the version, the strategic matter and the authority "
          "(<document>-v<version>-<strategic-matter>-<organisation>).",
          "statement-of-common-ground-v1-SM2-hertsmere", required_value=True),
    Field("strategic-matter", "The strategic matter's reference in the partnership's list of "
          "strategic matters (the record of cooperation).", "SM2", required_value=True),
    Field("strategic-matter-name", "The strategic matter's title.",
          "The future role of the Green Belt", required_value=True),
    Field("organisation", "The signatory authority's code.", "hertsmere",
          required_value=True),
    Field("organisation-name", "The signatory authority's name.",
          "Hertsmere Borough Council", required_value=True),
    Field("position", "The authority's position on the matter in this version: agreed, "
          "agreed-with-reservations, not-agreed, or no-position (none given, or one given on "
          "an earlier text of the section, which does not count).", "not-agreed",
          (("enum", POSITIONS),)),
    Field("reason", "Why, in the authority's words: always given for "
          "agreed-with-reservations and not-agreed.", "A shared Green Belt review must not be "
          "used to set each authority's housing numbers."),
    Field("decided-by", "How the position was decided: the decision route and the body "
          "(e.g. \"Cabinet\", \"Partnership board, SPMG\").", "Partnership board, SPMG"),
    Field("decision-date", "The date of the meeting that decided it (YYYY-MM-DD).",
          "2026-06-16", (("pattern", DATE),)),
    Field("minute-reference", "The minute of that decision.", "SPMG 06/26 item 5"),
    Field("signed-at", "When the authority signed this version, in UTC (YYYY-MM-DDThh:mm:ssZ); "
          "empty if it has not signed.", "2026-11-20T14:03:00Z", (("pattern", DATE_TIME),)),
    Field("entry-date", "The date this version was published on the register (YYYY-MM-DD, "
          "UK date).", "2026-11-24", (("pattern", DATE),), True),
    Field("start-date", "The date the partners agreed this version: its text and record of "
          "agreement were frozen for signing (YYYY-MM-DD, UK date).", "2026-11-18",
          (("pattern", DATE),), True),
    Field("documentation-url", "The published version as a web page.",
          "https://example.org/public/sw-herts/statement-of-common-ground/v1",
          (("pattern", URL),)),
    Field("document-url", "The published version's signed PDF (accessible, tagged).",
          "https://example.org/public/sw-herts/statement-of-common-ground/v1/pdf",
          (("pattern", URL),)),
]
FIELD_NAMES = [f.name for f in FIELDS]

#: The "document" object of the JSON: what the rows are part of.
DOCUMENT_FIELDS = [
    Field("reference", "The document's public address on the register.",
          "statement-of-common-ground", required_value=True),
    Field("name", "The document's title.", "Statement of Common Ground", required_value=True),
    Field("partnership", "The partnership's reference (its address on the register).",
          "sw-herts", required_value=True),
    Field("partnership-name", "The partnership's name.",
          "South West Hertfordshire Joint Strategic Plan", required_value=True),
    Field("entry-date", "When this version was published (YYYY-MM-DD).", "2026-11-24",
          (("pattern", DATE),), True),
    Field("start-date", "When the partners agreed this version (YYYY-MM-DD).", "2026-11-18",
          (("pattern", DATE),), True),
    Field("documentation-url", "The published version as a web page.", "",
          (("pattern", URL),)),
    Field("document-url", "The published version's signed PDF.", "", (("pattern", URL),)),
]


def _object(fields: list[Field], description: str) -> dict:
    return {"type": "object", "description": description,
            "required": [f.name for f in fields], "additionalProperties": False,
            "properties": {f.name: f.json_schema() for f in fields}}


def json_schema(schema_url: str) -> dict:
    """The JSON Schema (draft 2020-12) of a published version's data.json."""
    return {
        "$schema": DRAFT,
        "$id": schema_url,
        "title": "Positions on strategic matters in a published version",
        "description": "One row per strategic matter and signatory authority of a published "
                       "version of a document (e.g. a Statement of Common Ground): the "
                       "authority's position, why, how and when it was decided, and when the "
                       "authority signed.",
        "version": SCHEMA_VERSION,
        "type": "object",
        "required": ["schema", "schema-version", "document", "version", "content-sha256",
                     "positions"],
        "additionalProperties": False,
        "properties": {
            "schema": {"type": "string", "description": "This schema's address.",
                       "pattern": URL},
            "schema-version": {"const": SCHEMA_VERSION,
                               "description": "The version of this schema."},
            "document": {"$ref": "#/$defs/document"},
            "version": {"type": "integer", "minimum": 1,
                        "description": "The version number of the document."},
            "content-sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                               "description": "The SHA-256 of the version's frozen content: "
                                              "the fingerprint every signature binds to and "
                                              "its PDF states."},
            "positions": {"type": "array", "items": {"$ref": "#/$defs/position"},
                          "description": "One row per strategic matter and signatory "
                                         "authority."},
        },
        "$defs": {
            "document": _object(DOCUMENT_FIELDS, "The published document and version."),
            "position": _object(FIELDS, "An authority's position on a strategic matter."),
        },
    }

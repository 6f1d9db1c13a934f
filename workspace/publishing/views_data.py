"""The register's open data and what changed: a published version's positions as JSON and CSV,
the JSON Schema of that data and the page documenting it, and what changed since the
previous published version. No sign-in, no session, nothing unpublished."""
import json

from flask import abort, render_template

from . import changes, opendata, rendering, service
from .matters import POSITION_LABELS, matter_resolver
from .schema import DOCUMENT_FIELDS, FIELDS, SCHEMA_VERSION, json_schema
from .views import bp


def _partnership(slug):
    return service.register_partnership(slug) or abort(404)


def _published(slug, document_slug, number):
    partnership = _partnership(slug)
    found = service.published_version(partnership, document_slug, number) or abort(404)
    return partnership, found[0], found[1]


@bp.get("/<slug>/<document_slug>/v<int:number>/changes")
def version_changes(slug, document_slug, number):
    """What changed since the previous published version: each section's rendered
    differences and the positions that changed (or, for the first, that it is the first)."""
    partnership, document, row = _published(slug, document_slug, number)
    previous = service.previous_published(document, row)
    key = ("changes", row.id, row.content_sha256, previous.id if previous else "",
           previous.content_sha256 if previous else "", partnership.name, document.title)
    etag = rendering.etag_for(*key)
    unchanged = rendering.not_modified(etag, row.published_at)
    if unchanged is not None:
        return unchanged

    def draw():
        found = changes.compare(previous, row, matter_resolver(partnership)) \
            if previous else None
        return render_template("public/changes.html", partnership=partnership,
                               register_partnership=partnership, document=document,
                               version=row, previous=previous, changes=found)
    return rendering.conditional(rendering.render_once(key, draw, links=True), etag,
                                 row.published_at)


def _data_answer(body, content_type, row, name=None):
    response = rendering.conditional(body, last_modified=row.published_at)
    response.headers["Content-Type"] = content_type
    if name:
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/<slug>/<document_slug>/v<int:number>/data.json")
def version_data_json(slug, document_slug, number):
    """The version's positions as JSON (schema: public.data_schema)."""
    partnership, document, row = _published(slug, document_slug, number)
    body = opendata.as_json(opendata.document_data(partnership, document, row))
    return _data_answer(body, "application/json", row)


@bp.get("/<slug>/<document_slug>/v<int:number>/data.csv")
def version_data_csv(slug, document_slug, number):
    """The version's positions as CSV: one header row, the fields of the JSON rows."""
    partnership, document, row = _published(slug, document_slug, number)
    body = opendata.as_csv(opendata.rows(partnership, document, row))
    return _data_answer(body, "text/csv; charset=utf-8", row,
                        opendata.file_name(document, row, "csv"))


@bp.get("/<slug>/data/schema.json")
def data_schema(slug):
    """The JSON Schema (draft 2020-12) of every data.json of this register."""
    partnership = _partnership(slug)
    body = json.dumps(json_schema(opendata.schema_url(partnership)), ensure_ascii=False,
                      indent=2) + "\n"
    response = rendering.conditional(body)
    response.headers["Content-Type"] = "application/schema+json"
    return response


@bp.get("/<slug>/data")
def data_docs(slug):
    """The page documenting the open data: every field, the schema and its version, and the
    files of each published version."""
    partnership = _partnership(slug)
    documents = service.published_documents(partnership)
    body = render_template("public/data.html", partnership=partnership,
                           register_partnership=partnership, documents=documents,
                           fields=FIELDS, document_fields=DOCUMENT_FIELDS,
                           schema_version=SCHEMA_VERSION, positions=POSITION_LABELS)
    latest = max((d.latest.published_at for d in documents), default=None)
    return rendering.conditional(body, last_modified=latest)

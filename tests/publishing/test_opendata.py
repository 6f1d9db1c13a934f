"""Open data of published versions (public.version_data_json, public.version_data_csv), its
schema (public.data_schema) and the page documenting it (public.data_docs): the demo with
versions 1 and 2 of its Statement published and version 3 agreed but not published, built once
for the module; the tests only read it (one switches the register off and back on)."""
import csv
import io
import json
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from tests.conftest import _clean
from tests.publishing.test_changes import (
    ADMIN,
    _user,
    scg,
    seed_two_published_versions,
)
from tests.support import agree
from workspace.clock import in_uk
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.publishing import opendata
from workspace.publishing.matters import matter_resolver, organisation_resolver
from workspace.publishing.schema import FIELD_NAMES, SCHEMA_VERSION
from workspace.review import lifecycle
from workspace.review.models import DocumentVersion, Signature

REGISTER = "/public/sw-herts"
SCG = f"{REGISTER}/statement-of-common-ground"
SCHEMA = f"{REGISTER}/data/schema.json"
#: The open data's position for each state of the record of agreement.
POSITION = {"agreed": "agreed", "reservations": "agreed-with-reservations",
            "not_agreed": "not-agreed", "stale": "no-position", "missing": "no-position"}


@pytest.fixture(scope="module")
def published(app):
    """Versions 1 and 2 published; version 3 agreed (frozen), not published."""
    seed_two_published_versions(app)
    with app.test_request_context():
        document, admin = scg(), _user(ADMIN)
        lifecycle.start_next_version(document, admin)
        lifecycle.send_out(document, admin, reason="Version 3 for agreement")
        agree(document, admin, with_exceptions=True)
        db.session.commit()
    yield
    _clean(app)


@pytest.fixture(autouse=True)
def _fresh_database(published):
    """The module's tests share the published demo (conftest would clean it after each)."""
    yield


def version_row(number):
    return db.session.scalar(select(DocumentVersion).join(Document).where(
        Document.title == "Statement of Common Ground", DocumentVersion.number == number))


def get_json(client, number):
    response = client.get(f"{SCG}/v{number}/data.json")
    assert response.status_code == 200, response.status_code
    return response, json.loads(response.get_data(as_text=True))


@pytest.mark.parametrize("number", [1, 2])
def test_the_json_validates_against_its_own_schema(client, number):
    response, data = get_json(client, number)
    assert response.headers["Content-Type"] == "application/json"
    schema_response = client.get(SCHEMA)
    assert schema_response.status_code == 200
    assert schema_response.headers["Content-Type"] == "application/schema+json"
    schema = json.loads(schema_response.get_data(as_text=True))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["version"] == data["schema-version"] == SCHEMA_VERSION
    # The data names its schema by an address that answers with that schema.
    assert urlsplit(data["schema"]).path == SCHEMA == urlsplit(schema["$id"]).path
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=str)
    assert errors == []
    assert data["version"] == number and data["positions"]


def test_the_schema_refuses_data_that_breaks_it(client):
    schema = json.loads(client.get(SCHEMA).get_data(as_text=True))
    _response, data = get_json(client, 1)
    validator = Draft202012Validator(schema)
    data["positions"][0]["position"] = "maybe"
    data["positions"][1]["decision-date"] = "16/06/2026"
    del data["positions"][2]["organisation"]
    data["positions"][3]["colour"] = "red"
    assert len(list(validator.iter_errors(data))) == 4


@pytest.mark.parametrize("number", [1, 2])
def test_the_csv_round_trips_to_the_json_rows(client, number):
    response = client.get(f"{SCG}/v{number}/data.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="statement-of-common-ground-v{number}-positions.csv"'
    body = response.get_data().decode("utf-8")
    reader = csv.DictReader(io.StringIO(body, newline=""))
    assert reader.fieldnames == FIELD_NAMES
    _json_response, data = get_json(client, number)
    assert list(reader) == [{k: str(v) for k, v in row.items()} for row in data["positions"]]


@pytest.mark.parametrize("number", [1, 2])
def test_the_rows_match_the_record_of_agreement_of_the_same_version(app, client, number):
    _response, data = get_json(client, number)
    with app.app_context():
        row = version_row(number)
        content = json.loads(row.content)
        signed = {s.organisation.name: s.signed_at for s in db.session.scalars(
            select(Signature).where(Signature.version_id == row.id,
                                    Signature.voided_at.is_(None)))}
        published_on = in_uk(row.published_at).date().isoformat()
        sha = row.content_sha256
    expected = [(m["matter_title"], p["organisation"], POSITION[p["state"]], p["reason"],
                 p["meeting_date"], p["minute_ref"],
                 signed[p["organisation"]].replace(microsecond=0).isoformat() + "Z")
                for m in content["record_of_agreement"] for p in m["positions"]]
    got = [(r["strategic-matter-name"], r["organisation-name"], r["position"], r["reason"],
            r["decision-date"], r["minute-reference"], r["signed-at"])
           for r in data["positions"]]
    assert got == expected
    assert data["content-sha256"] == sha
    assert {r["entry-date"] for r in data["positions"]} == {published_on}
    assert len({r["reference"] for r in data["positions"]}) == len(data["positions"])
    # Every link is absolute and answers: the page of this version and its signed PDF.
    first = data["positions"][0]
    assert urlsplit(first["documentation-url"]).path == f"{SCG}/v{number}"
    assert urlsplit(first["document-url"]).path == f"{SCG}/v{number}/pdf"
    assert client.get(urlsplit(first["documentation-url"]).path).status_code == 200


def test_version_1_records_hertsmere_not_agreeing_the_green_belt(client):
    _response, data = get_json(client, 1)
    green_belt = [r for r in data["positions"]
                  if r["strategic-matter-name"] == "The future role of the Green Belt"]
    hertsmere = next(r for r in green_belt if r["organisation"] == "hertsmere")
    assert hertsmere["position"] == "not-agreed"
    assert hertsmere["reason"] == ("A shared Green Belt review must not be used to set each "
                                   "authority's housing numbers.")
    assert hertsmere["decided-by"] == "Partnership board, SPMG"
    assert hertsmere["decision-date"] == "2026-06-16"
    assert hertsmere["minute-reference"] == "SPMG 06/26 item 5"
    assert hertsmere["reference"] == \
        f"statement-of-common-ground-v1-{hertsmere['strategic-matter']}-hertsmere"
    assert hertsmere["strategic-matter"].startswith("SM")
    # Five authorities sign for every matter, the county council for infrastructure only.
    assert len(green_belt) == 5 and len(data["positions"]) == 5 + 5 + 6
    assert data["document"]["name"] == "Statement of Common Ground"
    assert data["document"]["partnership"] == "sw-herts"


def test_a_version_frozen_before_the_record_named_its_matters_gives_the_same_rows(app):
    """Versions frozen before the record carried matter references and authority codes: the
    matter comes from the section it was frozen from (else the partnership's matter of the same
    title, else the section number) and the code from the authority's name."""
    with app.test_request_context():
        partnership = db.session.scalar(select(Partnership).where(
            Partnership.slug == "sw-herts"))
        row = version_row(1)
        content = json.loads(row.content)
        document = db.session.get(Document, row.document_id)
        now = opendata.rows(partnership, document, row, content)
        for matter in content["record_of_agreement"]:
            del matter["matter_reference"], matter["matter_title"]
            for entry in matter["positions"]:
                del entry["organisation_code"]
        assert opendata.rows(partnership, document, row, content) == now

        resolve = matter_resolver(partnership)
        first = content["record_of_agreement"][0]
        by_title = {"title": first["title"], "number": first["number"]}
        assert resolve(by_title) == (now[0]["strategic-matter"],
                                     now[0]["strategic-matter-name"])
        assert resolve({"title": "Not a matter", "number": "9.9"}) == \
            ("section-9.9", "Not a matter")
        code = organisation_resolver(partnership)
        assert code({"organisation": "Hertsmere Borough Council"}) == "hertsmere"


def test_the_data_answers_304_while_it_is_the_same_and_sets_no_cookie(client):
    for path in (f"{SCG}/v1/data.json", f"{SCG}/v1/data.csv", SCHEMA):
        first = client.get(path)
        assert first.headers["ETag"] and "Set-Cookie" not in first.headers
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path
        assert "Set-Cookie" not in again.headers
    first = client.get(f"{SCG}/v1/data.csv")
    since = client.get(f"{SCG}/v1/data.csv",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


@pytest.mark.parametrize("path", [
    f"{SCG}/v3/data.json",                   # agreed, not published
    f"{SCG}/v3/data.csv",
    f"{SCG}/v3/changes",
    f"{SCG}/v4/data.json",                   # no such version
    f"{REGISTER}/no-such-document/v1/data.csv",
    "/public/no-such-partnership/statement-of-common-ground/v1/data.json",
    "/public/no-such-partnership/data/schema.json",
    "/public/no-such-partnership/data",
])
def test_unpublished_or_unknown_data_answers_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers
    assert "version 3" not in response.get_data(as_text=True).lower()


def test_switching_the_register_off_takes_the_data_away(app, client):
    paths = [f"{SCG}/v1/data.json", f"{SCG}/v2/data.csv", SCHEMA, f"{REGISTER}/data"]
    with app.app_context():
        db.session.scalar(select(Partnership).where(
            Partnership.slug == "sw-herts")).publishes_register = False
        db.session.commit()
    try:
        assert [client.get(p).status_code for p in paths] == [404] * len(paths)
    finally:
        with app.app_context():
            db.session.scalar(select(Partnership).where(
                Partnership.slug == "sw-herts")).publishes_register = True
            db.session.commit()
    assert [client.get(p).status_code for p in paths] == [200] * len(paths)


def test_the_data_page_documents_every_field_and_links_the_published_files(client):
    response = client.get(f"{REGISTER}/data")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    page = response.get_data(as_text=True)
    for name in FIELD_NAMES:
        assert f'id="field-{name}"' in page and f"<code>{name}</code>" in page
    assert f"Schema version</dt><dd class=\"govuk-summary-list__value\">{SCHEMA_VERSION}" in page
    assert f'href="{SCHEMA}"' in page
    for number in (1, 2):
        assert f'href="{SCG}/v{number}/data.json"' in page
        assert f'href="{SCG}/v{number}/data.csv"' in page
    assert "/v3/" not in page

"""A published version as canonical HTML, and its files: the frozen content with its record of
agreement and signatures, links to everything about it, rendered once, answered
conditionally, printable; nothing of a version that is not published."""
import itertools
import re
from pathlib import Path

import pytest
from flask import template_rendered
from sqlalchemy import select
from werkzeug.http import http_date

from workspace.extensions import db
from workspace.jobs.models import FAILED, Job
from workspace.publishing import rendering
from workspace.review.models import DocumentVersion

from ..support import download
from .register_support import (
    REGISTER,
    SCG_SLUG,
    V1,
    agree_and_sign,
    assert_no_cookie,
    publish,
    set_register,
    start_and_agree_next,
)

V2 = f"{REGISTER}{SCG_SLUG}/v2"
STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.fixture
def published(app, demo):
    """The demo with version 1 of its SCG published (no signing keys: its PDFs are made when
    first asked for)."""
    rendering.forget_all()
    agree_and_sign(app)
    publish(app)


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _v1(app):
    with app.app_context():
        row = db.session.scalar(select(DocumentVersion).where(DocumentVersion.number == 1))
        db.session.expunge(row)
        return row


def test_version_page_shows_the_frozen_content_record_and_signatures(app, client, published):
    response = client.get(V1)
    assert response.status_code == 200
    page, words = response.text, _text(response.text)
    row = _v1(app)
    assert "Statement of Common Ground, version 1" in words
    assert row.content_sha256 in page
    assert "Signed by 6 of 6 authorities" in words
    # Numbered sections with their html as frozen.
    assert re.search(r'<span class="cg-number">1</span> Part 1: Strategic context', page)
    assert re.search(r'<span class="cg-number">2\.1</span> Housing need and distribution', page)
    assert '<div class="cg-prose"><p>' in page
    # The record of agreement: every authority's position, reason, route and minute reference.
    assert "Record of agreement" in words
    assert "Agreed with reservations" in words      # Hertsmere on housing, with its reason
    assert "We agree the approach, but the distribution of any unmet need" in words
    assert "Planning and Local Plan Committee, 20 October 2026" in words
    assert "PLP 26/41" in words and "Not agreed" in words
    assert "SPMG 11/26 item 4" in words
    # The signatories and when each signed.
    assert "Signatures" in words and "Hertsmere Member Portfolio Holder" in words
    assert words.count("Portfolio Holder") >= 6


def test_version_page_links_files_data_changes_and_verify(app, client, published):
    page = client.get(V1).text
    for href in (f"{V1}/pdf", f"{V1}/pdf?variant=archive", f"{V1}/docx", "/verify",
                 f"{V1}/data.json", f"{V1}/data.csv", f"{REGISTER}{SCG_SLUG}/"):
        assert f'href="{href}"' in page, href
    assert "/changes" not in page, "version 1 has no earlier published version"
    start_and_agree_next(app)
    publish(app)
    v2 = client.get(V2).text
    assert f'href="{V2}/changes"' in v2 and "What changed since version 1" in v2
    older = client.get(V1).text
    assert "This is not the latest version." in older and f'href="{V2}"' in older


def test_version_page_names_no_internal_person_or_activity(app, client, published):
    page = client.get(V1).text
    assert "Partnership Admin" not in page          # who recorded, froze, published
    for name in ("Watford Officer", "Hertsmere Officer", "St Albans Officer"):
        assert name not in page                     # no officer's name or comment
    assert "Suggested change" not in page and "Can we add the standard method" not in page
    assert "csrf" not in page.lower() and "hx-" not in page and "<script" not in page
    assert "Sign out" not in page


def test_a_version_agreed_but_not_published_is_not_found(app, client, published):
    number = start_and_agree_next(app)
    assert number == 2
    for url in (V2, f"{V2}/pdf", f"{V2}/pdf?variant=archive", f"{V2}/docx"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.text
    assert client.get(f"{REGISTER}{SCG_SLUG}/v3").status_code == 404


def test_switching_publishing_off_takes_pages_and_files_away(app, client, published):
    assert client.get(f"{V1}/docx").status_code == 200
    set_register(app, False)
    for url in (V1, f"{V1}/pdf", f"{V1}/docx"):
        assert client.get(url).status_code == 404, url


def test_version_html_is_rendered_once_and_kept(app, client, published):
    rendered = []

    def record(_sender, template, context, **_):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        first = client.get(V1)
        second = client.get(V1)
    finally:
        template_rendered.disconnect(record, app)
    assert first.text == second.text
    assert rendered.count("public/_version_body.html") == 1
    assert rendered.count("public/version.html") == 2


def test_version_page_answers_not_modified_with_etag_and_last_modified(app, client,
                                                                       published):
    first = client.get(V1)
    row = _v1(app)
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert first.headers["Last-Modified"] == http_date(row.published_at)
    etag = first.headers["ETag"]
    for headers in ({"If-None-Match": etag},
                    {"If-Modified-Since": first.headers["Last-Modified"]}):
        again = client.get(V1, headers=headers)
        assert again.status_code == 304 and again.data == b""
        assert_no_cookie(again)
    assert client.get(V1, headers={"If-None-Match": '"other"'}).status_code == 200
    # A newer version changes what version 1's page says, so its ETag changes.
    start_and_agree_next(app)
    publish(app)
    assert client.get(V1, headers={"If-None-Match": etag}).status_code == 200


def test_word_file_is_served_once_made_and_conditionally(app, client, published):
    response = client.get(f"{V1}/docx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert response.data[:2] == b"PK"
    assert "Statement-of-Common-Ground-v1" in response.headers["Content-Disposition"]
    assert_no_cookie(response)
    again = client.get(f"{V1}/docx", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"{V1}/docx").data == response.data


def test_signed_pdf_is_prepared_then_served_in_both_variants(app, client, published,
                                                            run_jobs):
    waiting = client.get(f"{V1}/pdf")
    assert waiting.status_code == 202
    assert "Refresh" not in waiting.headers          # never reloads itself (WCAG 2.2.1)
    assert waiting.headers["Retry-After"] and waiting.headers["Cache-Control"] == "no-store"
    assert "This file is being prepared" in waiting.text
    assert "job" not in waiting.text.lower() and "Sign in" not in waiting.text
    assert_no_cookie(waiting)
    for url in (f"{V1}/pdf", f"{V1}/pdf?variant=archive"):
        response = download(client, url, run_jobs)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.data.startswith(b"%PDF")
        assert response.headers["Last-Modified"] and response.headers["ETag"]
        assert_no_cookie(response)
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    assert client.get(f"{V1}/pdf?variant=other").status_code == 404


def test_public_pages_print_without_navigation_and_with_link_addresses(app, client,
                                                                       published):
    page = client.get(V1).text
    assert 'href="/static/css/public.css"' in page
    css = (STATIC / "css" / "public.css").read_text()
    printing = css[css.index("@media print"):]
    for hidden in (".govuk-breadcrumbs", ".govuk-footer", ".govuk-skip-link", ".cg-embed"):
        assert hidden in printing.split("display: none")[0]
    assert 'content: " (" attr(href) ")"' in printing


def test_version_page_has_one_h1_and_ordered_headings(app, client, published):
    page = client.get(V1).text
    assert page.count("<h1") == 1
    levels = [int(n) for n in re.findall(r"<h([1-6])", page)]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    assert '<html lang="en-GB"' in page and "<title>Statement of Common Ground, version 1" \
        in page


def test_a_pdf_that_could_not_be_made_says_so_without_the_internal_reason(app, client,
                                                                          published):
    assert client.get(f"{V1}/pdf").status_code == 202
    with app.app_context():
        job = db.session.scalar(select(Job).order_by(Job.id.desc()).limit(1))
        job.status, job.last_error = FAILED, "Traceback: secret internal detail"
        db.session.commit()
    response = client.get(f"{V1}/pdf")
    assert response.status_code == 503
    assert "This file is not available at the moment" in response.text
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
    assert "Refresh" not in response.headers and response.headers["Retry-After"]
    assert_no_cookie(response)

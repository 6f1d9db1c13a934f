"""The register's accessibility statement: the model statement's structure, an honest
compliance status, how to ask for another format (the partnership's contact, or its
authorities), how it was tested, its dates; linked from every page's footer."""
import html
import re

import pytest

from workspace.extensions import db
from workspace.partnerships.models import Partnership

STATEMENT = "/public/own/accessibility"


@pytest.fixture
def register(app, world):
    """Partnership `own` (Watford, Dacorum) publishing its register; set_contact(text)."""

    def set_contact(contact, publishes=True):
        with app.app_context():
            partnership = db.session.get(Partnership, world["partnerships"]["own"])
            partnership.publishes_register = publishes
            partnership.accessibility_contact = contact
            db.session.commit()

    set_contact("access@own.example")
    return set_contact


def page_text(response):
    assert response.status_code == 200, response.text[:300]
    return html.unescape(re.sub(r"\s+", " ", response.text))


def test_the_statement_follows_the_model_statement(client, register):
    text = page_text(client.get(STATEMENT))
    headings = re.findall(r"<h[23][^>]*>([^<]+)</h[23]>", text)
    assert headings[:9] == [
        "How accessible this register is", "Feedback and contact information",
        "Reporting accessibility problems with this register", "Enforcement procedure",
        "Technical information about this register's accessibility", "Compliance status",
        "Non-accessible content", "Non-compliance with the accessibility regulations",
        "Disproportionate burden"]
    assert {"How we tested this register", "What we're doing to improve accessibility",
            "Preparation of this accessibility statement"} <= set(headings)
    assert "<h1 class=\"govuk-heading-xl\">Accessibility statement for the Own Partnership " \
           "register</h1>" in text
    # Who it covers and who runs it.
    assert 'applies to <a class="govuk-link" href="/public/own/">the public register of the ' \
           'Own Partnership</a>: its home page' in text
    assert "Dacorum Borough Council, Watford Borough Council" in text
    # Enforcement: the EHRC and the EASS.
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert "Equality Advisory and Support Service (EASS)" in text
    # Dates prepared and reviewed.
    assert "This statement was prepared on 5 December 2026. It was last reviewed on " \
           "5 December 2026." in text


def test_the_statement_is_honest_about_compliance(client, register):
    text = re.sub(r"<[^>]+>", "", page_text(client.get(STATEMENT)))      # the words read
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2 " \
           "AA standard" in text
    assert "fully compliant" not in text
    # What is known not to be accessible, or not checked, is named.
    for known in ("Tables in the signed PDFs", "archive variant",
                  "Word files have not been checked", "not by a full PDF/UA validator"):
        assert known in text, known
    # How it was tested: the checks, by name.
    for check in ("axe accessibility checker", "WCAG 2.0, 2.1 and 2.2 at levels A and AA",
                  "the Tab key reaches every link", "320 CSS pixels", "as printed",
                  "a structure tree and the \"Marked\" flag"):
        assert check in text, check
    assert "No one has yet tested the register with a screen reader" in text


def test_an_email_contact_is_a_mailto_link(client, register):
    text = page_text(client.get(STATEMENT))
    assert '<a class="govuk-link" href="mailto:access@own.example">access@own.example</a>' \
        in text


def test_another_contact_is_shown_as_written(client, register):
    register("the Joint Planning Team, 01923 000000")
    text = page_text(client.get(STATEMENT))
    assert "contact the Joint Planning Team, 01923 000000" in text
    assert "mailto:" not in text


def test_without_a_contact_it_lists_the_authorities_to_ask(client, register):
    register("")
    text = page_text(client.get(STATEMENT))
    assert "contact any of the partner authorities, which run this register together:" in text
    assert "<li>Dacorum Borough Council</li>" in text
    assert "<li>Watford Borough Council</li>" in text
    assert "Luton" not in text                     # another partnership's authority
    assert "mailto:" not in text


def test_the_statement_answers_caches_and_sets_no_cookie(client, register):
    first = client.get(STATEMENT)
    assert "Set-Cookie" not in first.headers
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get(STATEMENT, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    register("someone-else@own.example")            # the page changed: the old copy is stale
    changed = client.get(STATEMENT, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "someone-else@own.example" in changed.text


def test_the_statement_is_not_found_when_the_register_is_off_or_unknown(client, register):
    register("access@own.example", publishes=False)
    off = client.get(STATEMENT)
    assert off.status_code == 404 and "Set-Cookie" not in off.headers
    assert "access@own.example" not in off.text
    assert client.get("/public/nobody/accessibility").status_code == 404


def test_every_register_page_links_to_the_statement_in_its_footer(client, register):
    for url in ("/public/own/", STATEMENT, "/public/own/feed-that-is-not-there/x"):
        response = client.get(url)
        footer = response.text.split('<footer class="govuk-footer"', 1)[1]
        assert f'href="{STATEMENT}">Accessibility statement</a>' in footer, url

"""The document page runs clean: no console errors, no script errors, no CSP violations."""
import pytest

from .support import (
    DACORUM,
    LIVE_MS,
    WATFORD,
    expect,
    open_document,
    save_section_as,
    section,
)

# The demo Statement is out for agreement: its text is edited directly by partnership admins
# only (issue 17), so the officers editing here hold the grant (conftest.officers_edit).
pytestmark = pytest.mark.usefixtures("officers_edit")


def test_document_page_has_no_console_errors_or_csp_violations(app, demo, open_page):
    opened = open_page(WATFORD)
    page = opened.page
    with page.expect_response(lambda r: "/changes?" in r.url) as poll:
        open_document(page)
    assert poll.value.status == 204                       # the live feed asked, nothing new
    response = page.reload()
    assert "script-src 'self'" in response.headers["content-security-policy"]

    part1 = section(page, "Part 1: Strategic context")      # htmx swaps, enhanced by app.js
    part1.get_by_role("link", name="Edit").click()
    expect(part1.get_by_role("toolbar", name="Formatting")).to_be_visible()
    part1.get_by_role("button", name="Preview").click()
    expect(part1.locator(".cg-preview__body")).to_contain_text("geographical extent")
    part1.get_by_role("button", name="Cancel").click()
    expect(part1.get_by_role("link", name="Edit")).to_be_visible()

    save_section_as(app, DACORUM, "Annexes", "Agreements are listed below.\n")  # live, OOB
    expect(section(page, "Annexes").locator(".cg-prose")).to_have_text(
        "Agreements are listed below.", timeout=LIVE_MS)

    assert opened.page_errors == []
    assert opened.console_errors == []
    assert opened.csp_violations() == []

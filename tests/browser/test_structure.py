"""The structure page is plain forms: it works the same with and without JavaScript."""
import re

import pytest

from .support import expect, open_document, section

#: The demo Statement is out for agreement: only a partnership admin changes its structure.
ADMIN = "admin@swherts.example"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_rename_a_section(demo, open_page, javascript):
    page = open_page(ADMIN, javascript=javascript).page
    open_document(page)
    section(page, "Part 5: Monitoring and review").get_by_role(
        "link", name="Move, rename or add").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("5 Part 5: Monitoring and review")

    page.get_by_label("Title", exact=True).fill("Part 5: Monitoring, review and triggers")
    page.get_by_role("button", name="Rename").click()

    expect(page.locator("#notifications")).to_contain_text("Section renamed.")
    expect(section(page, "Part 5: Monitoring, review and triggers")
           .get_by_role("heading", level=2)).to_have_text(
        "5 Part 5: Monitoring, review and triggers")
    contents = page.locator("#contents-list")
    expect(contents).to_contain_text("Part 5: Monitoring, review and triggers")
    expect(contents).not_to_contain_text("Part 5: Monitoring and review")


def test_a_new_section_saved_from_its_own_editor_page_returns_to_the_document(demo, open_page):
    page = open_page(ADMIN).page
    open_document(page)
    section(page, "Part 5: Monitoring and review").get_by_role(
        "link", name="Move, rename or add").click()
    page.get_by_label("Title", exact=False).last.fill("Part 6: Review triggers")
    page.get_by_role("button", name="Add section").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit section")
    page.locator("textarea.cg-editor").fill("The partners review the statement each spring.")
    page.get_by_role("button", name="Save Part 6: Review triggers").click()
    expect(page).to_have_url(re.compile(r"/d/\d+/#section-\d+$"))
    expect(section(page, "Part 6: Review triggers").locator(".cg-prose")).to_contain_text(
        "The partners review the statement each spring.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement of Common Ground")

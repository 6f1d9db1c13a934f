"""Accessibility of the partnership's lists: axe finds no WCAG 2.2 A or AA violation on the
strategic matters and bodies pages (as a reader, as the admin, with errors, the change forms)
and on the document page with the strategic-matter choice open; the choice works by keyboard.
The checks are test_accessibility.py's."""
import re

from .support import SCG, WATFORD, expect, open_document, section
from .test_accessibility import assert_accessible, open_all_details

ADMIN = "admin@swherts.example"


def test_the_lists_as_a_reader(demo, open_page):
    page = open_page(WATFORD).page
    page.goto("/p/sw-herts/matters")
    expect(page.get_by_role("heading", name="Strategic matters", level=1)).to_be_visible()
    assert_accessible(page, "the strategic matters as a reader")
    page.goto("/p/sw-herts/bodies")
    assert_accessible(page, "the bodies as a reader")


def test_the_lists_as_the_admin_with_errors(demo, open_page):
    page = open_page(ADMIN).page
    page.goto("/p/sw-herts/matters")
    assert_accessible(page, "the strategic matters as the admin")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Add strategic matter").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the strategic matter's title.")
    assert_accessible(page, "the strategic matters with an error")
    page.get_by_role("link", name=re.compile(r"^Change SM1 ")).click()
    assert_accessible(page, "a strategic matter's change form")
    page.goto("/p/sw-herts/bodies")
    assert_accessible(page, "the bodies as the admin")
    page.get_by_role("button", name="Add body").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the body's name.")
    assert_accessible(page, "the bodies with an error")


def test_the_document_page_with_the_matter_choice(demo, open_page):
    page = open_document(open_page(ADMIN).page, SCG)
    open_all_details(page)
    assert_accessible(page, "the document page with the strategic-matter choice")
    intro = section(page, "Strategic context")
    select = intro.get_by_label(re.compile("^Strategic matter this section is about"))
    select.focus()
    select.select_option(label="A new matter named after this section")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(section(page, "Strategic context").locator(".cg-positions__matter")) \
        .to_contain_text("Strategic matter SM")

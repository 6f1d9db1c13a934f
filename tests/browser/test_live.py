"""Live updates between two browsers on the same document (the poller asks every 2 s)."""
import re

import pytest

from .support import (
    DACORUM,
    LIVE_MS,
    WATFORD,
    WATFORD_NAME,
    duplicate_ids,
    expect,
    open_document,
    section,
)

# The demo Statement is out for agreement: its text is edited directly by partnership admins
# only (issue 17), so the officers editing here hold the grant (conftest.officers_edit).
pytestmark = pytest.mark.usefixtures("officers_edit")

TITLE = "Part 4: Risk assessment and management"


def _two_officers(open_page):
    a = open_document(open_page(WATFORD).page)
    b = open_document(open_page(DACORUM).page)
    return a, b


def test_others_see_who_is_editing_and_the_saved_text(demo, open_page):
    a, b = _two_officers(open_page)
    b.evaluate("window.sameDocument = true")
    a_part4, b_part4 = section(a, TITLE), section(b, TITLE)

    a_part4.get_by_role("link", name="Edit").click()
    expect(a_part4.get_by_label("Section text")).to_be_visible()
    expect(b_part4.locator(".cg-presence")).to_have_text(f"{WATFORD_NAME} is editing",
                                                         timeout=LIVE_MS)

    a_part4.get_by_label("Section text").fill("Risks are reviewed by the officers group.\n")
    a_part4.get_by_role("button", name="Save").click()
    expect(a_part4.locator(".cg-saved")).to_contain_text("Saved as revision 2")

    expect(b_part4.locator(".cg-prose")).to_have_text("Risks are reviewed by the officers group.",
                                                      timeout=LIVE_MS)
    expect(b_part4.locator(".cg-presence")).to_have_text("", timeout=LIVE_MS)
    assert b.evaluate("window.sameDocument") is True
    assert duplicate_ids(b) == []


def test_an_open_editor_is_not_overwritten_by_a_save_elsewhere(demo, open_page):
    a, b = _two_officers(open_page)
    a_part4, b_part4 = section(a, TITLE), section(b, TITLE)

    b_part4.get_by_role("link", name="Edit").click()
    b_editor = b_part4.get_by_label("Section text")
    b_editor.fill("Dacorum's draft, not yet saved.\n")
    a_part4.get_by_role("link", name="Edit").click()
    a_part4.get_by_label("Section text").fill("Watford's saved text.\n")
    a_part4.get_by_role("button", name="Save").click()
    expect(a_part4.locator(".cg-saved")).to_contain_text("Saved as revision 2")

    expect(b_part4.get_by_role("alert")).to_contain_text(
        "This section changed while you were editing", timeout=LIVE_MS)
    expect(b_editor).to_have_value("Dacorum's draft, not yet saved.\n")
    expect(b_part4.get_by_role("link", name="See what changed")).to_have_attribute(
        "href", re.compile(r"/diff\?from=1&to=2$"))
    assert duplicate_ids(b) == []


def test_others_see_a_renamed_section_and_an_open_editor_is_kept(demo, open_page):
    _a, b = _two_officers(open_page)
    c = open_document(open_page(DACORUM).page)            # Dacorum again, not editing
    b_part1 = section(b, "Part 1: Strategic context")
    b_part1.get_by_role("link", name="Edit").click()
    b_part1.get_by_label("Section text").fill("Dacorum's draft of part 1.\n")

    # The demo Statement is out for agreement: the partnership admin renames (issue 14).
    admin = open_document(open_page("admin@swherts.example").page)
    section(admin, TITLE).get_by_role("link", name="Move, rename or add").click()
    admin.get_by_label("Title", exact=True).fill("Part 4: Risks")
    admin.get_by_role("button", name="Rename").click()
    expect(admin.locator("#notifications")).to_contain_text("Section renamed.")

    expect(c.locator("#contents-list")).to_contain_text("Part 4: Risks", timeout=LIVE_MS)
    expect(section(c, "Part 4: Risks").get_by_role("heading", level=2)).to_have_text(
        "4 Part 4: Risks")
    expect(b.locator("#notifications")).to_contain_text("The document's structure changed",
                                                        timeout=LIVE_MS)
    expect(b_part1.get_by_label("Section text")).to_have_value("Dacorum's draft of part 1.\n")
    assert duplicate_ids(b) == [] and duplicate_ids(c) == []

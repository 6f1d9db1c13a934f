"""Two officers save the same section from the same revision: merged, or a conflict view."""
import pytest

from .support import (
    DACORUM,
    WATFORD,
    WATFORD_NAME,
    expect,
    open_document,
    save_section_as,
    section,
)

# The demo Statement is out for agreement: its text is edited directly by partnership admins
# only (issue 17), so the officers editing here hold the grant (conftest.officers_edit).
pytestmark = pytest.mark.usefixtures("officers_edit")

TITLE = "Part 4: Risk assessment and management"
FIRST, SECOND, THIRD = ("Risks are reviewed every quarter.",
                        "The officers group keeps the risk register.",
                        "Members see the register twice a year.")
ORIGINAL = f"{FIRST}\n\n{SECOND}\n\n{THIRD}\n"


def _three_paragraphs(app):
    """Give the section three paragraphs (revision 2), so edits can miss each other."""
    save_section_as(app, "admin@swherts.example", TITLE, ORIGINAL)


def _both_editing(open_page):
    """Watford and Dacorum each open the section's editor on revision 2."""
    a = open_document(open_page(WATFORD).page)
    b = open_document(open_page(DACORUM).page)
    a_part4, b_part4 = section(a, TITLE), section(b, TITLE)
    for part4 in (a_part4, b_part4):
        part4.get_by_role("link", name="Edit").click()
        expect(part4.get_by_label("Section text")).to_have_value(ORIGINAL)
    return a_part4, b_part4


def _save(part4, text):
    part4.get_by_label("Section text").fill(text)
    part4.get_by_role("button", name="Save").click()


def test_overlapping_edits_show_the_conflict_and_keep_the_text(app, demo, open_page):
    _three_paragraphs(app)
    a_part4, b_part4 = _both_editing(open_page)

    _save(a_part4, f"Risks are reviewed every month.\n\n{SECOND}\n\n{THIRD}\n")
    expect(a_part4.locator(".cg-saved")).to_have_text("Saved as revision 3.")

    mine = f"Risks are reviewed at every partnership board.\n\n{SECOND}\n\n{THIRD}\n"
    _save(b_part4, mine)
    conflict = b_part4.locator(".cg-conflict")
    expect(conflict).to_contain_text(f"Your changes overlap with changes by {WATFORD_NAME}")
    expect(conflict).to_be_focused()
    expect(b_part4.get_by_label("Section text")).to_have_value(mine)
    expect(b_part4.locator(".cg-saved")).to_have_count(0)

    both = "Risks are reviewed every month and at every partnership board."
    combined = f"{both}\n\n{SECOND}\n\n{THIRD}\n"
    _save(b_part4, combined)
    expect(b_part4.locator(".cg-saved")).to_have_text("Saved as revision 4.")
    expect(b_part4.locator(".cg-prose p").first).to_have_text(both)


def test_edits_to_different_paragraphs_are_merged(app, demo, open_page):
    _three_paragraphs(app)
    a_part4, b_part4 = _both_editing(open_page)

    _save(a_part4, f"Risks are reviewed every month.\n\n{SECOND}\n\n{THIRD}\n")
    expect(a_part4.locator(".cg-saved")).to_have_text("Saved as revision 3.")
    _save(b_part4, f"{FIRST}\n\n{SECOND}\n\nMembers see the register every quarter.\n")

    expect(b_part4.locator(".cg-saved")).to_have_text(
        f"Saved. Your changes were merged with changes by {WATFORD_NAME}.")
    paragraphs = b_part4.locator(".cg-prose p")
    expect(paragraphs).to_have_text(["Risks are reviewed every month.", SECOND,
                                     "Members see the register every quarter."])

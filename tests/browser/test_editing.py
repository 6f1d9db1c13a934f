"""Editing a section: in place with htmx, and as plain pages without JavaScript."""
import re

import pytest

from .support import WATFORD, expect, open_document, section

# The demo Statement is out for agreement: its text is edited directly by partnership admins
# only (issue 17), so the officers editing here hold the grant (conftest.officers_edit).
pytestmark = pytest.mark.usefixtures("officers_edit")


def test_edit_and_save_a_section_in_place(demo, open_page):
    page = open_page(WATFORD).page
    open_document(page)
    page.evaluate("window.sameDocument = true")          # gone if the page reloads
    part5 = section(page, "Part 5: Monitoring and review")

    part5.get_by_role("link", name="Edit").click()
    editor = part5.get_by_label("Section text")
    expect(editor).to_be_focused()
    expect(part5.get_by_role("toolbar", name="Formatting")).to_be_visible()
    editor.fill("The partners review the statement **every year**.\n")
    part5.get_by_role("button", name="Save").click()

    expect(part5.locator(".cg-saved")).to_have_text("Saved as revision 2.")
    expect(part5.locator(".cg-prose strong")).to_have_text("every year")
    expect(part5.locator(".cg-prose")).to_contain_text("The partners review the statement")
    expect(part5.get_by_label("Section text")).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True


def test_edit_and_save_without_javascript(demo, open_page):
    page = open_page(WATFORD, javascript=False).page
    open_document(page)
    part5 = section(page, "Part 5: Monitoring and review")

    part5.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Edit section 5"))
    expect(page.get_by_role("toolbar", name="Formatting")).to_be_hidden()
    page.get_by_label("Section text").fill("Reviewed every year, without JavaScript.\n")
    page.get_by_role("button", name="Save").click()

    # The page lands on the section (#section-N): the confirmation is shown there.
    saved = section(page, "Part 5: Monitoring and review")
    expect(saved.get_by_role("status").first).to_contain_text("Saved as revision 2.")
    expect(page.locator("#notifications")).not_to_contain_text("Saved as revision 2.")
    expect(saved).to_contain_text("Reviewed every year, without JavaScript.")


def test_cancel_asks_before_discarding_unsaved_text(demo, open_page):
    page = open_document(open_page(WATFORD).page)
    part5 = section(page, "Part 5: Monitoring and review")
    part5.get_by_role("link", name="Edit").click()
    # The editor has focus once htmx has swapped it in and the page's scripts have run.
    expect(part5.get_by_label("Section text")).to_be_focused()
    part5.get_by_label("Section text").fill("Text I have not saved.\n")

    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    part5.get_by_role("button", name="Cancel").click()
    expect(part5.get_by_label("Section text")).to_have_value("Text I have not saved.\n")
    assert dialogs == ["Discard your unsaved changes to this section?"]

    page.once("dialog", lambda dialog: dialog.accept())
    part5.get_by_role("button", name="Cancel").click()
    expect(part5.get_by_label("Section text")).to_have_count(0)
    expect(part5.locator(".cg-prose")).to_contain_text("Key indicators and milestones")


@pytest.mark.parametrize("document, title", [
    ("Statement of Common Ground", "Part 5: Monitoring and review"),
    ("JSP Vision: Engagement Plan", "JSP Vision Target Audience"),
])
def test_opening_the_editor_from_the_keyboard_shows_the_text_box(demo, open_page, document,
                                                                  title):
    """Found by a walkthrough: Enter on "Edit" put focus in a text box below the window's
    edge, so the person could not see where they were typing."""
    page = open_page(WATFORD).page
    page.set_viewport_size({"width": 1280, "height": 900})
    open_document(page, document)
    target = section(page, title)
    link = target.get_by_role("link", name="Edit").first
    link.scroll_into_view_if_needed()
    # As a keyboard user reaches it: the link in the lower quarter of the window, the text
    # box (below the section's title and tools) starting just past its foot.
    page.evaluate("""(link) => window.scrollBy(0, link.getBoundingClientRect().top - 685)""",
                  link.element_handle())
    link.focus()
    page.keyboard.press("Enter")
    editor = target.get_by_label("Section text")
    expect(editor).to_be_focused()
    page.wait_for_timeout(300)
    top, height = page.evaluate("""() => [document.activeElement.getBoundingClientRect().top,
                                          window.innerHeight]""")
    assert 0 <= top <= height - 48, f"the text box starts at {top}px in a {height}px window"

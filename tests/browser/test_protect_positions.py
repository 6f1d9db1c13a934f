"""A save that would make current positions stale asks first (issue 14): in place with htmx,
without JavaScript and with the keyboard alone. "Housing need and distribution" carries
current positions of every district in the demo."""
import re

import pytest

from .support import QUICK_MS, WATFORD, expect, open_document, section
from .test_keyboard import focused, press

# The demo Statement is out for agreement: its text is edited directly by partnership admins
# only (issue 17), so the officers editing here hold the grant (conftest.officers_edit).
pytestmark = pytest.mark.usefixtures("officers_edit")

HOUSING = "Housing need and distribution"
ASKS = re.compile(r"Saving this change will make the positions of Dacorum Borough Council, "
                  r".*Three Rivers District Council on this section out of date: they will "
                  r"have to re-confirm\.")


def test_a_save_asks_before_positions_go_stale_then_saves_on_confirmation(demo, open_page):
    page = open_document(open_page(WATFORD).page)
    housing = section(page, HOUSING)
    housing.get_by_role("link", name=f"Edit {HOUSING}").click()
    housing.get_by_label("Section text").fill("Housing need, corrected.\n")
    housing.get_by_role("button", name=re.compile("^Save")).first.click()

    warning = housing.get_by_role("alert")
    expect(warning).to_contain_text(ASKS)
    expect(warning).to_be_focused()
    expect(housing.get_by_label("Section text")).to_have_value("Housing need, corrected.\n")
    housing.get_by_role("button", name="Save and ask them to re-confirm").click()
    expect(housing.locator(".cg-saved")).to_contain_text("Saved as revision")
    expect(housing.locator(":scope > .cg-prose")).to_contain_text("Housing need, corrected.")


def test_keep_editing_leaves_the_text_unsaved(demo, open_page):
    page = open_document(open_page(WATFORD).page)
    housing = section(page, HOUSING)
    housing.get_by_role("link", name=f"Edit {HOUSING}").click()
    housing.get_by_label("Section text").fill("Not yet.\n")
    housing.get_by_role("button", name=re.compile("^Save")).first.click()
    housing.get_by_role("link", name="Keep editing").click()
    expect(housing.get_by_label("Section text")).to_be_focused()
    expect(housing.get_by_label("Section text")).to_have_value("Not yet.\n")


def test_the_confirmation_without_javascript(demo, open_page):
    page = open_document(open_page(WATFORD, javascript=False).page)
    section(page, HOUSING).get_by_role("link", name=f"Edit {HOUSING}").click()
    page.get_by_label("Section text").fill("Housing need, without JavaScript.\n")
    page.get_by_role("button", name=re.compile("^Save")).first.click()
    expect(page.get_by_role("alert")).to_contain_text(ASKS)
    expect(page.get_by_label("Section text")).to_have_value(
        "Housing need, without JavaScript.\n")
    page.get_by_role("button", name="Save and ask them to re-confirm").click()
    expect(section(page, HOUSING)).to_contain_text("Housing need, without JavaScript.")


def test_the_confirmation_with_the_keyboard(demo, open_page):
    page = open_document(open_page(WATFORD).page)
    housing = section(page, HOUSING)
    housing.get_by_role("link", name=f"Edit {HOUSING}").focus()
    page.keyboard.press("Enter")
    editor = housing.get_by_label("Section text")
    expect(editor).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Typed with the keyboard.")
    press(page, "Tab")                                  # the summary
    save = press(page, "Tab")
    assert save["name"] == f"Save {HOUSING}"
    page.keyboard.press("Enter")
    expect(housing.get_by_role("alert")).to_be_focused()
    focused_button = press(page, "Tab")
    assert focused_button["name"] == "Save and ask them to re-confirm"
    page.keyboard.press("Enter")
    expect(housing.locator(".cg-saved")).to_contain_text("Saved as revision")
    expect(housing.locator(":scope > .cg-prose")).to_contain_text("Typed with the keyboard.")
    # The live feed may redraw the saved section as the save is sent or just after it (its
    # own change coming back): focus must stay in the section, never fall to the page.
    page.wait_for_function(
        "() => document.activeElement && document.activeElement !== document.body",
        timeout=QUICK_MS)
    assert focused(page)

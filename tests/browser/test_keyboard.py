"""Keyboard only: sign in, edit and save a section, record a position, with focus always visible.

Nothing here clicks or fills: every step is a key press (Tab, Shift+Tab, Enter, Space, the
arrow keys inside a radio group) or typing, as someone without a mouse would work. At every
stop the focused element must show a focus indicator: a visible outline, or a box-shadow it
does not have when not focused (GOV.UK's yellow-and-black style); for GOV.UK radios and
checkboxes, whose input is invisible, the indicator is on the label's circle or box.
"""
import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from workspace.documents.models import DocumentChange
from workspace.extensions import db

from .support import (
    DEMO_PASSWORD,
    LIVE_MS,
    QUICK_MS,
    SCG,
    WATFORD,
    expect,
    live_feed_held,
    section,
)

MEMBER = "member@watford.example"
#: More Tab presses than any page here needs to reach what a step looks for.
MAX_TABS = 250

#: The focused element, and whether it shows a visible outline or, failing that, a box-shadow
#: it does not have when not focused (compared by blurring it for a moment: only then, since
#: re-focusing a date field would put focus back on its first part).
_FOCUS = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const hidden = el.matches(".govuk-radios__input, .govuk-checkboxes__input") && el.labels.length;
  const [node, pseudo] = hidden ? [el.labels[0], "::before"] : [el, null];
  const look = () => {
    const s = getComputedStyle(node, pseudo);
    return {outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
            outlineColor: s.outlineColor, boxShadow: s.boxShadow};
  };
  const transparent = (c) => c === "transparent" || /^rgba\(.*,\s*0\)$/.test(c);
  const focused = look();
  const outline = focused.outlineStyle !== "none" && focused.outlineWidth > 0 &&
    !transparent(focused.outlineColor);
  let shadow = false;
  if (!outline && focused.boxShadow !== "none" && el !== document.querySelector("main")) {
    el.blur();
    shadow = look().boxShadow !== focused.boxShadow;
    el.focus({preventScroll: true});
  }
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const name = (el.getAttribute("aria-label") || label || el.innerText || "").trim();
  return {tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "",
          name: name.replace(/\s+/g, " ").slice(0, 120), focused, outline, shadow,
          refocused: document.activeElement === el};
}"""


def focused(page):
    """What has focus now, after checking that it shows a visible focus indicator."""
    info = page.evaluate(_FOCUS)
    assert info is not None, "focus was lost: nothing on the page has it"
    assert info["refocused"], f"focus could not return to {info}"
    assert info["outline"] or info["shadow"], f"no visible focus indicator on {info}"
    return info


@contextmanager
def then_caught_up(page, app):
    """During the block the live feed is held, so the page stays as the user's action left
    it. After it, the feed runs until the page has caught up with every change so far (a
    poll at the newest cursor answers 204), so whatever it redraws, such as the section the
    page itself just changed, has been redrawn."""
    newest = {}

    def caught_up(response):
        query = parse_qs(urlsplit(response.url).query)
        return ("/changes" in response.url and response.status == 204
                and query.get("cursor") == [str(newest.get("cursor"))])

    with page.expect_response(caught_up, timeout=LIVE_MS + QUICK_MS), live_feed_held(page):
        yield
        document_id = int(re.search(r"/d/(\d+)/", page.url).group(1))
        with app.app_context():
            newest["cursor"] = db.session.scalar(
                select(func.max(DocumentChange.id))
                .where(DocumentChange.document_id == document_id))


def press(page, key):
    page.keyboard.press(key)
    return focused(page)


def tab_until(page, matches, what, key="Tab"):
    """Press Tab (or Shift+Tab) until `matches(focused element)`; every stop on the way must
    show its focus. Returns the element's description."""
    for _ in range(MAX_TABS):
        info = press(page, key)
        if matches(info):
            return info
    raise AssertionError(f"{what} not reached with {MAX_TABS} presses of {key}")


def named(text, tag=None):
    pattern = re.compile(text)
    return lambda info: bool(pattern.search(info["name"])) and (tag is None or info["tag"] == tag)


def sign_in_with_the_keyboard(page, email):
    page.goto("/sign-in")
    tab_until(page, lambda info: info["id"] == "email", "the email field")
    page.keyboard.type(email)
    assert press(page, "Tab")["id"] == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator(".cg-who")).to_be_visible()


def open_the_scg_with_the_keyboard(page):
    tab_until(page, named(f"^{SCG}$", "a"), "the link to the Statement of Common Ground")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(SCG)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(demo, open_page):
    page = open_page(WATFORD).page
    page.goto("/")
    first = press(page, "Tab")
    assert (first["tag"], first["name"]) == ("a", "Skip to main content")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    following = press(page, "Tab")                     # the next stop is inside main
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), \
        following
    back = press(page, "Shift+Tab")                    # and back out to the header
    assert back["name"] != "Skip to main content"


@pytest.mark.usefixtures("officers_edit")    # out for agreement: admins edit (issue 17)
def test_an_officer_edits_and_saves_a_section_with_the_keyboard(app, demo, open_page):
    page = open_page().page
    sign_in_with_the_keyboard(page, WATFORD)
    open_the_scg_with_the_keyboard(page)
    part1 = section(page, "Part 1: Strategic context")

    assert press(page, "Tab")["name"] == "Skip to main content"
    press(page, "Tab")
    assert press(page, "Shift+Tab")["name"] == "Skip to main content"       # Shift+Tab goes back
    tab_until(page, named(r"^Edit Part 1: Strategic context$", "a"), "Part 1's Edit link")
    page.keyboard.press("Enter")
    editor = part1.get_by_label("Section text")
    expect(editor).to_be_focused()                     # the editor opens with the cursor in it
    assert focused(page)["tag"] == "textarea"

    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Typed without a mouse: the **strategic context** of the plan.")
    assert press(page, "Tab")["id"].startswith("summary-")
    page.keyboard.type("Keyboard edit")
    save = press(page, "Tab")
    assert (save["tag"], save["name"]) == ("button", "Save Part 1: Strategic context")
    with then_caught_up(page, app):
        page.keyboard.press("Enter")
        expect(part1.locator(".cg-saved")).to_have_text("Saved as revision 2.")
        expect(part1.locator(".cg-prose")).to_have_text(
            "Typed without a mouse: the strategic context of the plan.")
        expect(part1.locator(".cg-prose strong")).to_have_text("strategic context")
        expect(part1.locator("h2")).to_be_focused()    # focus is kept on the saved section
        focused(page)
        edit_again = press(page, "Tab")                # and the next stop is in that section
        assert edit_again["name"] == "Edit Part 1: Strategic context"
    # The save comes back through the live feed, which may draw the section again: focus is
    # still on the same link, visibly.
    expect(part1.get_by_role("link", name="Edit Part 1: Strategic context")).to_be_focused()
    assert focused(page)["name"] == "Edit Part 1: Strategic context"


def test_a_member_records_a_position_with_the_keyboard(app, demo, open_page):
    page = open_page().page
    sign_in_with_the_keyboard(page, MEMBER)
    open_the_scg_with_the_keyboard(page)
    green_belt = section(page, "The future role of the Green Belt")

    tab_until(page, named(r"^Record Watford Borough Council's position on The future role "
                          r"of the Green Belt$", "summary"), "the Green Belt position form")
    page.keyboard.press("Enter")                       # opens the <details>
    form = green_belt.locator("form", has=page.get_by_role("button", name=re.compile(
        r"^Record position")))
    expect(form).to_be_visible()

    first = press(page, "Tab")                         # into the radio group, at its first radio
    assert (first["type"], first["name"]) == ("radio", "Agreed")
    choice = press(page, "ArrowDown")                  # arrows move the choice within the group
    assert choice["type"] == "radio"
    expect(form.get_by_label("Agreed with reservations")).to_be_checked()
    page.keyboard.press("Space")                       # Space keeps it chosen
    expect(form.get_by_label("Agreed with reservations")).to_be_checked()

    reason = press(page, "Tab")
    assert reason["tag"] == "textarea" and reason["id"].endswith("reason")
    page.keyboard.type("Watford agrees, provided the Green Belt review comes first.")
    submit = tab_until(page, named(r"^Record position", "button"), "the Record position button")
    assert submit["name"] == "Record position on The future role of the Green Belt"
    positions = green_belt.locator(".cg-positions")
    watford = positions.locator(".cg-position", has_text="Watford Borough Council")
    with then_caught_up(page, app):
        page.keyboard.press("Enter")
        expect(positions.locator(".cg-saved")).to_be_focused()       # the confirmation
        focused(page)
        expect(watford.locator(".govuk-tag")).to_have_text("Agreed with reservations")
        expect(watford).to_contain_text(
            "Watford agrees, provided the Green Belt review comes first.")
    # The position comes back through the live feed, which may draw the section again: focus
    # stays in the section, visibly, and the position is still shown.
    after = focused(page)
    assert page.evaluate("(el) => el.contains(document.activeElement)",
                         green_belt.element_handle()), after
    expect(watford.locator(".govuk-tag")).to_have_text("Agreed with reservations")

"""Engagement page in a real browser: visible Remove buttons, keyboard focus in the register's
row editor and sort controls, map points that lead to their stakeholder, no overflow at 1280 px."""
import re

from .support import WATFORD, expect
from .test_accessibility import PLAN, assert_accessible, document_url

ENGAGEMENT = "/p/sw-herts/engagement/"
FIRST = "Charities and community groups"

_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll("body *"))
    .filter((el) => !el.closest(".cg-table-scroll"))
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1;
    })
    .map((el) =>
      `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent.trim().slice(0, 60)}`);
}"""


def test_remove_buttons_look_like_links_and_sign_out_like_the_header_links(demo, open_page):
    page = open_page(WATFORD).page
    page.goto(ENGAGEMENT)
    for scope in ("#objectives ~ table", "#register", "#activities ~ div"):
        button = page.locator(scope).first.get_by_role("button", name=re.compile("^Remove")).first
        expect(button).to_be_visible()
        expect(button).to_have_css("color", "rgb(26, 101, 166)")     # GOV.UK Frontend 6 link
        expect(button).to_have_css("text-decoration-line", "underline")
    header_link = page.get_by_role("navigation", name="Account").get_by_role(
        "link", name="Change password")
    colour = header_link.evaluate("(a) => getComputedStyle(a).color")
    expect(page.get_by_role("button", name="Sign out")).to_have_css("color", colour)
    button = page.locator("#register").get_by_role("button", name=re.compile("^Remove")).first
    button.focus()
    expect(button).to_have_css("background-color", "rgb(255, 221, 0)")  # focus is visible


def test_keyboard_focus_stays_with_the_row_being_changed(demo, open_page):
    page = open_page(WATFORD).page
    page.goto(ENGAGEMENT)
    row = page.locator("#register tbody tr").first
    row_id = row.get_attribute("id")
    change = page.locator(f"#{row_id}").get_by_role("link", name=f"Change {FIRST}")
    change.focus()
    page.keyboard.press("Enter")                                     # the editor opens
    expect(page.locator(f"#{row_id}.cg-row-editor")).to_be_visible()
    expect(page.locator(f"#{row_id}").get_by_label("Name", exact=True)).to_be_focused()

    page.keyboard.press("Control+a")
    page.keyboard.type(f"{FIRST} (CVS)")
    page.keyboard.press("Enter")                                     # Save
    expect(page.locator(f"#{row_id}:not(.cg-row-editor)")).to_be_visible()
    expect(page.locator(f"#{row_id}").get_by_role(
        "link", name=f"Change {FIRST} (CVS)")).to_be_focused()

    page.keyboard.press("Enter")                                     # open again, then Cancel
    expect(page.locator(f"#{row_id}.cg-row-editor")).to_be_visible()
    page.locator(f"#{row_id}").get_by_role("link", name="Cancel").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{row_id}:not(.cg-row-editor)")).to_be_visible()
    expect(page.locator(f"#{row_id}").get_by_role("link", name=re.compile("^Change"))) \
        .to_be_focused()

    page.locator(f"#{row_id}").get_by_role("link", name=re.compile("^Change")).press("Enter")
    expect(page.locator(f"#{row_id}.cg-row-editor")).to_be_visible()
    page.locator(f"#{row_id}").get_by_label("Name", exact=True).fill("")
    page.keyboard.press("Enter")                                     # a 422: the problem
    expect(page.locator(f"#{row_id} .govuk-error-summary")).to_be_focused()


def test_sorting_with_the_keyboard_keeps_focus_on_the_sort_control(demo, open_page):
    page = open_page(WATFORD).page
    page.goto(ENGAGEMENT)
    sort = page.locator("#register thead").get_by_role("link", name=re.compile("^Influence"))
    sort.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#register th[aria-sort]")).to_contain_text("Influence")
    expect(page).to_have_url(re.compile(r"sort=influence"))
    focused = page.locator("#register thead").get_by_role("link", name=re.compile("^Influence"))
    expect(focused).to_be_focused()
    page.keyboard.press("Enter")                                     # and again: descending
    expect(page.locator("#register th[aria-sort=descending]")).to_contain_text("Influence")
    expect(page.locator("#register thead").get_by_role(
        "link", name=re.compile("^Influence"))).to_be_focused()


def test_a_point_on_the_map_is_a_link_to_its_stakeholder_highlighted(demo, open_page):
    page = open_page(WATFORD).page
    page.goto(ENGAGEMENT)
    point = page.locator("#pictures svg").get_by_role(
        "link", name=re.compile(rf"^\d+\. {FIRST}: influence \d, quality \d$"))
    expect(point).to_have_count(1)
    point.focus()
    expect(point).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#map-page-stakeholder-\d+$"))
    target = page.locator(".cg-map-table tr:target")
    expect(target).to_contain_text(FIRST)
    expect(target.locator("th")).to_have_css("background-color", "rgb(255, 247, 191)")
    assert_accessible(page, "engagement planning: a map point chosen")


def test_nothing_runs_past_the_right_edge_at_1280_pixels(app, demo, open_page):
    page = open_page(WATFORD).page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(ENGAGEMENT)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(_OVERFLOW) == []
    region = page.get_by_role("region", name=re.compile("^Stakeholder register"))
    expect(region).to_have_attribute("tabindex", "0")
    page.locator("#register tbody tr").first.get_by_role("link", name=re.compile("^Change")) \
        .click()
    editor = page.locator(".cg-row-editor")
    expect(editor).to_be_visible()
    actions = editor.get_by_label("Actions", exact=True).bounding_box()
    box = region.bounding_box()
    assert actions["x"] + actions["width"] <= box["x"] + box["width"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    page.goto(document_url(app, PLAN))
    assert page.evaluate(_OVERFLOW) == []
    for column in ("Objectives supported", "Status"):
        header = page.locator(".cg-live-block th", has_text=column).first
        cell = header.bounding_box()
        scroller = header.evaluate_handle("h => h.closest('.cg-table-scroll')")
        region = scroller.as_element().bounding_box()
        # Inside the scroll region's visible box, or reachable by scrolling it.
        assert cell["x"] + cell["width"] <= region["x"] + region["width"] + 1 or \
            scroller.evaluate("s => s.scrollWidth > s.clientWidth")

"""On a 390 px phone no page scrolls sideways, for any role: wide tables scroll inside their
own labelled, focusable region (or stack into a list), the rest wraps, and the header is
compact (the person and their authority; the role is for screen readers only there).

Checked on every kind of page each role reaches, with every <details> open (the widest the
page gets), with JavaScript and, for the pages with tables, without it.
"""
import re

import pytest
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.documents.models import Document, Section
from workspace.extensions import db

from .support import SCG, WATFORD, expect, open_document
from .test_accessibility import assert_accessible

MEMBER = "member@watford.example"
ADMIN = "admin@swherts.example"
ORGADMIN = "orgadmin@watford.example"
VIEWER = "viewer@watford.example"
PLAN = "JSP Vision: Engagement Plan"
PHONE = {"width": 390, "height": 844}

#: Elements wider than the window that do not sit inside something scrolling on its own.
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  // Inside something that scrolls on its own, or inside a visually hidden box (a stacked
  // table's header row: 1 px, clipped; laid out wider, but never shown).
  const hidden = (el) => getComputedStyle(el).overflow === "hidden"
    && el.getBoundingClientRect().width <= 1;
  const insideScroller = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up) || hidden(up)) return true;
    }
    return false;
  };
  return Array.from(document.querySelectorAll("body *"))
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1;
    })
    .filter((el) => !insideScroller(el))
    .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent.slice(0, 60)}`);
}"""

#: Containers that do scroll sideways, and are not a labelled, focusable region.
_UNLABELLED_SCROLLERS = """() => Array.from(document.querySelectorAll("body *"))
  .filter((el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX)
                  && el.scrollWidth > el.clientWidth + 1)
  .filter((el) => !(el.getAttribute("role") === "region" && el.tabIndex === 0
                    && (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby"))))
  .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)"""

#: (who, page) for every kind of page, by role. "doc:<title>[/suffix]" is a document's page.
PAGES = [
    (MEMBER, "/"), (MEMBER, "doc:" + SCG), (MEMBER, "doc:" + SCG + "/review-queue"),
    (MEMBER, "doc:" + SCG + "/agreement"), (MEMBER, "doc:" + SCG + "/lifecycle"),
    (MEMBER, "/tasks"), (MEMBER, "/notifications"),
    (WATFORD, "doc:" + SCG), (WATFORD, "doc:" + PLAN), (WATFORD, "doc:" + SCG + "/activity"),
    (WATFORD, "/p/sw-herts/"), (WATFORD, "/p/sw-herts/engagement/"),
    (WATFORD, "/p/sw-herts/meetings"), (WATFORD, "/p/sw-herts/actions"),
    (WATFORD, "/p/sw-herts/matters"), (WATFORD, "/notifications/preferences"),
    (ADMIN, "doc:" + SCG), (ADMIN, "doc:" + SCG + "/lifecycle"),
    (ADMIN, "doc:" + SCG + "/versions"), (ADMIN, "doc:" + SCG + "/decisions"),
    (ADMIN, "doc:" + SCG + "/signatories"), (ADMIN, "/p/sw-herts/admin"),
    (ADMIN, "/p/sw-herts/bodies"), (ADMIN, "/tasks"),
    (ORGADMIN, "/organisation/"),
    (VIEWER, "doc:" + SCG),
]


def _url(app, where):
    if not where.startswith("doc:"):
        return where
    title, _, suffix = where[4:].partition("/")
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.title == title))
    return f"/p/sw-herts/d/{document_id}/{suffix}"


@pytest.fixture
def viewer(app, demo, factory):
    with app.app_context():
        watford = db.session.scalar(select(User.organisation_id).where(User.email == MEMBER))
    factory.user(watford, "viewer", email=VIEWER, password="common-ground",
                 name="Watford Viewer")


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(_OVERFLOWING) == []


@pytest.mark.parametrize("email, where", PAGES,
                         ids=[f"{e.split('@')[0]}-{w.strip('/') or 'home'}" for e, w in PAGES])
def test_no_page_scrolls_sideways_on_a_phone(app, demo, viewer, open_page, email, where):
    page = open_page(email).page
    page.set_viewport_size(PHONE)
    response = page.goto(_url(app, where))
    assert response.status == 200, where
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.wait_for_timeout(200)              # table-scroll.js re-measures after a resize
    _fits(page)
    # What scrolls is a region a keyboard can reach and a screen reader can name.
    assert page.evaluate(_UNLABELLED_SCROLLERS) == []


@pytest.mark.parametrize("email, where", [
    (MEMBER, "doc:" + SCG), (ADMIN, "doc:" + SCG + "/versions"), (WATFORD, "/p/sw-herts/meetings"),
    (ADMIN, "doc:" + SCG + "/lifecycle"), (ORGADMIN, "/organisation/"),
])
def test_no_page_scrolls_sideways_without_javascript(app, demo, open_page, email, where):
    page = open_page(email, javascript=False).page
    page.set_viewport_size(PHONE)
    page.goto(_url(app, where))
    _fits(page)


def test_header_names_the_person_and_authority_not_the_role(app, demo, open_page):
    page = open_page(MEMBER).page
    page.set_viewport_size(PHONE)
    page.goto("/")
    who = page.locator(".cg-who")
    expect(who).to_have_text("Watford Member, Watford Borough Council (signed in as Member)")
    visible = who.evaluate("""(el) => { const c = el.cloneNode(true);
        c.querySelectorAll('.govuk-visually-hidden').forEach((h) => h.remove());
        return c.textContent.trim(); }""")
    assert visible == "Watford Member, Watford Borough Council"
    # One line for the person: the header stays short.
    box = who.bounding_box()
    assert box["height"] < 30, box


def test_users_table_becomes_a_list_on_a_phone(app, demo, open_page):
    page = open_page(ORGADMIN).page
    page.set_viewport_size(PHONE)
    page.goto("/organisation/")
    row = page.locator("#users tbody tr").first
    cells = row.locator("td")
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 1, "cells should stack"
    _fits(page)


def test_document_contents_stick_on_a_wide_screen_only(app, demo, open_page):
    page = open_page(WATFORD).page
    page.set_viewport_size({"width": 1280, "height": 800})
    open_document(page)
    contents = page.locator(".cg-contents")
    assert contents.evaluate("(el) => getComputedStyle(el).position") == "sticky"
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(200)
    assert 0 <= contents.bounding_box()["y"] < 100, "the contents stay in view"
    page.set_viewport_size(PHONE)
    assert contents.evaluate("(el) => getComputedStyle(el).position") == "static"
    assert re.search(r"\d", page.locator("#contents-list").inner_text())


@pytest.mark.parametrize("email, where", [
    (MEMBER, "doc:" + SCG), (ADMIN, "doc:" + SCG + "/versions"), (ORGADMIN, "/organisation/"),
], ids=["document", "versions", "users"])
def test_phone_pages_stay_axe_clean(app, demo, open_page, email, where):
    """The regions the tables scroll in (table-scroll.js wraps one the template did not) and
    the stacked users list pass axe at 390 px, with every <details> open."""
    page = open_page(email).page
    page.set_viewport_size(PHONE)
    page.goto(_url(app, where))
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.wait_for_timeout(200)
    assert_accessible(page, f"{where} at 390 px")


def test_on_a_phone_the_header_names_the_partnership_by_its_short_name(app, demo, open_page):
    """One line for the partnership ("SW Herts") instead of two; its link's name stays the
    full one for screen readers, and a wide screen still shows the full name."""
    page = open_page(MEMBER).page
    page.set_viewport_size(PHONE)
    page.goto("/p/sw-herts/")
    link = page.locator(".govuk-service-navigation__service-name a")
    expect(link).to_have_accessible_name("South West Hertfordshire Joint Strategic Plan")
    expect(link.locator(".cg-short-name")).to_be_visible()
    assert link.bounding_box()["height"] < 30
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(link.locator(".cg-short-name")).to_be_hidden()
    expect(link.locator(".cg-long-name")).to_have_text(
        "South West Hertfordshire Joint Strategic Plan")


def _matter_url(app, title, suffix):
    with app.app_context():
        section = db.session.scalar(select(Section).join(Document).where(
            Document.title == SCG, Section.title == title))
        return f"/p/sw-herts/d/{section.document_id}/{suffix.format(section.id)}"


@pytest.mark.parametrize("suffix", ["review-queue/{}", "s/{}/positions/new"],
                         ids=["queue-matter", "position-form"])
def test_a_table_in_a_matters_text_scrolls_in_a_region_a_keyboard_reaches(app, demo, open_page,
                                                                          suffix):
    """The infrastructure matter holds a table a little wider than a phone, shown in a box
    with padding (what changed, the text as it reads): it is wrapped in a named, focusable
    region (table-scroll.js measured the room inside the padding), and axe passes."""
    page = open_page(MEMBER).page
    page.set_viewport_size(PHONE)
    page.goto(_matter_url(app, "Strategic infrastructure priorities", suffix))
    page.wait_for_timeout(200)
    _fits(page)
    assert page.evaluate(_UNLABELLED_SCROLLERS) == []
    regions = page.locator(".cg-prose .cg-table-scroll[role=region]")
    assert regions.count() >= 1
    names = [regions.nth(i).get_attribute("aria-label") for i in range(regions.count())]
    assert len(set(names)) == len(names), names            # each region its own name
    assert_accessible(page, f"{suffix} at 390 px")


def test_the_agreement_grid_keeps_the_matter_column_in_view(app, demo, open_page):
    page = open_page(MEMBER).page
    page.set_viewport_size(PHONE)
    page.goto(_url(app, "doc:" + SCG + "/agreement"))
    region = page.locator(".cg-table-scroll").filter(has=page.locator(".cg-grid"))
    matter = region.locator("tbody th[scope=row]").first
    before = matter.bounding_box()["x"]
    region.evaluate("(el) => { el.scrollLeft = 300; }")
    page.wait_for_timeout(100)
    assert region.evaluate("(el) => el.scrollLeft") > 0
    assert abs(matter.bounding_box()["x"] - before) < 1, "the matter column scrolled away"


@pytest.mark.parametrize("email, where, rows", [
    (WATFORD, "/p/sw-herts/meetings", "#meetings tbody tr"),
    (WATFORD, "/p/sw-herts/actions", ".cg-actions tbody tr"),
    (ADMIN, "doc:" + SCG + "/lifecycle", "table:has(#totals-caption) tbody tr"),
    (ADMIN, "doc:" + SCG + "/lifecycle", "table:has(#decisions-caption) tbody tr"),
], ids=["meetings", "actions", "totals", "decisions"])
def test_record_tables_become_labelled_lines_on_a_phone(app, demo, open_page, email, where,
                                                        rows):
    """No column cut off at the region's edge (a due date, a status, a meeting's matters):
    each row is a block of lines, each cell named by its column."""
    page = open_page(email).page
    page.set_viewport_size(PHONE)
    page.goto(_url(app, where))
    cells = page.locator(rows).first.locator("td")
    first, last = cells.first.bounding_box(), cells.last.bounding_box()
    assert last["y"] > first["y"], "cells should stack"
    assert last["x"] + last["width"] <= PHONE["width"]
    named = page.locator(rows).first.locator("td[data-label]").last
    label = named.evaluate("(el) => getComputedStyle(el, '::before').content")
    assert label.strip('"').endswith(": ") and len(label) > 4, label
    _fits(page)


def test_engagement_pictures_keep_a_readable_size_on_a_phone(app, demo, open_page):
    """Not shrunk to a third (the timeline's words were 5 px high): the map fits the screen,
    the ladder and timeline keep their size and scroll sideways in named regions."""
    page = open_page(WATFORD).page
    page.set_viewport_size(PHONE)
    page.goto("/p/sw-herts/engagement/")
    widths = {kind: page.locator(f".cg-chart-scroll .cg-chart--{kind}").first.bounding_box()
              ["width"] for kind in ("map", "ladder", "timeline")}
    assert widths["map"] >= 340 and widths["map"] <= PHONE["width"], widths
    assert widths["ladder"] >= 470 and widths["timeline"] >= 700, widths
    assert page.evaluate(_UNLABELLED_SCROLLERS) == []
    _fits(page)
    # On a wide screen nothing scrolls: no extra tab stops.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)                  # re-measured after the resize
    assert page.locator(".cg-chart-scroll[tabindex]").count() == 0


@pytest.mark.parametrize("where", ["/", "doc:" + SCG, "doc:" + SCG + "/agreement"],
                         ids=["home", "document", "agreement"])
def test_on_a_wide_screen_the_header_lines_up_with_the_page(app, demo, open_page, where):
    """The wide pages (the document, the agreement grid) widen the header and footer with
    them: the name, the partnership and the page's heading start at the same left edge."""
    page = open_page(MEMBER).page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(_url(app, where))
    lefts = [page.locator(selector).first.bounding_box()["x"] for selector in (
        ".govuk-generic-header__homepage-link", ".govuk-service-navigation__container",
        "main h1", ".govuk-footer__meta-item p")]
    assert max(lefts) - min(lefts) < 1, lefts


def test_a_frozen_versions_page_fits_a_phone(app, demo, open_page):
    """Its 64-character fingerprint wraps (it made the page 772 px wide)."""
    from tests.publishing.register_support import agree_and_sign
    number = agree_and_sign(app)
    page = open_page(ADMIN).page
    page.set_viewport_size(PHONE)
    response = page.goto(_url(app, f"doc:{SCG}/versions/{number}"))
    assert response.status == 200
    expect(page.locator("code.cg-hash").first).to_be_visible()
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.wait_for_timeout(200)              # table-scroll.js re-measures after a resize
    _fits(page)
    assert page.evaluate(_UNLABELLED_SCROLLERS) == []

"""The public register in a real browser, signed out, on every kind of its pages: axe finds no
WCAG 2.2 A or AA violation; at 320 CSS pixels nothing but a data table is wider than the
window; the Tab key alone reaches every link, in the order of the page, each with a visible
focus indicator; printed, the page shows its content without the navigation.

The register: the demo's Statement of Common Ground with versions 1 and 2 published (so there
is a page of what changed), built without PDFs or signing keys.
"""
import re
import threading

import pytest
from sqlalchemy import select

from tests.publishing.test_feed import agree_and_sign, next_version_out, publish
from workspace.accounts.models import User
from workspace.documents.editing import save_section
from workspace.documents.models import Section
from workspace.extensions import db
from workspace.review.positions import record_position

from .support import duplicate_ids, expect
from .test_accessibility import (
    _BROKEN_IN_PAGE_LINKS,
    _WIDER_THAN_THE_WINDOW,
    axe_violations,
    describe,
    open_all_details,
)
from .test_keyboard import _FOCUS

REGISTER = "/public/sw-herts/"
SCG = f"{REGISTER}statement-of-common-ground/"
#: Every kind of page of the register, by name.
PAGES = {
    "registers": "/public/",
    "register": REGISTER,
    "document": SCG,
    "latest version": f"{SCG}v2",
    "earlier version": f"{SCG}v1",
    "what changed": f"{SCG}v2/changes",
    "first version's changes": f"{SCG}v1/changes",
    "data documentation": f"{REGISTER}data",
    "accessibility statement": f"{REGISTER}accessibility",
    "not found in a register": f"{REGISTER}no-such-document/",
    "not found, no register": "/public/no-such-partnership/",
}
#: Presses of Tab allowed per link on the page before giving up (other stops: summaries).
TABS_PER_LINK = 3

#: Visible links in the order of the page, each marked with its place.
_MARK_LINKS = """() => {
  const visible = (el) => el.checkVisibility({visibilityProperty: true, opacityProperty: false});
  const links = Array.from(document.querySelectorAll("a[href]")).filter(visible);
  links.forEach((a, i) => { a.dataset.cgOrder = String(i); });
  return links.map((a) => (a.innerText || a.getAttribute("aria-label") || "").trim()
                          .replace(/\\s+/g, " ").slice(0, 80));
}"""
_ORDER = """() => { const el = document.activeElement;
  return el && el.dataset && el.dataset.cgOrder !== undefined ? Number(el.dataset.cgOrder)
                                                              : null; }"""
#: Elements a printed page must not show.
_SHOWN_IN_PRINT = """() => Array.from(document.querySelectorAll(
    "nav, .govuk-skip-link, .govuk-breadcrumbs, .govuk-footer, .cg-embed"))
  .filter((el) => el.checkVisibility({visibilityProperty: true}))
  .map((el) => el.tagName.toLowerCase() + "." + el.className)"""


@pytest.fixture
def register(app, demo):
    """Versions 1 and 2 of the demo's Statement published (in a thread of its own: signing
    must not run inside Playwright's event loop)."""
    failures = []

    def build():
        try:
            agree_and_sign(app)
            publish(app)
            next_version_out(app)
            change_the_text_and_a_position(app)
            agree_and_sign(app)
            publish(app)
        except Exception as exc:                    # reported below, in the test's thread
            failures.append(exc)

    worker = threading.Thread(target=build)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "publishing two versions took over 2 minutes"
    assert not failures, failures


def change_the_text_and_a_position(app):
    """Version 2 differs from version 1: a sentence and a table row added to the
    infrastructure matter, and Hertsmere's position on the Green Belt moves to agreed."""
    with app.test_request_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        infrastructure = db.session.scalar(select(Section).where(
            Section.title == "Strategic infrastructure priorities"))
        save_section(infrastructure, infrastructure.body + "\nThe partners will review these "
                     "priorities every year.\n", infrastructure.version, admin,
                     summary="Yearly review", confirm_stale=True)
        green_belt = db.session.scalar(select(Section).where(
            Section.title == "The future role of the Green Belt"))
        member = db.session.scalar(select(User).where(User.email == "member@hertsmere.example"))
        record_position(green_belt, member, "agreed", route="committee",
                        route_body="Planning Committee", minute_ref="PC 12/26")
        db.session.commit()


def check_axe(page, where):
    violations = axe_violations(page)
    assert not violations, (f"{len(violations)} accessibility rule(s) fail on {where}:\n"
                            + describe(violations))
    assert duplicate_ids(page) == [], f"ids used more than once on {where}"
    assert page.evaluate(_BROKEN_IN_PAGE_LINKS) == [], f"in-page links to nothing on {where}"
    assert re.fullmatch(r".+ – Public register", page.title()), \
        f"{where} has no title of its own: {page.title()!r}"


def check_tab_order(page, where):
    """Tab from the top of the page: every visible link gets focus once, in page order,
    showing a visible focus indicator."""
    names = page.evaluate(_MARK_LINKS)
    assert names, f"{where} has no links"
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    reached = []
    for _ in range(TABS_PER_LINK * len(names) + 10):
        page.keyboard.press("Tab")
        info = page.evaluate(_FOCUS)
        if info is None:                               # past the last stop: back to the page
            break
        assert info["outline"] or info["shadow"], f"no visible focus on {info} ({where})"
        order = page.evaluate(_ORDER)
        if order is not None:
            if reached and order == reached[0]:
                break                                   # round again
            reached.append(order)
    missed = [names[i] for i in range(len(names)) if i not in reached]
    assert not missed, f"Tab never reaches these links on {where}: {missed}"
    assert reached == sorted(reached), \
        f"Tab reaches the links of {where} out of order: {[names[i] for i in reached]}"


def check_reflow(page, where):
    page.set_viewport_size({"width": 320, "height": 640})       # 1280 px at 400% zoom
    open_all_details(page)
    assert page.evaluate(_WIDER_THAN_THE_WINDOW) == [], f"{where} is wider than 320 px"


def check_print(page, where):
    page.emulate_media(media="print")
    try:
        assert page.evaluate(_SHOWN_IN_PRINT) == [], f"navigation printed on {where}"
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    finally:
        page.emulate_media(media="screen")


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_kind_of_public_page_is_accessible(register, open_page, kind):
    page = open_page().page
    response = page.goto(PAGES[kind])
    assert response.status == (404 if kind.startswith("not found") else 200), kind
    assert "set-cookie" not in response.headers, kind
    if kind == "what changed":          # the differences themselves are on the page
        expect(page.locator("ins").first).to_be_visible()
    check_axe(page, kind)
    check_tab_order(page, kind)
    check_print(page, kind)
    check_reflow(page, kind)


"""What the browser tests share besides fixtures: the Playwright import, constants, helpers.

Playwright is imported here, guarded, so that a machine without it collects the tests and
fails them with an install instruction (see conftest.py) instead of an ImportError.
"""
import os
import re
from contextlib import contextmanager, suppress
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from workspace.accounts.models import User
from workspace.documents import editing
from workspace.documents.models import DocumentChange, Section
from workspace.extensions import db

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright
except ImportError:                      # reported by the `browser` fixture as a failure
    PlaywrightError = expect = sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
INSTALL_CHROMIUM = ("Chromium is not installed at /usr/bin/chromium. Install it with "
                    "`apt-get install chromium` (as root; `make install-test` does it).")
INSTALL_PLAYWRIGHT = ("Playwright for Python is not installed. Install it with "
                      "`pip install -e '.[test]'` (or `make install-test`).")

DEMO_PASSWORD = "common-ground"
WATFORD = "officer@watford.example"
DACORUM = "officer@dacorum.example"
WATFORD_NAME = "Watford Officer (Watford Borough Council)"
SCG = "Statement of Common Ground"

#: Longest wait for anything that should happen at once (a swap, a page load). Every wait
#: returns as soon as its state is reached, so this only bounds a failure; it is generous
#: because CI runs on a busy two-core machine where a page load can take several seconds.
#: It is every context's default (conftest.py) and every `expect`'s (below).
QUICK_MS = 30_000
#: Longest wait for a change to reach another browser through the live feed: one poll (every
#: 2 s) and then a swap. The product's promise is within 3 s; these tests check that the
#: change arrives and what it does, not how fast, which a loaded machine cannot keep to.
LIVE_MS = 2000 + QUICK_MS

if expect is not None:
    expect.set_options(timeout=QUICK_MS)


def missing_requirements():
    """Install instructions for whatever the browser tests need and cannot find."""
    problems = []
    if sync_playwright is None:
        problems.append(INSTALL_PLAYWRIGHT)
    if not os.access(CHROMIUM, os.X_OK):
        problems.append(INSTALL_CHROMIUM)
    return problems


def sign_in(page, email, password=DEMO_PASSWORD):
    """Sign in through the real /sign-in form; wait until the account name shows."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".cg-who")).to_be_visible(timeout=QUICK_MS)
    expect(page).not_to_have_url(re.compile(r"/sign-in"))
    return page


def open_document(page, title=SCG, partnership="sw-herts"):
    """From the partnership page, follow the link to a document and wait for it."""
    page.goto(f"/p/{partnership}/")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title, timeout=QUICK_MS)
    wait_for_scripts(page)
    return page


def wait_for_scripts(page):
    """Wait until the page's scripts have run: the heading of a page reached by a click shows
    as soon as the HTML is parsed, before the deferred htmx and the ES modules run, and on a
    busy machine a test could click "Edit" first (a plain link then, without htmx). The load
    event comes after every deferred and module script has run (and htmx has processed the
    page on DOMContentLoaded), with or without JavaScript."""
    page.wait_for_load_state("load", timeout=QUICK_MS)


def section(page, title):
    """The section (or its open editor) whose heading holds `title`, found by its stable id.

    htmx replaces the element on every swap, so the locator is rebuilt from the id, which
    the shown section and its editor share.
    """
    heading = page.locator("section.cg-section h2", has_text=title).first
    section_id = heading.evaluate("h => h.closest('section').id")
    return page.locator(f"#{section_id}")


def duplicate_ids(page):
    """Element ids used more than once (an out-of-band swap gone wrong leaves duplicates)."""
    return page.evaluate("""() => {
        const seen = new Map();
        for (const el of document.querySelectorAll("[id]")) {
          seen.set(el.id, (seen.get(el.id) || 0) + 1);
        }
        return Array.from(seen).filter(([, n]) => n > 1).map(([id]) => id);
    }""")


def save_section_as(app, email, title, body):
    """Save a section's text as `email`, straight through the service (as if from another
    browser or server), for a test's starting point or a change others should see."""
    with app.test_request_context():
        target = db.session.scalar(select(Section).where(Section.title == title))
        author = db.session.scalar(select(User).where(User.email == email))
        editing.save_section(target, body, target.version, author)
        db.session.commit()


@contextmanager
def live_feed_held(page):
    """Hold the page's live-feed requests until the block ends, then let them through.

    A browser's own change (a save, a position) comes back to it through the feed within 2 s
    and re-renders the section; holding the feed keeps the page still while a test looks at
    what the change itself did (where focus went, what axe finds).
    """
    held = []

    def hold(route):
        held.append(route)

    page.route("**/changes?**", hold)
    try:
        yield
    finally:
        page.unroute("**/changes?**", hold)
        for route in held:
            # The page may have gone: then nothing waits for the answer.
            with suppress(PlaywrightError):
                route.continue_()


def wait_until_caught_up(page, app):
    """Wait until the page's live feed has brought in every change to its document so far: a
    poll at the newest cursor answers 204, so whatever the feed redraws has been redrawn.

    For a test that checks what a live redraw left alone: it waits for the redraw itself,
    however long a loaded machine takes, rather than for a fixed time.
    """
    document_id = int(re.search(r"/d/(\d+)/", page.url).group(1))
    with app.app_context():
        newest = db.session.scalar(select(func.coalesce(func.max(DocumentChange.id), 0))
                                   .where(DocumentChange.document_id == document_id))

    def caught_up(response):
        query = parse_qs(urlsplit(response.url).query)
        return ("/changes" in response.url and response.status == 204
                and query.get("cursor") == [str(newest)])

    with page.expect_response(caught_up, timeout=LIVE_MS + QUICK_MS):
        pass

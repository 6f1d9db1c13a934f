"""Accessibility: axe-core finds no WCAG 2.2 A or AA violation on any kind of page.

axe-core is vendored for the tests only (tests/browser/vendor/axe-core-<version>.min.js, pinned,
see static/src/README.md): the app never serves it. It is loaded into each page as the page sees
it: signed out and signed in, with errors, with the editor open, after htmx swaps. The page asks
for it by a same-origin URL that the browser context answers from the file (Playwright routing),
so the request never reaches the app and the page's Content-Security-Policy (script-src 'self',
no inline script) stays on while axe runs.

axe checks only what is rendered; pages whose forms sit in closed <details> are also checked
with every <details> open, so those forms are checked too.
"""
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.documents.test_import import draft_docx
from workspace.documents.models import Document, Section
from workspace.extensions import db
from workspace.jobs import runner

from .support import (
    DACORUM,
    LIVE_MS,
    QUICK_MS,
    SCG,
    WATFORD,
    duplicate_ids,
    expect,
    live_feed_held,
    open_document,
    save_section_as,
    section,
)

AXE_VERSION = "4.14.1"
AXE_FILE = Path(__file__).resolve().parent / "vendor" / f"axe-core-{AXE_VERSION}.min.js"
#: Same origin as the page (so script-src 'self' allows it), answered by the browser context
#: from AXE_FILE: no app route serves it.
AXE_URL = f"/__browser-tests__/axe-core-{AXE_VERSION}.min.js"
#: WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe has no "wcag22a" rule: the level A criteria
#: new in 2.2 cannot be checked by a tool).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

ADMIN = "admin@swherts.example"
ORGADMIN = "orgadmin@watford.example"
MEMBER = "member@watford.example"
PLAN = "JSP Vision: Engagement Plan"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary,
                                html: n.html.slice(0, 200)})),
  }));
}"""


def _accepted(violation, node):
    """The one finding accepted as it is: GOV.UK Frontend's conditional reveal puts
    aria-expanded on the radio that shows more questions. ARIA does not list it for radios,
    but GOV.UK keeps it on purpose because screen readers announce it and research found it
    helps (alphagov/govuk-frontend#979, listed there as a known axe finding). Only that
    attribute, on that component, is let through."""
    summary = (node["summary"] or "").splitlines()
    problems = [line.strip() for line in summary[1:] if line.strip()]
    return (violation["id"] == "aria-allowed-attr"
            and node["html"].startswith('<input class="govuk-radios__input"')
            and "aria-controls=" in node["html"]
            and all(p.startswith("ARIA attribute is not allowed: aria-expanded=")
                    for p in problems) and problems)


def _route_axe(page):
    """Answer AXE_URL from the test's own copy, once per browser context."""
    context = page.context
    if not getattr(context, "_cg_axe_routed", False):
        context.route(f"**{AXE_URL}", lambda route: route.fulfill(
            path=AXE_FILE, content_type="text/javascript; charset=utf-8"))
        context._cg_axe_routed = True


def axe_violations(page):
    """The page's WCAG 2.2 A/AA violations found by axe, as plain dicts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        _route_axe(page)
        page.add_script_tag(url=AXE_URL)
    violations = []
    for violation in page.evaluate(_RUN_AXE, WCAG_TAGS):
        violation["nodes"] = [n for n in violation["nodes"] if not _accepted(violation, n)]
        if violation["nodes"]:
            violations.append(violation)
    return violations


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}: {node['html']}")
            lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)


#: Links within the page (skip link, error summary, contents) whose target does not exist.
_BROKEN_IN_PAGE_LINKS = """() => Array.from(document.querySelectorAll('a[href^="#"]'))
  .map((a) => decodeURIComponent(a.getAttribute("href").slice(1)))
  .filter((id) => id && !document.getElementById(id))"""


def assert_accessible(page, where=""):
    """No axe violation on the page as it is now, no id used twice (a label or an error link
    would find the wrong element; axe 4 no longer checks that), no in-page link to nothing,
    and a title of its own."""
    expect(page.locator("body")).to_be_visible()
    where = where or page.url
    with live_feed_held(page):                 # no live re-render while axe reads the page
        violations = axe_violations(page)
    assert not violations, (f"{len(violations)} accessibility rule(s) fail on {where}:\n"
                            + describe(violations))
    assert duplicate_ids(page) == [], f"ids used more than once on {where}"
    assert page.evaluate(_BROKEN_IN_PAGE_LINKS) == [], f"in-page links to nothing on {where}"
    assert re.fullmatch(r".+ – Common Ground", page.title()), \
        f"{where} has no title of its own: {page.title()!r}"


def open_all_details(page):
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")


def document_url(app, title, suffix=""):
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.title == title))
    return f"/p/sw-herts/d/{document_id}/{suffix}"


def test_the_vendored_axe_is_the_pinned_version():
    assert AXE_FILE.is_file(), f"{AXE_FILE} is missing: see static/src/README.md"
    assert f"axe v{AXE_VERSION}" in AXE_FILE.read_text(encoding="utf-8")[:200]


def test_axe_finds_what_is_wrong(open_page):
    """The check itself works: faults planted in a page are found."""
    page = open_page().page
    page.goto("/sign-in")
    page.evaluate("""() => {
      const main = document.querySelector("main");
      main.insertAdjacentHTML("beforeend", '<p id="pale">Pale text</p><input type="text">' +
        '<div id="sign-in-twice"></div><div id="sign-in-twice"></div>');
      document.getElementById("pale").style.color = "#bbb";      // CSSOM: allowed by the CSP
    }""")
    found = {v["id"] for v in axe_violations(page)}
    assert {"color-contrast", "label"} <= found
    assert duplicate_ids(page) == ["sign-in-twice"]


# ---- Signed out ---------------------------------------------------------------------------

def test_sign_in_page(open_page):
    page = open_page().page
    page.goto("/sign-in")
    assert_accessible(page)


def test_sign_in_with_errors(demo, open_page):
    page = open_page().page
    page.goto("/sign-in")
    with page.expect_response(lambda r: r.url.endswith("/sign-in")
                              and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()     # empty fields
    assert answer.value.status == 422
    expect(page.locator(".govuk-error-message").first).to_be_visible()
    assert_accessible(page, "sign-in with empty fields (422)")

    page.get_by_label("Email address").fill(WATFORD)
    page.get_by_label("Password").fill("not the password")
    with page.expect_response(lambda r: r.url.endswith("/sign-in")
                              and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 401
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "sign-in with a wrong password (401)")


def test_verify_page_signed_out_and_after_a_failed_upload(open_page, tmp_path):
    page = open_page().page
    page.goto("/verify")
    assert_accessible(page)

    not_a_pdf = tmp_path / "notes.pdf"
    not_a_pdf.write_text("These are not the PDFs you are looking for.\n")
    page.get_by_label("PDF file").set_input_files(str(not_a_pdf))
    with page.expect_response(lambda r: r.url.endswith("/verify")
                              and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Check the PDF").click()
    assert answer.value.status >= 400
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "verify after a failed upload")


# ---- Signed in: partnerships, documents, history --------------------------------------------

def test_home_and_partnership_pages(demo, open_page):
    page = open_page(WATFORD).page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your partnerships")
    assert_accessible(page)
    page.goto("/p/sw-herts/")
    assert_accessible(page)


@pytest.mark.parametrize("email", [WATFORD, MEMBER, ADMIN], ids=["officer", "member", "admin"])
@pytest.mark.parametrize("title", [SCG, PLAN], ids=["scg", "engagement-plan"])
def test_document_page(app, demo, open_page, email, title):
    page = open_page(email).page
    page.goto(document_url(app, title))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert_accessible(page)
    open_all_details(page)                    # comment, reply, feedback and position forms
    assert_accessible(page, f"{title} with every <details> open")


def test_document_page_filtered_to_open_comments(app, demo, open_page):
    page = open_page(WATFORD).page
    page.goto(document_url(app, SCG) + "?filter=open-comments")
    assert_accessible(page)


@pytest.mark.usefixtures("officers_edit")    # out for agreement: admins edit
def test_document_with_the_editor_open(app, demo, open_page):
    page = open_page(WATFORD).page
    open_document(page)
    part1 = section(page, "Part 1: Strategic context")
    part1.get_by_role("link", name="Edit").click()
    expect(part1.get_by_role("toolbar", name="Formatting")).to_be_visible()
    assert_accessible(page, "document with an editor open")

    part1.get_by_role("button", name="Preview").click()
    expect(part1.locator(".cg-preview__body")).to_contain_text("geographical extent")
    open_all_details(page)
    assert_accessible(page, "editor with its preview and guidance")

    part1.get_by_label("Summary of your change").evaluate("(el) => { el.value = 'x'.repeat(201); }")
    part1.get_by_role("button", name="Save").click()                   # refused: 422
    expect(part1.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "editor with an error")

    # Someone else changes the same text: a warning arrives live, then the save conflicts.
    save_section_as(app, DACORUM, "Part 1: Strategic context", "Dacorum's own wording.\n")
    expect(part1.locator(".cg-stale")).to_be_visible(timeout=LIVE_MS + QUICK_MS)   # not timed here
    assert_accessible(page, "editor with a live warning that the section changed")
    part1.get_by_label("Summary of your change").fill("")
    part1.get_by_label("Section text").fill("Watford's own wording.\n")
    part1.get_by_role("button", name="Save").click()                   # conflict: 409
    expect(part1.locator(".cg-conflict")).to_be_visible()
    open_all_details(page)
    assert_accessible(page, "editor with the conflict view")

    part1.get_by_label("Section text").fill("Dacorum's and Watford's wording.\n")
    with live_feed_held(page):                 # the page as the save left it
        part1.get_by_role("button", name="Save").click()
        expect(part1.locator(".cg-saved")).to_be_visible()
        assert_accessible(page, "document after a save")


@pytest.mark.usefixtures("officers_edit")    # out for agreement: admins edit
def test_edit_page_without_javascript(app, demo, open_page):
    page = open_page(WATFORD, javascript=False).page
    open_document(page)
    section(page, "Part 5: Monitoring and review").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Edit section 5"))
    # axe needs JavaScript: check the same page in a context that runs it.
    url = page.url
    page = open_page(WATFORD).page
    page.goto(url)
    assert_accessible(page, "the edit page")


@pytest.mark.usefixtures("officers_edit")    # out for agreement: admins edit
def test_history_and_diff(demo, open_page):
    page = open_page(WATFORD).page
    open_document(page)
    part5 = section(page, "Part 5: Monitoring and review")
    part5.get_by_role("link", name="Edit").click()
    part5.get_by_label("Section text").fill("The partners review the statement every year.\n")
    part5.get_by_label("Summary of your change").fill("Yearly review")
    part5.get_by_role("button", name="Save").click()
    expect(part5.locator(".cg-saved")).to_have_text("Saved as revision 2.")

    section(page, "Part 5: Monitoring and review").get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^History of"))
    assert_accessible(page, "section history")

    page.get_by_role("button", name="Compare revisions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Changes to"))
    expect(page.locator(".cg-rendered-diff ins").first).to_be_visible()
    assert_accessible(page, "diff between two revisions")


def test_activity_page(app, demo, open_page):
    page = open_page(WATFORD).page
    page.goto(document_url(app, SCG, "activity"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity")
    assert_accessible(page)


def test_structure_page_and_its_errors(demo, open_page):
    # The demo Statement is out for agreement: its structure is the partnership admin's.
    page = open_page(ADMIN).page
    open_document(page)
    section(page, "Part 5: Monitoring and review").get_by_role(
        "link", name="Move, rename or add").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("5 Part 5: Monitoring and review")
    assert_accessible(page, "structure page")

    page.get_by_label("Title", exact=True).fill("")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "structure page with an error")


# ---- Review: positions, agreement, lifecycle, versions, tasks -------------------------------

def test_agreement_page(app, demo, open_page):
    page = open_page(WATFORD).page
    page.goto(document_url(app, SCG, "agreement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreement")
    assert_accessible(page)
    page.goto(document_url(app, SCG, "agreement?show=outstanding"))
    assert_accessible(page, "agreement page, outstanding only")


@pytest.mark.parametrize("email", [ADMIN, MEMBER], ids=["admin", "member"])
def test_lifecycle_and_versions_pages(app, demo, open_page, email):
    page = open_page(email).page
    page.goto(document_url(app, SCG, "lifecycle"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lifecycle and sign-off")
    assert_accessible(page, "lifecycle page")
    page.get_by_role("link", name="Versions and history").click()
    assert_accessible(page, "versions list")
    page.goto(document_url(app, SCG, "decisions"))
    assert_accessible(page, "decisions sought")


def test_position_history_and_signatories(app, demo, open_page):
    page = open_page(ADMIN).page
    open_document(page)
    open_all_details(page)          # each matter's positions are folded into one line
    page.get_by_role("link", name=re.compile(r"^Position history for Hertsmere")).first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "position history")
    page.goto(document_url(app, SCG, "signatories"))
    assert_accessible(page, "signatories")


@pytest.mark.parametrize("email", [MEMBER, WATFORD], ids=["member", "officer"])
def test_tasks_page(demo, open_page, email):
    page = open_page(email).page
    page.goto("/tasks")
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    assert_accessible(page)


def test_a_member_records_a_position(demo, open_page):
    page = open_page(MEMBER).page
    open_document(page)
    green_belt = section(page, "The future role of the Green Belt")
    green_belt.locator("summary", has_text="Record Watford").click()
    green_belt.get_by_label("Not agreed").check()
    green_belt.get_by_role("button", name="Record position").click()    # no reason: 422
    expect(green_belt.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "position form with errors")

    green_belt.get_by_label("Reason").fill("Watford needs the housing figures first.")
    with live_feed_held(page):                 # the page as the answer left it
        green_belt.get_by_role("button", name="Record position").click()
        expect(green_belt.locator(".cg-positions .cg-saved")).to_be_focused()
        assert_accessible(page, "document after recording a position")


def test_pages_the_plain_forms_answer_with(demo, open_page):
    """Without htmx a form answers with a page of its own: the comment editor, the position
    form with its errors, the decisions pages."""
    page = open_page(WATFORD).page
    open_document(page)
    housing = section(page, "Housing need and distribution")
    housing.locator(".cg-comments__threads > summary").click()      # threads are folded
    page.goto(housing.get_by_role("link", name=re.compile(r"^Edit your comment")).get_attribute(
        "href"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your comment")
    assert_accessible(page, "the comment editor page")

    page = open_page(MEMBER).page
    open_document(page)
    green_belt = section(page, "The future role of the Green Belt")
    green_belt.locator("summary", has_text="Record Watford").click()
    form = green_belt.locator("form[hx-post]", has=page.get_by_role("button", name=re.compile(
        "^Record position")))
    form.evaluate("""(f) => {                  // a copy without htmx: it posts as a plain form
      const plain = f.cloneNode(true);
      plain.removeAttribute("hx-post");
      f.replaceWith(plain);
    }""")
    green_belt.get_by_label("Not agreed").check()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        green_belt.get_by_role("button", name="Record position").click()
    assert answer.value.status == 422
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Record a position"))
    assert_accessible(page, "the position form page with errors")


def test_decisions_pages(app, demo, open_page):
    page = open_page(ADMIN).page
    page.goto(document_url(app, PLAN, "decisions"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Decisions sought")
    page.get_by_role("button", name="Add decision sought").click()     # empty: errors
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "decisions page with errors")
    page.get_by_role("link", name=re.compile(r"^Correct")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Record the decision"))
    assert_accessible(page, "record a decision")


@pytest.fixture
def published_demo(app):
    """The demo as `make run` seeds it: version 1 agreed, signed by all six and published,
    version 2 part-way through agreement (slower to build than `demo`)."""
    from workspace.demo import seed_demo

    def seed():
        with app.app_context():
            seed_demo("common-ground", published_version=True)
            db.session.commit()
            runner.run_pending(ignore_schedule=True)    # the PDFs, rendered and signed by jobs

    # Signing the PDFs runs asyncio, which cannot start inside Playwright's running loop.
    worker = threading.Thread(target=seed)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "seeding the published demo took over 2 minutes"


def test_published_versions_and_verifying_a_genuine_pdf(app, published_demo, open_page,
                                                        tmp_path):
    page = open_page(MEMBER).page
    page.goto(document_url(app, SCG, "versions"))
    expect(page.get_by_role("link", name="Version 1", exact=True)).to_be_visible()
    assert_accessible(page, "versions list with a published version")
    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "version 1 as published")
    page.goto(document_url(app, SCG, "lifecycle"))
    assert_accessible(page, "lifecycle page with version 1 signed")

    pdf = page.request.get(document_url(app, SCG, "versions/1/pdf"))
    assert pdf.ok
    (tmp_path / "scg-v1.pdf").write_bytes(pdf.body())
    page = open_page().page
    page.goto("/verify")
    page.get_by_label("PDF file").set_input_files(str(tmp_path / "scg-v1.pdf"))
    page.get_by_role("button", name="Check the PDF").click()
    expect(page.get_by_role("heading", name="Trial certificates – not trusted for publication")
           ).to_be_visible()
    assert_accessible(page, "verify: a genuine PDF")


# ---- Engagement planning, new documents, import ------------------------------------------------

def test_engagement_pages(demo, open_page):
    page = open_page(WATFORD).page
    page.goto("/p/sw-herts/engagement/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Engagement planning")
    assert_accessible(page, "engagement planning: register, map, ladder, activities, timeline")
    open_all_details(page)
    assert_accessible(page, "engagement planning with its forms open")

    page.get_by_role("button", name="Add stakeholder").click()          # empty: errors
    expect(page.locator(".govuk-error-summary").first).to_be_visible()
    assert_accessible(page, "engagement planning: add a stakeholder, with errors")

    page.goto("/p/sw-herts/engagement/")
    register = page.locator("#register-heading ~ *").locator("tbody tr").first
    register.get_by_role("link", name=re.compile(r"^Change")).click()    # edited in its row
    expect(page.locator(".cg-row-editor")).to_be_visible()
    assert_accessible(page, "engagement planning: a stakeholder edited in place")

    page.goto("/p/sw-herts/engagement/activities/new")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "new engagement activity")

    page.goto("/p/sw-herts/engagement/")                                  # an objective
    page.get_by_role("link", name="Change objective Create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change objective Create")
    page.get_by_label("Short name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "change an objective, with errors")


def test_new_document_and_import_pages(app, demo, open_page):
    page = open_page(WATFORD).page
    page.goto("/p/sw-herts/documents/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New document")
    assert_accessible(page, "new document")
    page.goto(document_url(app, PLAN, "import/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import a Word or Markdown file")
    assert_accessible(page, "import a file")
    page.get_by_label("Word (.docx) or Markdown (.md) file, up to 20 MB").set_input_files(
        files=[{"name": "draft.docx", "mimeType": DOCX_TYPE, "buffer": draft_docx()}])
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 3 sections from draft.docx")).to_be_visible()
    assert_accessible(page, "import preview")


def test_new_document_from_a_file(app, demo, open_page):
    page = open_page(WATFORD).page
    page.goto("/p/sw-herts/documents/new")
    page.get_by_role("link", name="Start from a Word or Markdown file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "New document from a Word or Markdown file")
    assert_accessible(page, "new document from a file")
    page.get_by_role("button", name="Preview").click()                # nothing filled in
    summary = page.locator(".govuk-error-summary")
    for message in ("Enter a title", "Choose the kind of document", "Choose a Word"):
        expect(summary).to_contain_text(message)
    assert page.title().startswith("Error: ")
    assert_accessible(page, "new document from a file, with errors")
    summary.get_by_role("link", name="Choose the kind of document").click()
    page.get_by_label("Title").fill("Joint statement from Word")
    page.get_by_label("Statement of Common Ground").check()
    page.get_by_label("Word (.docx) or Markdown (.md) file, up to 20 MB").set_input_files(
        files=[{"name": "draft.docx", "mimeType": DOCX_TYPE, "buffer": draft_docx()}])
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the new document before it is created")
    # The draft's one top-level heading, with everything inside it, is the file's title: left
    # out to begin with (a labelled checkbox), its sub-sections one level up.
    expect(page.get_by_label("Leave out the file's title, \u201cStrategic context\u201d, and "
                             "import its sections one level up")).to_be_checked()
    expect(page.get_by_role("heading", level=4, name="2.1 Unmet need")).to_be_visible()
    assert_accessible(page, "new document from a file: preview")
    page.get_by_role("button", name="Create the document with 3 sections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joint statement from Word")


# ---- Admin, account, errors -------------------------------------------------------------------

def test_admin_page(demo, open_page):
    page = open_page(ADMIN).page
    page.goto("/p/sw-herts/admin")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Manage"))
    assert_accessible(page, "partnership admin page")

    page.get_by_role("button", name="Invite organisation").click()      # empty: errors
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "partnership admin page with errors")

    new = page.locator("form", has=page.get_by_role("heading", name="Add a new organisation"))
    new.get_by_label("Organisation name").fill("Luton Borough Council")
    new.get_by_label("Full name of its first admin").fill("Luton Admin")
    new.get_by_label("Email address of its first admin").fill("admin@luton.example")
    new.get_by_role("button", name="Add organisation and create invitation").click()
    expect(page.get_by_role("textbox", name="Invitation link")).to_be_visible()
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    expect(page.get_by_role("cell", name="Luton Borough Council", exact=True)).to_be_visible()
    assert_accessible(page, "partnership admin page with an invitation link")

    page.get_by_role("link", name=re.compile(r"^Withdraw invitation\s*: Luton")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Withdraw the invitation of Luton Borough Council?")
    assert_accessible(page, "confirm withdrawing an invitation")


def test_organisation_page(demo, open_page):
    page = open_page(ORGADMIN).page
    page.get_by_role("link", name="Your organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Watford Borough Council")
    assert_accessible(page, "organisation page")

    page.get_by_role("button", name="Create invitation").click()      # empty: errors
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "organisation page with invitation errors")

    invite = page.locator("#invite")
    invite.get_by_label("Full name").fill("Nia Newcomer")
    invite.get_by_label("Email address").fill("nia@watford.example")
    invite.get_by_role("button", name="Create invitation").click()
    expect(page.get_by_role("textbox", name="Invitation link")).to_be_visible()
    assert_accessible(page, "organisation page with an invitation link")

    page.get_by_role("link", name="Deactivate Watford Member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Watford Member?")
    assert_accessible(page, "confirm deactivation")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Leave South West Hertfordshire Joint Strategic Plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Leave "))
    assert_accessible(page, "confirm leaving a partnership")


def test_certificates_page(demo, open_page):
    page = open_page(ORGADMIN).page
    page.goto("/organisation/certificates")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing certificate")
    assert_accessible(page, "certificates page")

    page.get_by_role("button", name="Make a trial certificate").click()
    expect(page.locator(".govuk-tag", has_text="Trial, self-signed")).to_be_visible()
    assert_accessible(page, "certificates page with a certificate")

    page.get_by_role("button", name="Upload certificate").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "certificates page with an error")


def test_change_password_page(demo, open_page):
    page = open_page(WATFORD).page
    page.goto("/account/password")
    assert_accessible(page, "change password")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "change password with errors")


def test_error_pages(demo, open_page):
    page = open_page(DACORUM).page
    response = page.goto("/p/no-such-partnership/")
    assert response.status == 404
    assert_accessible(page, "404 page")
    response = page.goto("/p/sw-herts/admin")
    assert response.status == 403
    assert_accessible(page, "403 page")


# ---- Reflow (WCAG 1.4.10): at 320 CSS pixels wide, nothing but a data table or a picture
# that needs two dimensions (the engagement map, ladder and timeline, in their own scrolling
# region: 1.4.10's exception for diagrams) scrolls sideways --------------------------------

_WIDER_THAN_THE_WINDOW = """() => {
  const width = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll("body *"))
    .filter((el) => !el.closest("table, pre, .cg-chart-scroll"))
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1;
    })
    .map((el) =>
      `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent.trim().slice(0, 60)}`);
}"""


@pytest.mark.parametrize("email, where", [
    (None, "/sign-in"),
    (None, "/verify"),
    (WATFORD, "/"),
    (WATFORD, SCG),
    (WATFORD, PLAN),
    (WATFORD, "s/edit"),
    (MEMBER, "agreement"),
    (MEMBER, "/tasks"),
    (ADMIN, "lifecycle"),
    (ADMIN, "/p/sw-herts/admin"),
    (ORGADMIN, "/organisation/"),
    (WATFORD, "/p/sw-herts/engagement/"),
], ids=["sign-in", "verify", "home", "scg", "engagement-plan", "editor", "agreement", "tasks",
        "lifecycle", "admin", "organisation", "engagement"])
def test_pages_reflow_at_320_css_pixels(app, demo, open_page, email, where):
    page = open_page(email).page
    page.set_viewport_size({"width": 320, "height": 640})       # 1280 px at 400% zoom
    if where in (SCG, PLAN):
        url = document_url(app, where)
    elif where == "s/edit":
        page.goto(document_url(app, SCG))
        # Out for agreement an officer's editor makes a suggestion (issue 17).
        url = section(page, "Part 1: Strategic context").get_by_role(
            "link", name="Suggest a change").get_attribute("href")
    elif not where.startswith("/"):
        url = document_url(app, SCG, where)
    else:
        url = where
    page.goto(url)
    open_all_details(page)
    assert page.evaluate(_WIDER_THAN_THE_WINDOW) == []


# ---- Issue 14: the questions asked before positions go stale, and the completeness gate -----

HOUSING = "Housing need and distribution"


def test_questions_before_positions_go_stale(app, demo, open_page):
    """The editor's warning, the page asking before a matter with positions is removed, the
    question before un-marking it, and the signatories' question: axe clean."""
    page = open_document(open_page(ADMIN).page)
    housing = section(page, HOUSING)
    housing.get_by_role("link", name=f"Edit {HOUSING}").click()
    housing.get_by_label("Section text").fill("Housing need, corrected.\n")
    housing.get_by_role("button", name=re.compile("^Save")).first.click()
    expect(housing.get_by_role("button", name="Save and ask them to re-confirm")).to_be_visible()
    assert_accessible(page, "editor asking before positions go stale")

    with app.app_context():
        section_id = db.session.scalar(select(Section.id).where(Section.title == HOUSING))
    page.goto(document_url(app, SCG, f"s/{section_id}/strategic-matter"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "question before un-marking a strategic matter")

    page.goto(document_url(app, SCG, f"s/{section_id}/structure"))
    page.get_by_role("button", name=re.compile("^Remove")).first.click()
    expect(page.get_by_text(re.compile("This removes the positions of"))).to_be_visible()
    assert_accessible(page, "question before removing a matter with positions")

    page.goto(document_url(app, SCG, "signatories"))
    page.locator(".cg-boxed", has_text="Dacorum Borough Council").get_by_label(
        "Does not sign this document").check()
    page.get_by_role("button", name="Save signatories").click()
    expect(page.get_by_text(re.compile("This removes the positions of"))).to_be_visible()
    assert_accessible(page, "signatories asking before positions go")


def test_the_completeness_gate_on_the_lifecycle_page(app, demo, open_page):
    """The demo Statement has gaps: back in draft, sending it out asks for a reason."""
    from workspace.accounts.models import User
    from workspace.review import lifecycle
    with app.test_request_context():
        document = db.session.scalar(select(Document).where(Document.title == SCG))
        admin = db.session.scalar(select(User).where(User.email == ADMIN))
        lifecycle.back_to_draft(document, admin, confirmed=True)
        db.session.commit()
    page = open_page(ADMIN).page
    page.goto(document_url(app, SCG, "lifecycle"))
    button = page.get_by_role("button", name=re.compile("^Send out for agreement"))
    expect(button).to_be_visible()
    assert_accessible(page, "lifecycle page of a draft with gaps")
    button.click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "lifecycle page refusing to send out without a reason")

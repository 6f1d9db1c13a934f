"""The evidence pack's page in a browser: axe finds nothing wrong before a pack is made, while
it is being prepared and once it is ready; it is asked for with the keyboard alone."""
from workspace.jobs import runner

from .support import expect
from .test_accessibility import ADMIN, assert_accessible, document_url


def _without_refresh(route):
    """The page as served, less its Refresh header: axe must not be cut off by a reload."""
    response = route.fetch()
    headers = {k: v for k, v in response.headers.items() if k.lower() != "refresh"}
    route.fulfill(response=response, headers=headers)


def test_evidence_page_is_accessible_and_asked_for_by_keyboard(app, demo, open_page):
    page = open_page(ADMIN).page
    page.route("**/evidence", _without_refresh)
    page.goto("/p/sw-herts/evidence")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence pack")
    assert_accessible(page, "evidence page without a pack")

    button = page.get_by_role("button", name="Make an evidence pack")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Being prepared", exact=True)).to_be_visible()
    expect(page.get_by_text("A fresh pack can be asked for once this one is ready.")) \
        .to_be_visible()
    assert_accessible(page, "evidence page while the pack is being prepared")

    with app.app_context():
        runner.run_pending(ignore_schedule=True)
    page.goto(document_url(app, "Statement of Common Ground", "evidence"))
    expect(page.get_by_text("No evidence pack has been made yet.")).to_be_visible()
    assert_accessible(page, "a document's evidence page")
    page.goto("/p/sw-herts/evidence")
    expect(page.get_by_role("link", name="Download the evidence pack as PDF")).to_be_visible()
    assert_accessible(page, "evidence page with a pack ready")

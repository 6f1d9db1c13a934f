"""Accessibility of the agreed actions' pages: axe finds no WCAG 2.2 A or AA violation on the
list (as loaded, and after htmx swaps in a filtered list), the form to add one (blank and with
errors), an action with its close and change forms (also when a close is refused, and when a
change is refused as stale), and a closed action with its reopen form. The checks are
test_accessibility.py's."""
import pytest
from sqlalchemy import select

from workspace.cooperation.models import Action
from workspace.extensions import db

from .support import WATFORD, expect
from .test_accessibility import assert_accessible


@pytest.fixture
def overdue_id(app, demo):
    """The demo's overdue action (led by Hertsmere, from the November 2026 SPMG meeting)."""
    with app.app_context():
        return db.session.scalar(select(Action.id).where(Action.what.like("Propose wording%")))


def test_the_actions_list_as_loaded_and_filtered(overdue_id, open_page):
    page = open_page(WATFORD).page
    page.goto("/p/sw-herts/actions")
    expect(page.get_by_text("Overdue", exact=True).first).to_be_visible()
    assert_accessible(page, "the actions list")
    page.get_by_label("Status").select_option("done")
    with page.expect_response(lambda r: "status=done" in r.url):
        page.get_by_role("button", name="Filter").click()
    expect(page.locator("#actions caption")).to_contain_text("(filtered)")
    assert_accessible(page, "the actions list filtered (htmx)")


def test_the_form_to_add_an_action_blank_and_with_errors(overdue_id, open_page):
    page = open_page(WATFORD).page
    page.goto("/p/sw-herts/actions/new")
    assert_accessible(page, "the form to add an action")
    page.get_by_label("What was agreed").fill("Something")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Add action").click()
    assert answer.value.status == 422
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the authority that leads this action.")
    assert_accessible(page, "the form to add an action with errors (422)")


def test_an_action_its_refusals_and_when_closed(overdue_id, open_page):
    page = open_page(WATFORD).page
    page.goto(f"/p/sw-herts/actions/{overdue_id}")
    assert_accessible(page, "an open action with its forms")
    page.get_by_role("radio", name="Dropped").check()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Close action").click()
    assert answer.value.status == 422
    assert_accessible(page, "a refused close (422)")
    page.locator("input[name=version]").evaluate("(el) => { el.value = '0'; }")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Save changes").click()
    assert answer.value.status == 409
    expect(page.locator(".govuk-error-summary")).to_contain_text("while you were working")
    assert_accessible(page, "a stale change (409)")
    page.get_by_role("radio", name="Done").check()
    page.get_by_role("button", name="Close action").click()
    expect(page.get_by_role("button", name="Reopen action")).to_be_visible()
    assert_accessible(page, "a closed action with its reopen form")

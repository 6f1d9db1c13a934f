"""Comments in a real browser: the forms are fetched when their <details> is first opened
(the document page carries none), and the same links work as pages without JavaScript."""
import pytest

from .support import WATFORD, expect, open_document, section

PART = "Part 5: Monitoring and review"


def test_add_a_comment_in_place(demo, open_page):
    opened = open_page(WATFORD)
    page = opened.page
    open_document(page)
    target = section(page, PART)
    target.get_by_text("Add a comment", exact=False).first.click()
    box = target.get_by_label(f"Your comment on {PART}")
    expect(box).to_be_visible()
    box.fill("Should the review dates be in the table?")
    target.get_by_role("button", name="Post comment").click()
    expect(section(page, PART).locator(".cg-comment__body")).to_contain_text(
        "Should the review dates be in the table?")
    expect(section(page, PART).get_by_role("status")).to_contain_text("Comment added.")
    assert opened.csp_violations() == []


def test_feedback_form_opens_in_place_with_the_question(demo, open_page):
    page = open_page(WATFORD).page
    open_document(page)
    target = section(page, PART)
    target.locator(".cg-comments__feedback summary").click()
    box = target.get_by_label(f"Feedback sought on {PART}")
    expect(box).to_be_visible()
    box.fill("Are the review triggers right?")
    target.get_by_role("button", name="Save question").click()
    expect(section(page, PART).locator(".cg-feedback")).to_contain_text(
        "Are the review triggers right?")


@pytest.mark.parametrize("javascript", [False], ids=["without-js"])
def test_without_javascript_the_link_opens_the_comment_form_as_a_page(demo, open_page,
                                                                       javascript):
    page = open_page(WATFORD, javascript=javascript).page
    open_document(page)
    target = section(page, PART)
    target.locator(".cg-comments__add summary").click()
    target.get_by_role("link", name="Open the comment form").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a comment")
    page.get_by_label(f"Your comment on {PART}").fill("Posted without JavaScript.")
    page.get_by_role("button", name="Post comment").click()
    expect(section(page, PART).locator(".cg-comment__body")).to_contain_text(
        "Posted without JavaScript.")


def test_keyboard_focus_on_the_link_moves_to_the_form_when_it_arrives(demo, open_page):
    page = open_page(WATFORD).page
    open_document(page)
    target = section(page, PART)
    # Hold the form back until focus is on the link, as when a fast keyboard user tabs on.
    page.route("**/comments/new", lambda route: page.wait_for_timeout(300) or route.continue_())
    target.locator(".cg-comments__add summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    box = target.get_by_label(f"Your comment on {PART}")
    expect(box).to_be_focused()

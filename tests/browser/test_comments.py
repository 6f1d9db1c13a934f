"""Comments in a real browser: the forms are fetched when their <details> is first opened
(the document page carries none), and the same links work as pages without JavaScript."""
import pytest

from .support import (
    DACORUM,
    QUICK_MS,
    WATFORD,
    PlaywrightError,
    expect,
    open_document,
    section,
    wait_until_caught_up,
)

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


def test_answer_this_question_opens_a_form_that_posts_the_answer(demo, open_page):
    """The feedback question's link opens the comment form as a page; with JavaScript on,
    posting it must still work (its form once aimed at a comments block not on that page)."""
    opened = open_page(WATFORD)
    page = opened.page
    open_document(page)
    link = page.locator("a.cg-feedback__answer").first
    section_id = link.evaluate("a => a.closest('section').id")
    title = page.locator(f"#{section_id} h2").first.inner_text()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a comment")
    page.wait_for_load_state("load")          # htmx has seen the form, as a person's click
    page.locator("textarea.cg-comment-form__text").fill("Our answer to the question.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(f"#{section_id} .cg-comment__body").filter(
        has_text="Our answer to the question.")).to_have_count(1)
    assert title and page.url.split("#")[-1] == section_id
    assert opened.csp_violations() == []


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
    held = []
    page.route("**/comments/new", lambda route: held.append(route))
    target.locator(".cg-comments__add summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(target.get_by_role("link", name="Open the comment form")).to_be_focused()
    for _ in range(QUICK_MS // 50):                 # until Playwright hands the request over
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the comment form was never asked for"
    held[0].continue_()
    box = target.get_by_label(f"Your comment on {PART}")
    expect(box).to_be_focused()


def test_an_opened_comment_form_is_not_closed_by_a_live_redraw(app, demo, open_page):
    a = open_document(open_page(WATFORD).page)
    b = open_document(open_page(DACORUM).page)
    a_part = section(a, PART)
    a_part.locator(".cg-comments__add summary").click()
    a_box = a_part.get_by_label(f"Your comment on {PART}")
    expect(a_box).to_be_visible()                       # opened, nothing typed yet

    b_part = section(b, PART)
    b_part.locator(".cg-comments__add summary").click()
    b_part.get_by_label(f"Your comment on {PART}").fill("Dacorum's comment.")
    b_part.get_by_role("button", name="Post comment").click()
    expect(b_part.locator(".cg-comment__body")).to_contain_text("Dacorum's comment.")

    wait_until_caught_up(a, app)                        # the live feed has come and gone
    expect(a_box).to_be_visible()
    a_box.fill("Watford's comment.")
    a_part.get_by_role("button", name="Post comment").click()
    bodies = section(a, PART).locator(".cg-comment__body")
    expect(bodies).to_have_count(2)


def test_leaving_with_an_unsent_comment_asks_first(demo, open_page):
    page = open_document(open_page(WATFORD).page)
    target = section(page, PART)
    target.locator(".cg-comments__add summary").click()
    target.get_by_label(f"Your comment on {PART}").fill("Not posted yet.")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    with pytest.raises(PlaywrightError, match="ERR_ABORTED"):   # dismissed: the user stays
        page.goto("/p/sw-herts/", wait_until="commit")
    assert asked == ["beforeunload"]
    expect(target.get_by_label(f"Your comment on {PART}")).to_have_value("Not posted yet.")


@pytest.mark.usefixtures("officers_edit")    # out for agreement: admins edit (issue 17)
def test_without_javascript_the_preview_button_is_not_shown(demo, open_page):
    page = open_page(WATFORD, javascript=False).page
    open_document(page)
    section(page, PART).get_by_role("link", name="Edit").click()
    expect(page.get_by_role("button", name="Save", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Preview")).to_be_hidden()

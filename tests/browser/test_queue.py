"""A Member's review queue in a browser, with the keyboard alone: from My tasks to the first
owed matter, Tab to a choice, Space, Tab to "Record and go to the next", Enter; axe clean."""
import re

from .support import SCG, expect
from .test_accessibility import assert_accessible
from .test_keyboard import MEMBER, named, press, sign_in_with_the_keyboard, tab_until


def test_a_member_works_through_the_queue_with_the_keyboard(demo, open_page):
    page = open_page().page
    sign_in_with_the_keyboard(page, MEMBER)
    page.goto("/tasks")
    link = tab_until(page, named(rf"^Review \d+ matters? in {SCG}$", "a"), "the queue link")
    owed = int(re.search(r"Review (\d+)", link["name"]).group(1))
    assert owed >= 2
    page.keyboard.press("Enter")
    expect(page.locator("#queue-place")).to_have_text(f"Matter 1 of {owed}")
    title = page.get_by_role("heading", level=1).inner_text().split(" ", 1)[1]
    assert_accessible(page, "the first matter of the queue")

    choice = tab_until(page, lambda info: info["type"] == "radio", "the first choice")
    assert choice["name"] == "Agreed"
    page.keyboard.press("Space")
    expect(page.get_by_label("Agreed", exact=True)).to_be_checked()
    expect(page.locator("#reason")).to_be_hidden()              # revealed only when needed
    button = tab_until(page, named(r"^Record and go to the next$", "button"), "the button")
    assert button["tag"] == "button"
    page.keyboard.press("Enter")

    expect(page.locator("#queue-place")).to_have_text(f"Matter 2 of {owed}")
    left = owed - 1
    expect(page.locator("#notifications")).to_contain_text(
        f"Recorded: Watford Borough Council agreed \u2018{title}\u2019. "
        f"{left} matter{'' if left == 1 else 's'} left.")
    assert_accessible(page, "the second matter, with the confirmation")

    # Agreed with reservations reveals the reason, the next Tab stop.
    tab_until(page, lambda info: info["type"] == "radio", "the first choice")
    press(page, "ArrowDown")
    expect(page.get_by_label("Agreed with reservations")).to_be_checked()
    reason = press(page, "Tab")
    assert reason["tag"] == "textarea" and reason["id"] == "reason"

"""The document page as one reads and writes in it (issue 20): the contents list marks the
section being read as the reader scrolls; a live redraw waits while the reader works in a form
(focus in it, or text typed and not sent) and goes through when an opened form is left
untouched."""
import re

from sqlalchemy import select

from workspace.accounts.models import User
from workspace.documents.models import Section
from workspace.extensions import db
from workspace.review import comments

from .support import (
    DACORUM,
    WATFORD,
    expect,
    open_document,
    section,
    wait_until_caught_up,
)

PART = "Part 5: Monitoring and review"
CONTEXT = "Part 1: Strategic context"
RISK = "Part 4: Risk assessment and management"
MEMBER = "member@watford.example"
EMPLOYMENT = "Strategic employment opportunities"


def _comment_from_dacorum(app, title, text):
    """Dacorum comments on a section (as if from another browser): the live feed redraws it."""
    with app.test_request_context():
        target = db.session.scalar(select(Section).where(Section.title == title))
        author = db.session.scalar(select(User).where(User.email == DACORUM))
        comments.add_comment(target, text, author)
        db.session.commit()


def _scroll_to(page, title):
    section(page, title).evaluate("s => s.scrollIntoView({block: 'start'})")


def test_the_contents_mark_the_section_being_read(demo, open_page):
    page = open_document(open_page(WATFORD).page)
    marked = page.locator("#contents-list a[aria-current='location']")

    _scroll_to(page, RISK)
    risk_id = section(page, RISK).get_attribute("id")
    expect(marked).to_have_count(1)
    expect(marked).to_have_attribute("href", f"#{risk_id}")
    # Shown by more than colour: a bar beside it and bold text.
    assert marked.evaluate("a => getComputedStyle(a).borderLeftWidth") == "4px"
    assert marked.evaluate("a => getComputedStyle(a).fontWeight") == "700"

    _scroll_to(page, CONTEXT)
    context_id = section(page, CONTEXT).get_attribute("id")
    expect(marked).to_have_attribute("href", f"#{context_id}")
    expect(marked).to_have_count(1)


def test_a_live_redraw_keeps_text_being_typed_in_an_open_form(app, demo, open_page):
    page = open_document(open_page(WATFORD).page)
    part = section(page, PART)
    part.locator(".cg-comments__add summary").click()
    box = part.get_by_label(f"Your comment on {PART}")
    box.fill("Watford's half-written comment")           # focus is in the box

    _comment_from_dacorum(app, PART, "Dacorum comments while Watford types.")
    wait_until_caught_up(page, app)
    expect(box).to_be_focused()
    expect(box).to_have_value("Watford's half-written comment")

    # Focus elsewhere, the unsent text alone still holds the redraw back.
    page.evaluate("document.activeElement.blur()")
    _comment_from_dacorum(app, PART, "Dacorum again, Watford looking away.")
    wait_until_caught_up(page, app)
    expect(box).to_have_value("Watford's half-written comment")

    # Sent: the section comes with everyone's comments.
    box.fill("Watford's comment, finished.")
    part.get_by_role("button", name="Post comment").click()
    bodies = section(page, PART).locator(".cg-comment__body")
    expect(bodies).to_have_count(3)


def test_a_live_redraw_goes_through_an_open_form_left_untouched(app, demo, open_page):
    page = open_document(open_page(WATFORD).page)
    part = section(page, PART)
    part.locator(".cg-comments__add summary").click()
    expect(part.get_by_label(f"Your comment on {PART}")).to_be_visible()
    page.evaluate("document.activeElement.blur()")       # opened, then left: nothing typed

    _comment_from_dacorum(app, PART, "Dacorum's comment reaches Watford.")
    wait_until_caught_up(page, app)
    arrived = section(page, PART).locator(".cg-comment__body",
                                          has_text="Dacorum's comment reaches Watford.")
    expect(arrived).to_have_count(1)


def test_a_live_redraw_keeps_a_position_being_written(app, demo, open_page):
    page = open_document(open_page(MEMBER).page)
    matter = section(page, EMPLOYMENT)
    matter.locator("summary", has_text=re.compile("^Record Watford")).click()
    form = matter.locator("form", has=page.get_by_role("button", name=re.compile(
        "^Record position")))
    form.get_by_label("Agreed", exact=True).check()
    reason = form.get_by_label(re.compile("^Reason"))
    reason.fill("Agreed at the portfolio holders' meeting")   # focus is in the box

    _comment_from_dacorum(app, EMPLOYMENT, "Dacorum comments while Watford records.")
    wait_until_caught_up(page, app)
    expect(reason).to_have_value("Agreed at the portfolio holders' meeting")
    expect(form.get_by_label("Agreed", exact=True)).to_be_checked()


def test_a_live_redraw_keeps_a_position_form_answered_with_messages(app, demo, open_page):
    """Sent and refused (a reason is needed): the form comes back with its messages and what
    was chosen, as posted; a change to the section by someone else does not wipe it."""
    page = open_document(open_page(MEMBER).page)
    matter = section(page, EMPLOYMENT)
    matter.locator("summary", has_text=re.compile("^Record Watford")).click()
    send = page.get_by_role("button", name=re.compile("^Record position"))
    form = matter.locator("form", has=send)
    form.get_by_label("Not agreed", exact=True).check()
    form.get_by_role("button", name=re.compile("^Record position")).click()
    messages = matter.locator(".govuk-error-summary")
    expect(messages).to_be_visible()
    page.evaluate("document.activeElement.blur()")

    _comment_from_dacorum(app, EMPLOYMENT, "Dacorum comments after Watford's form was refused.")
    wait_until_caught_up(page, app)
    expect(messages).to_be_visible()
    expect(matter.get_by_label("Not agreed", exact=True)).to_be_checked()

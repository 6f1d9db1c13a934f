"""Finding one's way in the document page: "Your actions" at the top leads each role to what
they must do; each strategic matter shows one line of positions that opens on demand; comment
threads are collapsed to a count (and stay open across a live redraw once opened); the
contents list says each section's status in words and stays in view on a wide screen."""
import re

import pytest
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.documents.models import Section
from workspace.extensions import db
from workspace.review import comments

from .support import (
    SCG,
    WATFORD,
    expect,
    open_document,
    section,
    wait_until_caught_up,
)

MEMBER = "member@watford.example"
ADMIN = "admin@swherts.example"
HOUSING = "Housing need and distribution"
EMPLOYMENT = "Strategic employment opportunities"
CONTEXT = "Part 1: Strategic context"
SUMMARY = re.compile(r"^\d+ [a-z -]+( · \d+ [a-z -]+)*: each authority's position on ")


def test_member_is_led_from_your_actions_to_the_review_queue(app, demo, open_page):
    page = open_document(open_page(MEMBER).page)
    actions = page.get_by_role("region", name="Your actions")
    expect(actions).to_contain_text(
        re.compile(r"Watford Borough Council owes positions on \d+ matters? — Review"))
    actions.get_by_role("link", name=re.compile("^Review")).click()
    expect(page).to_have_url(re.compile(r"/review-queue"))


def test_admin_is_told_the_lifecycle_next_step(app, demo, open_page):
    page = open_document(open_page(ADMIN).page)
    actions = page.get_by_role("region", name="Your actions")
    expect(actions).to_contain_text("Next step: mark the document as agreed")
    actions.get_by_role("link", name=re.compile("^Lifecycle and versions")).click()
    expect(page).to_have_url(re.compile(r"/lifecycle$"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_positions_are_one_line_that_opens_on_demand(app, demo, open_page, javascript):
    page = open_page(MEMBER, javascript=javascript).page
    page.goto("/p/sw-herts/")
    page.get_by_role("link", name=SCG, exact=True).click()
    matter = section(page, HOUSING).locator(".cg-positions")
    summary = matter.locator("summary", has_text="each authority's position")
    expect(summary).to_have_text(SUMMARY)
    cells = matter.locator(".cg-position")
    expect(cells.first).to_be_hidden()
    summary.click()
    expect(cells.first).to_be_visible()
    # One cell per signatory of the matter: as many as the summary counts.
    counted = sum(int(n) for n in re.findall(r"(\d+) [a-z ]+", summary.inner_text()))
    expect(cells).to_have_count(counted)
    # The question put to the partners is never folded away.
    expect(section(page, HOUSING).locator(".cg-feedback")).to_be_visible()


def test_threads_are_collapsed_to_a_count_and_stay_open_across_a_redraw(app, demo, open_page):
    page = open_document(open_page(WATFORD).page)
    block = section(page, CONTEXT).locator(".cg-comments")
    summary = block.locator("summary", has_text=re.compile(r"comments?, \d+ open thread"))
    expect(summary).to_have_text(re.compile(r"^1 comment, 1 open thread on "))
    thread = block.locator(".cg-thread").first
    expect(thread).to_be_hidden()
    summary.click()
    expect(thread).to_be_visible()
    # Someone else comments: the live feed redraws the section; the threads stay open.
    with app.test_request_context():
        target = db.session.scalar(select(Section).where(Section.title == CONTEXT))
        author = db.session.scalar(select(User).where(User.email == "officer@dacorum.example"))
        comments.add_comment(target, "Redrawn by Dacorum.", author)
        db.session.commit()
    wait_until_caught_up(page, app)
    redrawn = section(page, CONTEXT)
    expect(redrawn.locator(".cg-comments__threads > summary")).to_have_text(
        re.compile(r"^2 comments, 2 open threads on "))
    expect(redrawn.get_by_text("Redrawn by Dacorum.")).to_be_visible()
    expect(redrawn.locator(".cg-thread").first).to_be_visible()


def test_contents_say_each_sections_status_in_words(app, demo, open_page):
    page = open_document(open_page(MEMBER).page)
    item = page.locator("#contents-list li", has_text=EMPLOYMENT)
    count = item.locator("[data-outstanding-for]")
    expect(count).to_have_text(re.compile(r"^\d+ positions? outstanding$"))
    before = int(count.inner_text().split()[0])
    matter = section(page, EMPLOYMENT)
    matter.locator("summary", has_text=re.compile("^Record Watford")).click()
    form = matter.locator("form", has=page.get_by_role("button", name=re.compile(
        "^Record position")))
    form.get_by_label("Agreed", exact=True).check()
    form.get_by_role("button", name=re.compile("^Record position")).click()
    expect(matter.locator(".cg-saved")).to_be_visible()
    expect(count).to_have_text(f"{before - 1} position{'s' if before - 1 != 1 else ''} "
                               "outstanding")


def test_long_section_numbers_do_not_run_into_their_titles_in_the_contents(app, demo,
                                                                          open_page):
    """Found by a walkthrough: "2.1.1" and longer numbers ran into their titles."""
    from workspace.documents import service
    from workspace.partnerships.models import Partnership

    with app.app_context():
        partnership = db.session.scalar(select(Partnership).where(
            Partnership.slug == "sw-herts"))
        admin = db.session.scalar(select(User).where(User.email == ADMIN))
        document = service.create_document(partnership, "Deeply numbered", "scg", user=admin)
        for n in range(11):
            service.append_section(document, f"Part {n + 1}", "Text.\n", user=admin)
        for n in range(11):
            service.append_section(document, f"Chapter {n + 1}", "Text.\n", depth=1,
                                   user=admin)
        service.append_section(document, "Key issues for the plan", "Text.\n", depth=2,
                               user=admin)
        db.session.commit()
    page = open_document(open_page(WATFORD).page, "Deeply numbered")
    # The number's text as drawn (a range: the grid cell may be narrower than its text).
    gaps = page.evaluate("""() => Array.from(document.querySelectorAll('#contents-list li a'))
      .map((a) => {
        const text = document.createRange();
        text.selectNodeContents(a.querySelector('.cg-number'));
        const title = document.createRange();
        title.selectNodeContents(a.querySelector('.cg-contents__title'));
        return [a.querySelector('.cg-number').textContent.trim(),
                title.getClientRects()[0].left - text.getBoundingClientRect().right];
      })""")
    assert "11.11.1" in dict(gaps)
    crowded = [(number, gap) for number, gap in gaps if gap < 4]
    assert crowded == [], f"numbers touching their titles: {crowded}"

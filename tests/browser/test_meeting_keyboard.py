"""Keyboard only: an officer records a meeting without a mouse, and lands on its record.

Nothing here clicks or fills: every step is Tab, Space, Enter or typing (typing into a
select chooses the option it spells, as a keyboard user does), and at every stop the focused
element must show a visible focus indicator (see test_keyboard.py).
"""
import re

from sqlalchemy import select

from workspace.cooperation.models import Meeting
from workspace.extensions import db
from workspace.partnerships.models import Partnership, StrategicMatter

from .support import WATFORD, expect
from .test_keyboard import focused, named, press, sign_in_with_the_keyboard, tab_until

TITLE = "Keyboard workshop on housing"


def _housing(app):
    with app.app_context():
        return db.session.scalar(select(StrategicMatter).join(
            Partnership, Partnership.id == StrategicMatter.partnership_id).where(
            Partnership.slug == "sw-herts", StrategicMatter.title.like("Housing%"),
            StrategicMatter.retired_at.is_(None))).label


def by_id(element_id):
    return lambda info: info["id"] == element_id


def type_into(page, element_id, text):
    tab_until(page, by_id(element_id), element_id)
    page.keyboard.type(text)


def test_an_officer_records_a_meeting_with_the_keyboard(app, demo, open_page):
    housing = _housing(app)
    page = open_page().page
    sign_in_with_the_keyboard(page, WATFORD)
    page.goto("/p/sw-herts/meetings")
    tab_until(page, named(r"^Record a meeting$", "a"), "the Record a meeting button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a meeting")

    type_into(page, "held_on-day", "23")
    assert press(page, "Tab")["id"] == "held_on-month"
    page.keyboard.type("1")
    assert press(page, "Tab")["id"] == "held_on-year"
    page.keyboard.type("2018")
    assert press(page, "Tab")["id"] == "kind"
    page.keyboard.type("Workshop")
    expect(page.locator("#kind")).to_have_value("workshop")
    assert press(page, "Tab")["id"] == "body_id"                   # left as none
    assert press(page, "Tab")["id"] == "title"
    page.keyboard.type(TITLE)
    # Enter in a field saves (it does not add a row): with no attendee yet, the form comes
    # back with its problem, keeping what was typed.
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Add at least one attendee")
    expect(summary).to_be_focused()
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(page.locator("#kind")).to_have_value("workshop")
    type_into(page, "attendees-0-organisation_id", "Watford Borough Council")
    assert press(page, "Tab")["id"] == "attendees-0-role"
    page.keyboard.type("Head of Planning")
    type_into(page, "attendees-1-organisation_id", "Dacorum Borough Council")
    assert press(page, "Tab")["id"] == "attendees-1-role"
    page.keyboard.type("Portfolio holder")

    # Three rows are not enough: "Add another attendee" brings a fourth, keeping the rest,
    # with focus in it.
    tab_until(page, named(r"^Add another attendee$", "button"), "Add another attendee")
    page.keyboard.press("Enter")
    expect(page.locator("#attendees-3-organisation_id")).to_be_focused()
    focused(page)
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(page.locator("#attendees-1-role")).to_have_value("Portfolio holder")
    page.keyboard.type("Hertsmere Borough Council")
    assert press(page, "Tab")["id"] == "attendees-3-role"
    page.keyboard.type("Planning policy manager")

    tab_until(page, named(re.escape(housing), "input"), f"the {housing} checkbox")
    page.keyboard.press("Space")
    expect(page.get_by_label(housing, exact=True)).to_be_checked()
    type_into(page, "positions-0-organisation_id", "Hertsmere Borough Council")
    assert press(page, "Tab")["id"] == "positions-0-matter_id"
    page.keyboard.type(housing)
    assert press(page, "Tab")["id"] == "positions-0-stance"
    page.keyboard.type("Agreed with reservations")
    assert press(page, "Tab")["id"] == "positions-0-statement"
    page.keyboard.type("Hertsmere agreed, subject to the Green Belt review.")
    type_into(page, "outcome", "Work on the JSP to start.")

    submit = tab_until(page, named(r"^Record meeting$", "button"), "the Record meeting button")
    assert submit["tag"] == "button"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert re.search(r"/p/sw-herts/meetings/\d+$", page.url)
    expect(page.get_by_text("Planning policy manager")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Hertsmere Borough Council"))).to_contain_text(
        "Agreed with reservations")
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == TITLE))
        assert [a.role for a in meeting.attendees] == [
            "Head of Planning", "Portfolio holder", "Planning policy manager"]
        assert [p.stance for p in meeting.stated_positions] == ["reservations"]

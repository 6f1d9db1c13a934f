"""Accessibility of the meeting pages: axe finds no WCAG 2.2 A or AA violation on the list,
the form (blank, with errors, with a row added), a meeting's record, its correction (also
when refused as stale) and its history. The checks are test_accessibility.py's."""
from datetime import date

import pytest
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.cooperation import meetings
from workspace.extensions import db
from workspace.partnerships import matters
from workspace.partnerships.models import Partnership

from .support import WATFORD, expect
from .test_accessibility import assert_accessible, open_all_details


@pytest.fixture
def meeting_id(app, demo):
    """A meeting of the demo partnership, corrected once."""
    with app.app_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))
        officer = db.session.scalar(select(User).where(User.email == WATFORD))
        organisations = {o.code: o.id for o in partnership.organisations}
        housing, green_belt = matters.matters(partnership)[:2]
        values = {"held_on": date(2018, 1, 23), "kind": "workshop",
                  "title": "Accessible workshop", "notes": "Notes with a list:\n\n- one\n- two",
                  "outcome": "Agreed to work together",
                  "attendees": [(organisations["watford"], "Head of Planning", ""),
                                (organisations["dacorum"], "Portfolio holder", "A Person")],
                  "matter_ids": [housing.id, green_belt.id],
                  "positions": [(organisations["watford"], housing.id, "Agreed", "agreed"),
                                (organisations["dacorum"], housing.id, "Not yet", None)]}
        meeting = meetings.record_meeting(partnership, officer, **values)
        meetings.correct_meeting(meeting, officer, expected_version=1, reason="The title",
                                 **{**values, "title": "Accessible workshop (corrected)"})
        db.session.commit()
        return meeting.id


def test_meetings_list_record_and_history(meeting_id, open_page):
    page = open_page(WATFORD).page
    page.goto("/p/sw-herts/meetings")
    expect(page.get_by_role("link", name="Accessible workshop (corrected)")).to_be_visible()
    assert_accessible(page, "the meetings list")
    page.goto(f"/p/sw-herts/meetings/{meeting_id}")
    expect(page.get_by_text("Corrected 1 time")).to_be_visible()
    assert_accessible(page, "a meeting's record")
    page.goto(f"/p/sw-herts/meetings/{meeting_id}/history")
    open_all_details(page)
    assert_accessible(page, "a meeting's history")


def test_the_meeting_form_blank_with_errors_and_with_a_row_added(meeting_id, open_page):
    page = open_page(WATFORD).page
    page.goto("/p/sw-herts/meetings/new")
    assert_accessible(page, "the meeting form")
    page.get_by_label("Title").fill("A meeting")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Record meeting").click()
    assert answer.value.status == 422
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "the meeting form with errors (422)")
    page.get_by_role("button", name="Add another position").click()
    expect(page.locator("#positions-2-organisation_id")).to_be_focused()
    assert_accessible(page, "the meeting form with a position row added")


def test_the_correction_form_and_a_stale_correction(meeting_id, open_page):
    page = open_page(WATFORD).page
    page.goto(f"/p/sw-herts/meetings/{meeting_id}/correct")
    assert_accessible(page, "the correction form")
    page.locator("input[name=expected_version]").evaluate("(el) => { el.value = '1'; }")
    page.get_by_label("Title").fill("Late correction")
    page.get_by_label("Why are you correcting the record?").fill("Stale")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Save correction").click()
    assert answer.value.status == 409
    expect(page.locator(".govuk-error-summary")).to_contain_text("while you were editing it")
    assert_accessible(page, "a stale correction (409)")

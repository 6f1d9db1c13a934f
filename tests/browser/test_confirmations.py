"""A confirmation shown after an action is not wiped by the live feed's redraw."""
from .support import expect, open_document, section, wait_until_caught_up

MEMBER = "member@watford.example"


def test_a_recorded_position_s_confirmation_survives_the_next_live_redraw(app, demo,
                                                                           open_page):
    page = open_page(MEMBER).page
    open_document(page)
    green_belt = section(page, "The future role of the Green Belt")
    green_belt.locator("summary", has_text="Record Watford").click()
    green_belt.get_by_label("Agreed", exact=True).check()
    green_belt.get_by_role("button", name="Record position").click()
    confirmation = green_belt.locator(".cg-positions [data-status-message]")
    expect(confirmation).to_contain_text("Watford Borough Council's position recorded: Agreed")
    expect(confirmation).to_be_focused()
    green_belt.evaluate("s => { s.dataset.beforeRedraw = '1'; }")

    wait_until_caught_up(page, app)           # the feed has redrawn the section
    expect(green_belt).not_to_have_attribute("data-before-redraw", "1")
    expect(confirmation).to_have_count(1)
    expect(confirmation).to_contain_text("Watford Borough Council's position recorded: Agreed")
    expect(confirmation).to_be_focused()

"""Signing with the keyboard alone (issue 16): the declaration, the printed name and position,
the password, Sign; the progress of the signed PDF; the receipt. axe finds nothing on the sign
page, the progress page and the receipt."""
import re

from tests.signing_support import PASSWORD, agreed_scg
from workspace.accounts.models import User
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.review import lifecycle

from .support import expect, sign_in
from .test_accessibility import axe_violations, describe
from .test_keyboard import named, press, tab_until


def test_signing_with_the_keyboard_alone_then_progress_and_receipt(app, world, factory,
                                                                   open_page, run_jobs):
    scg = agreed_scg(app, world, factory, signatories=("watford",), keys=("watford",))
    page = open_page().page
    sign_in(page, "member@watford.example", PASSWORD)
    page.goto(scg["sign"])
    assert not axe_violations(page), describe(axe_violations(page))

    tab_until(page, lambda info: info["id"] == "declaration", "the declaration")
    page.keyboard.press("Space")
    expect(page.locator("#declaration")).to_be_checked()
    assert press(page, "Tab")["id"] == "signed_name"
    page.keyboard.press("Control+a")
    page.keyboard.type("Cllr Keyboard")
    assert press(page, "Tab")["id"] == "signed_position"
    assert press(page, "Tab")["id"] == "password"
    page.keyboard.type(PASSWORD)
    tab_until(page, named("^Sign for Watford Borough Council", "button"), "the Sign button")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/signatures/\d+/progress$"))
    expect(page.get_by_role("status").filter(has_text="Adding your digital signature")) \
        .to_be_visible()
    assert not axe_violations(page), describe(axe_violations(page))
    run_jobs()
    # The page checks itself and moves on to the receipt when the signed PDF is ready.
    expect(page).to_have_url(re.compile(r"/signatures/\d+$"), timeout=20000)
    expect(page.get_by_role("heading", name="Signed for Watford Borough Council")) \
        .to_be_visible()
    expect(page.locator("#receipt")).to_contain_text("Cllr Keyboard")
    expect(page.locator("#receipt")).to_contain_text("(UK time)")
    assert not axe_violations(page), describe(axe_violations(page))
    tab_until(page, named("^Download the signed PDF"), "the download link")


def test_without_the_declaration_the_error_summary_takes_focus(app, world, factory,
                                                               open_page):
    scg = agreed_scg(app, world, factory)
    page = open_page().page
    sign_in(page, "member@watford.example", PASSWORD)
    page.goto(scg["sign"])
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign for Watford Borough Council").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Confirm that you are authorised to sign for Watford")
    expect(summary).to_be_focused()
    assert not axe_violations(page), describe(axe_violations(page))


def test_the_publish_confirmation_with_the_keyboard_and_axe(app, world, factory, open_page,
                                                            run_jobs):
    """Signed by its one signatory (so Signed by itself) and its signed PDF made: the admin
    reaches "Publish", confirms with the keyboard alone, and axe finds nothing on the way."""
    scg = agreed_scg(app, world, factory, signatories=("watford",), keys=("watford",))
    with app.test_request_context():
        document = db.session.get(Document, scg["id"])
        member = db.session.get(User, scg["users"]["member"])
        lifecycle.sign(document, member, PASSWORD, "Cllr Watford", "Leader")
        assert document.is_signed
        db.session.commit()
    run_jobs()
    page = open_page().page
    sign_in(page, "admin@watford.example", PASSWORD)
    page.goto(scg["publish"])
    assert not axe_violations(page), describe(axe_violations(page))
    tab_until(page, lambda info: info["id"] == "confirm_publish", "the confirmation")
    page.keyboard.press("Space")
    expect(page.locator("#confirm_publish")).to_be_checked()
    tab_until(page, named("^Publish version", "button"), "the Publish button")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Version {scg['number']} is published.")
    assert not axe_violations(page), describe(axe_violations(page))

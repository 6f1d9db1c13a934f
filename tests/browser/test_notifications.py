"""Notifications in the browser: the header link, the list, settings, the unsubscribe pages
and a bounce on the organisation page pass axe (WCAG 2.2 A/AA); unread is said in words."""
import re

from sqlalchemy import select

from workspace.accounts.models import User
from workspace.clock import utcnow
from workspace.extensions import db
from workspace.notifications.service import unsubscribe_token

from .support import expect
from .test_accessibility import MEMBER, ORGADMIN, assert_accessible


def test_notifications_list_and_settings(demo, open_page):
    page = open_page(MEMBER).page
    page.goto("/")
    link = page.get_by_role("link", name=re.compile(r"^Notifications \(\d+\s+unread\s*\)$"))
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator(".cg-unread-tag").first).to_have_text("Unread")
    assert_accessible(page, "notifications list")
    page.get_by_role("link", name=re.compile("^Choose which notifications")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    assert_accessible(page, "notification settings")
    page.get_by_role("group", name="Replies to your comments").get_by_label(
        "In one daily e-mail at 8am").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#notifications")).to_contain_text("settings have been saved")
    assert_accessible(page, "notification settings saved")
    page.goto("/notifications")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".cg-unread-tag")).to_have_count(0)
    assert_accessible(page, "notifications all read")


def test_unsubscribe_pages_signed_out(app, demo, open_page):
    with app.test_request_context():
        member = db.session.scalar(select(User).where(User.email == MEMBER))
        token = unsubscribe_token(member, ["position_owed", "position_stale"])
    page = open_page().page
    page.goto(f"/notifications/unsubscribe/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop these e-mails?")
    assert_accessible(page, "unsubscribe question")
    page.get_by_role("button", name="Stop these e-mails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mails stopped")
    assert_accessible(page, "unsubscribed")


def test_a_bounce_on_the_organisation_page(app, demo, open_page):
    with app.app_context():
        member = db.session.scalar(select(User).where(User.email == MEMBER))
        member.mail_bounced_at = utcnow()
        member.mail_bounce_reason = "550 5.1.1 No such user here"
        db.session.commit()
    page = open_page(ORGADMIN).page
    page.goto("/organisation/")
    expect(page.locator(".cg-mail-bounce")).to_contain_text("No such user here")
    assert_accessible(page, "organisation page with a bounce")
    page.get_by_role("button", name="Try e-mail again for Watford Member").click()
    expect(page.locator(".cg-mail-bounce")).to_have_count(0)

"""Helpers for the public register's tests: the demo with version 1 of its Statement of
Common Ground published (built quickly, without PDFs or signing keys), and the unpublished
work that must never show."""
from sqlalchemy import select

from tests.support import agree
from workspace.accounts.models import User
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.review import lifecycle, positions

REGISTER = "/public/sw-herts/"
SCG_SLUG = "statement-of-common-ground"
V1 = f"{REGISTER}{SCG_SLUG}/v1"
#: The demo's engagement plan: never published, so never public.
UNPUBLISHED_TITLE = "JSP Vision: Engagement Plan"


def scg(app_or_none=None):
    return db.session.scalar(select(Document).where(
        Document.title == "Statement of Common Ground"))


def agree_and_sign(app):
    """Agree the SCG's current version (every outstanding position given) and have every
    authority sign it: Signed, not yet published. Returns the version number."""
    with app.test_request_context():
        document = scg()
        members = db.session.scalars(select(User).where(User.role == "member",
                                                        User.email.like("member@%"))).all()
        for cell in positions.agreement_grid(document).outstanding:
            who = next(u for u in members
                       if u.organisation_id == cell.signatory.organisation_id)
            positions.record_position(cell.section, who, "agreed", route="cabinet",
                                      route_body="Cabinet", minute_ref="CAB 7/26")
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        agree(document, admin, with_exceptions=True)
        for who in members:
            if not document.is_signed:
                lifecycle.sign(document, who, "common-ground", who.name, "Portfolio Holder")
        number = document.version_number
        db.session.commit()
        return number


def publish(app):
    """Publish the signed SCG; returns the version number."""
    with app.test_request_context():
        document = scg()
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        row = lifecycle.publish(document, admin)
        db.session.commit()
        return row.number


def start_and_agree_next(app):
    """Start the next version and take it to Signed (agreed and signed, not published)."""
    with app.test_request_context():
        document = scg()
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        lifecycle.start_next_version(document, admin)
        lifecycle.send_out(document, admin, reason="Version 2 for agreement")
        db.session.commit()
    return agree_and_sign(app)


def set_register(app, on):
    with app.app_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))
        partnership.publishes_register = on
        db.session.commit()


def assert_no_cookie(response):
    assert "Set-Cookie" not in response.headers, response.headers.get("Set-Cookie")

"""A Statement with sections to suggest changes to, in Draft or out for agreement."""
import re

import pytest
from sqlalchemy import select

from workspace.documents import service
from workspace.documents.models import Document, Section, SectionRevision
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.review.models import Signatory
from workspace.suggestions.models import Suggestion

HX = {"HX-Request": "true"}
GREEN_BELT = "The Green Belt is kept.\n\nBoundaries change only by the plan.\n"


@pytest.fixture
def scg(app, factory, world, login):
    """A draft SCG in `own` (Watford, Dacorum sign every matter) with an introduction and a
    Green Belt strategic matter; users by role, a Dacorum Member and a partnership admin
    (a Watford officer with the grant); helpers for URLs and reading rows."""
    with app.app_context():
        document = service.create_document(
            db.session.get(Partnership, world["partnerships"]["own"]),
            "Statement of Common Ground", "scg")
        intro = service.append_section(document, "Introduction", "Alpha one.\n\nBravo two.\n")
        green = service.append_section(document, "Green Belt", GREEN_BELT)
        green.strategic_matter = True
        db.session.flush()
        for org in (world["orgs"]["watford"], world["orgs"]["dacorum"]):
            db.session.add(Signatory(document_id=document.id, organisation_id=org))
        db.session.commit()
        ids = {"intro": intro.id, "green": green.id}
        base = f"/p/own/d/{document.id}"
    users = dict(world["users"])
    users["dacorum_member"] = factory.user(world["orgs"]["dacorum"], "member",
                                           email="member@dacorum.example",
                                           name="Dacorum Member")
    users["padmin"] = factory.user(world["orgs"]["watford"], "officer",
                                   email="padmin@watford.example", name="Partnership Admin",
                                   partnership_admin=True)
    return Scg(app, login, document.id, ids, base, users)


class Scg:
    def __init__(self, app, login, document_id, ids, base, users):
        self.app, self.login = app, login
        self.id, self.sections, self.base, self.users = document_id, ids, base, users
        self.page = base + "/"

    def client(self, who):
        return self.login(self.app.test_client(), self.users[who])

    def section_url(self, key):
        return f"{self.base}/s/{self.sections[key]}"

    def suggest(self, client, key, body, base=1, reason="", headers=HX):
        return client.post(self.section_url(key) + "/suggest",
                           data={"body": body, "base_version": str(base), "reason": reason},
                           headers=headers)

    def url(self, suggestion_id, action):
        return f"{self.base}/suggestions/{suggestion_id}/{action}"

    def set_status(self, status):
        with self.app.app_context():
            db.session.get(Document, self.id).status = status
            db.session.commit()

    def section(self, key):
        with self.app.app_context():
            return db.session.get(Section, self.sections[key])

    def revisions(self, key):
        with self.app.app_context():
            return db.session.scalars(select(SectionRevision).where(
                SectionRevision.section_id == self.sections[key])
                .order_by(SectionRevision.number)).all()

    def suggestions(self):
        with self.app.app_context():
            return db.session.scalars(select(Suggestion).order_by(Suggestion.id)).all()

    def last(self):
        return self.suggestions()[-1]


def digest(text):
    """The confirm_stale digest a confirmation page asks to post back."""
    found = re.search(r'name="confirm_stale" value="([^"]+)"', text)
    assert found, "no confirmation on the page"
    return found.group(1)

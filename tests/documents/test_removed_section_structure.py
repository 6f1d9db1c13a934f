"""Structure changes to a removed section (a stale structure page, a second tab) answer 409
with a clear message, for the plain form and for htmx, and change nothing (issue 12)."""
import pytest
from sqlalchemy import select

from workspace.audit import AuditEvent
from workspace.documents import service
from workspace.documents.models import Section
from workspace.extensions import db
from workspace.partnerships.models import Partnership

HX = {"HX-Request": "true"}
MESSAGE = "This section has been removed"

ACTIONS = [("move", {"direction": "up"}), ("move", {"direction": "down"}),
           ("nest", {"direction": "in"}), ("nest", {"direction": "out"}),
           ("add-after", {"title": "After a removed one"}),
           ("rename", {"title": "A new name"})]


@pytest.fixture
def doc(app, world):
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        ids = [service.append_section(document, title, "Text.\n").id
               for title in ("Strategic context", "Housing", "Green Belt")]
        db.session.commit()
        return {"id": document.id, "sections": ids,
                "section": lambda i: f"/p/own/d/{document.id}/s/{ids[i]}"}


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


def _structure(app, doc):
    with app.app_context():
        return db.session.execute(
            select(Section.id, Section.title, Section.position, Section.depth,
                   Section.removed_at.is_(None)).where(Section.document_id == doc["id"])
            .order_by(Section.id)).all()


def _events(app, doc):
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action)
                                  .where(AuditEvent.document_id == doc["id"])).all()


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("action,data", ACTIONS,
                         ids=["up", "down", "in", "out", "add-after", "rename"])
def test_changing_a_removed_section_is_409_with_a_message(app, doc, officer, action, data,
                                                          htmx):
    assert officer.post(doc["section"](1) + "/remove").status_code == 303
    before, events = _structure(app, doc), _events(app, doc)
    response = officer.post(doc["section"](1) + f"/{action}", data=data,
                            headers=HX if htmx else {})
    assert response.status_code == 409
    assert MESSAGE in response.text and "Restore it" in response.text
    if htmx:   # shown in the page's notification region, not swapped over the form
        assert response.headers["HX-Retarget"] == "#notifications"
    assert _structure(app, doc) == before
    assert _events(app, doc) == events


def test_the_structure_page_of_a_removed_section_offers_only_restore(app, doc, officer):
    officer.post(doc["section"](1) + "/remove")
    page = officer.get(doc["section"](1) + "/structure")
    assert page.status_code == 200
    assert MESSAGE in page.text and "Restore this section" in page.text
    for action in ("/move", "/nest", "/rename", "/add-after", "/remove"):
        assert f'{doc["section"](1)}{action}"' not in page.text
    assert officer.post(doc["section"](1) + "/restore").status_code == 303
    page = officer.get(doc["section"](1) + "/structure")
    assert "Move up" in page.text and MESSAGE not in page.text


def test_live_sections_still_move_nest_and_add_after(app, doc, officer):
    """The refusal is for removed sections only."""
    s = doc["section"]
    assert officer.post(s(2) + "/move", data={"direction": "up"}).status_code == 303
    assert officer.post(s(2) + "/nest", data={"direction": "in"}).status_code == 303
    assert officer.post(s(2) + "/add-after", data={"title": "Next"}).status_code == 303
    assert officer.post(s(2) + "/rename", data={"title": "Belt"}).status_code == 303
    with app.app_context():
        document = db.session.get(Section, doc["sections"][0]).document
        titles = [(x.title, x.depth) for x in service.live_sections(document)]
    assert titles == [("Strategic context", 0), ("Belt", 1), ("Next", 1), ("Housing", 0)]

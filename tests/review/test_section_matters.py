"""A section marked as a strategic matter is about one of the partnership's matters: the
officer or admin chooses which (the matter of its title by default, or a new one named after
it); the section shows the matter's reference; the position form offers the partnership's
bodies as the body that decided."""
import re

import pytest
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.audit import AuditEvent
from workspace.documents import service as documents
from workspace.documents.models import Document, Section
from workspace.extensions import db
from workspace.partnerships import matters
from workspace.partnerships.models import Partnership, StrategicMatter
from workspace.review import positions, scope
from workspace.review.errors import PositionError
from workspace.review.models import Position, Signatory

HX = {"HX-Request": "true"}


@pytest.fixture
def doc(app, world):
    """A draft in `own` with "Introduction", "Housing need" and "Green Belt"; the partnership
    has the matters SM1 Housing need and SM2 Transport, and Luton's partnership SM1 Airport."""
    with app.app_context():
        own = db.session.get(Partnership, world["partnerships"]["own"])
        foreign = db.session.get(Partnership, world["partnerships"]["foreign"])
        ids = {"housing_matter": matters.add_matter(own, "Housing need", None).id,
               "transport": matters.add_matter(own, "Transport", None).id,
               "airport": matters.add_matter(foreign, "Airport", None).id}
        document = documents.create_document(own, "Statement of Common Ground", "scg")
        for key, title in [("intro", "Introduction"), ("housing", "Housing need"),
                           ("green_belt", "Green Belt")]:
            ids[key] = documents.append_section(document, title, f"{title} text.\n").id
        db.session.commit()
        ids["document"] = document.id
    base = f"/p/own/d/{ids['document']}"
    ids["page"] = base + "/"
    ids["toggle"] = lambda key: f"{base}/s/{ids[key]}/strategic-matter"
    return ids


def linked(app, section_id):
    """(marked, reference of its matter or None)."""
    with app.app_context():
        section = db.session.get(Section, section_id)
        return section.strategic_matter, section.matter.reference if section.matter else None


def references(app, world):
    with app.app_context():
        return [m.reference for m in db.session.scalars(select(StrategicMatter).where(
            StrategicMatter.partnership_id == world["partnerships"]["own"]))]


def client_of(app, login, world, who="officer"):
    return login(app.test_client(), world["users"][who])


def selected(page, section_id):
    """The value chosen at first in a section's strategic-matter select, and its options."""
    select_html = re.search(rf'<select[^>]*id="matter-{section_id}".*?</select>', page,
                            re.S).group(0)
    options = re.findall(r'<option value="([^"]+)"', select_html)
    chosen = re.search(r'<option value="([^"]+)" selected', select_html)
    return (chosen.group(1) if chosen else None), options


def test_the_select_offers_the_matters_and_defaults_to_the_matter_of_the_title(app, login,
                                                                               world, doc):
    page = client_of(app, login, world).get(doc["page"]).text
    chosen, options = selected(page, doc["housing"])
    assert chosen == str(doc["housing_matter"])
    assert options == [str(doc["housing_matter"]), str(doc["transport"]), "new"]
    assert selected(page, doc["green_belt"])[0] == "new"        # no matter of that title
    assert "A new matter named after this section" in page


def test_the_offer_to_mark_a_matter_is_folded_and_says_what_marking_means(app, login, world,
                                                                          doc):
    page = client_of(app, login, world).get(doc["page"]).text
    block = page[page.index(f'id="positions-{doc["housing"]}"'):]
    block = block[:block.index("</details>")]
    assert "Make this a strategic matter" in block.split('class="govuk-details__text"')[0]
    hint = re.search(r'<p class="govuk-body-s" id="(matter-hint-\d+)">([^<]+)</p>', block)
    assert "records its position on this section" in hint.group(2)
    assert f'aria-describedby="{hint.group(1)}">Mark as a strategic matter' in block


def test_marking_without_a_choice_links_the_matter_of_the_title(app, login, world, doc):
    client = client_of(app, login, world)
    response = client.post(doc["toggle"]("housing"), data={"strategic_matter": "1"},
                           headers=HX)
    assert response.status_code == 200
    assert "Strategic matter SM1" in response.text
    assert linked(app, doc["housing"]) == (True, "SM1")
    assert references(app, world) == ["SM1", "SM2"]                   # none added


def test_marking_with_a_chosen_matter_links_it(app, login, world, doc):
    client = client_of(app, login, world)
    response = client.post(doc["toggle"]("intro"), data={
        "strategic_matter": "1", "matter": str(doc["transport"])})
    assert response.status_code == 303
    assert linked(app, doc["intro"]) == (True, "SM2")
    page = client.get(doc["page"]).text
    assert "Strategic matter SM2" in page
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "section.matter_linked"))
        assert event.details["matter"] == "SM2"
    activity = client.get(f"/p/own/d/{doc['document']}/activity").text
    assert "Linked “Introduction” to strategic matter SM2" in activity


def test_a_new_matter_named_after_the_section(app, login, world, doc):
    client = client_of(app, login, world)
    response = client.post(doc["toggle"]("green_belt"), data={
        "strategic_matter": "1", "matter": "new"}, headers=HX)
    assert response.status_code == 200
    assert linked(app, doc["green_belt"]) == (True, "SM3")
    assert "Green Belt" in response.text and "Strategic matter SM3" in response.text


def test_another_partnerships_matter_is_refused(app, login, world, doc):
    client = client_of(app, login, world)
    response = client.post(doc["toggle"]("intro"), data={
        "strategic_matter": "1", "matter": str(doc["airport"])})
    assert response.status_code == 422
    assert "this partnership" in response.text
    assert linked(app, doc["intro"]) == (False, None)
    assert client.post(doc["toggle"]("intro"), data={
        "strategic_matter": "1", "matter": "nonsense"}).status_code == 422
    assert linked(app, doc["intro"]) == (False, None)


def test_the_service_refuses_another_partnerships_matter(app, world, doc):
    with app.test_request_context():
        section = db.session.get(Section, doc["intro"])
        airport = db.session.get(StrategicMatter, doc["airport"])
        with pytest.raises(PositionError) as refused:
            scope.set_strategic_matter(section, True, None, matter=airport)
        assert refused.value.status == 422 and refused.value.field == "matter"
        assert not section.strategic_matter and section.matter_id is None


def test_a_retired_matter_is_not_offered_but_keeps_its_sections(app, login, world, doc):
    client = client_of(app, login, world)
    client.post(doc["toggle"]("housing"), data={"strategic_matter": "1"})
    with app.app_context():
        matters.set_matter_retired(db.session.get(StrategicMatter, doc["transport"]), True, None)
        matters.set_matter_retired(db.session.get(StrategicMatter, doc["housing_matter"]), True,
                                   None)
        db.session.commit()
    page = client.get(doc["page"]).text
    assert selected(page, doc["intro"])[1] == ["new"]                 # neither is offered
    chosen, options = selected(page, doc["housing"])                  # its own is shown
    assert chosen == str(doc["housing_matter"]) and options == [chosen, "new"]
    assert "Strategic matter SM1" in page and "(retired)" in page
    assert linked(app, doc["housing"]) == (True, "SM1")
    refused = client.post(doc["toggle"]("intro"), data={
        "strategic_matter": "1", "matter": str(doc["transport"])})
    assert refused.status_code == 422 and "has been retired" in refused.text
    assert linked(app, doc["intro"]) == (False, None)


def test_a_marked_section_is_linked_to_another_matter_and_keeps_its_positions(
        app, login, world, doc):
    client = client_of(app, login, world, "admin")
    client.post(doc["toggle"]("housing"), data={"strategic_matter": "1"})
    with app.app_context():
        document = db.session.get(Document, doc["document"])
        document.status = "out_for_agreement"
        db.session.add(Signatory(document_id=document.id,
                                 organisation_id=world["orgs"]["watford"]))
        db.session.commit()
    member = client_of(app, login, world, "member")
    with app.test_request_context():
        positions.record_position(db.session.get(Section, doc["housing"]),
                                  db.session.get(User, world["users"]["member"]), "agreed")
        db.session.commit()
    response = client.post(doc["toggle"]("housing"), data={
        "strategic_matter": "1", "matter": str(doc["transport"])}, headers=HX)
    assert response.status_code == 200
    assert "is now about strategic matter SM2 Transport" in response.text
    assert linked(app, doc["housing"]) == (True, "SM2")
    with app.app_context():
        assert db.session.scalar(select(Position.stance).where(
            Position.section_id == doc["housing"])) == "agreed"
    # The same matter again changes nothing.
    again = client.post(doc["toggle"]("housing"), data={
        "strategic_matter": "1", "matter": str(doc["transport"])}, headers=HX)
    assert "Nothing changed." in again.text
    assert "Strategic matter SM2" in member.get(doc["page"]).text
    # An officer may not change it while the document is out for agreement.
    officer = client_of(app, login, world)
    assert officer.post(doc["toggle"]("housing"), data={
        "strategic_matter": "1", "matter": str(doc["housing_matter"])}).status_code == 403
    assert linked(app, doc["housing"]) == (True, "SM2")


def test_unmarking_keeps_the_link_and_marking_again_uses_it(app, login, world, doc):
    client = client_of(app, login, world)
    client.post(doc["toggle"]("intro"), data={"strategic_matter": "1",
                                              "matter": str(doc["transport"])})
    client.post(doc["toggle"]("intro"), data={"strategic_matter": "0"})
    assert linked(app, doc["intro"]) == (False, "SM2")
    page = client.get(doc["page"]).text
    assert selected(page, doc["intro"])[0] == str(doc["transport"])
    client.post(doc["toggle"]("intro"), data={"strategic_matter": "1"})
    assert linked(app, doc["intro"]) == (True, "SM2")


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_others_cannot_link_sections_to_matters(app, login, world, doc, role):
    client = client_of(app, login, world, role)
    assert client.post(doc["toggle"]("intro"), data={
        "strategic_matter": "1", "matter": str(doc["transport"])}).status_code == 403
    assert linked(app, doc["intro"]) == (False, None)
    assert 'id="matter-' not in client.get(doc["page"]).text


def test_the_position_form_offers_the_partnerships_bodies(app, login, world, doc):
    with app.app_context():
        own = db.session.get(Partnership, world["partnerships"]["own"])
        matters.add_body(own, "Strategic Planning Members Group", None, short_name="SPMG",
                         kind="member_group")
        retired = matters.add_body(own, "Old Board", None)
        matters.set_body_retired(retired, True, None)
        matters.add_body(db.session.get(Partnership, world["partnerships"]["foreign"]),
                         "Luton Cabinet", None)
        document = db.session.get(Document, doc["document"])
        document.status = "out_for_agreement"
        db.session.get(Section, doc["housing"]).strategic_matter = True
        db.session.add(Signatory(document_id=document.id,
                                 organisation_id=world["orgs"]["watford"]))
        db.session.commit()
    member = client_of(app, login, world, "member")
    # The page links the form; opening it fetches it (as htmx does).
    page = member.get(f"/p/own/d/{doc['document']}/s/{doc['housing']}/positions/new",
                      headers={"HX-Request": "true"}).text
    prefix = f"p{doc['housing']}-"
    assert f'list="{prefix}route-bodies"' in page
    datalist = re.search(rf'<datalist id="{prefix}route-bodies">(.*?)</datalist>', page,
                         re.S).group(1)
    assert re.findall(r'value="([^"]+)"', datalist) == [
        "Strategic Planning Members Group (SPMG)"]
    queue = member.get(f"/p/own/d/{doc['document']}/review-queue/{doc['housing']}").text
    assert 'list="route-bodies"' in queue
    assert '<option value="Strategic Planning Members Group (SPMG)">' in queue
    assert "Old Board" not in queue and "Luton Cabinet" not in queue
    # Free text still works.
    response = member.post(f"/p/own/d/{doc['document']}/s/{doc['housing']}/positions", data={
        "stance": "agreed", "reason": "", "route": "committee", "route_body": "Full Council",
        "minute_ref": "", "seen_version": "1", "meeting_date-day": "",
        "meeting_date-month": "", "meeting_date-year": ""})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Position.route_body)) == "Full Council"

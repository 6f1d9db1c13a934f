"""Positions, strategic matters, signatory scope, the agreement grid and the record of agreement."""

import re

import pytest
from sqlalchemy import func, select

from tests.support import counting_queries
from workspace.accounts.models import User
from workspace.audit import AuditEvent
from workspace.documents import editing, service
from workspace.documents.models import Document, Section, sha256_text
from workspace.extensions import db
from workspace.partnerships.models import Partner, Partnership, PartnershipAdmin
from workspace.review import positions
from workspace.review.models import Position, Signatory, SignatoryMatter

HX = {"HX-Request": "true"}


def page_queries(app, client, document_id):
    """The document page and the number of queries it cost."""
    with counting_queries(app) as statements:
        response = client.get(f"/p/own/d/{document_id}/")
    assert response.status_code == 200
    return response, len(statements)


def make_document(app, partnership_id, sections, title):
    """A document out for agreement whose every section is a strategic matter; its id."""
    with app.app_context():
        document = service.create_document(db.session.get(Partnership, partnership_id), title,
                                           "scg")
        document.status = "out_for_agreement"
        for i in range(sections):
            section = service.append_section(document, f"Matter {i}", f"Text of matter {i}.\n",
                                             depth=i % 2)
            section.strategic_matter = True
        db.session.commit()
        return document.id


@pytest.fixture
def scg(app, factory, world):
    """A Statement of Common Ground out for agreement in `own`: three strategic matters and an
    introduction; Watford and Dacorum sign for every matter, Hertfordshire CC only for
    infrastructure."""
    own = world["partnerships"]["own"]
    herts = factory.organisation("herts", "Hertfordshire County Council")
    with app.app_context():
        db.session.add(Partner(partnership_id=own, organisation_id=herts))
        document = service.create_document(db.session.get(Partnership, own),
                                           "Statement of Common Ground", "scg")
        sections = {key: service.append_section(document, title, f"{title} text.\n")
                    for key, title in [("intro", "Introduction"), ("housing", "Housing need"),
                                       ("green_belt", "Green Belt"),
                                       ("infrastructure", "Strategic infrastructure")]}
        for key in ("housing", "green_belt", "infrastructure"):
            sections[key].strategic_matter = True
        document.status = "out_for_agreement"
        db.session.flush()
        for org in (world["orgs"]["watford"], world["orgs"]["dacorum"]):
            db.session.add(Signatory(document_id=document.id, organisation_id=org))
        county = Signatory(document_id=document.id, organisation_id=herts, all_matters=False)
        county.matters.append(SignatoryMatter(section_id=sections["infrastructure"].id))
        db.session.add(county)
        db.session.commit()
        ids = {key: s.id for key, s in sections.items()}
        base = f"/p/own/d/{document.id}"
    users = dict(world["users"])
    users["dacorum_member"] = factory.user(world["orgs"]["dacorum"], "member",
                                           email="member@dacorum.example",
                                           name="Dacorum Member")
    users["herts_member"] = factory.user(herts, "member", email="member@herts.example",
                                         name="Herts Member")
    return {"id": document.id, "sections": ids, "base": base, "users": users,
            "orgs": {**world["orgs"], "herts": herts},
            "page": base + "/", "agreement": base + "/agreement",
            "signatories": base + "/signatories",
            "record": lambda key: f"{base}/s/{ids[key]}/positions",
            "history": lambda key, org: f"{base}/s/{ids[key]}/positions/{org}",
            "toggle": lambda key: f"{base}/s/{ids[key]}/strategic-matter"}


def as_user(app, login, scg, who):
    return login(app.test_client(), scg["users"][who])


def version(app, section_id):
    with app.app_context():
        return db.session.get(Section, section_id).version


def date_parts(name, text):
    """<name>-day, -month and -year as GOV.UK's date input posts them, from "2026-11-03"."""
    year, month, day = text.split("-") if text else ("", "", "")
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def post_position(client, scg, key, stance="agreed", reason="", headers=None, seen=None,
                  **extra):
    data = {"stance": stance, "reason": reason, "route": "", "route_body": "",
            "minute_ref": "",
            "seen_version": str(seen if seen is not None else
                                version(client.application, scg["sections"][key])),
            **date_parts("meeting_date", extra.pop("meeting_date", ""))}
    data.update(extra)
    return client.post(scg["record"](key), data=data, headers=headers or {})


def rows(app, **where):
    with app.app_context():
        stmt = select(Position).order_by(Position.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(Position, name) == value)
        return db.session.scalars(stmt).all()


def save_text(app, scg, key, body, who="officer"):
    with app.test_request_context():
        section = db.session.get(Section, scg["sections"][key])
        user = db.session.get(User, scg["users"][who])
        editing.save_section(section, body, section.version, user, confirm_stale=True)
        db.session.commit()


def events(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id)).all()


# Who may record -----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "officer", "admin"])
def test_only_members_record_positions(app, login, scg, role):
    client = as_user(app, login, scg, role)
    response = post_position(client, scg, "housing")
    assert response.status_code == 403
    assert "Only Members can record their authority&#39;s position." in response.text
    assert rows(app) == []


def test_a_member_records_only_for_their_own_authority(app, login, scg):
    """There is no authority field: one sent anyway is ignored; the user's authority counts."""
    client = as_user(app, login, scg, "member")
    response = post_position(client, scg, "housing", organisation_id=scg["orgs"]["dacorum"])
    assert response.status_code == 303
    [position] = rows(app)
    assert position.organisation_id == scg["orgs"]["watford"]
    assert position.user_id == scg["users"]["member"]


def test_a_county_council_records_only_on_its_matters(app, login, scg):
    client = as_user(app, login, scg, "herts_member")
    refused = post_position(client, scg, "housing")
    assert refused.status_code == 403
    assert "Hertfordshire County Council is not a signatory for this matter." in refused.text
    assert rows(app) == []
    assert post_position(client, scg, "infrastructure").status_code == 303
    assert [p.section_id for p in rows(app)] == [scg["sections"]["infrastructure"]]


def test_refusal_for_htmx_goes_to_the_notification_region(app, login, scg):
    client = as_user(app, login, scg, "herts_member")
    response = post_position(client, scg, "housing", headers=HX)
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#notifications"
    assert "not a signatory for this matter" in response.text


def test_positions_are_only_for_strategic_matters(app, login, scg):
    client = as_user(app, login, scg, "member")
    response = post_position(client, scg, "intro")
    assert response.status_code == 422
    assert rows(app) == []


# What a position needs and records ----------------------------------------------------------

@pytest.mark.parametrize("stance", ["reservations", "not_agreed"])
def test_reservations_and_not_agreed_need_a_reason(app, login, scg, stance):
    client = as_user(app, login, scg, "member")
    response = post_position(client, scg, "housing", stance=stance, reason="   ",
                             route="partnership_board", route_body="SPMG",
                             minute_ref="SPMG 11/26")
    assert response.status_code == 422
    assert "Give the reason for your authority&#39;s position." in response.text
    assert 'value="SPMG"' in response.text and 'value="SPMG 11/26"' in response.text
    assert f'value="{stance}" checked' in response.text           # what was typed is kept
    assert rows(app) == []
    assert events(app, "position.recorded") == []


def test_a_missing_stance_is_refused_with_the_typed_text_kept(app, login, scg):
    client = as_user(app, login, scg, "member")
    response = post_position(client, scg, "housing", stance="", reason="My <b>reason</b>",
                             headers=HX)
    assert response.status_code == 422
    assert f'id="positions-{scg["sections"]["housing"]}"' in response.text
    assert "Choose Agreed, Agreed with reservations or Not agreed." in response.text
    assert "My &lt;b&gt;reason&lt;/b&gt;" in response.text
    assert rows(app) == []


def test_a_meeting_date_that_is_not_a_date_is_refused(app, login, scg):
    client = as_user(app, login, scg, "member")
    response = post_position(client, scg, "housing", meeting_date="2026-02-31")
    assert response.status_code == 422
    assert "Meeting date must be a real date" in response.text
    prefix = f'p{scg["sections"]["housing"]}-meeting_date'
    assert f'href="#{prefix}-day"' in response.text          # the error summary's link
    for part, value in (("day", "31"), ("month", "02"), ("year", "2026")):
        assert (f'govuk-input--error" id="{prefix}-{part}" name="meeting_date-{part}" '
                f'type="text" inputmode="numeric" value="{value}"') in response.text
    assert rows(app) == []


@pytest.mark.parametrize(("parts", "message"), [
    (("13", "", "2026"), "Meeting date must include a month"),
    (("", "", "2026"), "Meeting date must include a day and month"),
    (("13", "10", "26"), "Year must include 4 numbers"),
    (("13", "10", "1890"), "Meeting date must be between 1990 and 2100"),
    (("x", "10", "2026"), "Meeting date must be a real date"),
])
def test_a_meeting_date_in_parts_is_checked_as_gov_uk_does(app, login, scg, parts, message):
    client = as_user(app, login, scg, "member")
    data = dict(zip(("meeting_date-day", "meeting_date-month", "meeting_date-year"), parts,
                    strict=True))
    response = post_position(client, scg, "housing", **data)
    assert response.status_code == 422 and message in response.text
    assert rows(app) == []


def test_a_meeting_date_may_name_its_month_and_may_be_left_out(app, login, scg):
    client = as_user(app, login, scg, "member")
    post_position(client, scg, "housing", **{"meeting_date-day": "3", "meeting_date-month":
                                              "Nov", "meeting_date-year": "2026"})
    post_position(client, scg, "green_belt")
    first, second = rows(app)
    assert str(first.meeting_date) == "2026-11-03" and second.meeting_date is None


def test_a_position_stores_the_revision_and_sha256_of_the_text(app, login, scg):
    save_text(app, scg, "housing", "Housing need is 5,000 homes a year.\n")
    client = as_user(app, login, scg, "member")
    response = post_position(client, scg, "housing", stance="reservations",
                             reason="Distribution follows the Green Belt review.",
                             route="partnership_board", route_body="SPMG",
                             meeting_date="2026-11-03", minute_ref="SPMG 11/26 item 4")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#section-{scg['sections']['housing']}")
    [position] = rows(app)
    assert position.revision_number == 2
    assert position.text_sha256 == sha256_text("Housing need is 5,000 homes a year.\n")
    assert (position.stance, position.route, position.route_body, str(position.meeting_date),
            position.minute_ref) == ("reservations", "partnership_board", "SPMG",
                                     "2026-11-03", "SPMG 11/26 item 4")
    [event] = events(app, "position.recorded")
    assert event.details["revision"] == 2 and event.document_id == scg["id"]


def test_htmx_recording_swaps_the_positions_block(app, login, scg):
    client = as_user(app, login, scg, "member")
    response = post_position(client, scg, "housing", headers=HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<div") and \
        f'id="positions-{scg["sections"]["housing"]}"' in response.text
    assert "Watford Borough Council&#39;s position recorded: Agreed" in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_a_position_goes_stale_when_the_section_changes(app, login, scg):
    member = as_user(app, login, scg, "member")
    post_position(member, scg, "housing")
    page = member.get(scg["page"])
    assert "To re-confirm" not in page.text
    save_text(app, scg, "housing", "Housing need, revised.\n")
    page = member.get(scg["page"])
    assert ">To re-confirm</strong>" in page.text
    assert ("Agreed on an earlier text of this section: it counts as outstanding until "
            "re-confirmed.") in page.text
    assert (f'/s/{scg["sections"]["housing"]}/diff?from=1&amp;to=2') in page.text
    with app.app_context():
        grid = positions.agreement_grid(db.session.get(Document, scg["id"]))
        cell = grid.cells[(scg["sections"]["housing"], scg["orgs"]["watford"])]
        assert cell.state == "stale" and cell in grid.outstanding
    # Restoring the exact text the position was given on makes it count again.
    save_text(app, scg, "housing", "Housing need text.\n")
    assert ">To re-confirm</strong>" not in member.get(scg["page"]).text


def test_positions_are_never_overwritten(app, login, scg):
    client = as_user(app, login, scg, "member")
    post_position(client, scg, "green_belt", stance="not_agreed", reason="Numbers first.")
    post_position(client, scg, "green_belt", stance="agreed", route="cabinet",
                  route_body="Cabinet")
    first, second = rows(app)
    assert (first.stance, second.stance) == ("not_agreed", "agreed")
    history = client.get(scg["history"]("green_belt", scg["orgs"]["watford"]))
    assert history.status_code == 200
    text = history.text
    assert text.index("Agreed") < text.index("Numbers first.")      # newest first
    assert text.count('class="cg-history-item"') == 2
    assert "Superseded" in text and "Current" in text


def test_a_stale_form_answers_409_and_records_nothing(app, login, scg):
    client = as_user(app, login, scg, "member")
    save_text(app, scg, "housing", "Housing need, changed while the Member read.\n")
    response = post_position(client, scg, "housing", stance="reservations", reason="Kept.",
                             seen=1)
    assert response.status_code == 409
    assert "The section changed after you opened this form." in response.text
    assert "Housing need, changed while the Member read." in response.text   # the new text
    assert "Kept." in response.text and 'name="seen_version" value="2"' in response.text
    assert "diff?from=1&amp;to=2" in response.text
    assert rows(app) == []
    htmx = post_position(client, scg, "housing", seen=1, headers=HX)
    assert htmx.status_code == 409
    assert htmx.headers["HX-Retarget"] == f"#section-{scg['sections']['housing']}"
    assert "Housing need, changed while the Member read." in htmx.text
    assert rows(app) == []


def test_a_form_without_its_version_is_treated_as_stale(app, login, scg):
    client = as_user(app, login, scg, "member")
    response = client.post(scg["record"]("housing"), data={"stance": "agreed"})
    assert response.status_code == 409
    assert rows(app) == []


def test_positions_cannot_be_recorded_once_the_document_is_agreed(app, login, scg):
    with app.app_context():
        db.session.get(Document, scg["id"]).status = "agreed"
        db.session.commit()
    client = as_user(app, login, scg, "member")
    response = post_position(client, scg, "housing")
    assert response.status_code == 409
    assert "Positions can no longer be recorded: the document is agreed." in response.text
    assert rows(app) == []


def test_csrf_is_required(app, login, scg):
    client = as_user(app, login, scg, "member")
    response = client.post(scg["record"]("housing"), csrf=False,
                           data={"stance": "agreed", "seen_version": "1"})
    assert response.status_code == 400
    assert rows(app) == []
    admin = as_user(app, login, scg, "admin")
    assert admin.post(scg["signatories"], csrf=False, data={}).status_code == 400
    assert admin.post(scg["toggle"]("intro"), csrf=False,
                      data={"strategic_matter": "1"}).status_code == 400


# The document page --------------------------------------------------------------------------

def test_the_document_page_shows_positions_and_links_the_form_where_the_member_may_record(
        app, login, scg):
    post_position(as_user(app, login, scg, "dacorum_member"), scg, "housing",
                  stance="not_agreed", reason="Dacorum needs the numbers first.")
    page = as_user(app, login, scg, "member").get(scg["page"]).text
    housing, infra = scg["sections"]["housing"], scg["sections"]["infrastructure"]
    assert f'id="positions-{housing}"' in page
    assert "Dacorum needs the numbers first." in page
    assert page.count("Record Watford Borough Council's position") == 3
    assert form_url(scg, housing) in page
    assert f'id="positions-{scg["sections"]["intro"]}"' not in page    # not a matter
    county = as_user(app, login, scg, "herts_member").get(scg["page"]).text
    assert county.count("Hertfordshire County Council is not a signatory for this matter.") \
        == 2
    assert form_url(scg, infra) in county and form_url(scg, housing) not in county
    viewer = as_user(app, login, scg, "viewer").get(scg["page"]).text
    assert "Dacorum needs the numbers first." in viewer and "Record " not in viewer


def form_url(scg, section_id, seen=1):
    """The position form's address as the page links it (&amp; as HTML writes it)."""
    return f'/p/own/d/{scg["id"]}/s/{section_id}/positions/new?seen={seen}'


def test_the_page_fetches_the_position_form_when_it_is_opened(app, login, scg):
    """The page carries a link per matter, not a form: opening it fetches the form (htmx),
    or follows the link as a page without JavaScript. Either posts to the same place."""
    member = as_user(app, login, scg, "member")
    housing = scg["sections"]["housing"]
    page = member.get(scg["page"]).text
    assert 'name="stance"' not in page and 'name="seen_version"' not in page
    fetched = member.get(form_url(scg, housing), headers=HX)
    assert fetched.status_code == 200 and "<html" not in fetched.text
    assert f'action="{scg["record"]("housing")}"' in fetched.text
    assert 'name="seen_version" value="1"' in fetched.text
    assert f'id="p{housing}-stance"' in fetched.text
    as_page = member.get(form_url(scg, housing))
    assert as_page.status_code == 200
    assert "<title>Record a position on Housing" in as_page.text
    # Its headings go one level at a time: h1, the authority's position (h2), the block (h3).
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", as_page.text.split("</h1>")[1])]
    assert levels[:2] == [2, 3], levels
    assert f'action="{scg["record"]("housing")}"' in as_page.text


def test_the_fetched_form_binds_the_text_the_reader_had_on_screen(app, login, scg):
    """The section changes between the page and opening the form: the form still names the
    version read, so recording is refused as changed instead of binding unread text."""
    member = as_user(app, login, scg, "member")
    page = member.get(scg["page"]).text
    assert form_url(scg, scg["sections"]["housing"]) in page
    save_text(app, scg, "housing", "Housing, rewritten after the page was read.\n")
    fetched = member.get(form_url(scg, scg["sections"]["housing"]), headers=HX)
    assert 'name="seen_version" value="1"' in fetched.text
    response = post_position(member, scg, "housing", seen=1, headers=HX)
    assert response.status_code == 409
    assert rows(app, section_id=scg["sections"]["housing"]) == []
    # A version the section never had, or none, is not believed: the form names no version,
    # so recording asks for the text to be read again.
    for seen in ("99", "0", "-1", "x", ""):
        fetched = member.get(f"{scg['base']}/s/{scg['sections']['housing']}/positions/new",
                             query_string={"seen": seen}, headers=HX)
        assert 'name="seen_version" value="0"' in fetched.text, seen
    # Without JavaScript the form is a page showing the current text: it records that one.
    as_page = member.get(form_url(scg, scg["sections"]["housing"], seen=1))
    assert "Housing, rewritten after the page was read." in as_page.text
    assert 'name="seen_version" value="2"' in as_page.text
    for answer in (as_page, fetched):
        assert "HX-Request" in answer.headers["Vary"]


def test_the_form_is_not_offered_where_no_position_can_be_recorded(app, login, scg):
    member = as_user(app, login, scg, "member")
    intro = scg["sections"]["intro"]
    assert member.get(form_url(scg, intro), headers=HX).status_code == 422   # not a matter
    with app.app_context():
        db.session.get(Document, scg["id"]).status = "agreed"
        db.session.commit()
    response = member.get(form_url(scg, scg["sections"]["housing"]), headers=HX)
    assert response.status_code == 409 and 'name="stance"' not in response.text


def test_a_failed_plain_post_is_the_form_page_with_error_in_its_title(app, login, scg):
    response = post_position(as_user(app, login, scg, "member"), scg, "green_belt",
                             stance="not_agreed", reason="")
    assert response.status_code == 422
    assert "<title>Error: Record a position on Green Belt" in response.text


def test_a_matter_switch_under_older_text_redraws_the_whole_section(app, login, scg):
    """A Member who is also the partnership's admin changes the section's matter while its
    text has changed since the page was drawn: the answer is the whole section with the
    current text (and says so), so the form offered binds to the text on screen; with the
    text still current, the positions block alone."""
    with app.app_context():
        db.session.add(PartnershipAdmin(partnership_id=scg_partnership(app, scg),
                                        user_id=scg["users"]["member"]))
        db.session.commit()
    housing = scg["sections"]["housing"]
    member = as_user(app, login, scg, "member")
    assert form_url(scg, housing, seen=1) in member.get(scg["page"]).text
    save_text(app, scg, "housing", "Housing, changed while the Member reads.\n")
    with app.app_context():
        latest = db.session.get(Section, housing).version
    assert latest > 1
    for shown in ({"shown_version": "1"}, {}):            # older, or not known
        answer = member.post(scg["toggle"]("housing"), headers=HX,
                             data={"strategic_matter": "1", "matter": "", **shown})
        assert answer.status_code == 200
        assert answer.headers["HX-Retarget"] == f"#section-{housing}"
        assert answer.headers["HX-Reswap"] == "outerHTML"
        assert "Housing, changed while the Member reads." in answer.text
        assert "has changed since you opened the page" in answer.text
        assert form_url(scg, housing, seen=latest) in answer.text
        assert form_url(scg, housing, seen=1) not in answer.text
    current = member.post(scg["toggle"]("housing"), headers=HX,
                          data={"strategic_matter": "1", "matter": "",
                                "shown_version": str(latest)})
    assert current.status_code == 200 and "HX-Retarget" not in current.headers
    assert current.text.lstrip().startswith('<div class="cg-positions')
    assert form_url(scg, housing, seen=latest) in current.text
    assert "has changed since you opened the page" not in current.text


def scg_partnership(app, scg):
    with app.app_context():
        return db.session.get(Document, scg["id"]).partnership_id


@pytest.mark.parametrize("who, status", [("viewer", 403), ("officer", 403),
                                         ("herts_member", 403)])
def test_only_a_member_who_may_record_gets_the_form(app, login, scg, who, status):
    client = as_user(app, login, scg, who)
    response = client.get(form_url(scg, scg["sections"]["housing"]), headers=HX)
    assert response.status_code == status
    assert 'name="stance"' not in response.text


def test_the_document_page_costs_the_same_queries_for_10_and_200_matters(app, login, world):
    """position_context loads everything at once: no query per strategic matter."""
    own = world["partnerships"]["own"]
    ids = {"small": make_document(app, own, 10, "Small"),
           "large": make_document(app, own, 200, "Large")}
    with app.test_request_context():
        member = db.session.get(User, world["users"]["member"])
        for document_id in ids.values():
            document = db.session.get(Document, document_id)
            for org in world["orgs"]["watford"], world["orgs"]["dacorum"]:
                db.session.add(Signatory(document_id=document_id, organisation_id=org))
            db.session.flush()
            for section in service.live_sections(document)[::3]:
                positions.record_position(section, member, "agreed")
        db.session.commit()
    for role in ("member", "officer"):
        client = login(app.test_client(), world["users"][role])
        page_queries(app, client, ids["small"])                        # warm-up
        small_page, small = page_queries(app, client, ids["small"])
        large_page, large = page_queries(app, client, ids["large"])
        assert small_page.text.count('class="cg-positions cg-positions--matter"') == 10
        assert large_page.text.count('class="cg-positions cg-positions--matter"') == 200
        assert small == large, f"{role}: 10 matters {small} queries, 200 matters {large}"


# Strategic matters --------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_mark_strategic_matters(app, login, scg, role):
    """In draft; under agreement only admins may (tests/documents/test_protect_structure)."""
    if role == "officer":
        with app.app_context():
            db.session.get(Document, scg["id"]).status = "draft"
            db.session.commit()
    client = as_user(app, login, scg, role)
    response = client.post(scg["toggle"]("intro"), data={"strategic_matter": "1"}, headers=HX)
    assert response.status_code == 200
    assert "is now a strategic matter" in response.text
    assert "Positions on this strategic matter" in response.text
    with app.app_context():
        assert db.session.get(Section, scg["sections"]["intro"]).strategic_matter
    [event] = events(app, "section.strategic_matter_changed")
    assert event.details == {"strategic_matter": True, "title": "Introduction"}
    plain = client.post(scg["toggle"]("intro"), data={"strategic_matter": "0"})
    assert plain.status_code == 303
    with app.app_context():
        assert not db.session.get(Section, scg["sections"]["intro"]).strategic_matter


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_others_cannot_mark_strategic_matters(app, login, scg, role):
    client = as_user(app, login, scg, role)
    response = client.post(scg["toggle"]("intro"), data={"strategic_matter": "1"})
    assert response.status_code == 403
    with app.app_context():
        assert not db.session.get(Section, scg["sections"]["intro"]).strategic_matter


# Signatory scope ----------------------------------------------------------------------------

def scope_form(scg, **choices):
    data = {}
    for org, (scope, matters) in choices.items():
        data[f"scope-{scg['orgs'][org]}"] = scope
        data[f"matters-{scg['orgs'][org]}"] = [str(scg["sections"][m]) for m in matters]
    return data


def signatory_rows(app, scg):
    with app.app_context():
        return {s.organisation.code: (s.all_matters, sorted(m.section_id for m in s.matters))
                for s in db.session.scalars(select(Signatory).where(
                    Signatory.document_id == scg["id"]))}


def test_the_admin_sets_who_signs_and_for_what(app, login, scg):
    admin = as_user(app, login, scg, "admin")
    page = admin.get(scg["signatories"])
    assert page.status_code == 200
    assert f'name="scope-{scg["orgs"]["herts"]}" type="radio" value="listed" checked' in \
        page.text
    response = admin.post(scg["signatories"], data=scope_form(
        scg, watford=("all", []), dacorum=("listed", ["housing", "green_belt"]),
        herts=("none", [])))
    assert response.status_code == 303 and response.headers["Location"].endswith("/agreement")
    h, g = scg["sections"]["housing"], scg["sections"]["green_belt"]
    assert signatory_rows(app, scg) == {"watford": (True, []),
                                        "dacorum": (False, sorted([h, g]))}
    assert [e.details["organisation"] for e in events(app, "signatory.changed")] == \
        ["Dacorum Borough Council"]
    assert [e.details["organisation"] for e in events(app, "signatory.removed")] == \
        ["Hertfordshire County Council"]
    admin.post(scg["signatories"], data=scope_form(
        scg, watford=("all", []), dacorum=("listed", ["housing", "green_belt"]),
        herts=("listed", ["infrastructure"])))
    assert signatory_rows(app, scg)["herts"] == (False, [scg["sections"]["infrastructure"]])
    assert len(events(app, "signatory.added")) == 1


def test_listed_scope_needs_at_least_one_matter(app, login, scg):
    admin = as_user(app, login, scg, "admin")
    before = signatory_rows(app, scg)
    response = admin.post(scg["signatories"], data=scope_form(
        scg, watford=("none", []), dacorum=("all", []), herts=("listed", [])))
    assert response.status_code == 422
    assert "Choose at least one strategic matter Hertfordshire County Council signs for" in \
        response.text
    assert signatory_rows(app, scg) == before                          # nothing half-way
    watford = scg["orgs"]["watford"]
    assert f'name="scope-{watford}" type="radio" value="none" checked' in response.text


@pytest.mark.parametrize("role", ["viewer", "officer", "member"])
def test_only_the_admin_manages_signatories(app, login, scg, role):
    client = as_user(app, login, scg, role)
    assert client.get(scg["signatories"]).status_code == 403
    assert client.post(scg["signatories"], data=scope_form(
        scg, watford=("none", []), dacorum=("none", []), herts=("none", []))).status_code == 403
    assert len(signatory_rows(app, scg)) == 3


# The agreement page and the record of agreement ---------------------------------------------

def give_mixed_positions(app, login, scg):
    """Watford: agreed on housing, not agreed on Green Belt. Dacorum: reservations on housing.
    Herts: agreed on infrastructure, then the infrastructure text changes (stale)."""
    watford = as_user(app, login, scg, "member")
    dacorum = as_user(app, login, scg, "dacorum_member")
    herts = as_user(app, login, scg, "herts_member")
    post_position(watford, scg, "housing", route="cabinet", route_body="Cabinet",
                  meeting_date="2026-10-13", minute_ref="CA/112/26")
    post_position(watford, scg, "green_belt", stance="not_agreed",
                  reason="The review must not set the numbers.", route="partnership_board",
                  route_body="SPMG", meeting_date="2026-11-03", minute_ref="SPMG 11/26")
    post_position(dacorum, scg, "housing", stance="reservations",
                  reason="Unmet need follows the Green Belt review.")
    post_position(herts, scg, "infrastructure")
    save_text(app, scg, "infrastructure", "Infrastructure, with water added.\n")


def test_the_grid_counts_each_state_and_filters_what_is_outstanding(app, login, scg):
    give_mixed_positions(app, login, scg)
    viewer = as_user(app, login, scg, "viewer")
    page = viewer.get(scg["agreement"])
    assert page.status_code == 200
    text = page.text
    for state, count in {"agreed": 1, "reservations": 1, "not_agreed": 1, "stale": 1,
                         "missing": 3, "outstanding": 4}.items():
        assert f'id="total-{state}">{count}</dd>' in text, state
    assert "<caption" in text and '<th scope="col"' in text and '<th scope="row"' in text
    assert text.count("Not a signatory for this matter") == 2
    assert text.count('class="govuk-link cg-grid__link"') == 7          # every cell links
    assert (f'/s/{scg["sections"]["green_belt"]}/positions/{scg["orgs"]["dacorum"]}') in text
    with app.app_context():
        grid = positions.agreement_grid(db.session.get(Document, scg["id"]))
        assert len(grid.outstanding) == 4 and len(grid.not_agreed) == 1
        assert not grid.fully_agreed
    filtered = viewer.get(scg["agreement"] + "?show=outstanding").text
    housing_row = f'#section-{scg["sections"]["housing"]}"'
    assert housing_row not in filtered                   # housing: both signatories current
    assert f'#section-{scg["sections"]["green_belt"]}"' in filtered
    assert f'#section-{scg["sections"]["infrastructure"]}"' in filtered
    assert housing_row in text


def test_the_record_of_agreement_says_where_agreement_is_reached_and_why_not(app, login, scg):
    give_mixed_positions(app, login, scg)
    with app.app_context():
        record = positions.record_of_agreement(db.session.get(Document, scg["id"]))
    by_title = {m["title"]: m for m in record}
    assert [m["title"] for m in record] == ["Housing need", "Green Belt",
                                            "Strategic infrastructure"]
    assert by_title["Housing need"]["status"] == "agreed"
    assert by_title["Green Belt"]["status"] == "not_agreed"
    assert by_title["Strategic infrastructure"]["status"] == "outstanding"
    not_agreed = {e["organisation"]: e for e in by_title["Green Belt"]["positions"]}
    watford = not_agreed["Watford Borough Council"]
    assert (watford["stance"], watford["reason"], watford["route"], watford["route_body"],
            watford["meeting_date"], watford["minute_ref"]) == (
        "Not agreed", "The review must not set the numbers.", "Partnership board", "SPMG",
        "2026-11-03", "SPMG 11/26")
    assert not_agreed["Dacorum Borough Council"]["stance"] == "No position yet"
    county = by_title["Strategic infrastructure"]["positions"]
    assert [e["organisation"] for e in county] == ["Dacorum Borough Council",
                                                   "Hertfordshire County Council",
                                                   "Watford Borough Council"]
    assert county[1]["stance"] == "To re-confirm"
    assert county[1]["earlier_stance"] == "Agreed"
    page = as_user(app, login, scg, "viewer").get(scg["agreement"]).text
    record_html = page[page.index('id="record-heading"'):]
    assert record_html.index("Where agreement has been reached") < \
        record_html.index("Housing need") < \
        record_html.index("Where agreement has not been reached") < \
        record_html.index("The review must not set the numbers.")
    assert "Decided by Partnership board (SPMG) on 3 November 2026, minute SPMG 11/26." in \
        record_html
    assert "Unmet need follows the Green Belt review." in record_html


def test_the_agreement_page_links_to_the_scope_page_for_the_admin_only(app, login, scg):
    assert scg["signatories"] in as_user(app, login, scg, "admin").get(scg["agreement"]).text
    assert scg["signatories"] not in \
        as_user(app, login, scg, "officer").get(scg["agreement"]).text


def test_the_document_page_links_to_the_agreement_page(app, login, scg):
    assert f'href="{scg["agreement"]}"' in as_user(app, login, scg, "viewer").get(
        scg["page"]).text


# Outsiders ----------------------------------------------------------------------------------

def test_outsiders_get_404_everywhere(app, login, scg, world):
    client = login(app.test_client(), world["users"]["foreign_admin"])
    assert client.get(scg["agreement"]).status_code == 404
    assert client.get(scg["signatories"]).status_code == 404
    assert client.post(scg["signatories"], data={}).status_code == 404
    assert client.get(scg["history"]("housing", scg["orgs"]["watford"])).status_code == 404
    assert post_position(client, scg, "housing").status_code == 404
    assert client.post(scg["toggle"]("intro"), data={"strategic_matter": "1"}).status_code \
        == 404
    assert rows(app) == []


def test_history_of_an_organisation_outside_the_partnership_is_404(app, login, scg):
    client = as_user(app, login, scg, "viewer")
    assert client.get(scg["history"]("housing", scg["orgs"]["luton"])).status_code == 404
    assert client.get(scg["history"]("housing", 99999)).status_code == 404
    assert client.get(scg["history"]("housing", scg["orgs"]["dacorum"])).status_code == 200


def test_the_history_page_of_a_missing_position_says_so(app, login, scg):
    page = as_user(app, login, scg, "viewer").get(
        scg["history"]("housing", scg["orgs"]["dacorum"]))
    assert "has not recorded a position on this matter" in page.text


def test_recorded_positions_count_in_one_query(app, scg):
    """current_positions is one query for any number of sections."""
    with app.app_context():
        document = db.session.get(Document, scg["id"])
        with counting_queries(app) as statements:
            positions.current_positions(document, list(scg["sections"].values()))
        assert len(statements) == 1
        assert db.session.scalar(select(func.count(Position.id))) == 0


def test_scope_and_strategic_matters_are_fixed_once_the_document_is_agreed(app, login, scg):
    with app.app_context():
        db.session.get(Document, scg["id"]).status = "agreed"
        db.session.commit()
    admin = as_user(app, login, scg, "admin")
    page = admin.get(scg["signatories"])
    assert page.status_code == 200 and "Save signatories" not in page.text
    response = admin.post(scg["signatories"], data=scope_form(
        scg, watford=("none", []), dacorum=("all", []), herts=("all", [])))
    assert response.status_code == 409
    assert signatory_rows(app, scg)["herts"][0] is False
    toggle = admin.post(scg["toggle"]("intro"), data={"strategic_matter": "1"})
    assert toggle.status_code == 409
    assert events(app, "section.strategic_matter_changed") == []


def test_the_form_to_change_a_position_starts_from_the_current_one(app, login, scg):
    """Changing or re-confirming: the form says the authority's current position and has it
    chosen, with its reason; how it was decided is left blank (a new decision). With no
    position yet, nothing is chosen."""
    member = as_user(app, login, scg, "member")
    housing = scg["sections"]["housing"]
    first = member.get(form_url(scg, housing), headers=HX).text
    assert "current position" not in first and " checked" not in first
    assert post_position(member, scg, "housing", stance="reservations",
                         reason="Subject to the <b>transport</b> study.",
                         route="committee", route_body="Cabinet",
                         meeting_date="2026-11-03").status_code == 303
    form = member.get(form_url(scg, housing, seen=version(app, housing)), headers=HX).text
    assert re.search(r"current position: <strong>Agreed with reservations</strong>, recorded "
                     r"[^<]*\(Committee, Cabinet, 3 November 2026\), with the reason "
                     r"“Subject to the &lt;b&gt;transport&lt;/b&gt; study\.”\. It is chosen "
                     r"below", form), form
    assert re.search(r'value="reservations" checked', form)
    # The reason is quoted, not filled in: changed to Agreed, an objection would go with it.
    assert "study.</textarea>" not in form
    assert 'value="Cabinet"' not in form                      # a change is a new decision
    assert "on an earlier text" not in form
    save_text(app, scg, "housing", "Housing, changed since the position.\n")
    stale = member.get(form_url(scg, housing, seen=version(app, housing)), headers=HX).text
    assert "on an earlier text of this section" in stale
    assert "or record it again to re-confirm it on this text" in stale
    page = member.get(form_url(scg, housing)).text                  # without JavaScript
    assert "current position: <strong>Agreed with reservations</strong>" in page

"""Document templates, the "New document" page and the completeness check for SCGs."""
import pytest
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.audit import AuditEvent
from workspace.documents import completeness, editing, service, starters, structure
from workspace.documents.models import Document, Section, SectionRevision
from workspace.extensions import db
from workspace.partnerships.models import Partnership

from ..support import download


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


def _new(app, key, title="Our statement"):
    with app.test_request_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "own"))
        user = db.session.scalar(select(User).where(User.email == "officer@watford.example"))
        document = starters.create_from_template(partnership, key, title, user)
        db.session.commit()
        return document.id


def _check(app, document_id):
    with app.test_request_context():
        return completeness.check(db.session.get(Document, document_id))


def _write(app, document_id, title, body):
    with app.test_request_context():
        section = db.session.scalar(select(Section).where(Section.document_id == document_id,
                                                          Section.title == title))
        user = db.session.scalar(select(User).where(User.email == "officer@watford.example"))
        editing.save_section(section, body, section.version, user)
        db.session.commit()


def test_every_template_section_carries_guidance_and_a_question(app):
    for template in starters.TEMPLATES.values():
        for part in template.sections:
            assert part.guidance, (template.key, part.title)
            if template.key != "scg_annex4" or part.title != "Annexes":
                assert part.feedback_sought.endswith("?"), (template.key, part.title)


def test_guidance_template_follows_the_planning_practice_guidance_list():
    titles = [p.title for p in starters.SCG_GUIDANCE.sections]
    assert titles == ["Strategic geography", "Strategic matters", "Authorities and signatories",
                      "Governance and keeping the statement up to date",
                      "Housing requirements", "Distribution of needs, including unmet need",
                      "Record of agreement", "Matters still to be addressed"]


def test_annex_4_template_has_the_five_parts_and_annexes():
    titles = [p.title for p in starters.SCG_ANNEX_4.sections]
    assert titles[:5] == ["Part 1: Strategic context", "Part 2: Policy scope and evidence base",
                          "Part 3: Decision-making and project management",
                          "Part 4: Risk assessment and management",
                          "Part 5: Monitoring and review"]
    assert "Duty to Cooperate activity table" in titles


@pytest.mark.parametrize("key,kind,count", [("scg_annex4", "scg", 8), ("scg_guidance", "scg", 8),
                                            ("engagement_plan", "engagement_plan", 5),
                                            ("mou", "mou", 7), ("blank", "other", 0)])
def test_document_from_template_has_its_sections_as_revision_1(app, world, key, kind, count):
    document_id = _new(app, key)
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert document.kind == kind and document.status == "draft"
        sections = db.session.scalars(select(Section).where(Section.document_id == document_id)
                                      .order_by(Section.position)).all()
        assert len(sections) == count
        for section, part in zip(sections, starters.TEMPLATES[key].sections):
            assert (section.title, section.depth, section.guidance, section.feedback_sought,
                    section.body) == (part.title, part.depth, part.guidance,
                                      part.feedback_sought, "")
            revision = db.session.scalar(select(SectionRevision)
                                         .where(SectionRevision.section_id == section.id))
            assert revision.number == 1 and revision.kind == "create"
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "document.from_template")) is not None


def test_guidance_template_marks_housing_and_distribution_as_strategic_matters(app, world):
    document_id = _new(app, "scg_guidance")
    with app.app_context():
        matters = db.session.scalars(select(Section.title).where(
            Section.document_id == document_id, Section.strategic_matter.is_(True))).all()
    assert sorted(matters) == ["Distribution of needs, including unmet need",
                               "Housing requirements"]


def test_new_document_page_creates_a_document_and_opens_it(app, officer):
    page = officer.get("/p/own/documents/new")
    assert page.status_code == 200
    assert 'for="title"' in page.text and "Statement of Common Ground (planning practice " \
        "guidance)" in page.text
    response = officer.post("/p/own/documents/new",
                            data={"title": "SCG 2026", "template": "scg_guidance"})
    assert response.status_code == 303
    shown = officer.get(response.headers["Location"])
    assert "SCG 2026" in shown.text and "Strategic geography" in shown.text
    assert "Not yet complete" in shown.text


def test_partnership_page_offers_new_document_to_officers_only(client, login, world):
    assert "New document" in login(client, world["users"]["officer"]).get("/p/own/").text
    viewer = login(client, world["users"]["viewer"])
    assert "New document" not in viewer.get("/p/own/").text


@pytest.mark.parametrize("role,status", [("viewer", 403), ("member", 403),
                                         ("admin", 200), ("foreign_admin", 404)])
def test_only_officers_and_admins_may_create_documents(client, login, world, role, status):
    assert login(client, world["users"][role]).get("/p/own/documents/new").status_code == status


def test_member_cannot_post_a_new_document(app, client, login, world):
    response = login(client, world["users"]["member"]).post(
        "/p/own/documents/new", data={"title": "X", "template": "blank"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Document)) is None


@pytest.mark.parametrize("data,message", [
    ({"title": "", "template": "blank"}, "Enter a title"),
    ({"title": "x" * 201, "template": "blank"}, "200 characters or fewer"),
    ({"title": "T", "template": "nonsense"}, "Choose a template"),
    ({"title": "T"}, "Choose a template"),
])
def test_bad_new_document_form_answers_422_with_the_message(app, officer, data, message):
    response = officer.post("/p/own/documents/new", data=data)
    assert response.status_code == 422
    assert message in response.text and "govuk-error-summary" in response.text
    with app.app_context():
        assert db.session.scalar(select(Document)) is None


def test_new_document_needs_a_csrf_token(officer):
    response = officer.post("/p/own/documents/new", data={"title": "T", "template": "blank"},
                            csrf=False)
    assert response.status_code == 400


# Completeness -------------------------------------------------------------------------------

def test_a_new_statement_lists_every_part_as_holding_only_guidance(app, world):
    result = _check(app, _new(app, "scg_guidance"))
    assert result.template_name == starters.SCG_GUIDANCE.name
    assert [g.kind for g in result.gaps] == ["guidance_only"] * 8
    assert not result.complete


def test_a_written_part_is_no_longer_a_gap(app, world):
    document_id = _new(app, "scg_guidance")
    _write(app, document_id, "Strategic geography", "The five districts of South West Herts.")
    titles = [g.title for g in _check(app, document_id).gaps]
    assert "Strategic geography" not in titles and len(titles) == 7


def test_a_part_holding_its_guidance_text_is_a_gap(app, world):
    document_id = _new(app, "scg_guidance")
    guidance = starters.SCG_GUIDANCE.sections[0].guidance
    _write(app, document_id, "Strategic geography", "**" + guidance.upper() + "**\n")
    assert "Strategic geography" in [g.title for g in _check(app, document_id).gaps]


def test_a_removed_part_is_reported_missing_with_a_link_to_where_it_belongs(app, world):
    document_id = _new(app, "scg_guidance")
    with app.test_request_context():
        sections = service.live_sections(db.session.get(Document, document_id))
        user = db.session.scalar(select(User).where(User.email == "officer@watford.example"))
        structure.remove_section(sections[2], user)
        db.session.commit()
        before_id = sections[1].id
    gap = next(g for g in _check(app, document_id).gaps if g.kind == "missing")
    assert gap.title == "Authorities and signatories" and gap.section_id == before_id
    assert "add it after 2 Strategic matters" in gap.message


def test_a_statement_without_strategic_matters_is_a_gap(app, world):
    document_id = _new(app, "scg_annex4")
    kinds = [g.kind for g in _check(app, document_id).gaps]
    assert "no_matters" in kinds


def test_titles_match_parts_whatever_their_numbering(app, world):
    document_id = _new(app, "scg_annex4")
    with app.test_request_context():
        section = db.session.scalar(select(Section).where(
            Section.document_id == document_id, Section.title == "Part 1: Strategic context"))
        section.title = "1. Strategic Context"
        db.session.commit()
    result = _check(app, document_id)
    assert result.template_name == starters.SCG_ANNEX_4.name
    assert not any(g.kind == "missing" for g in result.gaps)


def test_completeness_applies_only_to_statements_of_common_ground(app, world):
    assert _check(app, _new(app, "engagement_plan")) is None


def test_demo_statement_is_measured_against_annex_4(app, demo):
    with app.test_request_context():
        result = completeness.check(db.session.get(Document, 1))
    assert result.template_name == starters.SCG_ANNEX_4.name
    gaps = {g.title: g for g in result.gaps}
    assert "Part 1: Strategic context" in gaps          # still the Annex 4 prompts
    assert "Housing need and distribution" not in gaps  # written


def test_document_and_lifecycle_pages_link_to_each_gap(app, client, login, world):
    document_id = _new(app, "scg_guidance")
    with app.app_context():
        first = db.session.scalar(select(Section.id).where(Section.document_id == document_id)
                                  .order_by(Section.position))
    officer = login(client, world["users"]["officer"])
    for path in (f"/p/own/d/{document_id}/", f"/p/own/d/{document_id}/lifecycle"):
        page = officer.get(path)
        assert page.status_code == 200
        assert f'href="/p/own/d/{document_id}/#section-{first}"' in page.text
        assert "still holds only guidance text" in page.text


def test_the_document_page_shows_gaps_only_to_those_who_can_fill_them(app, client, login,
                                                                        world):
    document_id = _new(app, "scg_guidance")
    page = login(client, world["users"]["viewer"]).get(f"/p/own/d/{document_id}/")
    assert page.status_code == 200 and "Not yet complete" not in page.text


def test_a_part_missing_at_the_start_links_to_where_it_can_be_added(app, world):
    document_id = _new(app, "scg_guidance")
    with app.test_request_context():
        sections = service.live_sections(db.session.get(Document, document_id))
        user = db.session.scalar(select(User).where(User.email == "officer@watford.example"))
        structure.remove_section(sections[0], user)
        db.session.commit()
        first = sections[1].id
    gap = next(g for g in _check(app, document_id).gaps if g.kind == "missing")
    assert gap.title == "Strategic geography" and gap.section_id == first
    assert "add it at the start (add it after 1 Strategic matters, then move it up)" in \
        gap.message


def test_no_strategic_matter_links_to_the_section_to_mark(app, world):
    document_id = _new(app, "scg_guidance")
    with app.test_request_context():
        for section in db.session.scalars(select(Section).where(
                Section.document_id == document_id)):
            section.strategic_matter = False
        db.session.commit()
        housing = db.session.scalar(select(Section.id).where(
            Section.document_id == document_id, Section.title == "Housing requirements"))
    gap = next(g for g in _check(app, document_id).gaps if g.kind == "no_matters")
    assert gap.section_id == housing and "Mark as a strategic matter" in gap.message


def test_every_gap_on_the_admins_lifecycle_step_is_a_link(app, client, login, world):
    document_id = _new(app, "scg_annex4")             # no strategic matters: every kind
    with app.test_request_context():
        sections = service.live_sections(db.session.get(Document, document_id))
        user = db.session.scalar(select(User).where(User.email == "officer@watford.example"))
        structure.remove_section(sections[0], user)       # missing at the start
        structure.remove_section(sections[2], user)       # missing after a section
        db.session.commit()
    page = login(client, world["users"]["admin"]).get(f"/p/own/d/{document_id}/lifecycle")
    assert page.status_code == 200
    box = page.text.split('id="completeness"')[1].split("</ul>")[0]
    items = box.split("<li>")[1:]
    assert len(items) == len(_check(app, document_id).gaps) >= 8
    assert all(item.startswith('<a class="govuk-link" href="/p/own/d/') for item in items)
    assert "is missing: add it at the start" in box and "/structure" in box
    assert "No section is marked as a strategic matter" in box


# Guidance: shown to editors, never printed ---------------------------------------------------

GUIDANCE = starters.SCG_GUIDANCE.sections[0].guidance


def test_guidance_is_shown_in_the_editor(app, officer, world):
    document_id = _new(app, "scg_guidance")
    with app.app_context():
        section_id = db.session.scalar(select(Section.id).where(
            Section.document_id == document_id, Section.title == "Strategic geography"))
    editor = officer.get(f"/p/own/d/{document_id}/s/{section_id}/edit")
    assert editor.status_code == 200
    assert "Guidance for this section" in editor.text and GUIDANCE in editor.text


def test_guidance_is_never_printed_in_the_pdf_or_word(app, officer, world, monkeypatch,
                                                      run_jobs):
    from docx import Document as WordDocument

    from workspace.export import service as export_service
    document_id = _new(app, "scg_guidance")
    _write(app, document_id, "Strategic geography", "The five districts.")
    printed = []
    monkeypatch.setattr(export_service, "render_pdf", lambda html, variant="ua": (
        printed.append(html) or (b"%PDF-1.7\n%stub\n", 1)))
    assert download(officer, f"/p/own/d/{document_id}/pdf", run_jobs).status_code == 200
    assert "The five districts." in printed[0] and "Strategic geography" in printed[0]
    for part in starters.SCG_GUIDANCE.sections:
        assert part.guidance[:60] not in printed[0], part.title
    import io
    word = WordDocument(io.BytesIO(officer.get(f"/p/own/d/{document_id}/docx").data))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "The five districts." in text
    for part in starters.SCG_GUIDANCE.sections:
        assert part.guidance[:60] not in text, part.title

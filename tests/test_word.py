"""Word export: any version (or the draft) as .docx with numbered headings, tables, lists,
the record of agreement and the signature blocks."""
import io

import pytest
from docx import Document as WordDocument
from sqlalchemy import select

from workspace.documents.models import Document
from workspace.export import docx as word_export
from workspace.extensions import db
from workspace.partnerships.models import User
from workspace.review import lifecycle, positions

SCG = "/p/sw-herts/d/1"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def viewer(client, login, app, demo):
    with app.app_context():
        org = db.session.scalar(select(User.organisation_id)
                                .where(User.email == "officer@watford.example"))
        user = User(email="viewer@watford.example", name="Watford Viewer",
                    organisation_id=org, role="viewer")
        user.set_password("correct-horse-1")
        db.session.add(user)
        db.session.commit()
        uid = user.id
    return login(client, uid)


def _open(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == DOCX
    return WordDocument(io.BytesIO(response.data))


def _headings(word):
    return [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]


def _agree_and_sign_one(app):
    """Every outstanding position given, agreed with exceptions; Watford's Member signs."""
    with app.test_request_context():
        document = db.session.get(Document, 1)
        members = db.session.scalars(select(User).where(User.role == "member")).all()
        for cell in positions.agreement_grid(document).outstanding:
            member = next(u for u in members
                          if u.organisation_id == cell.signatory.organisation_id)
            positions.record_position(cell.section, member, "agreed")
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        lifecycle.agree(document, admin, with_exceptions=True)
        watford = next(u for u in members if u.email == "member@watford.example")
        lifecycle.sign(document, watford, "common-ground", "Watford Member", "Portfolio Holder")
        db.session.commit()


def test_draft_downloads_as_word_with_a_meaningful_name(viewer):
    response = viewer.get(f"{SCG}/docx")
    word = _open(response)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="SW-Herts-Statement-of-Common-Ground-v1-')
    assert disposition.endswith('.docx"')
    assert word.paragraphs[0].text == "Statement of Common Ground"
    assert "DRAFT" in word.paragraphs[1].text


def test_headings_carry_the_section_numbers_and_nesting(viewer):
    headings = _headings(_open(viewer.get(f"{SCG}/docx")))
    assert "1 Part 1: Strategic context" in headings
    assert "2.1 Housing need and distribution" in headings
    word = _open(viewer.get(f"{SCG}/docx"))
    styles = {p.text: p.style.name for p in word.paragraphs}
    assert styles["2 Part 2: Policy scope and evidence base"] == "Heading 1"
    assert styles["2.1 Housing need and distribution"] == "Heading 2"


def test_markdown_tables_become_word_tables_with_a_bold_header(viewer):
    word = _open(viewer.get(f"{SCG}/docx"))
    table = next(t for t in word.tables if t.cell(0, 0).text == "Priority")
    assert [c.text for c in table.rows[0].cells] == ["Priority", "Lead", "Funding route"]
    assert table.cell(1, 0).text == "Strategic transport corridors"
    assert all(r.bold for r in table.cell(0, 0).paragraphs[0].runs)


def test_markdown_lists_bold_italic_and_web_links_survive(app):
    with app.app_context():
        word = WordDocument()
        word_export.write_markdown(word, "Intro *target* and **must**.\n\n- one\n- two\n"
                                   "  1. nested\n\n1. first\n\n[site](https://example.org) "
                                   "[bad](ftp://example.org/x)\n")
    paragraphs = word.paragraphs
    runs = {r.text: r for r in paragraphs[0].runs}
    assert runs["target"].italic and runs["must"].bold
    assert [(p.text, p.style.name) for p in paragraphs[1:5]] == [
        ("one", "List Bullet"), ("two", "List Bullet"), ("nested", "List Number 2"),
        ("first", "List Number")]
    xml = paragraphs[5]._p.xml
    assert "w:hyperlink" in xml and "site" in xml
    assert "ftp:" not in xml and "bad" in paragraphs[5].text
    rels = [r.target_ref for r in word.part.rels.values() if r.is_external]
    assert rels == ["https://example.org"]


def test_guidance_is_never_printed(viewer):
    word = _open(viewer.get(f"{SCG}/docx"))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Positions are recorded against this text" not in text


def test_a_version_has_the_record_of_agreement_and_signature_blocks(app, viewer):
    _agree_and_sign_one(app)
    response = viewer.get(f"{SCG}/versions/1/docx")
    word = _open(response)
    assert "-v1-" in response.headers["Content-Disposition"]
    headings = _headings(word)
    assert "Record of agreement" in headings and "Signatures" in headings
    assert any(h.startswith("2.1 Housing need and distribution: ") for h in headings)
    assert "DRAFT" not in word.paragraphs[1].text
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert "Agreed" in cells and "Watford Borough Council" in cells
    assert "Watford Member" in cells and "Signed in Common Ground" in cells
    assert "Dacorum Borough Council" in cells        # a blank block awaiting signature


def test_an_unknown_version_is_404(viewer):
    assert viewer.get(f"{SCG}/versions/9/docx").status_code == 404


def test_word_export_of_a_document_outside_the_users_partnerships_is_404(
        app, client, login, factory, demo):
    luton = factory.organisation("luton")
    factory.partnership("luton", [luton])
    outsider = login(client, factory.user(luton, "admin"))
    assert outsider.get(f"{SCG}/docx").status_code == 404
    assert outsider.get(f"{SCG}/versions/1/docx").status_code == 404


def test_document_page_links_to_the_word_download(viewer):
    assert f'href="{SCG}/docx"' in viewer.get(f"{SCG}/").text

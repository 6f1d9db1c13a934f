"""Word export: any version (or the draft) as .docx with numbered headings, tables, lists,
the record of agreement and the signature blocks."""
import io

import pytest
from docx import Document as WordDocument
from sqlalchemy import select

from tests.support import agree
from workspace.accounts.models import User
from workspace.documents.models import Document
from workspace.export import docx as word_export
from workspace.extensions import db
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
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        agree(document, admin, with_exceptions=True)
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
    """The numbers are Word numbering on the headings (issue 21: typed numbers came back
    doubled on import), at the level of the section's depth."""
    word = _open(viewer.get(f"{SCG}/docx"))
    headings = _headings(word)
    assert "Part 1: Strategic context" in headings
    assert "Housing need and distribution" in headings
    paragraphs = {p.text: p for p in word.paragraphs}
    part, sub = (paragraphs["Part 2: Policy scope and evidence base"],
                 paragraphs["Housing need and distribution"])
    assert (part.style.name, sub.style.name) == ("Heading 1", "Heading 2")
    assert [int(p._p.pPr.numPr.ilvl.val) for p in (part, sub)] == [0, 1]
    assert part._p.pPr.numPr.numId.val == sub._p.pPr.numPr.numId.val


def test_markdown_tables_become_word_tables_with_a_bold_header(viewer):
    word = _open(viewer.get(f"{SCG}/docx"))
    table = next(t for t in word.tables if t.cell(0, 0).text == "Priority")
    assert [c.text for c in table.rows[0].cells] == ["Priority", "Lead", "Funding route"]
    assert table.cell(1, 0).text == "Strategic transport corridors"
    # Bold by the table style's header row (not by its runs, which an import would read as
    # **Priority**), and marked as the header row that repeats on each page.
    assert table.style.name == "Common Ground Table"
    assert "w:tblHeader" in table.rows[0]._tr.xml and "w:tblHeader" not in table.rows[1]._tr.xml
    assert 'w:type="firstRow"' in table.style.element.xml and "<w:b/>" in table.style.element.xml


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


# List numbering and characters XML cannot hold --------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _xml_parts(data):
    """(document.xml, numbering.xml) of a .docx, parsed."""
    import zipfile

    from lxml import etree
    archive = zipfile.ZipFile(io.BytesIO(data))
    return (etree.fromstring(archive.read("word/document.xml")),
            etree.fromstring(archive.read("word/numbering.xml")))


def _numbered(document_xml):
    """[(text, numId)] of the paragraphs that carry their own list numbering."""
    found = []
    for p in document_xml.iter(W + "p"):
        num_id = p.find(f"{W}pPr/{W}numPr/{W}numId")
        if num_id is not None:
            text = "".join(t.text or "" for t in p.iter(W + "t"))
            found.append((text, num_id.get(W + "val")))
    return found


def _start_of(numbering_xml, num_id):
    """The startOverride of level 0 of the Word list `num_id` (None: no override)."""
    num = numbering_xml.find(f"{W}num[@{W}numId='{num_id}']")
    start = num.find(f"{W}lvlOverride[@{W}ilvl='0']/{W}startOverride")
    return None if start is None else start.get(W + "val")


def test_separate_numbered_lists_each_restart_at_1(app):
    with app.app_context():
        word = WordDocument()
        word_export.write_markdown(word, "1. alpha\n2. beta\n\nBetween the lists.\n\n"
                                   "1. gamma\n2. delta\n\n- a bullet\n\n3. third\n4. fourth\n")
        out = io.BytesIO()
        word.save(out)
    document_xml, numbering_xml = _xml_parts(out.getvalue())
    numbered = _numbered(document_xml)
    assert [t for t, _ in numbered] == ["alpha", "beta", "gamma", "delta", "third", "fourth"]
    first, second, third = numbered[0][1], numbered[2][1], numbered[4][1]
    assert numbered[1][1] == first and numbered[3][1] == second and numbered[5][1] == third
    assert len({first, second, third}) == 3                     # a Word list each
    assert [_start_of(numbering_xml, n) for n in (first, second, third)] == ["1", "1", "3"]
    # Each is an instance of the List Number definition, so it looks the same.
    abstract = {numbering_xml.find(f"{W}num[@{W}numId='{n}']/{W}abstractNumId").get(W + "val")
                for n in (first, second, third)}
    assert len(abstract) == 1


def test_a_second_paragraph_of_a_list_item_is_not_numbered_again(app):
    with app.app_context():
        word = WordDocument()
        word_export.write_markdown(word, "1. first item\n\n   more about it\n\n2. second\n")
    styles = [(p.text, p.style.name, p._p.pPr.numPr is not None) for p in word.paragraphs]
    assert styles == [("first item", "List Number", True),
                      ("more about it", "List Continue", False),
                      ("second", "List Number", True)]


def test_numbered_lists_of_a_section_restart_in_the_exported_file(app, viewer):
    with app.test_request_context():
        from workspace.documents.models import Section
        section = db.session.scalar(select(Section).where(
            Section.document_id == 1, Section.title == "Housing need and distribution"))
        section.body = "1. one\n2. two\n\nThen:\n\n1. again\n"
        db.session.commit()
    document_xml, numbering_xml = _xml_parts(viewer.get(f"{SCG}/docx").data)
    numbered = dict(_numbered(document_xml))
    assert numbered["one"] == numbered["two"] != numbered["again"]
    assert _start_of(numbering_xml, numbered["one"]) == "1"
    assert _start_of(numbering_xml, numbered["again"]) == "1"


def test_control_characters_in_older_data_do_not_break_the_export(app, viewer):
    """Regression: a bell or vertical tab saved before forms stripped them made lxml refuse
    the text and the whole download fail with a 500."""
    with app.test_request_context():
        from workspace.documents.models import Section
        section = db.session.scalar(select(Section).where(
            Section.document_id == 1, Section.title == "Housing need and distribution"))
        section.title = "Housing\x07 need and distribution"
        section.body = ("Bell\x07 and vertical\x0b tab.\n\n"
                        "| A\x1b | B |\n|---|---|\n| c\x0c | d |\n\n1. item\x08 one\n")
        db.session.commit()
    word = _open(viewer.get(f"{SCG}/docx"))
    texts = [p.text for p in word.paragraphs]
    assert "Housing need and distribution" in texts
    assert "Bell and vertical tab." in texts and "item one" in texts
    assert any(t.cell(1, 0).text == "c" for t in word.tables)


def test_xml_text_removes_only_what_xml_cannot_hold():
    assert word_export.xml_text("a\x00b\x07c\x0bd\tE\nF\r\ufffeG\ud800") == "abcd\tE\nF\rG"
    assert word_export.xml_text({"x": ["\x01y", 3]}) == {"x": ["y", 3]}

"""Import of Word and Markdown files: preview first, then all sections in one transaction;
every kind of bad input refused with a clear message and nothing saved."""
import gc
import io
import re
import warnings
import zipfile

import pytest
from docx import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from sqlalchemy import func, select

from tests.test_permissions import make_document
from workspace.audit import AuditEvent
from workspace.documents import import_parsing, import_preview, markdown_import, word_import
from workspace.documents.models import Document, Section, SectionRevision
from workspace.extensions import db
from workspace.partnerships.models import Partnership

URL = "/p/own/d/{}/import/"


@pytest.fixture(autouse=True)
def _collect_test_client_upload_files():
    """Werkzeug's test client spools large multipart bodies to a temporary file it never
    closes; collect it here so its ResourceWarning does not land in a later test."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def document_id(app, world):
    from workspace.documents.service import append_section, create_document
    with app.test_request_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "own"))
        document = create_document(partnership, "Draft SCG", "scg")
        append_section(document, "First", "Existing text.\n")
        append_section(document, "Last", "The end.\n")
        db.session.commit()
        return document.id


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


def _link(paragraph, url, text):
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    node = OxmlElement("w:t")
    node.text = text
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def draft_docx(headings=True):
    """A real-looking Word draft: headings at three levels, a table, lists, bold, italic,
    links (one web, one file), an image."""
    word = WordDocument()
    word.core_properties.title = "Draft statement"
    if headings:
        word.add_heading("Strategic context", 1)
    p = word.add_paragraph("The area is ")
    p.add_run("mostly").bold = True
    p.add_run(" Green Belt and ")
    p.add_run("under pressure").italic = True
    p.add_run(".")
    word.add_paragraph("Dacorum", style="List Bullet")
    word.add_paragraph("Watford", style="List Bullet")
    if headings:
        word.add_heading("Housing need", 2)
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Authority", "Homes a year"
    table.cell(1, 0).text, table.cell(1, 1).text = "Watford", "784"
    link = word.add_paragraph("See ")
    _link(link, "https://www.gov.uk/guidance/plan-making", "the guidance")
    _link(link, "file:///c:/secret.doc", " and the file")
    if headings:
        word.add_heading("Unmet need", 3)
    word.add_paragraph("First step", style="List Number")
    picture = io.BytesIO()
    from PIL import Image
    Image.new("RGB", (4, 4)).save(picture, "PNG")
    word.add_picture(io.BytesIO(picture.getvalue()))
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _upload(client, document_id, data, name="draft.docx", after="end"):
    return client.post(URL.format(document_id), data={"file": (io.BytesIO(data), name),
                                                      "after": after},
                       content_type="multipart/form-data")


def _section_count(app, document_id):
    with app.app_context():
        return db.session.scalar(select(func.count(Section.id))
                                 .where(Section.document_id == document_id))


def test_word_headings_become_nested_sections_with_tables_lists_and_links():
    parsed = word_import.parse_docx(draft_docx())
    assert [(s.title, s.depth) for s in parsed.sections] == [
        ("Strategic context", 0), ("Housing need", 1), ("Unmet need", 2)]
    context, housing, unmet = (s.body for s in parsed.sections)
    assert "The area is **mostly** Green Belt and *under pressure*." in context
    assert "- Dacorum\n- Watford" in context
    assert "| Authority | Homes a year |\n|---|---|\n| Watford | 784 |" in housing
    assert "[the guidance](<https://www.gov.uk/guidance/plan-making>)" in housing
    assert "file:" not in housing and "and the file" in housing
    # Word's numbers are kept as text, escaped so that Markdown does not renumber them.
    assert "1\\. First step" in unmet
    assert "1 image was not imported. It was in \u201cUnmet need\u201d." in parsed.notes
    assert any("plain text" in n for n in parsed.notes)


def test_markdown_headings_become_sections():
    parsed = markdown_import.parse_markdown(
        b"Preamble.\n\n# Part one\n\nText **bold**.\n\n## Sub\n\n```\n# not a heading\n```\n"
        b"\n### Deep\n\n#### Deeper\n\n![map](map.png)\n")
    assert [(s.title, s.depth) for s in parsed.sections] == [
        ("Opening text", 0), ("Part one", 0), ("Sub", 1), ("Deep", 2), ("Deeper", 2)]
    assert "# not a heading" in parsed.sections[2].body
    assert "1 image was not imported." in parsed.notes
    assert import_parsing.OPENING_NOTE in parsed.notes


def test_an_image_is_found_only_within_its_own_brackets():
    """An unclosed "![" never reaches past the next bracket (so a file of thousands of them
    costs linear time): only the real image becomes its alt text."""
    parsed = markdown_import.parse_markdown(b"# Part\n\n![a![plan](plan.png) and [x](y)\n")
    assert parsed.sections[0].body == "![aplan and [x](y)\n"
    assert "1 image was not imported." in parsed.notes


def test_a_markdown_file_too_big_or_with_too_many_table_cells_is_refused_before_parsing(
        monkeypatch):
    monkeypatch.setattr(markdown_import, "MAX_MARKDOWN_BYTES", 1000)
    monkeypatch.setattr(markdown_import, "MAX_TABLE_CELLS", 20)
    with pytest.raises(import_parsing.ImportRefused) as too_big:
        markdown_import.parse_markdown(b"# Part\n\n" + b"Text. " * 200)
    assert too_big.value.status == 413 and "larger than 2 MB" in too_big.value.message
    table = b"# Part\n\n| a | b | c |\n|---|---|---|\n" + b"| 1 | 2 | 3 |\n" * 4
    with pytest.raises(import_parsing.ImportRefused) as too_many:
        markdown_import.parse_markdown(table)
    assert too_many.value.status == 422 and "tables have more than 20 cells" in \
        too_many.value.message
    assert len(markdown_import.parse_markdown(table[:60]).sections) == 1


def test_preview_shows_the_sections_and_saves_nothing(app, officer, document_id):
    page = _upload(officer, document_id, draft_docx())
    assert page.status_code == 200
    assert "Preview: 3 sections" in page.text and "Nothing has been saved" in page.text
    assert "<strong>mostly</strong>" in page.text and "<table>" in page.text
    assert _section_count(app, document_id) == 2


def test_confirm_imports_every_section_after_the_chosen_one_as_revision_1(
        app, officer, document_id):
    with app.app_context():
        first = db.session.scalar(select(Section.id).where(Section.title == "First"))
    page = _upload(officer, document_id, draft_docx(), after=str(first))
    token = page.text.split('name="token" value="')[1].split('"')[0]
    response = officer.post(URL.format(document_id) + "confirm",
                            data={"token": token, "after": str(first)})
    assert response.status_code == 303
    with app.app_context():
        titles = db.session.scalars(select(Section.title).where(
            Section.document_id == document_id).order_by(Section.position)).all()
        assert titles == ["First", "Strategic context", "Housing need", "Unmet need", "Last"]
        revisions = db.session.scalars(select(SectionRevision.number).join(
            Section, Section.id == SectionRevision.section_id).where(
            Section.title == "Housing need")).all()
        assert revisions == [1]
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "document.imported"))
        assert event is not None and '"sections": 3' in event.detail


def test_a_tampered_preview_is_refused(app, officer, document_id):
    response = officer.post(URL.format(document_id) + "confirm",
                            data={"token": "eyJmYWtlIjoxfQ.bad", "after": "end"})
    assert response.status_code == 400
    assert _section_count(app, document_id) == 2


def test_a_document_without_headings_is_one_section_with_a_note(app, officer, document_id):
    parsed = word_import.parse_docx(draft_docx(headings=False))
    assert [s.title for s in parsed.sections] == ["Draft statement"]
    assert "| Authority | Homes a year |" in parsed.sections[0].body
    assert any("no headings" in n for n in parsed.notes)
    assert "no headings" in _upload(officer, document_id, draft_docx(False)).text


def _zip(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _docm():
    """A draft whose package declares macros, with a vbaProject part."""
    source = zipfile.ZipFile(io.BytesIO(draft_docx()))
    entries = {n: source.read(n) for n in source.namelist()}
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml")
    entries["word/vbaProject.bin"] = b"Attribute VB_Name = \"Evil\"\nShell \"calc\""
    return _zip(entries)


def _damaged(part, xml):
    """The draft with one part replaced."""
    source = zipfile.ZipFile(io.BytesIO(draft_docx()))
    entries = {n: source.read(n) for n in source.namelist()}
    entries[part] = xml
    return _zip(entries)


W_MAIN = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.mark.parametrize("part,xml", [
    ("[Content_Types].xml", b"<Types/>"),
    ("_rels/.rels", b"<foo/>"),
    ("word/document.xml", b"<foo/>"),
    ("word/styles.xml", b"<foo/>"),
    ("word/document.xml", b'<w:document xmlns:w="' + W_MAIN + b'"/>'),
])
def test_a_package_with_a_part_python_docx_trips_on_is_damaged_not_a_500(
        app, officer, document_id, part, xml):
    response = _upload(officer, document_id, _damaged(part, xml))
    assert response.status_code == 422
    assert "The Word document is damaged" in response.text
    assert _section_count(app, document_id) == 2


ENCRYPTED = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + \
    "EncryptionInfo".encode("utf-16-le") + b"\0" * 500


@pytest.mark.parametrize("name,data,status,message", [
    ("draft.docx", b"%PDF-1.7 not really a word file", 422, "not a Word document"),
    ("draft.docx", ENCRYPTED, 422, "password-protected"),
    ("draft.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, 422, "older Word"),
    ("draft.docx", b"PK\x03\x04 truncated garbage", 422, "damaged"),
    ("draft.docx", _zip({"hello.txt": b"hi"}), 422, "damaged or not a Word document"),
    ("draft.docm", _docm(), 422, "contains macros"),
    ("draft.pdf", b"%PDF-1.7", 422, "must be a Word document"),
    ("notes.md", b"\xff\xfe\x00bad", 422, "not UTF-8"),
    ("draft.docx", b"", 422, "Choose a Word"),
])
def test_bad_files_are_refused_with_a_clear_message_and_nothing_saved(
        app, officer, document_id, name, data, status, message):
    response = _upload(officer, document_id, data, name)
    assert response.status_code == status
    assert message in response.text and "govuk-error-summary" in response.text
    assert _section_count(app, document_id) == 2


def test_a_file_over_20_mb_is_refused_before_it_is_read():
    with pytest.raises(import_parsing.ImportRefused) as refused:
        import_preview.parse_upload("draft.docx", b"PK" + b"x" * (20 * 1024 * 1024))
    assert refused.value.status == 413 and "larger than 20 MB" in refused.value.message


def test_a_zip_bomb_is_refused(app, officer, document_id):
    """Past IMPORT_MAX_UNCOMPRESSED_MB (40 MB by default); more in documents/test_limits.py."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<x/>")
        archive.writestr("word/huge.xml", b"\0" * (41 * 1024 * 1024))
    response = _upload(officer, document_id, out.getvalue())
    assert response.status_code == 422 and "more than 40 MB" in response.text
    assert _section_count(app, document_id) == 2


def test_scripts_in_a_markdown_file_are_shown_as_text_never_run(app, officer, document_id):
    data = b"# Matter\n\n<script>alert(1)</script> [x](javascript:alert(2))\n"
    page = _upload(officer, document_id, data, "notes.md")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    assert 'href="javascript' not in page.text
    assert "never run" in page.text


def test_macros_in_a_docx_package_are_ignored_and_reported():
    source = zipfile.ZipFile(io.BytesIO(draft_docx()))
    entries = {n: source.read(n) for n in source.namelist()}
    entries["word/vbaProject.bin"] = b"Shell \"calc\""
    parsed = word_import.parse_docx(_zip(entries))
    assert any("macros" in n and "never run" in n for n in parsed.notes)


@pytest.mark.parametrize("role,status", [("viewer", 403), ("member", 403),
                                         ("foreign_admin", 404)])
def test_only_officers_and_admins_of_the_partnership_may_import(
        app, client, login, world, document_id, role, status):
    user = login(client, world["users"][role])
    assert user.get(URL.format(document_id)).status_code == status
    assert _upload(user, document_id, draft_docx()).status_code == status


def test_import_into_a_locked_document_is_refused(app, officer, document_id):
    page = _upload(officer, document_id, draft_docx())
    token = page.text.split('name="token" value="')[1].split('"')[0]
    with app.app_context():
        db.session.get(Document, document_id).status = "agreed"
        db.session.commit()
    response = officer.post(URL.format(document_id) + "confirm",
                            data={"token": token, "after": "end"})
    assert response.status_code == 409
    assert _section_count(app, document_id) == 2


def test_out_for_agreement_only_a_partnership_admin_imports(app, client, login, world,
                                                            officer, document_id):
    """Importing adds sections: a change of structure, which out for agreement is the
    partnership admins' (as adding a section by hand is)."""
    page = _upload(officer, document_id, draft_docx())     # previewed while still a draft
    token = page.text.split('name="token" value="')[1].split('"')[0]
    with app.app_context():
        db.session.get(Document, document_id).status = "out_for_agreement"
        db.session.commit()
    assert "Import a Word or Markdown file" not in officer.get(f"/p/own/d/{document_id}/").text
    assert officer.get(URL.format(document_id)).status_code == 403
    assert _upload(officer, document_id, draft_docx()).status_code == 403
    response = officer.post(URL.format(document_id) + "confirm",
                            data={"token": token, "after": "end"})
    assert response.status_code == 403
    assert _section_count(app, document_id) == 2

    admin = login(app.test_client(), world["users"]["admin"])
    assert "Import a Word or Markdown file" in admin.get(f"/p/own/d/{document_id}/").text
    response = admin.post(URL.format(document_id) + "confirm",
                          data={"token": token, "after": "end"})
    assert response.status_code == 303 and _section_count(app, document_id) > 2


def test_imported_word_round_trips_through_word_export(app, officer, document_id):
    page = _upload(officer, document_id, draft_docx())
    token = page.text.split('name="token" value="')[1].split('"')[0]
    officer.post(URL.format(document_id) + "confirm", data={"token": token, "after": "end"})
    exported = WordDocument(io.BytesIO(officer.get(f"/p/own/d/{document_id}/docx").data))
    headings = {p.text: p for p in exported.paragraphs if p.style.name.startswith("Heading")}
    # The titles as imported; their numbers (3, 3.1, 3.1.1) are Word's own heading numbering,
    # not typed text, so the file imports back with the same titles.
    assert {"Strategic context", "Housing need", "Unmet need"} <= set(headings)
    assert all("<w:numPr>" in headings[t]._p.xml
               for t in ("Strategic context", "Housing need", "Unmet need"))
    assert exported.tables[0].cell(1, 1).text == "784"


def _token(page):
    return page.text.split('name="token" value="')[1].split('"')[0]


def test_an_expired_preview_imports_nothing_and_says_so(app, officer, document_id,
                                                         monkeypatch):
    from itsdangerous import TimestampSigner
    with app.app_context():
        first = db.session.scalar(select(Section.id).where(Section.title == "First"))
    token = _token(_upload(officer, document_id, draft_docx(), after=str(first)))
    now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now(self) + 3601)
    response = officer.post(URL.format(document_id) + "confirm",
                            data={"token": token, "after": str(first)})
    assert response.status_code == 410
    assert "The preview has expired" in response.text and "Nothing was imported" in response.text
    assert "govuk-error-summary" in response.text
    assert f'selected value="{first}"' in response.text       # where to put them, kept
    assert _section_count(app, document_id) == 2


def test_a_preview_for_another_document_is_refused(app, officer, document_id):
    token = _token(_upload(officer, document_id, draft_docx()))
    with app.test_request_context():
        from workspace.documents.service import create_document
        other = create_document(db.session.get(Document, document_id).partnership, "Other",
                                "mou")
        db.session.commit()
        other_id = other.id
    response = officer.post(URL.format(other_id) + "confirm",
                            data={"token": token, "after": "end"})
    assert response.status_code == 400 and "another document" in response.text
    assert _section_count(app, other_id) == 0 and _section_count(app, document_id) == 2


def test_the_preview_numbers_and_nests_the_sections(officer, document_id):
    """At the end of a document of two sections, the file's sections are 3, 3.1, 3.1.1."""
    page = _upload(officer, document_id, draft_docx())
    assert '<span class="cg-number">3</span> Strategic context</h3>' in page.text
    assert '<span class="cg-number">3.1</span> Housing need</h4>' in page.text
    assert '<span class="cg-number">3.1.1</span> Unmet need</h5>' in page.text
    assert "These sections will go at the end of the document, numbered 3 to 3.1.1." \
        in page.text


def _docx_with(body_xml_edit):
    """draft_docx() with its word/document.xml changed by `body_xml_edit(bytes)`."""
    source = zipfile.ZipFile(io.BytesIO(draft_docx()))
    entries = {n: source.read(n) for n in source.namelist()}
    entries["word/document.xml"] = body_xml_edit(entries["word/document.xml"])
    return _zip(entries)


def test_scripts_and_script_links_in_a_word_file_are_text_never_run(app, officer,
                                                                      document_id):
    word = WordDocument()
    word.add_heading("Matter <script>alert(1)</script>", 1)
    p = word.add_paragraph("<img src=x onerror=alert(2)> and ")
    _link(p, "javascript:alert(3)", "click me")
    out = io.BytesIO()
    word.save(out)
    parsed = word_import.parse_docx(out.getvalue())
    assert "javascript" not in parsed.sections[0].body and "click me" in parsed.sections[0].body
    page = _upload(officer, document_id, out.getvalue())
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert 'href="javascript' not in page.text


def test_external_entities_in_a_word_file_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")

    def add_entity(xml):
        head, rest = xml.split(b"?>", 1)
        return (head + b"?><!DOCTYPE w:document [<!ENTITY x SYSTEM \"file://"
                + str(secret).encode() + b"\">]>" + rest.replace(b"Dacorum", b"&x;", 1))

    try:
        parsed = word_import.parse_docx(_docx_with(add_entity))
    except import_parsing.ImportRefused:
        return                                     # refused as damaged: also safe
    assert "TOP-SECRET-VALUE" not in "".join(s.body for s in parsed.sections)


def _numbered(paragraph, num_id, level=0):
    """Give the paragraph Word list numbering directly, as Word does for "List Paragraph"."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def test_house_heading_styles_outline_levels_and_word_lists_are_understood():
    from docx.enum.style import WD_STYLE_TYPE
    word = WordDocument()
    house = word.styles.add_style("SCG Heading", WD_STYLE_TYPE.PARAGRAPH)
    house.base_style = word.styles["Heading 1"]
    word.add_paragraph("Part one", style="SCG Heading")
    word.add_paragraph("Intro.")
    outlined = word.add_paragraph("Sub part")
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "1")
    outlined._p.get_or_add_pPr().append(level)
    # The default template's list definitions: numId 5 counts (decimal), numId 1 bullets.
    _numbered(word.add_paragraph("first", style="List Paragraph"), 5)
    _numbered(word.add_paragraph("second", style="List Paragraph"), 5)
    _numbered(word.add_paragraph("a point", style="List Paragraph"), 1, level=1)
    out = io.BytesIO()
    word.save(out)
    parsed = word_import.parse_docx(out.getvalue())
    assert [(s.title, s.depth) for s in parsed.sections] == [("Part one", 0), ("Sub part", 1)]
    assert parsed.sections[1].body == "1\\. first\n\n2\\. second\n\n- a point\n"


# A control character in an imported Markdown file (a file, not a request parameter) is taken
# out: a bell or vertical tab broke the document's Word export for every reader.


def test_control_characters_in_an_imported_markdown_file_are_taken_out(app, client, world,
                                                                       login):
    document_id, _ = make_document(app, world["partnerships"]["own"])
    login(client, world["users"]["officer"])
    url = f"/p/own/d/{document_id}/import/"
    text = "# Bell\x07 title\n\nText\x01 with \x0b controls\x1b.\n"
    response = client.post(url, data={"after": "end", "file": (io.BytesIO(text.encode()),
                                                                "notes.md")})
    assert response.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', response.text).group(1)
    response = client.post(url + "confirm", data={"after": "end", "token": token})
    assert response.status_code == 303
    with app.app_context():
        imported = db.session.scalar(select(Section).where(Section.title == "Bell title"))
        assert imported.body == "Text with  controls.\n"
    response = client.get(f"/p/own/d/{document_id}/docx")
    assert response.status_code == 200

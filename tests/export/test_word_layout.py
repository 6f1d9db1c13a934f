"""The Word export's page furniture: a running header (partnership and document), "Page X of
Y" fields in the footer, Word's table of contents field (filled in by Word, marked dirty so
it offers to), the content fingerprint in the footer of a frozen version, and heading
numbers typed as text only when Word's count would differ from the document's."""
import io
import zipfile

import pytest
from docx import Document as WordDocument
from lxml import etree

from workspace.accounts.models import User
from workspace.documents import service as documents
from workspace.documents.models import Document
from workspace.export.docx import build_docx
from workspace.export.docx_parts import TOC_FIELD
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.review import versions

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def statement(app, factory):
    org = factory.organisation("watford", "Watford Borough Council")
    pid = factory.partnership("sw-herts", [org])
    uid = factory.user(org, "admin")
    with app.app_context():
        partnership = db.session.get(Partnership, pid)
        document = documents.create_document(partnership, "Statement of Common Ground", "scg")
        documents.append_section(document, "Introduction", "Why.\n")
        documents.append_section(document, "Scope", "What.\n", depth=1)
        db.session.commit()
        return document.id, uid


def _export(app, document_id, number=None):
    with app.test_request_context():
        data, _version = build_docx(db.session.get(Document, document_id), number)
    return data


def _fields(element):
    return [t.text.strip() for t in element.iter(f"{W}instrText")]


def test_running_header_names_the_partnership_and_the_document(app, statement):
    word = WordDocument(io.BytesIO(_export(app, statement[0])))
    header = word.sections[0].header
    assert not header.is_linked_to_previous
    assert header.paragraphs[0].text == \
        "Sw-Herts Partnership \u00b7 Statement of Common Ground"


def test_footer_has_page_x_of_y_fields_and_no_fingerprint_for_the_draft(app, statement):
    word = WordDocument(io.BytesIO(_export(app, statement[0])))
    footer = word.sections[0].footer
    assert _fields(footer._element) == ["PAGE", "NUMPAGES"]
    text = "".join(t.text or "" for t in footer._element.iter(f"{W}t"))
    assert text.startswith("Page ") and " of " in text
    assert "fingerprint" not in text


def test_a_frozen_versions_footer_carries_its_content_fingerprint(app, statement):
    document_id, uid = statement
    with app.test_request_context():
        row = versions.freeze(db.session.get(Document, document_id),
                              db.session.get(User, uid), with_exceptions=False)
        sha = row.content_sha256
        db.session.commit()
    word = WordDocument(io.BytesIO(_export(app, document_id, 1)))
    footer = "\n".join(p.text for p in word.sections[0].footer.paragraphs)
    assert f"Content fingerprint (SHA-256): {sha}" in footer


def test_contents_is_words_toc_field_marked_dirty_in_a_toc_content_control(app, statement):
    data = _export(app, statement[0])
    archive = zipfile.ZipFile(io.BytesIO(data))
    body = etree.fromstring(archive.read("word/document.xml"))
    sdt = body.find(f".//{W}sdt")
    assert sdt.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery").get(f"{W}val") == \
        "Table of Contents"
    assert _fields(sdt) == [TOC_FIELD] == ['TOC \\o "1-3" \\h \\z \\u']
    begin = sdt.find(f".//{W}fldChar[@{W}fldCharType='begin']")
    assert begin.get(f"{W}dirty") == "true"
    # Before the first section heading.
    children = list(body.find(f"{W}body"))
    first_heading = next(i for i, c in enumerate(children)
                         if c.find(f"{W}pPr/{W}pStyle[@{W}val='Heading1']") is not None)
    assert children.index(sdt) < first_heading
    settings = etree.fromstring(archive.read("word/settings.xml"))
    names = [c.tag.split("}")[1] for c in settings]
    assert settings.find(f"{W}updateFields").get(f"{W}val") == "true"
    assert names.index("updateFields") < names.index("compat")       # the schema's order


def test_footnotes_part_is_declared_so_word_opens_the_file(app, factory):
    org = factory.organisation("watford")
    pid = factory.partnership("sw-herts", [org])
    with app.app_context():
        document = documents.create_document(db.session.get(Partnership, pid), "S", "scg")
        documents.append_section(document, "A", "Note[^1].\n\n[^1]: The note.\n")
        db.session.commit()
        document_id = document.id
    archive = zipfile.ZipFile(io.BytesIO(_export(app, document_id)))
    types = archive.read("[Content_Types].xml").decode()
    assert 'PartName="/word/footnotes.xml"' in types
    assert "wordprocessingml.footnotes+xml" in types
    rels = archive.read("word/_rels/document.xml.rels").decode()
    assert 'Target="footnotes.xml"' in rels
    notes = etree.fromstring(archive.read("word/footnotes.xml"))
    kinds = [(n.get(f"{W}type"), n.get(f"{W}id")) for n in notes]
    assert kinds == [("separator", "-1"), ("continuationSeparator", "0"), (None, "1")]


def test_heading_numbers_are_typed_when_word_would_number_them_differently(
        app, statement, monkeypatch):
    """Frozen content whose section numbers are not Word's count (numbers kept from an older
    numbering, say "1" then "1.2"): that file has its numbers typed as text, as before (the
    import drops typed numbers), and no Word numbering on its headings."""
    from workspace.export import service
    real = service.export_source

    def renumbered(document, number=None):
        content, sha, row, agreed = real(document, number)
        content["sections"][1]["number"] = "1.2"
        return content, sha, row, agreed

    monkeypatch.setattr(service, "export_source", renumbered)
    word = WordDocument(io.BytesIO(_export(app, statement[0])))
    headings = [p for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert [p.text for p in headings] == ["1 Introduction", "1.2 Scope"]
    assert all(p._p.pPr.numPr is None for p in headings)

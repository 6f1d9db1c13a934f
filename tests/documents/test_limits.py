"""Limits that keep one request from holding a worker or one document from growing without
bound (issue 12): a Word file is refused once it unpacks past IMPORT_MAX_UNCOMPRESSED_MB,
counted as it is read, or has too many parts; a document has at most
MAX_SECTIONS_PER_DOCUMENT live sections, however they are added. Each refusal is a clear
message, the form kept, and nothing saved."""
import gc
import io
import re
import struct
import threading
import time
import warnings
import zipfile

import pytest
from sqlalchemy import func, select

from tests.documents.test_import import draft_docx
from workspace.documents import docx_safety, service
from workspace.documents.models import Document, ImportReceipt, Section
from workspace.extensions import db
from workspace.partnerships.models import Partnership

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _collect_test_client_upload_files():
    """As in test_import: close the temporary files Werkzeug's test client spools."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def doc(app, world):
    """A three-section document in the `own` partnership: its id and section ids."""
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = service.create_document(partnership, "Draft SCG", "scg")
        ids = [service.append_section(document, title, "Text.\n").id
               for title in ("Context", "Housing", "Green Belt")]
        db.session.commit()
        return {"id": document.id, "sections": ids, "base": f"/p/own/d/{document.id}"}


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


@pytest.fixture
def most(app, monkeypatch):
    """Set MAX_SECTIONS_PER_DOCUMENT for one test."""
    return lambda n: monkeypatch.setitem(app.config, "MAX_SECTIONS_PER_DOCUMENT", n)


def _live(app, document_id):
    with app.app_context():
        return db.session.scalar(select(func.count(Section.id)).where(
            Section.document_id == document_id, Section.removed_at.is_(None)))


def _upload(client, document_id, data, name="draft.docx", after="end"):
    return client.post(f"/p/own/d/{document_id}/import/",
                       data={"file": (io.BytesIO(data), name), "after": after},
                       content_type="multipart/form-data")


def _token(page):
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def _markdown(n):
    return "".join(f"# Heading {i}\n\nText {i}.\n\n" for i in range(1, n + 1)).encode()


# Word files that unpack too far -------------------------------------------------------------

def _entries(package):
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _package(entries, method=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def xml_bomb(megabytes):
    """A real Word draft whose document.xml holds `megabytes` MB of repeated paragraphs:
    a few kilobytes once compressed, as the 0.5 MB file of issue 12 held 190 MB."""
    entries = _entries(draft_docx())
    paragraph = b"<w:p><w:r><w:t>The Green Belt is under pressure.</w:t></w:r></w:p>"
    filler = paragraph * (megabytes * MB // len(paragraph) + 1)
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        b"<w:body>", b"<w:body>" + filler, 1)
    return _package(entries)


def declare_size(package, name, size):
    """The package with `name`'s declared uncompressed size changed to `size` (a lie), in
    both its local header and the central directory."""
    data = bytearray(package)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        local = archive.getinfo(name).header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<L", data, local + 22, size)
    central = data.rfind(name.encode()) - 46      # the name's last copy is in the directory
    assert data[central:central + 4] == b"PK\x01\x02"
    struct.pack_into("<L", data, central + 24, size)
    return bytes(data)


def test_a_word_file_that_unpacks_past_the_limit_is_refused_and_nothing_imported(
        app, officer, doc, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNCOMPRESSED_MB", 2)
    bomb = xml_bomb(3)
    assert len(bomb) < 100 * 1024
    response = _upload(officer, doc["id"], bomb, after=str(doc["sections"][0]))
    assert response.status_code == 422
    assert "unpacks to more than 2 MB" in response.text and "Nothing was imported" in \
        response.text
    assert "govuk-error-summary" in response.text and 'name="file"' in response.text
    # The form is kept: the place chosen is still chosen.
    assert f'selected value="{doc["sections"][0]}"' in response.text
    assert _live(app, doc["id"]) == 3


def test_the_default_limit_is_40_mb_counted_from_the_real_bytes(app, officer, doc):
    with app.app_context():
        assert docx_safety.max_uncompressed_bytes() == 40 * MB
    entries = _entries(draft_docx())
    # A part no relationship names, so python-docx alone would never have read it.
    entries["customXml/item1.xml"] = b" " * (41 * MB)
    response = _upload(officer, doc["id"], _package(entries))
    assert response.status_code == 422 and "more than 40 MB" in response.text
    assert _live(app, doc["id"]) == 3


def test_a_part_that_lies_about_its_size_is_refused_quickly(app, officer, doc):
    """Declared as 1 KB, it unpacks to 60 MB: the declared size is never trusted."""
    bomb = declare_size(xml_bomb(60), "word/document.xml", 1024)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert sum(info.file_size for info in archive.infolist()) < MB
    started = time.monotonic()
    response = _upload(officer, doc["id"], bomb)
    assert response.status_code == 422 and "damaged" in response.text
    assert time.monotonic() - started < 20
    assert _live(app, doc["id"]) == 3


def test_a_size_declared_too_large_is_not_what_counts(app, officer, doc):
    """A part claiming 1.5 GB that unpacks to a few kilobytes is measured, not believed."""
    package = declare_size(draft_docx(), "word/document.xml", 1536 * MB)
    assert docx_safety.check_package(package, 40 * MB)[0] >= {"word/document.xml"}
    page = _upload(officer, doc["id"], package)
    assert page.status_code == 200 and "Preview: 3 sections" in page.text


def test_a_word_file_of_too_many_parts_is_refused_before_they_are_listed(app, officer, doc):
    entries = _entries(draft_docx())
    entries.update({f"customXml/item{i}.xml": b"" for i in range(docx_safety.MAX_MEMBERS)})
    response = _upload(officer, doc["id"], _package(entries))
    assert response.status_code == 422
    assert f"more than {docx_safety.MAX_MEMBERS} parts" in response.text
    assert _live(app, doc["id"]) == 3


def test_a_part_compressed_in_a_way_word_never_uses_is_refused():
    entries = _entries(draft_docx())
    with pytest.raises(docx_safety.PackageError) as refused:
        docx_safety.check_package(_package(entries, zipfile.ZIP_BZIP2), 40 * MB)
    assert "damaged" in refused.value.message


def test_the_check_counts_what_is_read_and_keeps_the_content_types():
    package = _package({"[Content_Types].xml": b"<Types/>", "a.xml": b"a" * 5000})
    names, types = docx_safety.check_package(package, 5008)
    assert names == {"[Content_Types].xml", "a.xml"} and types == b"<Types/>"
    with pytest.raises(docx_safety.PackageError):
        docx_safety.check_package(package, 5007)


def test_a_normal_word_file_still_imports(app, officer, doc):
    page = _upload(officer, doc["id"], draft_docx())
    assert page.status_code == 200 and "Preview: 3 sections" in page.text
    response = officer.post(f"/p/own/d/{doc['id']}/import/confirm",
                            data={"token": _token(page), "after": "end"})
    assert response.status_code == 303 and _live(app, doc["id"]) == 6


def test_a_new_document_from_a_bomb_is_refused_with_the_form_kept(app, officer, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNCOMPRESSED_MB", 2)
    response = officer.post("/p/own/documents/new/import", data={
        "title": "From the bomb", "kind": "scg", "file": (io.BytesIO(xml_bomb(3)), "b.docx")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "unpacks to more than 2 MB" in response.text
    assert 'value="From the bomb"' in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0


# Sections per document ----------------------------------------------------------------------

def test_the_structure_page_says_the_limit(officer, doc):
    page = officer.get(f"{doc['base']}/s/{doc['sections'][0]}/structure")
    assert "This document has 3 of at most 500 sections" in page.text


def test_adding_a_section_past_the_limit_is_refused_with_the_title_kept(app, officer, doc,
                                                                         most):
    most(3)
    response = officer.post(f"{doc['base']}/s/{doc['sections'][0]}/add-after",
                            data={"title": "One too many"})
    assert response.status_code == 422
    assert "already has 3 of at most 3 sections" in response.text
    assert 'value="One too many"' in response.text
    assert _live(app, doc["id"]) == 3
    most(4)
    assert officer.post(f"{doc['base']}/s/{doc['sections'][0]}/add-after",
                        data={"title": "Fits"}).status_code == 303
    assert _live(app, doc["id"]) == 4


def test_the_add_a_section_form_is_refused_past_the_limit_too(app, officer, doc, most):
    most(3)
    response = officer.post(f"{doc['base']}/add-section", data={"title": "In place"})
    assert response.status_code == 422
    assert "at most 3 sections" in response.text and 'value="In place"' in response.text
    assert _live(app, doc["id"]) == 3


def test_removed_sections_do_not_count_but_restoring_one_does(app, officer, doc, most):
    most(3)
    section = f"{doc['base']}/s/{doc['sections'][2]}"
    assert officer.post(section + "/remove").status_code == 303
    assert officer.post(f"{doc['base']}/s/{doc['sections'][0]}/add-after",
                        data={"title": "In its place"}).status_code == 303
    response = officer.post(section + "/restore")
    assert response.status_code == 409
    assert "so this section cannot be restored" in response.text
    with app.app_context():
        assert db.session.get(Section, doc["sections"][2]).removed_at is not None
    most(4)
    assert officer.post(section + "/restore").status_code == 303
    assert _live(app, doc["id"]) == 4


def test_the_import_preview_says_the_limit(officer, doc, most):
    most(10)
    page = _upload(officer, doc["id"], _markdown(2), "notes.md")
    assert page.status_code == 200
    assert "This document has 3 of at most 10 sections; with these 2 it will have 5" in \
        page.text
    assert "This document has 3 of at most 10 sections." in officer.get(
        f"{doc['base']}/import/").text


def test_an_import_past_the_limit_is_refused_at_the_preview(app, officer, doc, most):
    most(5)
    response = _upload(officer, doc["id"], _markdown(3), "notes.md",
                       after=str(doc["sections"][1]))
    assert response.status_code == 422
    assert "has 3 of at most 5 sections, and the 3 sections would make 6" in response.text
    assert f'selected value="{doc["sections"][1]}"' in response.text
    assert _live(app, doc["id"]) == 3


def test_an_import_that_no_longer_fits_at_confirmation_imports_nothing(app, officer, doc,
                                                                       most):
    most(6)
    page = _upload(officer, doc["id"], _markdown(3), "notes.md")
    assert page.status_code == 200
    # Meanwhile someone adds a section: the three would now make seven.
    assert officer.post(f"{doc['base']}/s/{doc['sections'][0]}/add-after",
                        data={"title": "Meanwhile"}).status_code == 303
    response = officer.post(f"{doc['base']}/import/confirm",
                            data={"token": _token(page), "after": "end"})
    assert response.status_code == 422 and "would make 7" in response.text
    assert _live(app, doc["id"]) == 4
    with app.app_context():
        assert db.session.scalar(select(func.count(ImportReceipt.id))) == 0


def test_a_new_document_from_a_file_past_the_limit_is_refused(app, officer, most):
    most(4)
    form = {"title": "Too long", "kind": "scg"}
    response = officer.post("/p/own/documents/new/import", data={
        **form, "file": (io.BytesIO(_markdown(5)), "notes.md")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The file has 5 sections, more than the 4 a document may have" in response.text
    assert 'value="Too long"' in response.text
    most(5)
    page = officer.post("/p/own/documents/new/import", data={
        **form, "file": (io.BytesIO(_markdown(5)), "notes.md")},
        content_type="multipart/form-data")
    assert page.status_code == 200
    assert "The new document will have 5 of at most 5 sections" in page.text
    most(4)         # lowered before the confirmation: nothing is created
    response = officer.post("/p/own/documents/new/import/confirm",
                            data={"token": _token(page)})
    assert response.status_code == 422 and 'value="Too long"' in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0


def test_a_template_larger_than_the_limit_is_refused(app, officer, most):
    most(2)
    response = officer.post("/p/own/documents/new", data={"template": "mou",
                                                          "title": "Memorandum"})
    assert response.status_code == 422 and "a document may have" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0


def test_sections_added_at_the_same_moment_never_pass_the_limit(app, doc, world, login,
                                                                 most):
    """Six officers add a section at once to a document with room for two more."""
    most(5)
    results, barrier = [], threading.Barrier(6)

    def worker(n):
        client = login(app.test_client(), world["users"]["officer"])
        barrier.wait()
        response = client.post(f"{doc['base']}/s/{doc['sections'][0]}/add-after",
                               data={"title": f"Added {n}"})
        results.append(response.status_code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [303, 303, 422, 422, 422, 422]
    assert _live(app, doc["id"]) == 5

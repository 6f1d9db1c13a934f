"""Structure rules found by the QA review of templates and import: an empty document gets its
first section, imports go after a whole branch and say where, a preview is imported once,
typed heading numbers are dropped, and the completeness check follows saves."""
import io
import re
import threading

import pytest
from docx import Document as WordDocument
from sqlalchemy import func, select

from workspace.accounts.models import User
from workspace.audit import AuditEvent
from workspace.documents import (
    editing,
    import_parsing,
    markdown_import,
    numbering,
    service,
    starters,
    word_import,
)
from workspace.documents.models import Document, DocumentChange, ImportReceipt, Section
from workspace.extensions import db
from workspace.partnerships.models import Partnership

HX = {"HX-Request": "true"}


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


def _user(email="officer@watford.example"):
    return db.session.scalar(select(User).where(User.email == email))


def _partnership():
    return db.session.scalar(select(Partnership).where(Partnership.slug == "own"))


def _document(app, outline, kind="scg"):
    """A document whose sections are [(title, depth)]; its id."""
    with app.test_request_context():
        document = service.create_document(_partnership(), "Draft SCG", kind)
        for title, depth in outline:
            service.append_section(document, title, f"Text of {title}.\n", depth=depth)
        db.session.commit()
        return document.id


def _numbered(app, document_id):
    with app.app_context():
        document = db.session.get(Document, document_id)
        return [(n, s.title) for n, s in numbering.number_sections(
            service.live_sections(document))]


def _section_id(app, document_id, title):
    with app.app_context():
        return db.session.scalar(select(Section.id).where(
            Section.document_id == document_id, Section.title == title))


def _preview(client, document_id, data, name="part.md", after="end"):
    return client.post(f"/p/own/d/{document_id}/import/",
                       data={"file": (io.BytesIO(data), name), "after": after},
                       content_type="multipart/form-data")


def _token(page):
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


OUTLINE = [("Introduction", 0), ("Housing", 0), ("Unmet need", 1), ("Supply", 1),
           ("Supply detail", 2), ("Green Belt", 0)]
FILE = b"# Imported part\n\nText.\n\n## Imported detail\n\nMore.\n"


# 1. An empty document gets its first section ------------------------------------------------

def _blank(app):
    with app.test_request_context():
        document = starters.create_from_template(_partnership(), "blank", "Blank", _user())
        db.session.commit()
        return document.id


def test_an_empty_document_offers_add_a_section_to_officers(app, client, login, world):
    document_id = _blank(app)
    page = login(client, world["users"]["officer"]).get(f"/p/own/d/{document_id}/")
    assert "This document has no sections yet." in page.text
    assert f'action="/p/own/d/{document_id}/add-section"' in page.text
    assert "Add a section" in page.text
    viewer = login(client, world["users"]["viewer"]).get(f"/p/own/d/{document_id}/")
    assert "add-section" not in viewer.text


def test_adding_the_first_section_works_without_javascript_and_is_audited(app, officer):
    document_id = _blank(app)
    response = officer.post(f"/p/own/d/{document_id}/add-section",
                            data={"title": "Purpose"})
    assert response.status_code == 303
    section_id = _section_id(app, document_id, "Purpose")
    assert response.headers["Location"].endswith(f"/s/{section_id}/edit")
    assert _numbered(app, document_id) == [("1", "Purpose")]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "section.added"))
        assert event is not None and event.document_id == document_id
        change = db.session.scalar(select(DocumentChange).where(
            DocumentChange.document_id == document_id))
        assert change.kind == "structure" and change.section_id == section_id


@pytest.mark.parametrize("title,message", [("", "Enter a title"),
                                           ("x" * 201, "200 characters or fewer")])
def test_a_bad_first_section_title_is_422_and_keeps_the_text(app, officer, title, message):
    document_id = _blank(app)
    response = officer.post(f"/p/own/d/{document_id}/add-section", data={"title": title})
    assert response.status_code == 422
    assert message in response.text and f'value="{title}"' in response.text
    assert _numbered(app, document_id) == []


def test_viewers_cannot_add_a_first_section(app, client, login, world):
    document_id = _blank(app)
    viewer = login(client, world["users"]["viewer"])
    assert viewer.post(f"/p/own/d/{document_id}/add-section",
                       data={"title": "Nope"}).status_code == 403
    assert _numbered(app, document_id) == []


# 2 and 4. Import after a whole branch, and say where ------------------------------------------

def test_import_after_a_section_with_sub_sections_goes_after_its_whole_branch(app, officer):
    document_id = _document(app, OUTLINE)
    housing = _section_id(app, document_id, "Housing")
    page = _preview(officer, document_id, FILE, after=str(housing))
    response = officer.post(f"/p/own/d/{document_id}/import/confirm",
                            data={"token": _token(page), "after": str(housing)})
    assert response.status_code == 303
    assert _numbered(app, document_id) == [
        ("1", "Introduction"), ("2", "Housing"), ("2.1", "Unmet need"), ("2.2", "Supply"),
        ("2.2.1", "Supply detail"), ("3", "Imported part"), ("3.1", "Imported detail"),
        ("4", "Green Belt")]


def test_import_after_a_sub_section_makes_the_files_parts_its_siblings(app, officer):
    document_id = _document(app, OUTLINE)
    unmet = _section_id(app, document_id, "Unmet need")
    page = _preview(officer, document_id, FILE, after=str(unmet))
    officer.post(f"/p/own/d/{document_id}/import/confirm",
                 data={"token": _token(page), "after": str(unmet)})
    assert _numbered(app, document_id) == [
        ("1", "Introduction"), ("2", "Housing"), ("2.1", "Unmet need"),
        ("2.2", "Imported part"), ("2.2.1", "Imported detail"), ("2.3", "Supply"),
        ("2.3.1", "Supply detail"), ("3", "Green Belt")]


def test_the_preview_says_where_the_sections_go_with_their_numbers(app, officer):
    document_id = _document(app, OUTLINE)
    housing = _section_id(app, document_id, "Housing")
    page = _preview(officer, document_id, FILE, after=str(housing))
    assert "These sections will go after 2 Housing, numbered 3 to 3.1." in page.text
    assert '<span class="cg-number">3</span> Imported part' in page.text
    assert '<span class="cg-number">3.1</span> Imported detail' in page.text


def test_the_import_after_choices_are_numbered_and_indented(app, officer):
    document_id = _document(app, [("Introduction", 0), ("Introduction", 1),
                                  ("Introduction", 2)])
    page = officer.get(f"/p/own/d/{document_id}/import/")
    labels = re.findall(r'<option value="\d+">([^<]+)</option>', page.text)
    assert labels == ["1 Introduction", "\u00a0\u00a0\u00a01.1 Introduction",
                      "\u00a0" * 6 + "1.1.1 Introduction"]


# 3. A preview is imported once ---------------------------------------------------------------

def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_confirming_the_same_import_twice_imports_it_once(app, officer):
    document_id = _document(app, OUTLINE)
    token = _token(_preview(officer, document_id, FILE))
    url = f"/p/own/d/{document_id}/import/confirm"
    assert officer.post(url, data={"token": token, "after": "end"}).status_code == 303
    again = officer.post(url, data={"token": token, "after": "end"})
    assert again.status_code == 303
    assert again.headers["Location"] == f"/p/own/d/{document_id}/"
    assert "already imported, so nothing was imported again" in \
        officer.get(again.headers["Location"]).text
    assert _count(app, Section, Section.document_id == document_id) == len(OUTLINE) + 2
    assert _count(app, ImportReceipt) == 1
    assert _count(app, AuditEvent, AuditEvent.action == "document.imported") == 1


def test_confirming_the_same_new_document_import_twice_creates_one_document(app, officer):
    preview = officer.post("/p/own/documents/new/import", data={
        "title": "From a file", "kind": "mou", "file": (io.BytesIO(FILE), "mou.md")},
        content_type="multipart/form-data")
    assert preview.status_code == 200
    token = _token(preview)
    first = officer.post("/p/own/documents/new/import/confirm", data={"token": token})
    again = officer.post("/p/own/documents/new/import/confirm", data={"token": token})
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(app, Document, Document.title == "From a file") == 1


def test_two_confirms_at_once_import_once(app, world, login):
    document_id = _document(app, OUTLINE)
    clients = [login(app.test_client(), world["users"]["officer"]) for _ in range(4)]
    token = _token(_preview(clients[0], document_id, FILE))
    barrier = threading.Barrier(len(clients))
    results = []

    def confirm(client):
        barrier.wait()
        response = client.post(f"/p/own/d/{document_id}/import/confirm",
                               data={"token": token, "after": "end"})
        results.append(response.status_code)

    threads = [threading.Thread(target=confirm, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [303] * len(clients)
    assert _count(app, Section, Section.document_id == document_id) == len(OUTLINE) + 2
    assert _count(app, ImportReceipt) == 1


def test_two_new_document_confirms_at_once_create_one_document(app, world, login):
    clients = [login(app.test_client(), world["users"]["officer"]) for _ in range(4)]
    token = _token(clients[0].post("/p/own/documents/new/import", data={
        "title": "Raced", "kind": "mou", "file": (io.BytesIO(FILE), "mou.md")},
        content_type="multipart/form-data"))
    barrier = threading.Barrier(len(clients))
    results = []

    def confirm(client):
        barrier.wait()
        response = client.post("/p/own/documents/new/import/confirm", data={"token": token})
        results.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=confirm, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in results] == [303] * len(clients)
    assert len({location for _, location in results}) == 1
    assert _count(app, Document, Document.title == "Raced") == 1
    assert _count(app, Section) == 2


# 5. Typed heading numbers and the text before the first heading ------------------------------

def test_typed_heading_numbers_are_dropped_from_markdown_and_word():
    parsed = markdown_import.parse_markdown(
        b"# 1. Introduction\n\n## 1.1 Purpose\n\n### 1.1.1 Scope\n\n# 2) Housing\n\n"
        b"# Part 1: Context\n\n# Annex A\n\n# 5 year housing land supply\n")
    assert [s.title for s in parsed.sections] == [
        "Introduction", "Purpose", "Scope", "Housing", "Part 1: Context", "Annex A",
        "5 year housing land supply"]
    word = WordDocument()
    word.add_heading("1. Introduction", 1)
    word.add_heading("1.1 Purpose", 2)
    word.add_heading("2.3.4 Detail", 3)
    word.add_heading("Part 2: Policy", 1)
    out = io.BytesIO()
    word.save(out)
    assert [s.title for s in word_import.parse_docx(out.getvalue()).sections] == [
        "Introduction", "Purpose", "Detail", "Part 2: Policy"]


def test_text_before_the_first_heading_is_opening_text_and_the_preview_says_so(app, officer):
    word = WordDocument()
    word.add_paragraph("A foreword.")
    word.add_heading("Introduction", 1)
    word.add_paragraph("The file's own introduction.")
    out = io.BytesIO()
    word.save(out)
    parsed = word_import.parse_docx(out.getvalue())
    assert [s.title for s in parsed.sections] == ["Opening text", "Introduction"]
    document_id = _document(app, [("First", 0)])
    page = _preview(officer, document_id, out.getvalue(), name="draft.docx")
    assert import_parsing.OPENING_NOTE in page.text


# 6. The completeness check follows saves -----------------------------------------------------

def test_saving_in_place_updates_the_completeness_check(app, officer):
    with app.test_request_context():
        document = starters.create_from_template(_partnership(), "scg_guidance", "SCG",
                                                  _user())
        db.session.commit()
        document_id = document.id
    page = officer.get(f"/p/own/d/{document_id}/")
    before = int(re.search(r"Not yet complete: (\d+) gaps", page.text).group(1))
    section_id = _section_id(app, document_id, "Strategic geography")
    with app.app_context():
        version = db.session.get(Section, section_id).version
    response = officer.post(f"/p/own/d/{document_id}/s/{section_id}", headers=HX,
                            data={"body": "Six authorities in south west Hertfordshire.\n",
                                  "base_version": str(version)})
    assert response.status_code == 200
    oob = response.text.split('<div id="completeness-check" hx-swap-oob="true">')[1]
    assert f"Not yet complete: {before - 1} gaps" in oob
    assert "Strategic geography" not in oob.split("</ul>")[0]


def test_the_change_feed_updates_the_completeness_check(app, officer):
    with app.test_request_context():
        document = starters.create_from_template(_partnership(), "scg_guidance", "SCG",
                                                  _user())
        db.session.commit()
        document_id = document.id
    page = officer.get(f"/p/own/d/{document_id}/")
    before = int(re.search(r"Not yet complete: (\d+) gaps", page.text).group(1))
    cursor = re.search(r"cursor=(\d+)", page.text).group(1)
    with app.test_request_context():
        section = db.session.scalar(select(Section).where(
            Section.document_id == document_id, Section.title == "Strategic geography"))
        editing.save_section(section, "Written by someone else.\n", section.version,
                             _user("admin@watford.example") or _user())
        db.session.commit()
    feed = officer.get(f"/p/own/d/{document_id}/changes",
                       query_string={"cursor": cursor, "presence": "0"})
    assert feed.status_code == 200
    oob = feed.text.split('<div id="completeness-check" hx-swap-oob="true">')[1]
    assert f"Not yet complete: {before - 1} gaps" in oob


def test_a_preview_confirmed_again_in_another_partnership_returns_to_its_own_document(
        app, officer, factory, world):
    factory.partnership("second", [world["orgs"]["watford"]])
    preview = officer.post("/p/own/documents/new/import", data={
        "title": "Imported once", "kind": "mou", "file": (io.BytesIO(FILE), "mou.md")},
        content_type="multipart/form-data")
    token = _token(preview)
    first = officer.post("/p/own/documents/new/import/confirm", data={"token": token})
    assert first.status_code == 303 and first.headers["Location"].startswith("/p/own/d/")
    again = officer.post("/p/second/documents/new/import/confirm", data={"token": token})
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]     # not /p/second/...
    assert officer.get(again.headers["Location"]).status_code == 200
    assert _count(app, Document, Document.title == "Imported once") == 1

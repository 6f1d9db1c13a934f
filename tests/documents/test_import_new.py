"""A new document straight from a Word or Markdown file: the form, the preview (nothing
created), the confirmation (the document and every section in one transaction, each as
revision 1, audited), an expired or altered preview, and every kind of bad input."""
import gc
import io
import re
import warnings

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from tests.documents.test_import import draft_docx
from workspace.audit import AuditEvent
from workspace.documents import import_preview, new_from_file
from workspace.documents.models import Document, Section, SectionRevision
from workspace.extensions import db

START = "/p/own/documents/new/import"
CONFIRM = START + "/confirm"


@pytest.fixture(autouse=True)
def _collect_test_client_upload_files():
    """As in test_import: close the temporary files Werkzeug's test client spools."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


def _preview(client, data=None, name="draft.docx", title="Imported statement", kind="scg",
             **extra):
    form = {"title": title, "kind": kind, **extra}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post(START, data=form, content_type="multipart/form-data")


def _token(page):
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count(model.id)))
                     for model in (Document, Section, SectionRevision))


def _later(monkeypatch, seconds):
    """Stop the clock the preview tokens are checked against at `seconds` from now (just
    after the token was made), however long the request then takes on a busy machine."""
    at = TimestampSigner.get_timestamp(None) + seconds
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: at)


def test_new_document_page_offers_to_start_from_a_file(officer):
    page = officer.get("/p/own/documents/new")
    assert f'href="{START}"' in page.text and "Start from a Word or Markdown file" in page.text
    form = officer.get(START)
    assert form.status_code == 200
    assert 'for="title"' in form.text and 'for="file"' in form.text
    assert "<legend" in form.text and "Kind of document" in form.text
    assert 'enctype="multipart/form-data"' in form.text
    for label in ("Statement of Common Ground", "Engagement plan",
                  "Memorandum of understanding"):
        assert label in form.text


def test_the_preview_shows_nested_sections_and_creates_nothing(app, officer):
    page = _preview(officer, draft_docx())
    assert page.status_code == 200
    assert "Preview: 3 sections from draft.docx" in page.text
    assert "Nothing has been saved yet" in page.text
    assert "Imported statement" in page.text and "Statement of Common Ground" in page.text
    # The draft starts with one top-level heading ("Strategic context") with everything else
    # inside it: that is the file's title, left out to begin with (the preview's checkbox), so
    # its text is the opening text and its sub-sections come in one level up.
    assert re.search(r'<input [^>]*name="use_title" type="checkbox" value="y" checked',
                     page.text)
    # Levels as nesting: numbered 1, 2, 2.1 and one heading level deeper each time.
    assert re.search(r'<h3 [^>]*><span class="cg-number">1</span> Opening text</h3>',
                     page.text)
    assert re.search(r'<h3 [^>]*><span class="cg-number">2</span> Housing need</h3>',
                     page.text)
    assert re.search(r'<h4 [^>]*><span class="cg-number">2.1</span> Unmet need</h4>',
                     page.text)
    assert 'class="cg-import-section cg-depth-1"' in page.text
    assert "<strong>mostly</strong>" in page.text and "<em>under pressure</em>" in page.text
    assert "<table>" in page.text and "<li>Dacorum</li>" in page.text
    assert 'href="https://www.gov.uk/guidance/plan-making"' in page.text
    assert "1 image was not imported." in page.text
    assert _counts(app) == (0, 0, 0)


def test_confirming_creates_the_document_and_every_section_as_revision_1(app, officer,
                                                                          world):
    response = officer.post(CONFIRM, data={"token": _token(_preview(officer, draft_docx()))})
    assert response.status_code == 303
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert (document.title, document.kind, document.status) == (
            "Imported statement", "scg", "draft")
        assert response.headers["Location"].endswith(f"/p/own/d/{document.id}/")
        sections = db.session.scalars(select(Section).where(Section.document_id == document.id)
                                      .order_by(Section.position)).all()
        assert [(s.title, s.depth) for s in sections] == [
            ("Strategic context", 0), ("Housing need", 1), ("Unmet need", 2)]
        assert "| Watford | 784 |" in sections[1].body
        for section in sections:
            revisions = db.session.scalars(select(SectionRevision).where(
                SectionRevision.section_id == section.id)).all()
            assert [(r.number, r.body, r.author_id) for r in revisions] == [
                (1, section.body, world["users"]["officer"])]
        events = {e.action: e for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.document_id == document.id))}
        assert {"document.created", "document.imported"} <= set(events)
        assert '"sections": 3' in events["document.imported"].detail
        assert "draft.docx" in events["document.imported"].detail
    shown = officer.get(response.headers["Location"])
    assert "Imported statement" in shown.text and "Unmet need" in shown.text


def test_a_markdown_file_without_headings_is_one_section_with_a_note(app, officer):
    page = _preview(officer, b"Just some *notes*.\n", name="notes.md", kind="other",
                    title="Notes")
    assert page.status_code == 200 and "no headings" in page.text
    officer.post(CONFIRM, data={"token": _token(page)})
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert document.kind == "other"
        assert db.session.scalars(select(Section.body)).all() == ["Just some *notes*.\n"]


def test_every_problem_is_named_at_once_and_the_input_kept(app, officer):
    page = _preview(officer, b"%PDF-1.7", name="draft.docx", title="", kind="nonsense")
    assert page.status_code == 422
    summary = page.text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert 'href="#title"' in summary and "Enter a title" in summary
    assert 'href="#kind"' in summary and "Choose the kind of document" in summary
    assert 'href="#file"' in summary and "not a Word document" in summary
    assert "<title>Error:" in page.text
    assert _counts(app) == (0, 0, 0)
    kept = _preview(officer, b"%PDF-1.7", name="draft.docx", title="My <b>title</b>",
                    kind="mou")
    assert 'value="My &lt;b&gt;title&lt;/b&gt;"' in kept.text
    assert re.search(r'<input[^>]*checked[^>]*value="mou"|<input[^>]*value="mou"[^>]*checked',
                     kept.text)


@pytest.mark.parametrize("name,data,status,message", [
    ("draft.docx", b"", 422, "Choose a Word"),
    ("draft.pdf", b"%PDF-1.7", 422, "must be a Word document"),
    ("draft.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, 422, "older Word"),
    ("draft.docx", b"PK\x03\x04 truncated", 422, "damaged"),
    ("notes.md", b"\xff\xfe\x00bad", 422, "not UTF-8"),
])
def test_bad_files_are_refused_with_a_clear_message_and_nothing_created(
        app, officer, name, data, status, message):
    page = _preview(officer, data, name=name)
    assert page.status_code == status and message in page.text
    assert "govuk-error-summary" in page.text and 'value="Imported statement"' in page.text
    assert _counts(app) == (0, 0, 0)


# Two top-level headings: the file has no title of its own (a blank title is refused; with a
# file that has one, tests/documents/test_import_title.py, the file's title is used).
PARTS = b"# One\n\nText.\n\n# Two\n\nMore.\n\n## Two a\n\nDetail.\n"


def test_a_good_file_is_kept_while_the_title_is_corrected(app, officer):
    refused = _preview(officer, PARTS, name="draft.md", title="")
    assert refused.status_code == 422 and "Enter a title" in refused.text
    assert "Chosen already: draft.md" in refused.text
    page = _preview(officer, None, title="Second try", token=_token(refused))
    assert page.status_code == 200 and "Preview: 3 sections from draft.md" in page.text
    assert officer.post(CONFIRM, data={"token": _token(page)}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Document.title)) == "Second try"


def test_change_goes_back_to_the_form_with_everything_kept(officer):
    page = _preview(officer, draft_docx(), title="First title", kind="engagement_plan")
    back = officer.post(START, data={"token": _token(page), "change": "1"})
    assert back.status_code == 200
    assert 'value="First title"' in back.text and "Chosen already: draft.docx" in back.text
    assert re.search(r'value="engagement_plan"[^>]*checked|checked[^>]*value="engagement_plan"',
                     back.text)


def test_an_expired_preview_creates_nothing_and_says_so(app, officer, monkeypatch):
    token = _token(_preview(officer, draft_docx(), title="Late statement", kind="mou"))
    _later(monkeypatch, 60 * 60 + 1)
    response = officer.post(CONFIRM, data={"token": token})
    assert response.status_code == 410
    assert "The preview has expired" in response.text and "Nothing was imported" in response.text
    assert "govuk-error-summary" in response.text
    assert 'value="Late statement"' in response.text          # what the user typed, kept
    assert re.search(r'value="mou"[^>]*checked|checked[^>]*value="mou"', response.text)
    assert _counts(app) == (0, 0, 0)


def test_a_preview_within_its_hour_is_still_accepted(app, officer, monkeypatch):
    token = _token(_preview(officer, draft_docx()))
    _later(monkeypatch, 60 * 60 - 5)
    assert officer.post(CONFIRM, data={"token": token}).status_code == 303
    assert _counts(app)[0] == 1


def test_the_preview_lifetime_is_configurable(app, officer, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_PREVIEW_MAX_AGE_MINUTES", 5)
    token = _token(_preview(officer, draft_docx()))
    _later(monkeypatch, 5 * 60 + 1)
    response = officer.post(CONFIRM, data={"token": token})
    assert response.status_code == 410 and "for 5 minutes" in response.text
    assert _counts(app) == (0, 0, 0)


def test_an_altered_preview_is_refused(app, officer):
    token = _token(_preview(officer, draft_docx()))
    response = officer.post(CONFIRM, data={"token": token[:-3] + "AAA"})
    assert response.status_code == 400 and "altered" in response.text
    assert officer.post(CONFIRM, data={}).status_code == 400
    assert _counts(app) == (0, 0, 0)


def test_a_preview_for_an_existing_document_cannot_create_a_new_one(app, officer):
    with app.test_request_context():
        token = import_preview.seal_preview(import_preview.INTO_DOCUMENT, {
            "document": 1, "file": "x.md", "parsed": {"sections": [], "notes": []}})
    assert officer.post(CONFIRM, data={"token": token}).status_code == 400
    assert _counts(app) == (0, 0, 0)


def test_a_preview_made_in_another_partnership_is_refused(app, officer, world):
    with app.test_request_context():
        token = import_preview.seal_preview(import_preview.NEW_DOCUMENT, {
            "partnership": world["partnerships"]["foreign"], "title": "Theirs",
            "kind": "scg", "file": "x.md",
            "parsed": {"sections": [{"title": "A", "depth": 0, "body": ""}], "notes": []}})
    response = officer.post(CONFIRM, data={"token": token})
    assert response.status_code == 400 and "another partnership" in response.text
    assert _counts(app) == (0, 0, 0)


def test_a_failure_part_way_creates_nothing(app, officer, monkeypatch):
    token = _token(_preview(officer, draft_docx()))
    real, calls = new_from_file.append_section, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(new_from_file, "append_section", failing)
    assert officer.post(CONFIRM, data={"token": token}).status_code == 500
    assert len(calls) == 2 and _counts(app) == (0, 0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action.in_(("document.created", "document.imported")))) == 0


def _big_markdown(sections=6, size=150_000):
    """Markdown that barely compresses: the preview token is bigger than the 500 KB Flask
    allows a text field of a multipart form."""
    import random
    rng = random.Random(8)
    return "".join(f"# Part {i}\n\n" + "".join(rng.choice("abcdefghij klmnop\n")
                                                for _ in range(size)) + "\n\n"
                   for i in range(sections)).encode()


def test_a_large_file_can_be_previewed_and_confirmed(app, officer):
    page = _preview(officer, _big_markdown(), name="big.md")
    assert page.status_code == 200 and "Preview: 6 sections" in page.text
    token = _token(page)
    assert len(token) > app.config["MAX_FORM_MEMORY_SIZE"]
    assert officer.post(CONFIRM, data={"token": token}).status_code == 303
    assert _counts(app) == (1, 6, 6)


def test_a_file_too_large_to_keep_in_the_form_must_be_chosen_again(app, officer):
    refused = _preview(officer, _big_markdown(), name="big.md", title="")
    assert refused.status_code == 422 and "Enter a title" in refused.text
    assert "Chosen already" not in refused.text and 'name="token"' not in refused.text
    assert _counts(app) == (0, 0, 0)


def test_hostile_content_is_shown_as_text_and_never_run(app, officer):
    data = (b"# Matter <script>alert(1)</script>\n\n<img src=x onerror=alert(2)> "
            b"[x](javascript:alert(3)) <iframe src=https://evil.example></iframe>\n")
    page = _preview(officer, data, name="evil.md")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "onerror" not in page.text.replace(
        "onerror=alert(2)&gt;", "")
    assert 'href="javascript' not in page.text and "<iframe" not in page.text
    officer.post(CONFIRM, data={"token": _token(page)})
    with app.app_context():
        document_id = db.session.scalar(select(Document.id))
    shown = officer.get(f"/p/own/d/{document_id}/")
    assert "<script>alert" not in shown.text and 'href="javascript' not in shown.text
    assert "<iframe" not in shown.text


@pytest.mark.parametrize("role,status", [("viewer", 403), ("member", 403),
                                         ("foreign_admin", 404)])
def test_only_officers_and_admins_of_the_partnership_may_import_a_new_document(
        app, client, login, world, role, status):
    user = login(client, world["users"][role])
    assert user.get(START).status_code == status
    assert _preview(user, draft_docx()).status_code == status
    assert user.post(CONFIRM, data={"token": "x"}).status_code == status
    assert _counts(app) == (0, 0, 0)


def test_the_confirmation_needs_a_csrf_token(app, officer):
    token = _token(_preview(officer, draft_docx()))
    assert officer.post(CONFIRM, data={"token": token}, csrf=False).status_code == 400
    assert _counts(app) == (0, 0, 0)

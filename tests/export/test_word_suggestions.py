"""Open suggestions in the Word export: a clearly marked list after each section in the file
of the draft; never in the file of a frozen version, nor in what a PDF is printed from."""
import io

from docx import Document as WordDocument
from sqlalchemy import select

from tests.support import agree
from workspace.accounts.models import User
from workspace.documents.models import Document
from workspace.export import service as export_service
from workspace.extensions import db
from workspace.review import positions
from workspace.suggestions.demo import GREEN_BELT_TO

SCG = "/p/sw-herts/d/1"
HERTSMERE_REASON = "Hertsmere's position depends on this"


def _paragraphs(response):
    assert response.status_code == 200
    return [p.text for p in WordDocument(io.BytesIO(response.data)).paragraphs]


def _login(client, login, app):
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == "officer@watford.example"))
    return login(client, uid)


def test_the_draft_lists_open_suggestions_after_their_section(app, client, login, demo):
    text = _paragraphs(_login(client, login, app).get(f"{SCG}/docx"))
    green = next(i for i, t in enumerate(text) if t.endswith("The future role of the Green Belt"))
    marked = text.index("Suggested changes (not agreed)", green)
    following = next(i for i, t in enumerate(text) if i > green and t[:1].isdigit()
                     and t.split(" ")[0].replace(".", "").isdigit()
                     and "Green Belt" not in t)
    assert green < marked < following                 # after its section, before the next
    block = text[marked:following]
    assert any(t.startswith("Suggested by Hertsmere Borough Council (") for t in block)
    assert any(t.startswith("Reason: " + HERTSMERE_REASON) for t in block)
    assert "Proposed text:" in block
    assert any(GREEN_BELT_TO in t for t in block)
    assert "End of the suggested change." in block
    assert text.count("Suggested changes (not agreed)") == 2      # two open in the demo
    # The rejected suggestion is not listed.
    assert not any("on Green Belt land where that is needed" in t for t in text)


def test_a_frozen_version_and_the_pdf_source_never_show_suggestions(app, client, login, demo):
    with app.test_request_context():
        html, *_ = export_service.print_html(db.session.get(Document, 1))
        assert "Suggested" not in html and GREEN_BELT_TO not in html
        document = db.session.get(Document, 1)
        members = db.session.scalars(select(User).where(User.role == "member")).all()
        for cell in positions.agreement_grid(document).outstanding:
            member = next(u for u in members
                          if u.organisation_id == cell.signatory.organisation_id)
            positions.record_position(cell.section, member, "agreed")
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        agree(document, admin, with_exceptions=True)
        db.session.commit()
        number = document.version_number
    officer = _login(client, login, app)
    for url in (f"{SCG}/docx", f"{SCG}/versions/{number}/docx"):
        text = _paragraphs(officer.get(url))
        assert not any("Suggested" in t for t in text), url
        assert not any(GREEN_BELT_TO in t for t in text), url

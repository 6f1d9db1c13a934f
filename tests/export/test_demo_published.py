"""The demo as `make run` seeds it: a published, signed version 1 and a version 2 part-way."""
import io

from sqlalchemy import func, select

from workspace.accounts.models import User
from workspace.documents.models import Document
from workspace.export.verify import verify_pdf
from workspace.extensions import db
from workspace.review import lifecycle, positions
from workspace.review.models import Comment

from ..support import download
from .pdf_checks import reader_of, signature_widgets, text_of, unembedded_fonts, zero_sized


def test_demo_has_a_published_version_1_signed_by_every_authority(app, client, login,
                                                                   run_jobs):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        document = db.session.get(Document, 1)
        assert (document.version_number, document.status) == (2, "out_for_agreement")
        v1 = lifecycle.version(document, 1)
        assert v1.published_at is not None and v1.agreed_with_exceptions
        assert len(lifecycle.signatures(v1)) == 6
        grid = positions.agreement_grid(document)
        states = {(c.section.title, c.signatory.organisation.code): c.state
                  for c in grid.cells.values()}
        member = db.session.scalar(select(User.id).where(User.email == "member@watford.example"))
        assert states[("Strategic infrastructure priorities", "watford")] == "stale"
        assert states[("Strategic employment opportunities", "watford")] == "missing"
        assert states[("The future role of the Green Belt", "hertsmere")] == "not_agreed"
        assert states[("Housing need and distribution", "watford")] == "agreed"
        assert db.session.scalar(select(func.count(Comment.id))) >= 3

    login(client, member)
    response = client.get("/p/sw-herts/d/1/versions/1/pdf")
    assert response.status_code == 200
    with app.app_context():
        report = verify_pdf(response.data)
        assert report.genuine and report.version == 1
        assert len(report.signatures) == 6 and all(s.ok for s in report.signatures)
    # The published demo keeps what made it accessible (issue 16): every font embedded, six
    # signature fields, each invisible with a description, the structure tree in place.
    published = reader_of(response.data)
    assert unembedded_fonts(published) == []
    widgets = signature_widgets(published)
    assert len(widgets) == 6
    assert all(zero_sized(widget) and field.get("/TU") for field, widget in widgets)
    assert published.trailer["/Root"].get("/StructTreeRoot") is not None
    assert "Signed on" in text_of(response.data)[0] and "published on" in text_of(
        response.data)[0]
    # The published file is the stored, signed one: downloading again gives the same bytes.
    assert client.get("/p/sw-herts/d/1/versions/1/pdf").data == response.data
    # Seeding ran the jobs that render and sign version 1 (both variants); the draft of
    # version 2 is rendered by a job when first asked for.
    assert client.get("/p/sw-herts/d/1/versions/1/pdf?variant=archive").status_code == 200
    draft = download(client, "/p/sw-herts/d/1/pdf", run_jobs)
    assert "v2" in draft.headers["Content-Disposition"]
    from pypdf import PdfReader
    assert "DRAFT" in PdfReader(io.BytesIO(draft.data)).pages[0].extract_text()

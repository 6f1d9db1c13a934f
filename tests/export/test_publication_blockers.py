"""Nothing half-signed is published: publishing waits for the signed PDFs (issue 16)."""
import pytest
from sqlalchemy import select

from tests.support import agree
from workspace.accounts.models import User
from workspace.documents import service as documents
from workspace.export import keys
from workspace.extensions import db
from workspace.jobs import runner
from workspace.jobs.models import Job
from workspace.partnerships.models import Partnership
from workspace.review import lifecycle, positions
from workspace.review.errors import LifecycleError
from workspace.review.models import Signatory

PASSWORD = "correct-horse-1"


@pytest.fixture
def signed(app, world):
    """A document signed by Watford, whose Member's authority holds a trial key."""
    with app.test_request_context():
        admin = db.session.get(User, world["users"]["admin"])
        member = db.session.get(User, world["users"]["member"])
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = documents.create_document(partnership, "SCG", "scg", admin)
        matter = documents.append_section(document, "Housing", "Housing text.\n")
        matter.strategic_matter = True
        db.session.add(Signatory(document_id=document.id,
                                 organisation_id=member.organisation_id))
        keys.make_self_signed(member.organisation, user=admin)
        lifecycle.send_out(document, admin, reason="A test of publishing.")
        positions.record_position(matter, member, "agreed")
        agree(document, admin)
        lifecycle.sign(document, member, PASSWORD, "Cllr Member", "Leader")
        if document.is_agreed:
            lifecycle.mark_signed(document, admin)
        db.session.commit()
        return document.id


def _publish(app, world, document_id):
    with app.test_request_context():
        from workspace.documents.models import Document
        document = db.session.get(Document, document_id)
        lifecycle.publish(document, db.session.get(User, world["users"]["admin"]))
        db.session.commit()


def test_publishing_waits_until_the_signed_pdf_is_ready(app, world, signed, run_jobs):
    with pytest.raises(LifecycleError) as refused:
        _publish(app, world, signed)
    assert refused.value.status == 409
    assert "still being prepared" in refused.value.message
    run_jobs()
    _publish(app, world, signed)


def test_a_failed_signing_job_is_named_and_blocks_publishing(app, world, signed, run_jobs,
                                                              monkeypatch):
    import workspace.export.signing as pdf_signing

    def broken(*_args, **_kwargs):
        raise RuntimeError("the key could not be read")

    monkeypatch.setattr(pdf_signing, "sign_pdf", broken)
    run_jobs()
    with app.app_context():
        assert db.session.scalar(select(Job.status).where(Job.kind == "export.sign_pdf")) \
            == "failed"
    with pytest.raises(LifecycleError) as refused:
        _publish(app, world, signed)
    assert "could not be made (RuntimeError: the key could not be read)" in \
        refused.value.message
    monkeypatch.undo()
    with app.app_context():
        runner.retry(db.session.scalar(select(Job).where(Job.kind == "export.sign_pdf")))
        db.session.commit()
    run_jobs()
    _publish(app, world, signed)

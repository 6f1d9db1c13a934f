"""A signing job that fails for good tells the Member who signed, with a link to try again
(issue 16: "the Member is told and can retry"), by e-mail too."""
from sqlalchemy import select

from tests.signing_support import PASSWORD, agreed_scg
from workspace.accounts.models import User
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.jobs.models import Job
from workspace.review import lifecycle

from .helpers import notifications_of


def _signed(app, world, factory):
    scg = agreed_scg(app, world, factory, signatories=("watford",), keys=("watford",))
    with app.test_request_context():
        document = db.session.get(Document, scg["id"])
        member = db.session.get(User, scg["users"]["member"])
        lifecycle.sign(document, member, PASSWORD, "Cllr Watford", "Leader")
        db.session.commit()
    return scg


def test_the_member_who_signed_is_told_when_the_signed_pdf_fails(app, world, factory,
                                                                 run_jobs, monkeypatch, smtp):
    import workspace.export.signing as pdf_signing

    def broken(*_args, **_kwargs):
        raise RuntimeError("the certificate could not be read")

    scg = _signed(app, world, factory)
    monkeypatch.setattr(pdf_signing, "sign_pdf", broken)
    run_jobs()
    with app.app_context():
        assert db.session.scalar(select(Job.status).where(Job.kind == "export.sign_pdf")) \
            == "failed"
    told = [n for n in notifications_of(app, scg["users"]["member"])
            if n.kind == "signing_failed"]
    assert len(told) == 1
    assert "could not yet be added to the PDF" in told[0].title
    assert told[0].link.endswith("/progress")
    assert "the certificate could not be read" in told[0].reason
    # Nobody else is told (the partnership admin sees it under Background work).
    assert not [n for n in notifications_of(app, scg["users"]["admin"])
                if n.kind == "signing_failed"]
    run_jobs()      # the e-mail goes by its own job
    mail = smtp.to("member@watford.example")
    assert mail and "could not yet be added to the PDF" in mail[-1]["Subject"] + \
        mail[-1].get_body().get_content()


def test_a_failed_rendering_is_no_signing_failure(app, world, factory, run_jobs,
                                                        monkeypatch, login):
    import workspace.export.service as export_service

    def broken(*_args, **_kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(export_service, "render_pdf", broken)
    scg = agreed_scg(app, world, factory)
    client = login(app.test_client(), scg["users"]["member"])
    assert client.get(scg["base"] + "/pdf").status_code == 202
    run_jobs()
    with app.app_context():
        assert db.session.scalar(select(Job.status).where(Job.kind == "export.render_pdf")) \
            == "failed"
    assert not [n for n in notifications_of(app, scg["users"]["member"])
                if n.kind == "signing_failed"]

"""Delivery through a real SMTP server: a burst is one e-mail per person, a server that is
down or refuses for now is tried again (the notification waits in the list), a bounce is
recorded and shown to the organisation's admins, nobody outside the partnership or
deactivated gets e-mail, and invitations go by a job."""
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.documents import service as documents
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.jobs import runner
from workspace.jobs.models import Job
from workspace.notifications.models import EMAIL_BOUNCED, EMAIL_NONE, EMAIL_PENDING, EMAIL_SENT
from workspace.partnerships.models import Partner
from workspace.review.models import Signatory

from .helpers import edit, give_position, notifications_of, send_out


def _job_for(app, user_id):
    return next(j for j in _deliver_jobs(app) if f'"user_id": {user_id}' in j.payload)


def _deliver_jobs(app):
    with app.app_context():
        db.session.rollback()
        return db.session.scalars(select(Job).where(Job.kind == "notifications.deliver")
                                  .order_by(Job.id)).all()


def test_a_document_of_sixty_matters_going_out_is_one_email_per_person(app, scg, smtp,
                                                                       run_jobs):
    with app.app_context():
        document = db.session.get(Document, scg["id"])
        for n in range(60):
            documents.append_section(document, f"Matter {n}", f"Text {n}.\n").strategic_matter \
                = True
        db.session.commit()
    send_out(app, scg)
    run_jobs()
    assert len(smtp.to("member@watford.example")) == 1
    assert "62 strategic matters" in smtp.to("member@watford.example")[0]["Subject"]


def test_many_sections_edited_is_one_email_per_person(app, scg, smtp, run_jobs):
    with app.app_context():
        db.session.get(Signatory, 2).all_matters = True          # Dacorum signs for both
        db.session.commit()
    send_out(app, scg)
    for index in (1, 2):
        for who in ("member", "dacorum_member"):
            give_position(app, scg, index, who)
    run_jobs()
    smtp.messages.clear()
    edit(app, scg, 1, "Housing, changed.\n")
    edit(app, scg, 2, "Green Belt, changed.\n")
    assert len(_deliver_jobs(app)) - 2 == 2          # one waiting job per person, not per edit
    run_jobs()
    for address in ("member@watford.example", "member@dacorum.example"):
        found = smtp.to(address)
        assert len(found) == 1
        assert found[0]["Subject"].startswith("2 updates in Common Ground")
        body = found[0].get_content()
        assert "“Housing” changed" in body and "“Green Belt” changed" in body


def test_smtp_down_is_retried_and_the_notification_waits_in_the_list(app, scg, smtp,
                                                                     run_jobs, login):
    smtp.down()
    send_out(app, scg)
    job = _job_for(app, scg["users"]["member"])
    with app.app_context():
        assert runner.run(job.id, ignore_schedule=True) == "pending"      # to be tried again
        db.session.rollback()
        again = db.session.get(Job, job.id)
        assert "could not be reached" in again.last_error and "@" not in again.last_error
    member = scg["users"]["member"]
    assert [n.email_state for n in notifications_of(app, member)] == [EMAIL_PENDING]
    page = login(app.test_client(), member).get("/notifications").get_data(as_text=True)
    assert "is out for agreement" in page
    smtp.up()
    run_jobs()
    assert len(smtp.to("member@watford.example")) == 1
    assert [n.email_state for n in notifications_of(app, member)] == [EMAIL_SENT]


def test_a_refusal_for_now_is_retried_not_a_bounce(app, scg, smtp, run_jobs):
    smtp.refuse("member@watford.example", permanent=False)
    send_out(app, scg)
    job = _job_for(app, scg["users"]["member"])
    with app.app_context():
        assert runner.run(job.id, ignore_schedule=True) == "pending"
        db.session.rollback()
        assert db.session.get(User, scg["users"]["member"]).mail_bounced_at is None
    smtp.handler.refuse.clear()
    run_jobs()
    assert len(smtp.to("member@watford.example")) == 1


def test_a_bounce_is_recorded_shown_to_the_organisation_admin_and_not_retried(
        app, scg, smtp, run_jobs, login):
    smtp.refuse("member@watford.example")
    send_out(app, scg)
    run_jobs()
    member = scg["users"]["member"]
    assert _job_for(app, member).status == "done"                       # not retried
    assert _job_for(app, member).attempts == 1
    assert [n.email_state for n in notifications_of(app, member)] == [EMAIL_BOUNCED]
    assert len(smtp.to("member@dacorum.example")) == 1                  # others still get it
    with app.app_context():
        assert "550" in db.session.get(User, member).mail_bounce_reason
    admin = login(app.test_client(), scg["users"]["admin"])
    page = admin.get("/organisation/").get_data(as_text=True)
    assert "E-mail bounced" in page and "No such user here" in page
    # While bounced, nothing more is sent to the address; the list still has everything.
    edit(app, scg, 1, "Housing, changed.\n")
    give_position(app, scg, 1, "member")
    edit(app, scg, 1, "Housing, changed again.\n")
    run_jobs()
    assert [n.email_state for n in notifications_of(app, member)][-1] == EMAIL_NONE
    # The admin asks for e-mail to be tried again.
    response = admin.post(f"/organisation/users/{member}/mail-bounce/clear")
    assert response.status_code == 303
    assert "E-mail bounced" not in admin.get("/organisation/").get_data(as_text=True)
    # Another organisation's admin never sees it (the page shows only its own users).
    dacorum_admin = login(app.test_client(), _dacorum_admin(app, scg))
    assert "member@watford.example" not in dacorum_admin.get("/organisation/").get_data(
        as_text=True)
    assert dacorum_admin.post(f"/organisation/users/{member}/mail-bounce/clear"
                              ).status_code == 404


def _dacorum_admin(app, scg):
    with app.app_context():
        dacorum = db.session.get(User, scg["users"]["dacorum_member"]).organisation_id
        row = User(email="admin@dacorum.example", name="Dacorum Admin", role="admin",
                   organisation_id=dacorum)
        row.set_password("correct-horse-1")
        db.session.add(row)
        db.session.commit()
        return row.id


def test_no_email_to_a_user_deactivated_or_an_organisation_gone_before_it_went(
        app, scg, smtp, run_jobs):
    send_out(app, scg)                                   # notifications made, e-mail waits
    with app.app_context():
        db.session.get(User, scg["users"]["member"]).active = False
        partner = db.session.scalar(select(Partner).where(
            Partner.organisation_id == db.session.get(
                User, scg["users"]["dacorum_member"]).organisation_id))
        partner.status = "left"
        db.session.commit()
    run_jobs()
    assert smtp.messages == []
    assert [n.email_state for n in notifications_of(app, scg["users"]["member"])] == [
        EMAIL_NONE]


def test_without_a_mail_server_nothing_is_sent_and_the_list_keeps_it(app, scg, run_jobs):
    send_out(app, scg)
    run_jobs()
    assert _deliver_jobs(app) == []
    assert [n.email_state for n in notifications_of(app, scg["users"]["member"])] == [
        EMAIL_NONE]


def test_an_invitation_is_emailed_by_a_job_with_its_link(app, world, smtp, run_jobs, login):
    admin = login(app.test_client(), world["users"]["admin"])
    page = admin.post("/organisation/invitations", data={
        "name": "New Person", "email": "new@watford.example", "role": "officer"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "will be e-mailed to new@watford.example" in html
    assert "http://localhost/invitation/" in html or "/invitation" in html   # link shown too
    assert smtp.messages == []                           # not in the request
    run_jobs()
    (email,) = smtp.to("new@watford.example")
    assert email["Subject"] == "Invitation to Common Ground for Watford Borough Council"
    body = email.get_content()
    assert "Test Admin has invited you to join Watford Borough Council" in body
    assert "http://localhost/" in body and "You get this because" in body


def test_an_invitation_without_mail_shows_the_link_only(app, world, run_jobs, login):
    admin = login(app.test_client(), world["users"]["admin"])
    html = admin.post("/organisation/invitations", data={
        "name": "New Person", "email": "new@watford.example", "role": "officer"}
    ).get_data(as_text=True)
    assert "will be e-mailed" not in html and 'id="invite-link"' in html
    assert run_jobs() == 0

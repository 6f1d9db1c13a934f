"""Every e-mail has a signed unsubscribe link that works without signing in: a page with one
button, and the one-click POST of RFC 8058 (List-Unsubscribe, List-Unsubscribe-Post)."""
import re

from workspace.documents.models import Document
from workspace.extensions import db
from workspace.notifications.models import EMAIL_NONE
from workspace.review import lifecycle

from .helpers import act, notifications_of, send_out, user


def _unsubscribe_path(email):
    found = re.search(r"Stop these e-mails \(.*?\): http://localhost(\S+)", email.get_content())
    return found.group(1)


def _first_email(app, scg, smtp, run_jobs):
    send_out(app, scg)
    run_jobs()
    (email,) = smtp.to("member@watford.example")
    return email


def test_every_email_carries_the_unsubscribe_link_and_one_click_headers(app, scg, smtp,
                                                                        run_jobs):
    email = _first_email(app, scg, smtp, run_jobs)
    path = _unsubscribe_path(email)
    assert email["List-Unsubscribe"] == f"<http://localhost{path}>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "http://localhost/notifications/preferences" in email.get_content()


def test_the_link_asks_first_then_stops_those_emails_without_signing_in(app, scg, smtp,
                                                                        run_jobs, login):
    path = _unsubscribe_path(_first_email(app, scg, smtp, run_jobs))
    client = app.test_client()                                 # not signed in
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Stop these e-mails?" in html and "Positions your authority owes" in html
    done = client.post(path, csrf=False)                        # no session, no CSRF token
    assert done.status_code == 200 and "E-mails stopped" in done.get_data(as_text=True)
    member = login(app.test_client(), scg["users"]["member"])
    settings = member.get("/notifications/preferences").get_data(as_text=True)
    assert 'name="position_owed" type="radio" value="off" checked' in settings
    assert 'name="comment_reply" type="radio" value="immediate" checked' in settings


def test_one_click_unsubscribes_with_a_post_from_the_mail_client(app, scg, smtp, run_jobs):
    path = _unsubscribe_path(_first_email(app, scg, smtp, run_jobs))
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"},
                                      csrf=False)
    assert response.status_code == 204
    # The next document going out is listed, not e-mailed.
    act(app, lambda: lifecycle.back_to_draft(db.session.get(Document, scg["id"]),
                                             user(scg["users"]["admin"]), confirmed=True))
    send_out(app, scg)
    run_jobs()
    assert len(smtp.to("member@watford.example")) == 1
    assert notifications_of(app, scg["users"]["member"])[-1].email_state == EMAIL_NONE


def test_a_forged_or_altered_link_is_not_found(app, scg, smtp, run_jobs):
    path = _unsubscribe_path(_first_email(app, scg, smtp, run_jobs))
    client = app.test_client()
    assert client.get(path[:-3] + "abc").status_code == 404
    assert client.post(path[:-3] + "abc", csrf=False).status_code == 404
    assert client.get("/notifications/unsubscribe/not-a-token").status_code == 404

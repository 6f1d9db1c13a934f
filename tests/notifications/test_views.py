"""The notifications list in the header (unread count), opened = read, mark all read, and
the development outbox (only when APP_ENV=development)."""
import pytest

from workspace import create_app
from workspace.extensions import db
from workspace.jobs import runner

from .helpers import notifications_of, send_out


def test_the_header_counts_unread_and_the_list_says_unread_in_words(app, scg, login):
    send_out(app, scg)
    client = login(app.test_client(), scg["users"]["member"])
    home = client.get("/").get_data(as_text=True)
    assert 'href="/notifications">Notifications (1<span class="govuk-visually-hidden"> ' \
           'unread</span>)</a>' in home
    page = client.get("/notifications").get_data(as_text=True)
    assert ">Unread</strong>" in page and "1 unread." in page
    assert "You are a Member of Watford Borough Council" in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_place(app, scg, login):
    send_out(app, scg)
    member = scg["users"]["member"]
    (notification,) = notifications_of(app, member)
    client = login(app.test_client(), member)
    response = client.get(f"/notifications/{notification.id}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{scg['base']}/review-queue"
    assert notifications_of(app, member)[0].read_at is not None
    page = client.get("/notifications").get_data(as_text=True)
    assert ">Unread</strong>" not in page and "Nothing unread." in page
    assert "Notifications (" not in client.get("/").get_data(as_text=True)


def test_another_users_notification_is_not_found(app, scg, login):
    send_out(app, scg)
    (notification,) = notifications_of(app, scg["users"]["member"])
    other = login(app.test_client(), scg["users"]["dacorum_member"])
    assert other.get(f"/notifications/{notification.id}").status_code == 404
    assert notifications_of(app, scg["users"]["member"])[0].read_at is None


def test_mark_all_read(app, scg, login):
    send_out(app, scg)
    client = login(app.test_client(), scg["users"]["member"])
    assert client.post("/notifications/read").status_code == 303
    assert notifications_of(app, scg["users"]["member"])[0].read_at is not None
    assert client.post("/notifications/read", csrf=False).status_code == 400


def test_the_outbox_is_not_there_outside_development(app, world, login):
    client = login(app.test_client(), world["users"]["officer"])
    assert client.get("/dev/outbox").status_code == 404


@pytest.fixture
def dev_app(app):
    """The same database, as `make run` sees it: APP_ENV=development, no mail server."""
    dev = create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SERVER_NAME",
        "SESSION_COOKIE_SECURE", "JOBS_QUEUE_URL", "JOBS_RETRY_DELAY_SECONDS",
        "NOTIFY_BATCH_SECONDS", "VERIFY_RATE_LIMIT")},
        "APP_ENV": "development", "MAIL_SERVER": "", "BASE_URL": "http://127.0.0.1:5000"})
    dev.test_client_class = app.test_client_class
    yield dev
    with dev.app_context():
        db.session.remove()
        db.engine.dispose()     # its own pool: closed now, not when collected (PostgreSQL warns)


def test_in_development_emails_go_to_the_outbox_page(dev_app, scg, login):
    send_out(dev_app, scg)
    with dev_app.app_context():
        runner.run_pending(ignore_schedule=True)
    client = login(dev_app.test_client(), scg["users"]["officer"])
    page = client.get("/dev/outbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "member@watford.example" in html and "member@dacorum.example" in html
    assert "is out for agreement" in html
    assert "http://127.0.0.1:5000/p/own/d/" in html             # links to the dev server
    assert "List-Unsubscribe-Post" in html

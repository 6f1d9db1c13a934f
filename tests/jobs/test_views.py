"""The partnership admins' page of background work: failures with their reason, "Try again";
nobody else sees or retries them."""
from datetime import timedelta

import pytest

from workspace.clock import utcnow
from workspace.extensions import db
from workspace.jobs import job, submit
from workspace.jobs.models import Job

DONE_BY = []


@job("test.views.render", retries=1)
def _render(name):
    DONE_BY.append(name)


@pytest.fixture(autouse=True)
def _done_by():
    DONE_BY.clear()
    yield
    DONE_BY.clear()


def make_job(app, partnership_id, label, status="failed", key=None, reason=None,
             attempts=2, name="x"):
    """A job of the partnership in the given state; its id."""
    with app.test_request_context():
        row = submit("test.views.render", key=key, partnership_id=partnership_id, label=label,
                     name=name)
        row.status, row.attempts, row.last_error = status, attempts, reason
        if status == "failed":
            row.finished_at = utcnow() - timedelta(minutes=5)
        if status == "running":
            row.started_at, row.lease_until = utcnow(), utcnow() + timedelta(minutes=1)
        db.session.commit()
        return row.id


def job_row(app, job_id):
    with app.app_context():
        row = db.session.get(Job, job_id)
        return {"status": row.status, "attempts": row.attempts}


@pytest.fixture
def own(world):
    return world["partnerships"]["own"]


@pytest.fixture
def admin(client, world, login):
    return login(client, world["users"]["admin"])


def test_the_admin_sees_failed_work_with_its_reason_and_what_waits(app, admin, world, own):
    make_job(app, own, "Signed PDF of version 2", reason="The signing key has expired.")
    make_job(app, own, "PDF of the Statement", status="pending", attempts=1,
             reason="ConnectionError: SMTP is down")
    make_job(app, own, "Email to Members", status="running", attempts=1)
    make_job(app, world["partnerships"]["foreign"], "Luton's PDF", reason="Luton's reason.")
    page = admin.get("/p/own/admin/jobs")
    assert page.status_code == 200
    failed, waiting = page.text.split('id="waiting-heading"')
    assert "Signed PDF of version 2" in failed and "The signing key has expired." in failed
    assert "Try again" in failed
    assert "PDF of the Statement" in waiting and "SMTP is down" in waiting
    assert "Email to Members" in waiting and "Running" in waiting and "1 of 2" in waiting
    assert "Luton" not in page.text


def test_the_partnership_admin_page_links_to_the_background_work(admin):
    assert "/p/own/admin/jobs" in admin.get("/p/own/admin").text


def test_a_failure_since_mended_by_a_later_job_with_its_key_is_not_listed(app, admin, own):
    make_job(app, own, "Old PDF attempt", key="pdf:1", reason="Pango crashed.")
    make_job(app, own, "New PDF", status="done", key="pdf:1")
    make_job(app, own, "Another PDF", key="pdf:2", reason="Still broken.")
    page = admin.get("/p/own/admin/jobs").text
    assert "Pango crashed." not in page and "Still broken." in page


def test_nothing_failed_says_so(admin):
    page = admin.get("/p/own/admin/jobs").text
    assert "Nothing has failed." in page and "Nothing is running or waiting." in page


def test_try_again_gives_a_failed_job_fresh_attempts(app, admin, own, run_jobs):
    job_id = make_job(app, own, "Signed PDF", reason="The key has expired.", name="retried")
    response = admin.post(f"/p/own/admin/jobs/{job_id}/retry")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/p/own/admin/jobs")
    assert job_row(app, job_id) == {"status": "pending", "attempts": 0}
    assert "Signed PDF: it will be tried again shortly." in admin.get("/p/own/admin/jobs").text
    assert run_jobs() == 1
    assert DONE_BY == ["retried"] and job_row(app, job_id)["status"] == "done"


def test_try_again_on_work_no_longer_failed_changes_nothing(app, admin, own):
    job_id = make_job(app, own, "Signed PDF", status="running", attempts=1)
    response = admin.post(f"/p/own/admin/jobs/{job_id}/retry")
    assert response.status_code == 303
    assert job_row(app, job_id) == {"status": "running", "attempts": 1}
    assert "is not failed any more" in admin.get("/p/own/admin/jobs").text


def test_try_again_needs_the_form_token(app, admin, own):
    job_id = make_job(app, own, "Signed PDF", reason="Expired.")
    assert admin.post(f"/p/own/admin/jobs/{job_id}/retry", csrf=False).status_code == 400
    assert job_row(app, job_id)["status"] == "failed"


@pytest.mark.parametrize("role", ["viewer", "officer", "member", "dacorum_officer"])
def test_partners_without_the_grant_cannot_see_or_retry(app, client, login, world, own, role):
    job_id = make_job(app, own, "Signed PDF", reason="The key has expired.")
    login(client, world["users"][role])
    page = client.get("/p/own/admin/jobs")
    assert page.status_code == 403 and "The key has expired." not in page.text
    assert client.post(f"/p/own/admin/jobs/{job_id}/retry").status_code == 403
    assert job_row(app, job_id)["status"] == "failed"


def test_another_partnerships_admin_and_an_outsider_find_nothing(app, client, login, world,
                                                                 own, factory):
    job_id = make_job(app, own, "Signed PDF", reason="The key has expired.")
    outsider = factory.user(factory.organisation("outside", "Outside Council"), "admin")
    for user_id in (world["users"]["foreign_admin"], outsider):
        login(client, user_id)
        page = client.get("/p/own/admin/jobs")
        assert page.status_code == 404 and "The key has expired." not in page.text
        assert client.post(f"/p/own/admin/jobs/{job_id}/retry").status_code == 404
    # Luton's admin, through the partnership they do run: our job is not found there.
    login(client, world["users"]["foreign_admin"])
    assert client.get("/p/foreign/admin/jobs").status_code == 200
    assert client.post(f"/p/foreign/admin/jobs/{job_id}/retry").status_code == 404
    assert job_row(app, job_id)["status"] == "failed"


def test_try_again_on_work_removed_since_says_so_instead_of_not_found(app, admin, own):
    """An admin's page was open while retention removed a failure a later job made good."""
    job_id = make_job(app, own, "Signed PDF", reason="The key has expired.")
    with app.app_context():
        db.session.delete(db.session.get(Job, job_id))
        db.session.commit()
    response = admin.post(f"/p/own/admin/jobs/{job_id}/retry")
    assert response.status_code == 303
    assert "That background work is no longer on the list" in admin.get(
        "/p/own/admin/jobs").text


def test_a_retry_racing_the_removal_changes_nothing_and_fails_nothing(app, own):
    """The job was read, then removed by the prune before the retry's write."""
    from workspace.jobs import service
    job_id = make_job(app, own, "Signed PDF", reason="The key has expired.")
    with app.test_request_context():
        row = db.session.get(Job, job_id)
        db.session.expunge(row)           # read as it was (as on PostgreSQL, read committed)
        db.session.rollback()
        with db.engine.begin() as other:                     # the prune, on its own connection
            other.execute(Job.__table__.delete().where(Job.id == job_id))
        assert service.try_again(row) is False
        db.session.commit()
        assert db.session.info.get("cg_jobs_to_dispatch", []) == []


def test_anonymous_is_sent_to_sign_in(app, client, own):
    job_id = make_job(app, own, "Signed PDF", reason="Expired.")
    assert client.get("/p/own/admin/jobs").status_code == 302
    assert client.post(f"/p/own/admin/jobs/{job_id}/retry").status_code in (302, 400)
    assert job_row(app, job_id)["status"] == "failed"

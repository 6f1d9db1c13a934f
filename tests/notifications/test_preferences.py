"""Preferences per kind: straight away, in the daily digest (8am UK time, one a day, only when
there is something), or not e-mailed (still listed)."""
from datetime import datetime

from workspace.notifications import jobs, kinds
from workspace.notifications.models import EMAIL_DIGEST, EMAIL_NONE, EMAIL_SENT

from .helpers import act, edit, give_position, notifications_of, send_out


def _choose(app, login, user_id, **modes):
    client = login(app.test_client(), user_id)
    # Every registered kind at its default (decision_due: digest), then the test's choices.
    data = {kind.name: kind.default_mode for kind in kinds.all_kinds()} | modes
    return client, client.post("/notifications/preferences", data=data)


def test_the_preferences_page_shows_each_kind_with_the_users_choice(app, world, login):
    client = login(app.test_client(), world["users"]["member"])
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Positions your authority owes" in page
    assert 'id="position_owed" name="position_owed" type="radio" value="immediate" checked' \
        in page
    assert 'name="decision_due" type="radio" value="digest" checked' in page


def test_a_missing_or_unknown_choice_is_refused(app, world, login):
    client = login(app.test_client(), world["users"]["member"])
    response = client.post("/notifications/preferences", data={"position_owed": "weekly"})
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)


def test_off_sends_no_email_but_keeps_the_notification_listed(app, scg, smtp, run_jobs, login):
    _client, response = _choose(app, login, scg["users"]["member"], position_owed="off")
    assert response.status_code == 303
    send_out(app, scg)
    run_jobs()
    assert smtp.to("member@watford.example") == []
    assert len(smtp.to("member@dacorum.example")) == 1
    assert [n.email_state for n in notifications_of(app, scg["users"]["member"])] == [
        EMAIL_NONE]


def test_the_digest_goes_once_a_day_from_8am_uk_time_only_with_something_in_it(
        app, scg, smtp, run_jobs, login):
    member = scg["users"]["member"]
    _choose(app, login, member, position_owed="digest")
    send_out(app, scg)
    run_jobs()
    assert smtp.to("member@watford.example") == []
    assert [n.email_state for n in notifications_of(app, member)] == [EMAIL_DIGEST]
    # 8am in London in summer is 07:00 UTC.
    assert act(app, jobs.submit_due_digests, datetime(2026, 7, 1, 6, 59)) == 0
    assert act(app, jobs.submit_due_digests, datetime(2026, 7, 1, 7, 0)) == 1
    run_jobs()
    (email,) = smtp.to("member@watford.example")
    assert email["Subject"] == "Your Common Ground summary for 1 July 2026: 1 update"
    assert "is out for agreement" in email.get_content()
    assert [n.email_state for n in notifications_of(app, member)] == [EMAIL_SENT]
    # Later the same day: nothing more, even with something new waiting.
    _choose(app, login, member, position_owed="digest", position_stale="digest")
    give_position(app, scg, 1, "member")
    edit(app, scg, 1, "Housing, changed.\n")
    assert act(app, jobs.submit_due_digests, datetime(2026, 7, 1, 15, 0)) == 0
    # The next morning (winter time would be 08:00 UTC): it goes.
    assert act(app, jobs.submit_due_digests, datetime(2026, 7, 2, 7, 30)) == 1
    run_jobs()
    assert len(smtp.to("member@watford.example")) == 2
    # Nothing waiting: no digest.
    assert act(app, jobs.submit_due_digests, datetime(2026, 7, 3, 7, 30)) == 0


def test_in_winter_the_digest_waits_for_8am_gmt(app, scg, smtp, run_jobs, login):
    _choose(app, login, scg["users"]["member"], position_owed="digest")
    send_out(app, scg)
    assert act(app, jobs.submit_due_digests, datetime(2026, 1, 15, 7, 59)) == 0
    assert act(app, jobs.submit_due_digests, datetime(2026, 1, 15, 8, 0)) == 1


def test_changing_to_immediate_sends_what_waited_for_the_digest(app, scg, smtp, run_jobs,
                                                                login):
    member = scg["users"]["member"]
    _choose(app, login, member, position_owed="digest")
    send_out(app, scg)
    run_jobs()
    assert smtp.to("member@watford.example") == []
    _choose(app, login, member)
    run_jobs()
    assert len(smtp.to("member@watford.example")) == 1

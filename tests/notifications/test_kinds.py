"""Each kind of notification: who is told, and the e-mail says what, where and why (through a
real SMTP server); the registry takes new kinds."""
from datetime import date, datetime, timedelta

import pytest

from tests.support import agree
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.notifications import jobs, kinds
from workspace.notifications.models import DIGEST
from workspace.review.models import DecisionSought

from .helpers import (
    act,
    comment,
    edit,
    give_position,
    notifications_of,
    reply,
    send_out,
    user,
)


def _only_email(smtp, address):
    found = smtp.to(address)
    assert len(found) == 1, [m["Subject"] for m in found]
    return found[0]


def test_going_out_for_agreement_tells_each_signatory_authoritys_members(app, scg, smtp,
                                                                         run_jobs):
    send_out(app, scg)
    run_jobs()
    watford = _only_email(smtp, "member@watford.example")
    body = watford.get_content()
    assert watford["Subject"] == ("Statement of Common Ground is out for agreement: Watford "
                                  "Borough Council owes positions on 2 strategic matters")
    assert f"http://localhost{scg['base']}/review-queue" in body                # where
    assert ("Why you got this: You are a Member of Watford Borough Council, a signatory of "
            "Statement of Common Ground in Own Partnership.") in body           # why
    dacorum = _only_email(smtp, "member@dacorum.example")
    assert "owes positions on 1 strategic matter" in dacorum["Subject"]
    # Officers, the acting admin, outsiders and deactivated Members are not told.
    assert {a for m in smtp.messages for a in m.recipients} == {
        "member@watford.example", "member@dacorum.example"}
    assert notifications_of(app, scg["users"]["luton_member"]) == []
    assert notifications_of(app, scg["users"]["gone_member"]) == []


def test_a_later_version_counts_only_the_positions_still_owed(app, scg, smtp, run_jobs):
    """Found by a walkthrough: a later version went out saying Watford owed positions on
    every matter while its positions on unchanged text carried over (My tasks said none)."""
    from workspace.review import lifecycle

    send_out(app, scg)
    give_position(app, scg, 1, "member")
    give_position(app, scg, 2, "member")
    give_position(app, scg, 2, "dacorum_member")
    act(app, lambda: agree(db.session.get(Document, scg["id"]), user(scg["users"]["admin"])))
    act(app, lambda: lifecycle.back_to_draft(db.session.get(Document, scg["id"]),
                                             user(scg["users"]["admin"]), confirmed=True))
    edit(app, scg, 1, "Housing, changed for the next round.\n")
    run_jobs()
    smtp.messages.clear()
    send_out(app, scg)
    run_jobs()
    assert _only_email(smtp, "member@watford.example")["Subject"] == (
        "Statement of Common Ground is out for agreement: Watford Borough Council owes "
        "positions on 1 strategic matter")
    assert _only_email(smtp, "member@dacorum.example")["Subject"] == (
        "Statement of Common Ground is out for agreement: Dacorum Borough Council's "
        "positions on its 1 strategic matter still stand")


def test_a_change_to_a_section_with_a_position_tells_that_authoritys_members(app, scg, smtp,
                                                                            run_jobs):
    send_out(app, scg)
    give_position(app, scg, 1, "member")                # Watford agrees Housing
    give_position(app, scg, 2, "dacorum_member")        # Dacorum agrees Green Belt
    run_jobs()
    smtp.messages.clear()
    edit(app, scg, 1, "Housing, changed.\n")
    run_jobs()
    email = _only_email(smtp, "member@watford.example")
    body = email.get_content()
    assert email["Subject"] == ("“Housing” changed in Statement of Common Ground: Watford "
                                "Borough Council's position needs giving again")
    assert f"http://localhost{scg['base']}/#section-{scg['sections'][1]}" in body
    assert "which recorded “Agreed” on this section" in body
    assert smtp.to("member@dacorum.example") == []     # its position was on Green Belt
    # A second edit of text already out of date tells nobody again.
    edit(app, scg, 1, "Housing, changed twice.\n")
    run_jobs()
    assert len(smtp.to("member@watford.example")) == 1


def test_an_agreed_version_tells_members_it_is_ready_for_signature(app, scg, smtp, run_jobs):
    send_out(app, scg)
    for index, who in ((1, "member"), (2, "member"), (2, "dacorum_member")):
        give_position(app, scg, index, who)
    run_jobs()
    smtp.messages.clear()
    act(app, lambda: agree(db.session.get(Document, scg["id"]),
                                     user(scg["users"]["admin"])))
    run_jobs()
    email = _only_email(smtp, "member@watford.example")
    assert email["Subject"] == ("Statement of Common Ground, version 1, is ready for Watford "
                                "Borough Council's signature")
    assert f"http://localhost{scg['base']}/sign" in email.get_content()
    assert len(smtp.to("member@dacorum.example")) == 1


def test_a_reply_tells_the_threads_author_and_earlier_repliers(app, scg, smtp, run_jobs):
    thread = comment(app, scg, 0, "officer")
    reply(app, scg, 0, thread, "viewer")
    run_jobs()
    email = _only_email(smtp, "officer@watford.example")
    assert email["Subject"] == "Test Viewer (Watford Borough Council) replied to your comment " \
                               "on “Context”"
    assert "You started this comment thread" in email.get_content()
    reply(app, scg, 0, thread, "dacorum_officer")
    run_jobs()
    assert len(smtp.to("officer@watford.example")) == 2
    later = _only_email(smtp, "viewer@watford.example")
    assert "a comment thread you replied in" in later["Subject"]
    assert smtp.to("officer@dacorum.example") == []    # the replier is not told of their own


def _decision(app, scg, due):
    with app.app_context():
        row = DecisionSought(document_id=scg["id"], body="JSP Steering Group",
                             description="Approve.", due_date=due)
        db.session.add(row)
        db.session.commit()
        return row.id


def test_a_decision_due_within_seven_days_then_overdue_is_told_once_each(app, scg, smtp,
                                                                         run_jobs):
    _decision(app, scg, date(2026, 3, 10))
    admin = scg["users"]["admin"]
    on = {day: datetime(2026, 3, day, 12) for day in (1, 3, 4, 11, 12)}
    act(app, jobs.check_decisions, on[1])               # nine days ahead: nothing yet
    assert notifications_of(app, admin) == []
    act(app, jobs.check_decisions, on[3])
    act(app, jobs.check_decisions, on[4])
    assert [n.title for n in notifications_of(app, admin)] == [
        ("Decision of JSP Steering Group sought by Statement of Common Ground is due on "
        "10 March 2026")]
    act(app, jobs.check_decisions, on[11])
    act(app, jobs.check_decisions, on[12])
    found = notifications_of(app, admin)
    assert len(found) == 2 and "is overdue (due 10 March 2026)" in found[1].title
    assert found[1].email_state == DIGEST               # this kind goes in the digest
    assert notifications_of(app, scg["users"]["member"]) == []   # admins record decisions
    act(app, jobs.submit_due_digests, datetime(2026, 3, 12, 8, 0))
    run_jobs()
    email = _only_email(smtp, "admin@watford.example")
    assert f"http://localhost{scg['base']}/decisions" in email.get_content()
    assert "You are a partnership admin of Own Partnership" in email.get_content()


def test_a_decision_taken_is_not_told(app, scg):
    decision = _decision(app, scg, date(2026, 3, 10))
    with app.app_context():
        db.session.get(DecisionSought, decision).taken_at = date(2026, 3, 9)
        db.session.commit()
    act(app, jobs.check_decisions, datetime(2026, 3, 12, 12))
    assert notifications_of(app, scg["users"]["admin"]) == []


def test_a_new_kind_registers_and_appears_in_the_preferences(app, world, login):
    kind = kinds.register(kinds.Kind("test_kind", "Things in a test",
                                     "When a test says so.", default_mode=DIGEST))
    try:
        assert kinds.get("test_kind") is kind
        client = login(app.test_client(), world["users"]["officer"])
        page = client.get("/notifications/preferences").get_data(as_text=True)
        assert "Things in a test" in page and "When a test says so." in page
    finally:
        kinds._kinds.pop("test_kind")
    with pytest.raises(ValueError):
        kinds.Kind("bad", "Bad", "Bad.", default_mode="weekly")
    with pytest.raises(LookupError):
        kinds.get("no_such_kind")


def test_every_kind_has_words_for_the_preferences_page():
    for kind in kinds.all_kinds():
        assert kind.label and kind.description and kind.heading, kind.name
    assert timedelta(days=7).days == jobs.notify_decisions.__globals__["DECISION_NOTICE_DAYS"]

"""Suggested changes: made, shown credited as tracked changes, withdrawn, rejected with a
reason, accepted as a revision (merged, asked about, or a conflict); and, out for agreement,
direct edits replaced by suggestions for all but the partnership admins."""
import re

import pytest
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.audit import AuditEvent
from workspace.documents.models import Section
from workspace.extensions import db
from workspace.review.positions import record_position

from .conftest import GREEN_BELT, HX, digest

CHANGED = GREEN_BELT.replace("is kept", "is kept and reviewed every five years")


def actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("suggestion.%"))
            .order_by(AuditEvent.id))]


# Making a suggestion ------------------------------------------------------------------------

def test_an_officer_suggests_and_the_section_shows_it_credited_as_tracked_changes(app, scg):
    dacorum = scg.client("dacorum_officer")
    response = scg.suggest(dacorum, "green", CHANGED, reason="Matches the Local Plan wording.")
    assert response.status_code == 200
    assert "Your suggestion was recorded" in response.text
    page = scg.client("viewer").get(scg.page).text
    assert "Suggested by <strong>Dacorum Borough Council</strong> (Dacorum Officer)" in page
    assert "<ins>" in page and "[inserted: </span>" in page and "reviewed every five" in page
    assert "Matches the Local Plan wording." in page
    assert "1 suggestion<" in page                      # the contents list counts it
    assert scg.section("green").body == GREEN_BELT       # the text does not change
    row = scg.last()
    assert (row.status, row.base_number, row.reason) == ("open", 1,
                                                         "Matches the Local Plan wording.")
    with app.app_context():
        assert db.session.get(User, row.author_id).email == "officer@dacorum.example"
    assert actions(app) == ["suggestion.made"]


def test_a_plain_form_suggestion_comes_back_to_the_section(scg):
    response = scg.suggest(scg.client("officer"), "green", CHANGED, headers={})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#section-{scg.sections['green']}")


def test_the_suggest_editor_is_the_section_editor_in_suggest_mode(scg):
    response = scg.client("officer").get(scg.section_url("green") + "/suggest", headers=HX)
    assert response.status_code == 200
    assert "suggesting a change" in response.text and "Suggest this change" in response.text
    assert 'name="reason"' in response.text and "data-toolbar" in response.text
    assert scg.section_url("green") + "/suggest" in response.text        # posts there


@pytest.mark.parametrize("who", ["viewer", "member", "dacorum_member"])
def test_viewers_and_members_cannot_suggest(scg, who):
    response = scg.suggest(scg.client(who), "green", CHANGED)
    assert response.status_code == 403
    assert scg.suggestions() == []


def test_a_suggestion_identical_to_the_current_text_is_refused(scg):
    response = scg.suggest(scg.client("officer"), "green", GREEN_BELT.replace("\n", "\r\n"))
    assert response.status_code == 422
    assert "the same as the current text" in response.text
    assert scg.suggestions() == []


def test_a_suggestion_on_a_removed_section_is_refused(scg):
    admin = scg.client("padmin")
    assert admin.post(scg.section_url("intro") + "/remove").status_code == 303
    response = scg.suggest(scg.client("officer"), "intro", "Alpha changed.\n")
    assert response.status_code == 409
    assert "has been removed" in response.text
    assert scg.suggestions() == []


def test_a_suggestion_on_a_frozen_document_is_refused(scg):
    scg.set_status("agreed")
    response = scg.suggest(scg.client("officer"), "green", CHANGED)
    assert response.status_code == 409
    assert scg.suggestions() == []


def test_a_suggestion_over_the_size_limit_is_refused_keeping_the_text(scg):
    big = "x" * (200 * 1024 + 1)
    response = scg.suggest(scg.client("officer"), "green", big)
    assert response.status_code == 413 and big in response.text
    assert scg.suggestions() == []


def test_a_suggestion_from_an_unknown_revision_is_refused(scg):
    response = scg.suggest(scg.client("officer"), "green", CHANGED, base=9)
    assert response.status_code == 422
    assert scg.suggestions() == []


def test_the_contents_filter_shows_only_sections_with_open_suggestions(scg):
    scg.suggest(scg.client("officer"), "green", CHANGED)
    page = scg.client("viewer").get(scg.page + "?filter=suggestions").text
    assert "Showing only the 1 section with open suggestions" in page
    assert f'id="section-{scg.sections["green"]}"' in page
    assert f'id="section-{scg.sections["intro"]}"' not in page


def test_a_new_suggestion_reaches_others_through_the_live_feed(scg):
    viewer = scg.client("viewer")
    page = viewer.get(scg.page).text
    cursor = re.search(r"cursor=(\d+)", page).group(1)
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    feed = viewer.get(f"{scg.base}/changes?cursor={cursor}", headers=HX)
    assert feed.status_code == 200
    assert "Suggested by <strong>Dacorum Borough Council</strong>" in feed.text


# Withdrawing ------------------------------------------------------------------------------

def test_the_author_withdraws_their_own_suggestion(app, scg):
    dacorum = scg.client("dacorum_officer")
    scg.suggest(dacorum, "green", CHANGED)
    suggestion = scg.last()
    assert "Withdraw my suggestion" in dacorum.get(scg.page).text
    assert "Withdraw my suggestion" not in scg.client("officer").get(scg.page).text
    response = dacorum.post(scg.url(suggestion.id, "withdraw"))
    assert response.status_code == 303
    assert scg.last().status == "withdrawn"
    assert "Suggested by" not in scg.client("viewer").get(scg.page).text
    assert actions(app) == ["suggestion.made", "suggestion.withdrawn"]


def test_nobody_withdraws_another_persons_suggestion(scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    response = scg.client("padmin").post(scg.url(scg.last().id, "withdraw"))
    assert response.status_code == 403
    assert "Only the person who made a suggestion" in response.text
    assert scg.last().status == "open"


# Rejecting --------------------------------------------------------------------------------

def test_rejecting_needs_a_reason(scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    response = scg.client("officer").post(scg.url(scg.last().id, "reject"),
                                          data={"reason": "  "})
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text
    assert "Enter the reason for rejecting this suggestion" in response.text
    assert scg.last().status == "open"


def test_rejecting_with_a_reason_records_who_why_and_when(app, scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    response = scg.client("officer").post(scg.url(scg.last().id, "reject"),
                                          data={"reason": "The plan says otherwise."})
    assert response.status_code == 303
    row = scg.last()
    assert (row.status, row.decision_reason) == ("rejected", "The plan says otherwise.")
    assert row.decided_by_id == scg.users["officer"] and row.decided_at is not None
    assert scg.section("green").body == GREEN_BELT
    assert actions(app) == ["suggestion.made", "suggestion.rejected"]
    again = scg.client("officer").post(scg.url(row.id, "accept"))
    assert again.status_code == 409 and "already been rejected" in again.text


def test_the_reject_page_works_without_javascript(scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    page = scg.client("officer").get(scg.url(scg.last().id, "reject"))
    assert page.status_code == 200
    assert "Reject Dacorum Borough Council\u2019s suggestion of" in page.text
    assert scg.client("member").get(scg.url(scg.last().id, "reject")).status_code == 403


# Accepting --------------------------------------------------------------------------------

def test_accepting_makes_a_revision_that_names_the_suggestion(app, scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    suggestion = scg.last()
    response = scg.client("officer").post(scg.url(suggestion.id, "accept"))
    assert response.status_code == 303
    revision = scg.revisions("green")[-1]
    assert revision.number == 2 and revision.kind == "suggestion"
    assert revision.body == CHANGED and scg.section("green").body == CHANGED
    assert revision.summary.startswith("Accepted Dacorum Borough Council\u2019s suggestion of ")
    row = scg.last()
    assert (row.status, row.accepted_revision_id) == ("accepted", revision.id)
    assert actions(app) == ["suggestion.made", "suggestion.accepted"]
    history = scg.client("viewer").get(scg.section_url("green") + "/history").text
    assert "Accepted Dacorum Borough Council\u2019s suggestion" in history


def test_accepting_twice_answers_409_and_writes_nothing(scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    officer = scg.client("officer")
    assert officer.post(scg.url(scg.last().id, "accept")).status_code == 303
    again = officer.post(scg.url(scg.last().id, "accept"))
    assert again.status_code == 409 and "already been accepted" in again.text
    assert len(scg.revisions("green")) == 2


def test_accepting_a_withdrawn_suggestion_answers_409(scg):
    dacorum = scg.client("dacorum_officer")
    scg.suggest(dacorum, "green", CHANGED)
    dacorum.post(scg.url(scg.last().id, "withdraw"))
    response = scg.client("officer").post(scg.url(scg.last().id, "accept"))
    assert response.status_code == 409 and "withdrawn by its author" in response.text
    assert len(scg.revisions("green")) == 1


@pytest.mark.parametrize("who", ["viewer", "member", "dacorum_member"])
def test_members_and_viewers_cannot_accept_or_reject(scg, who):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    client = scg.client(who)
    response = client.post(scg.url(scg.last().id, "accept"))
    assert response.status_code == 403
    assert "Only officers and partnership admins can accept" in response.text
    assert client.post(scg.url(scg.last().id, "reject"),
                       data={"reason": "No."}).status_code == 403
    assert scg.last().status == "open" and len(scg.revisions("green")) == 1


def test_a_suggestion_made_on_an_older_revision_is_merged_onto_the_current_text(scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED, base=1)
    officer = scg.client("officer")
    later = GREEN_BELT.replace("only by the plan", "only by the local plan")
    assert officer.post(scg.section_url("green"), headers=HX, data={
        "body": later, "base_version": "1"}).status_code == 200
    page = officer.get(scg.page).text
    assert "Made on revision 1; shown merged with the changes made since." in page
    assert officer.post(scg.url(scg.last().id, "accept")).status_code == 303
    body = scg.section("green").body
    assert "reviewed every five years" in body and "only by the local plan" in body


def test_a_suggestion_that_overlaps_later_changes_is_a_conflict_shown_and_stays_open(scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED, base=1)
    officer = scg.client("officer")
    later = GREEN_BELT.replace("is kept", "is protected")
    officer.post(scg.section_url("green"), headers=HX,
                 data={"body": later, "base_version": "1"})
    response = officer.post(scg.url(scg.last().id, "accept"))
    assert response.status_code == 409
    assert "overlaps changes made since" in response.text
    assert "reviewed every five" in response.text and "protected" in response.text
    assert scg.last().status == "open"
    assert scg.section("green").body == later


def test_accepting_a_change_that_makes_positions_stale_asks_first_naming_them(app, scg):
    with app.test_request_context():
        record_position(db.session.get(Section, scg.sections["green"]),
                        db.session.get(User, scg.users["dacorum_member"]), "agreed",
                        route="delegation", seen_version=1)
        db.session.commit()
    scg.suggest(scg.client("officer"), "green", CHANGED)
    officer = scg.client("officer")
    asked = officer.post(scg.url(scg.last().id, "accept"))
    assert asked.status_code == 409
    assert "Accepting this suggestion will make the positions of Dacorum Borough Council" \
        in asked.text
    assert scg.last().status == "open" and len(scg.revisions("green")) == 1
    # The question shows what is being accepted: the section, the change, its reason.
    assert "The suggested change to 2 Green Belt" in asked.text
    assert 'class="cg-prose cg-rendered-diff"' in asked.text and "<ins" in asked.text
    # Opened again (a reload of the question's address), it leads back to the suggestion.
    again = officer.get(scg.url(scg.last().id, "accept"))
    assert again.status_code == 303 and again.headers["Location"].endswith(
        f"#section-{scg.sections['green']}")
    confirmed = officer.post(scg.url(scg.last().id, "accept"),
                             data={"confirm_stale": digest(asked.text)})
    assert confirmed.status_code == 303
    assert scg.last().status == "accepted" and scg.section("green").body == CHANGED


# Out for agreement --------------------------------------------------------------------------

def test_out_for_agreement_officers_suggest_instead_of_editing(scg):
    scg.set_status("out_for_agreement")
    officer = scg.client("officer")
    page = officer.get(scg.page).text
    assert "Suggest a change<span" in page
    assert scg.section_url("green") + "/edit" not in page
    edit = officer.get(scg.section_url("green") + "/edit")
    assert edit.status_code == 303 and edit.headers["Location"].endswith("/suggest")
    save = officer.post(scg.section_url("green"), headers=HX,
                        data={"body": CHANGED, "base_version": "1"})
    assert save.status_code == 403
    assert "changes only by accepted suggestions" in save.text
    assert scg.section("green").body == GREEN_BELT
    restore = officer.post(scg.section_url("green") + "/revisions/1/restore")
    assert restore.status_code == 403


def test_out_for_agreement_only_partnership_admins_accept(scg):
    scg.set_status("out_for_agreement")
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    officer = scg.client("officer")
    assert "Accept<span" not in officer.get(scg.page).text
    refused = officer.post(scg.url(scg.last().id, "accept"))
    assert refused.status_code == 403
    assert "only the partnership admins can accept or reject" in refused.text
    admin = scg.client("padmin")
    page = admin.get(scg.page).text
    assert "Accept<span" in page and scg.section_url("green") + "/edit" in page
    assert admin.post(scg.url(scg.last().id, "accept")).status_code == 303
    assert scg.section("green").body == CHANGED


def test_a_suggestion_of_another_document_is_not_found(app, scg, world):
    scg.suggest(scg.client("officer"), "green", CHANGED)
    from workspace.documents import service
    from workspace.partnerships.models import Partnership
    with app.app_context():
        other = service.create_document(
            db.session.get(Partnership, world["partnerships"]["own"]), "Other", "other")
        db.session.commit()
        other_id = other.id
    url = f"/p/own/d/{other_id}/suggestions/{scg.last().id}/accept"
    assert scg.client("officer").post(url).status_code == 404


def test_accepting_a_suggestion_whose_section_was_removed_meanwhile_is_refused(scg):
    scg.suggest(scg.client("dacorum_officer"), "intro", "Alpha changed.\n")
    admin = scg.client("padmin")
    assert admin.post(scg.section_url("intro") + "/remove").status_code == 303
    response = admin.post(scg.url(scg.last().id, "accept"))
    assert response.status_code == 409 and "has been removed" in response.text
    assert scg.last().status == "open"


def test_accepting_after_the_section_changed_since_it_was_read_asks_first(scg):
    """The accept button carries the section's version the suggestion was read against: a
    change since (another tab, JavaScript off, a slow live feed) is shown before anything is
    accepted onto text the person has not seen."""
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED, base=1)
    officer = scg.client("officer")
    page = officer.get(scg.page).text
    assert re.search(r'name="seen_version" value="1"', page)
    later = GREEN_BELT.replace("only by the plan", "only by the local plan")
    officer.post(scg.section_url("green"), headers=HX, data={"body": later, "base_version": "1"})
    asked = officer.post(scg.url(scg.last().id, "accept"), data={"seen_version": "1"})
    assert asked.status_code == 409
    assert "The section has changed since you read this suggestion" in asked.text
    assert 'name="seen_version" value="2"' in asked.text and "<ins" in asked.text
    assert scg.last().status == "open" and len(scg.revisions("green")) == 2
    done = officer.post(scg.url(scg.last().id, "accept"), data={"seen_version": "2"})
    assert done.status_code == 303 and scg.last().status == "accepted"
    assert scg.section("green").body == CHANGED.replace("only by the plan",
                                                        "only by the local plan")

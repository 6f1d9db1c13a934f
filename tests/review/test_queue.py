"""A Member's review queue: one owed matter at a time, "Record and go to the next"."""
import html
import re

import pytest

from tests.review import test_positions
from tests.review.test_positions import (
    as_user,
    date_parts,
    post_position,
    rows,
    save_text,
    version,
)

#: The Statement with three strategic matters that test_positions.py builds.
scg = pytest.fixture(test_positions.scg.__wrapped__, name="scg")


def queue_url(scg, key=None):
    base = scg["base"] + "/review-queue"
    return base if key is None else f"{base}/{scg['sections'][key]}"


def text(response):
    return html.unescape(re.sub(r"\s+", " ", response.text))


def words(response):
    """The page's text without its tags."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.text)))


def seen_version(response):
    return re.search(r'name="seen_version" value="(\d+)"', response.text).group(1)


def record(client, scg, key, stance, reason="", seen=None, reviewed="", **extra):
    reason_field = "reason_not_agreed" if stance == "not_agreed" else "reason"
    data = {"stance": stance, reason_field: reason, "route": "", "route_body": "",
            "minute_ref": "", "reviewed": reviewed,
            "seen_version": str(seen if seen is not None else
                                version(client.application, scg["sections"][key])),
            **date_parts("meeting_date", extra.pop("meeting_date", ""))}
    data.update(extra)
    return client.post(queue_url(scg, key), data=data)


def test_the_walk_through_three_matters(app, login, scg):
    client = as_user(app, login, scg, "member")
    tasks = words(client.get("/tasks"))
    assert "Review 3 matters in Statement of Common Ground" in tasks

    start = client.get(queue_url(scg))
    assert start.status_code == 303
    assert start.headers["Location"].endswith(queue_url(scg, "housing"))
    page = client.get(queue_url(scg, "housing"))
    assert page.status_code == 200
    body = text(page)
    assert "Matter 1 of 3" in body and "Housing need text." in body
    assert "Watford Borough Council has not given a position on this matter yet" in body
    assert "What changed since" not in body            # there is no earlier position
    assert "Record and go to the next" in body
    assert f'href="{queue_url(scg, "green_belt")}"' in page.text      # skip

    done = record(client, scg, "housing", "agreed", route="cabinet", minute_ref="C/12",
                  meeting_date="2026-10-13")
    assert done.status_code == 303
    assert done.headers["Location"].endswith(queue_url(scg) + "?reviewed=1")
    following = client.get(done.headers["Location"])
    assert following.headers["Location"].endswith(queue_url(scg, "green_belt") + "?reviewed=1")
    body = text(client.get(following.headers["Location"]))
    assert ("Recorded: Watford Borough Council agreed \u2018Housing need\u2019. "
            "2 matters left.") in body
    assert "Matter 2 of 3" in body

    done = record(client, scg, "green_belt", "reservations", "Boundary review first.",
                  reviewed="1")
    body = text(client.get(done.headers["Location"], follow_redirects=True))
    assert "agreed with reservations \u2018Green Belt\u2019. 1 matter left." in body
    assert "Matter 3 of 3" in body and "Skip to the next matter" not in body

    done = record(client, scg, "infrastructure", "not_agreed", "No funding yet.",
                  reviewed="2")
    final = client.get(done.headers["Location"], follow_redirects=True)
    body = text(final)
    assert "You have reviewed every matter" in body
    assert "did not agree \u2018Strategic infrastructure\u2019. No matters left." in body
    assert f'href="{scg["page"]}"' in final.text

    recorded = rows(app, organisation_id=scg["orgs"]["watford"])
    assert [(p.stance, p.reason) for p in recorded] == [
        ("agreed", ""), ("reservations", "Boundary review first."),
        ("not_agreed", "No funding yet.")]
    assert recorded[0].route == "cabinet" and recorded[0].minute_ref == "C/12"
    assert str(recorded[0].meeting_date) == "2026-10-13"
    assert "Review 3 matters" not in words(client.get("/tasks"))


def test_a_reason_is_needed_and_the_page_keeps_the_choice(app, login, scg):
    client = as_user(app, login, scg, "member")
    response = record(client, scg, "housing", "not_agreed", "")
    assert response.status_code == 422
    body = text(response)
    assert "Give the reason for your authority's position." in body
    assert 'href="#reason_not_agreed"' in response.text
    assert re.search(r'value="not_agreed" checked', response.text)
    assert rows(app) == []
    assert record(client, scg, "housing", "whatever").status_code == 422


def test_the_changes_since_the_last_position_are_shown_rendered(app, login, scg):
    member = as_user(app, login, scg, "member")
    assert post_position(member, scg, "housing").status_code == 303
    save_text(app, scg, "housing", "Housing need text, with *more* homes.\n")
    page = member.get(queue_url(scg, "housing"))
    assert page.status_code == 200
    assert "Matter 1 of 3" in text(page)
    assert "<ins>" in page.text and "more" in page.text and "<em>" in page.text
    assert "has not given a position" not in page.text


def test_a_matter_already_current_goes_on_to_what_is_owed(app, login, scg):
    member = as_user(app, login, scg, "member")
    assert post_position(member, scg, "housing").status_code == 303
    response = member.get(queue_url(scg, "housing"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(queue_url(scg))


def test_a_stale_form_answers_409_keeping_the_choice_and_reason(app, login, scg):
    member = as_user(app, login, scg, "member")
    page = member.get(queue_url(scg, "housing"))
    read = seen_version(page)
    save_text(app, scg, "housing", "Housing need text, now 1,200 homes a year.\n")
    response = record(member, scg, "housing", "reservations", "Too few homes.", seen=read)
    assert response.status_code == 409
    body = text(response)
    assert "The section has changed" in body
    assert "What changed while you were reading" in body
    assert "<ins>" in response.text and "1,200" in body
    assert "Too few homes." in body
    assert re.search(r'value="reservations" checked', response.text)
    assert rows(app) == []
    fresh = seen_version(response)
    assert int(fresh) > int(read)
    again = record(member, scg, "housing", "reservations", "Too few homes.", seen=fresh)
    assert again.status_code == 303
    assert [p.stance for p in rows(app)] == ["reservations"]


@pytest.mark.parametrize("role", ["viewer", "officer", "admin"])
def test_only_members_have_a_queue(app, login, scg, role):
    client = as_user(app, login, scg, role)
    assert client.get(queue_url(scg)).status_code == 403
    assert client.get(queue_url(scg, "housing")).status_code == 403
    assert record(client, scg, "housing", "agreed").status_code == 403
    assert rows(app) == []


def test_outsiders_and_matters_not_theirs_are_not_found(app, login, scg):
    outsider = as_user(app, login, scg, "foreign_admin")
    assert outsider.get(queue_url(scg)).status_code == 404
    assert outsider.get(queue_url(scg, "housing")).status_code == 404
    member = as_user(app, login, scg, "member")
    assert member.get(queue_url(scg, "intro")).status_code == 404       # not a matter
    assert record(member, scg, "intro", "agreed").status_code == 404
    county = as_user(app, login, scg, "herts_member")
    assert county.get(queue_url(scg, "housing")).status_code == 404     # not in its scope
    assert county.get(queue_url(scg, "infrastructure")).status_code == 200
    assert member.get(scg["base"].replace(str(scg["id"]), "999999")
                      + "/review-queue").status_code == 404
    assert rows(app) == []


def test_the_done_page_when_nothing_is_owed(app, login, scg):
    county = as_user(app, login, scg, "herts_member")
    assert record(county, scg, "infrastructure", "agreed").status_code == 303
    page = county.get(queue_url(scg))
    assert page.status_code == 200
    assert "You have reviewed every matter" in text(page)
    assert f'href="{scg["page"]}"' in page.text


def test_the_matter_shows_the_question_asked_and_where_the_other_authorities_stand(app, login,
                                                                                   scg):
    from workspace.documents.models import Section
    from workspace.extensions import db
    with app.app_context():
        db.session.get(Section, scg["sections"]["infrastructure"]).feedback_sought = (
            "Is the A41 junction scheme the right priority?")
        db.session.commit()
    dacorum = as_user(app, login, scg, "dacorum_member")
    assert post_position(dacorum, scg, "infrastructure", "not_agreed",
                         reason="The junction is not funded.").status_code == 303
    page = words(as_user(app, login, scg, "member").get(queue_url(scg, "infrastructure")))
    assert "Feedback sought: Is the A41 junction scheme the right priority?" in page
    others = page[page.index("Where the other authorities stand"):]
    assert "Dacorum Borough Council Not agreed Reason: The junction is not funded." in others
    assert "Hertfordshire County Council No position yet" in others
    listed = others[:others.index("\u2019s position on")]     # up to the form's legend
    assert listed.count("Watford Borough Council") == 1        # the legend's, not a line


def test_the_last_matter_records_and_open_suggestions_on_it_are_shown(app, login, scg):
    from workspace.accounts.models import User
    from workspace.documents.models import Section
    from workspace.extensions import db
    from workspace.suggestions import service as suggestions
    client = as_user(app, login, scg, "member")
    for key in ("housing", "green_belt"):
        assert record(client, scg, key, "agreed").status_code == 303
    with app.test_request_context():
        section = db.session.get(Section, scg["sections"]["infrastructure"])
        suggestions.suggest(section, "Strategic infrastructure text, with the A41.\n",
                            section.version, db.session.get(User, scg["users"]["officer"]),
                            reason="The A41 scheme is funded now.")
        db.session.commit()
    body = words(client.get(queue_url(scg, "infrastructure")))
    assert "Record the position" in body and "Record and go to the next" not in body
    assert ("1 change to this section has been suggested and is not yet decided. If "
            "accepted, the text changes and a position given now would need "
            "re-confirming.") in body
    assert "See Watford Borough Council\u2019s suggestion of" in body
    assert "with the A41" in body and "Reason: The A41 scheme is funded now." in body


def test_a_refused_answer_keeps_how_the_position_was_reached_open(app, login, scg):
    """A walkthrough found the details closed after an error, hiding the values it kept."""
    client = as_user(app, login, scg, "member")
    response = record(client, scg, "housing", "not_agreed", "", route="cabinet",
                      route_body="Cabinet", minute_ref="CAB 7/26")
    assert response.status_code == 422
    details = re.search(r'<details class="govuk-details"( open)?>\s*<summary[^>]*>'
                        r'<span[^>]*>How the position was reached', response.text)
    assert details and details.group(1) == " open"
    assert 'value="CAB 7/26"' in response.text

"""The meeting pages: who may see and record them, the form (without JavaScript: repeated
rows, "Add another", blank rows ignored, errors kept on screen), the record, corrections
and their history."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from workspace.accounts.models import User
from workspace.cooperation import meetings as service
from workspace.cooperation.models import Meeting, MeetingAttendee, MeetingRevision
from workspace.extensions import db
from workspace.partnerships.models import Partner, Partnership

from .test_meetings import build_setting, valid


@pytest.fixture
def setting(app, world, factory):
    """Matters, bodies and partners as in test_meetings.py."""
    return build_setting(app, world, factory)


def as_(app, login, s, who):
    return login(app.test_client(), s["users"][who])


def recorded(app, s, partnership="own", **changes):
    with app.app_context():
        p = db.session.get(Partnership, s[partnership])
        if partnership == "foreign":
            changes = {"body_id": None, "attendees": [(s["luton"], "Officer", "")],
                       "matter_ids": [], "positions": []}
        meeting = service.record_meeting(p, db.session.get(User, s["users"]["officer"]),
                                         **valid(s, **changes))
        db.session.commit()
        return meeting.id


def posted(s, **changes):
    """A form as the browser posts it: one attendee row filled and two blank, Housing
    ticked, one position and one blank position row."""
    data = {"held_on-day": "23", "held_on-month": "1", "held_on-year": "2018",
            "kind": "workshop", "body_id": str(s["spog"]), "title": "Joint planning workshop",
            "attendees-0-organisation_id": str(s["watford"]),
            "attendees-0-role": "Head of Planning", "attendees-0-person": "",
            "attendees-1-organisation_id": "", "attendees-1-role": "", "attendees-1-person": "",
            "attendees-2-organisation_id": "", "attendees-2-role": "", "attendees-2-person": "",
            "matter_ids": [str(s["housing"])],
            "positions-0-organisation_id": str(s["watford"]),
            "positions-0-matter_id": str(s["housing"]), "positions-0-stance": "agreed",
            "positions-0-statement": "Watford agreed to a JSP",
            "positions-1-organisation_id": "", "positions-1-matter_id": "",
            "positions-1-stance": "", "positions-1-statement": "",
            "notes": "Notes with **bold**", "outcome": "A JSP"}
    data.update(changes)
    return data


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_everyone_in_the_partnership_reads_the_meetings(app, login, setting):
    s = setting
    meeting_id = recorded(app, s)
    viewer = as_(app, login, s, "viewer")
    page = viewer.get("/p/own/meetings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Joint planning workshop" in html and "Watford Borough Council, Dacorum" in html
    assert "SM1 Housing need" in html and "Record a meeting" not in html
    shown = viewer.get(f"/p/own/meetings/{meeting_id}").get_data(as_text=True)
    assert "Head of Planning (A Person)" in shown and "Accepted the logic of a JSP" in shown
    assert "Agreed with reservations" in shown and "<strong>work together</strong>" in shown
    assert "Correct the record" not in shown
    assert viewer.get(f"/p/own/meetings/{meeting_id}/history").status_code == 200
    assert "Record a meeting" in as_(app, login, s, "officer").get(
        "/p/own/meetings").get_data(as_text=True)


def test_the_list_filters_by_matter(app, login, setting):
    s = setting
    recorded(app, s, title="About housing")
    recorded(app, s, title="About the Green Belt", matter_ids=[s["green_belt"]], positions=[])
    client = as_(app, login, s, "viewer")
    html = client.get(f"/p/own/meetings?matter={s['green_belt']}").get_data(as_text=True)
    assert "About the Green Belt" in html and "About housing" not in html
    assert "1 meeting that discussed SM2 Green Belt" in html
    both = client.get("/p/own/meetings?matter=nonsense").get_data(as_text=True)
    assert "About housing" in both and "About the Green Belt" in both


@pytest.mark.parametrize("who", ["viewer", "member"])
def test_viewers_and_members_cannot_record_or_correct(app, login, setting, who):
    s = setting
    meeting_id = recorded(app, s)
    client = as_(app, login, s, who)
    assert client.get("/p/own/meetings/new").status_code == 403
    assert client.post("/p/own/meetings/new", data=posted(s)).status_code == 403
    assert client.get(f"/p/own/meetings/{meeting_id}/correct").status_code == 403
    assert client.post(f"/p/own/meetings/{meeting_id}/correct",
                       data=posted(s, expected_version="1", reason="x")).status_code == 403
    assert count(app, Meeting) == 1 and count(app, MeetingRevision) == 1


@pytest.mark.parametrize("who", ["officer", "admin", "dacorum_officer"])
def test_officers_and_partnership_admins_record(app, login, setting, who):
    assert as_(app, login, setting, who).get("/p/own/meetings/new").status_code == 200


def test_another_partnerships_meeting_is_not_found(app, login, setting):
    s = setting
    foreign_id = recorded(app, s, "foreign")
    client = as_(app, login, s, "officer")
    for url in ("", "/correct", "/history"):
        assert client.get(f"/p/own/meetings/{foreign_id}{url}").status_code == 404
    assert client.get("/p/foreign/meetings").status_code == 404        # not a partner there


def test_recording_a_meeting_ignores_blank_rows_and_shows_the_record(app, login, setting):
    s = setting
    client = as_(app, login, s, "officer")
    response = client.post("/p/own/meetings/new", data=posted(s))
    assert response.status_code == 303
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert response.location.endswith(f"/p/own/meetings/{meeting.id}")
        assert [(a.organisation_id, a.role) for a in meeting.attendees] == [
            (s["watford"], "Head of Planning")]
        assert [(p.stance, p.statement) for p in meeting.stated_positions] == [
            ("agreed", "Watford agreed to a JSP")]
        assert meeting.held_on == date(2018, 1, 23) and meeting.body_id == s["spog"]
    page = client.get(response.location).get_data(as_text=True)
    assert "Meeting recorded" in page and "Watford agreed to a JSP" in page


def test_a_refused_form_answers_422_with_the_summary_linking_to_the_row_and_keeps_the_input(
        app, login, setting):
    s = setting
    client = as_(app, login, s, "officer")
    # The first attendee row is left blank, the second filled without a role: the message
    # goes on the second row as shown.
    data = posted(s, **{"attendees-0-organisation_id": "", "attendees-0-role": "",
                        "attendees-1-organisation_id": str(s["watford"]),
                        "attendees-1-person": "Typed name"})
    response = client.post("/p/own/meetings/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<a href="#attendees-1-role">Enter the role of the attendee from Watford' in html
    assert 'id="attendees-1-role-error"' in html
    assert 'value="Typed name"' in html and 'value="Joint planning workshop"' in html
    assert "Watford agreed to a JSP</textarea>" in html
    assert "<title>Error: Record a meeting" in html
    assert count(app, Meeting) == 0


def test_a_position_on_a_matter_not_discussed_is_refused_on_its_row(app, login, setting):
    s = setting
    response = as_(app, login, s, "officer").post("/p/own/meetings/new", data=posted(
        s, **{"positions-0-matter_id": str(s["green_belt"])}))
    assert response.status_code == 422
    assert ('<a href="#positions-0-matter_id">Position stated for a matter not discussed: '
            'SM2 Green Belt') in response.get_data(as_text=True)


def test_a_date_that_is_not_a_date_is_refused(app, login, setting):
    s = setting
    response = as_(app, login, s, "officer").post("/p/own/meetings/new", data=posted(
        s, **{"held_on-day": "31", "held_on-month": "2"}))
    assert response.status_code == 422
    assert '<a href="#held_on-day">Meeting date must be a real date' in \
        response.get_data(as_text=True)
    assert count(app, Meeting) == 0


def test_an_empty_form_lists_every_problem_at_once(app, login, setting):
    """Not one at a time: the date's own message, then the record's others (the date not
    repeated), each linking to its field."""
    s = setting
    data = posted(s, **{"held_on-day": "", "held_on-month": "", "held_on-year": "",
                        "kind": "", "title": "", "attendees-0-organisation_id": "",
                        "attendees-0-role": "", "positions-0-organisation_id": "",
                        "positions-0-matter_id": "", "positions-0-statement": "",
                        "positions-0-stance": "",
                        "matter_ids": []})
    response = as_(app, login, s, "officer").post("/p/own/meetings/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index("govuk-error-summary__list"):]
    summary = summary[:summary.index("</ul>")]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [anchor for anchor, _ in links] == [
        "held_on-day", "kind", "title", "attendees-0-organisation_id"], links
    assert sum("meeting date" in text for _, text in links) == 1
    assert count(app, Meeting) == 0


def test_add_another_attendee_shows_one_more_row_keeping_what_was_typed(app, login, setting):
    s = setting
    client = as_(app, login, s, "officer")
    response = client.post("/p/own/meetings/new", data={**posted(s, title=""), "add": "attendee"})
    assert response.status_code == 200                 # nothing checked, nothing saved
    html = response.get_data(as_text=True)
    assert 'id="attendee-row-3"' in html and "There is a problem" not in html
    assert re.search(r'<select autofocus[^>]*id="attendees-3-organisation_id"', html) or \
        re.search(r'id="attendees-3-organisation_id"[^>]*autofocus', html)
    assert 'value="Head of Planning"' in html and "Watford agreed to a JSP" in html
    more = client.post("/p/own/meetings/new", data={**posted(s), "add": "position"})
    assert 'id="position-row-2"' in more.get_data(as_text=True)
    assert count(app, Meeting) == 0


def test_a_correction_bumps_the_version_and_the_history_shows_the_earlier_record(
        app, login, setting):
    s = setting
    meeting_id = recorded(app, s)
    client = as_(app, login, s, "dacorum_officer")
    form = client.get(f"/p/own/meetings/{meeting_id}/correct").get_data(as_text=True)
    assert 'name="expected_version" type="hidden" value="1"' in form
    assert 'value="Head of Planning"' in form and 'value="A Person"' in form
    response = client.post(f"/p/own/meetings/{meeting_id}/correct", data=posted(
        s, title="Workshop (corrected)", expected_version="1", reason="Wrong title"))
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Corrected 1 time" in page and "Workshop (corrected)" in page
    history = client.get(f"/p/own/meetings/{meeting_id}/history").get_data(as_text=True)
    assert "Version 2 (current)" in history and "Wrong title" in history
    assert "Corrected by Dacorum Officer (Dacorum Borough Council)" in history
    assert "Joint planning workshop" in history            # the title as first recorded
    assert "Recorded by Test Officer (Watford Borough Council)" in history


def test_a_stale_correction_answers_409_keeps_the_text_and_changes_nothing(app, login, setting):
    s = setting
    meeting_id = recorded(app, s)
    first = as_(app, login, s, "dacorum_officer")
    assert first.post(f"/p/own/meetings/{meeting_id}/correct", data=posted(
        s, title="First correction", expected_version="1", reason="One")).status_code == 303
    late = as_(app, login, s, "officer")
    response = late.post(f"/p/own/meetings/{meeting_id}/correct", data=posted(
        s, title="Late correction", expected_version="1", reason="Two"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "corrected by Dacorum Officer (Dacorum Borough Council)" in html
    assert 'value="Late correction"' in html
    assert 'name="expected_version" type="hidden" value="2"' in html
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert (meeting.title, meeting.version) == ("First correction", 2)
    assert count(app, MeetingRevision) == 2


def test_a_correction_with_problems_asks_for_its_reason_with_them(app, login, setting):
    s = setting
    meeting_id = recorded(app, s)
    response = as_(app, login, s, "officer").post(
        f"/p/own/meetings/{meeting_id}/correct",
        data=posted(s, title="", kind="", expected_version="1", reason=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for anchor, message in (("kind", "Choose what kind of meeting it was"),
                            ("title", "Enter the meeting&#39;s title"),
                            ("reason", "Say why the record is being corrected")):
        assert f'<a href="#{anchor}">{message}' in html, anchor
    assert count(app, MeetingRevision) == 1


def test_a_correction_without_a_reason_or_without_a_change(app, login, setting):
    s = setting
    meeting_id = recorded(app, s)
    client = as_(app, login, s, "officer")
    response = client.post(f"/p/own/meetings/{meeting_id}/correct", data=posted(
        s, title="New", expected_version="1", reason=""))
    assert response.status_code == 422
    assert '<a href="#reason">Say why the record is being corrected' in \
        response.get_data(as_text=True)
    same = client.get(f"/p/own/meetings/{meeting_id}/correct")
    assert same.status_code == 200
    form = posted(s)
    with app.app_context():
        for i, a in enumerate(db.session.get(Meeting, meeting_id).attendees):
            form.update({f"attendees-{i}-organisation_id": str(a.organisation_id),
                         f"attendees-{i}-role": a.role, f"attendees-{i}-person": a.person})
    form.update({"title": "Joint planning workshop", "notes": "Agreed to **work together**.",
                 "outcome": "A JSP to be prepared", "positions-0-stance": "reservations",
                 "positions-0-statement": "Accepted the logic of a JSP",
                 "expected_version": "1", "reason": ""})
    unchanged = client.post(f"/p/own/meetings/{meeting_id}/correct", data=form)
    assert unchanged.status_code == 303
    assert "Nothing was changed" in client.get(unchanged.location).get_data(as_text=True)
    assert count(app, MeetingRevision) == 1 and count(app, MeetingAttendee) == 2


def test_the_correction_form_still_offers_an_authority_that_has_left(app, login, setting):
    s = setting
    meeting_id = recorded(app, s)
    with app.app_context():
        db.session.scalar(select(Partner).where(Partner.partnership_id == s["own"],
                                                Partner.organisation_id == s["dacorum"])
                          ).status = "left"
        db.session.commit()
    client = as_(app, login, s, "officer")
    option = re.compile(rf'<option (selected )?value="{s["dacorum"]}"( selected)?>Dacorum')
    assert option.search(client.get(f"/p/own/meetings/{meeting_id}/correct").get_data(
        as_text=True))
    assert not option.search(client.get("/p/own/meetings/new").get_data(as_text=True))

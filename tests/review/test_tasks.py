"""My tasks: positions owed, comments awaiting a reply, signatures awaited, decisions sought
soon; the page and the count in the header, which costs one query."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from workspace.accounts.models import User
from workspace.documents import editing, service
from workspace.documents.models import Document, Section
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.review import lifecycle, tasks
from workspace.review.models import Comment, DecisionSought, Signatory, SignatoryMatter
from workspace.review.positions import record_position

PASSWORD = "correct-horse-1"


@pytest.fixture
def scg(app, factory, world):
    """An SCG out for agreement: Watford signs for both strategic matters, Dacorum only for
    Green Belt. The Watford officer wrote the Housing section."""
    users = dict(world["users"])
    users["dacorum_member"] = factory.user(world["orgs"]["dacorum"], "member",
                                           email="member@dacorum.example")
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        officer = db.session.get(User, users["officer"])
        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        sections = [service.append_section(document, "Context", "Context.\n"),
                    service.append_section(document, "Housing", "Housing.\n", user=officer),
                    service.append_section(document, "Green Belt", "Green Belt.\n")]
        sections[1].strategic_matter = sections[2].strategic_matter = True
        db.session.add(Signatory(document_id=document.id,
                                 organisation_id=world["orgs"]["watford"], all_matters=True))
        dacorum = Signatory(document_id=document.id, organisation_id=world["orgs"]["dacorum"],
                            all_matters=False)
        dacorum.matters.append(SignatoryMatter(section_id=sections[2].id))
        db.session.add(dacorum)
        document.status = "out_for_agreement"
        db.session.commit()
        return {"id": document.id, "sections": [s.id for s in sections], "users": users,
                "base": f"/p/own/d/{document.id}"}


def user_tasks(app, user_id):
    """(the page's Tasks, the header's count) for a user."""
    with app.test_request_context():
        user = db.session.get(User, user_id)
        found = tasks.my_tasks(user)
        return found, tasks.task_count(user)


def position(app, scg, index, user_id, stance="agreed", reason=""):
    with app.test_request_context():
        record_position(db.session.get(Section, scg["sections"][index]),
                        db.session.get(User, user_id), stance, reason)
        db.session.commit()


def edit(app, scg, index, body, user_id):
    with app.test_request_context():
        section = db.session.get(Section, scg["sections"][index])
        editing.save_section(section, body, section.version, db.session.get(User, user_id),
                             confirm_stale=True)
        db.session.commit()


def comment(app, scg, index, user_id, body="A comment", parent=None):
    with app.app_context():
        user = db.session.get(User, user_id)
        row = Comment(document_id=scg["id"], section_id=scg["sections"][index],
                      author_id=user.id, organisation_id=user.organisation_id, body=body,
                      revision_number=1, parent_id=parent)
        db.session.add(row)
        db.session.commit()
        return row.id


def test_positions_owed_are_missing_or_stale_in_scope_matters(app, scg):
    member, dacorum = scg["users"]["member"], scg["users"]["dacorum_member"]
    found, count = user_tasks(app, member)
    assert [(t.section.title, t.state) for t in found.positions] == [
        ("Housing", "missing"), ("Green Belt", "missing")]
    assert count == 2
    found, count = user_tasks(app, dacorum)      # Dacorum signs for Green Belt only
    assert [t.section.title for t in found.positions] == ["Green Belt"] and count == 1

    position(app, scg, 1, member)
    position(app, scg, 2, member, "not_agreed", "Not yet.")
    found, count = user_tasks(app, member)
    assert found.positions == [] and count == 0

    edit(app, scg, 1, "Housing, revised.\n", scg["users"]["officer"])
    found, count = user_tasks(app, member)
    assert [(t.section.title, t.state) for t in found.positions] == [("Housing", "stale")]
    assert count == 1


def test_the_page_lists_what_the_agreement_grid_shows_outstanding(app, scg):
    """The list is one statement (the header count's); the grid is the document page's own
    reckoning: the two agree on matters, states and numbers, as positions come and texts
    change."""
    member, dacorum = scg["users"]["member"], scg["users"]["dacorum_member"]

    def both(user_id):
        with app.test_request_context():
            user = db.session.get(User, user_id)
            listed = [(t.document.id, t.section.id, t.number, t.state)
                      for t in tasks.owed_positions(user)]
            grid = [(t.document.id, t.section.id, t.number, t.state) for t in
                    tasks.owed_in_document(db.session.get(Document, scg["id"]), user)]
            return listed, grid

    steps = [lambda: None,
             lambda: position(app, scg, 2, member, "reservations", "Subject to review."),
             lambda: edit(app, scg, 2, "Green Belt, revised.\n", scg["users"]["officer"]),
             lambda: position(app, scg, 2, dacorum),
             lambda: position(app, scg, 1, member, "not_agreed", "No.")]
    for step in steps:
        step()
        for user_id in (member, dacorum):
            listed, grid = both(user_id)
            assert listed == grid
    assert both(member)[0] == [(scg["id"], scg["sections"][2], "3", "stale")]


def test_positions_are_owed_only_by_members_and_only_while_out_for_agreement(app, scg):
    for role in ("viewer", "officer", "admin"):
        found, count = user_tasks(app, scg["users"][role])
        assert found.positions == [] and count == 0
    with app.app_context():
        db.session.get(Document, scg["id"]).status = "draft"
        db.session.commit()
    found, count = user_tasks(app, scg["users"]["member"])
    assert found.positions == [] and count == 0


def test_comments_awaiting_a_reply_on_sections_i_edited(app, scg):
    officer, other = scg["users"]["officer"], scg["users"]["dacorum_officer"]
    thread = comment(app, scg, 1, other, "Add the figures?")
    comment(app, scg, 2, other, "On a section the officer never edited.")
    own = comment(app, scg, 1, officer, "My own question.")
    found, count = user_tasks(app, officer)
    assert [t.thread.id for t in found.replies] == [thread] and count == 1
    assert found.replies[0].last.body == "Add the figures?"

    comment(app, scg, 1, officer, "Yes, drafting them.", parent=thread)
    assert user_tasks(app, officer)[1] == 0
    comment(app, scg, 1, other, "Thanks, when?", parent=thread)
    comment(app, scg, 1, other, "Any news?", parent=own)
    found, count = user_tasks(app, officer)
    assert {t.thread.id for t in found.replies} == {thread, own} and count == 2

    with app.app_context():
        for row in db.session.get(Comment, thread), db.session.get(Comment, own):
            row.resolved_at = lifecycle.utcnow()
        db.session.commit()
    assert user_tasks(app, officer) == (tasks.Tasks(), 0)


def test_documents_awaiting_my_signature(app, login, scg):
    member = scg["users"]["member"]
    with app.app_context():
        document = db.session.get(Document, scg["id"])
        document.status = "agreed"
        db.session.commit()
    with app.test_request_context():
        lifecycle.freeze(db.session.get(Document, scg["id"]), None, False)
        db.session.commit()
    found, count = user_tasks(app, member)
    assert [d.id for d in found.signatures] == [scg["id"]] and count == 1
    assert user_tasks(app, scg["users"]["officer"])[0].signatures == []

    client = login(app.test_client(), member)
    assert 'Sign Statement of Common Ground' in client.get("/tasks").text
    response = client.post(scg["base"] + "/sign", data={
        "declaration": "y", "signed_name": "Cllr W", "signed_position": "Leader",
        "password": PASSWORD})
    assert response.status_code == 303
    found, count = user_tasks(app, member)
    assert found.signatures == [] and count == 0


def test_decisions_sought_soon_overdue_but_not_later_or_taken(app, scg):
    today = lifecycle.today()
    with app.app_context():
        for body, days, taken in [("Soon", 10, None), ("Overdue", -2, None),
                                  ("Later", 45, None), ("Taken", -5, today)]:
            db.session.add(DecisionSought(document_id=scg["id"], body=body,
                                          due_date=today + timedelta(days=days),
                                          taken_at=taken))
        db.session.commit()
    found, count = user_tasks(app, scg["users"]["viewer"])
    assert [(t.decision.body, t.state) for t in found.decisions] == [
        ("Overdue", "overdue"), ("Soon", "upcoming")]
    assert count == 2
    found, count = user_tasks(app, scg["users"]["foreign_admin"])
    assert found.decisions == [] and count == 0


def test_the_header_count_matches_the_page_and_costs_one_query_per_area(app, login, scg):
    member = scg["users"]["member"]
    comment(app, scg, 1, scg["users"]["dacorum_officer"], "Question")
    with app.app_context():
        db.session.add(DecisionSought(document_id=scg["id"], body="SPMG",
                                      due_date=lifecycle.today()))
        db.session.commit()
    found, count = user_tasks(app, member)
    assert found.total == count == 3
    found, count = user_tasks(app, scg["users"]["officer"])    # wrote Housing
    assert found.total == count == 2

    client = login(app.test_client(), member)
    page = client.get("/tasks")
    assert page.status_code == 200
    assert "My tasks (3" in page.text
    assert "Positions Watford Borough Council still owes (2)" in page.text
    assert "Decisions sought soon (1)" in page.text

    statements = []
    with app.test_request_context():
        user = db.session.get(User, member)
        def listener(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            tasks.task_count(user)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    # One query for review's tasks, one each for suggestions' and cooperation's (the
    # task_counts signal).
    assert len(statements) == 3


def test_my_tasks_shows_its_own_total_in_the_header_without_counting_again(
        app, login, scg, monkeypatch):
    """On My tasks the header's count is the page's total, so the header's count query (four
    counts and the other areas' signals) is not run a second time for the same answer."""
    member = scg["users"]["member"]
    client = login(app.test_client(), member)

    def counted_again(_user, on=None):
        raise AssertionError("the header counted again on My tasks")

    monkeypatch.setattr(tasks, "task_count", counted_again)
    page = client.get("/tasks")
    assert page.status_code == 200
    assert "My tasks (2" in page.text      # the two strategic matters Watford owes
    assert "Positions Watford Borough Council still owes (2)" in page.text


@pytest.mark.parametrize("role", ["viewer", "officer", "member", "admin"])
def test_the_tasks_page_and_header_link_work_for_every_role(app, login, scg, role):
    client = login(app.test_client(), scg["users"][role])
    page = client.get("/tasks")
    assert page.status_code == 200 and "<h1 class=\"govuk-heading-l\">My tasks</h1>" in page.text
    assert 'href="/tasks"' in client.get(scg["base"] + "/").text


def test_home_leads_to_my_tasks_when_something_waits(app, login, scg):
    """The home page says first how many things wait, with the way to them; not when none."""
    member = login(app.test_client(), scg["users"]["member"])
    home = member.get("/").text
    assert re.search(r"Your actions</h2>\s*<p[^>]*>2 things wait for you: <a class=\"govuk-link\" "
                     r"href=\"/tasks\">see My tasks</a>", home), home
    viewer = login(app.test_client(), scg["users"]["viewer"])
    assert "wait for you" not in viewer.get("/").text

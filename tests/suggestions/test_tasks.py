"""My tasks: suggestions awaiting the user's decision (only for those who may decide now) and
decisions others made on the user's own suggestions."""
from .conftest import GREEN_BELT

CHANGED = GREEN_BELT.replace("is kept", "is kept and reviewed every five years")


def _tasks(scg, who):
    page = scg.client(who).get("/tasks")
    assert page.status_code == 200
    return page.text


def test_open_suggestions_wait_for_those_who_may_decide(scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    officer = _tasks(scg, "officer")
    assert "Suggested changes awaiting your decision (1)" in officer
    assert "Dacorum Borough Council\u2019s suggestion of" in officer
    assert f"#section-{scg.sections['green']}" in officer
    for who in ("viewer", "member", "dacorum_member"):
        assert "awaiting your decision" not in _tasks(scg, who)
    scg.set_status("out_for_agreement")        # now only the partnership admins decide
    assert "awaiting your decision" not in _tasks(scg, "officer")
    assert "Suggested changes awaiting your decision (1)" in _tasks(scg, "padmin")


def test_a_decided_suggestion_leaves_the_list_and_its_author_sees_the_decision(scg):
    author = scg.client("dacorum_officer")
    scg.suggest(author, "green", CHANGED)
    assert scg.client("officer").post(scg.url(scg.last().id, "reject"),
                                      data={"reason": "The plan says otherwise."}
                                      ).status_code == 303
    assert "awaiting your decision" not in _tasks(scg, "officer")
    mine = _tasks(scg, "dacorum_officer")
    assert "Decisions on your suggestions (1)" in mine
    assert "Your suggestion on Green Belt" in mine
    assert "rejected by Test Officer" in mine and "The plan says otherwise." in mine
    scg.suggest(author, "green", CHANGED)
    assert author.post(scg.url(scg.last().id, "withdraw")).status_code == 303
    assert "Decisions on your suggestions (1)" in _tasks(scg, "dacorum_officer")


def _header_count(text):
    import re
    found = re.search(r'govuk-service-navigation__link" href="/tasks">My tasks(?: \((\d+))?', text)
    assert found, "no My tasks link"
    return int(found.group(1) or 0)


def _page_total(scg, who):
    from workspace.accounts.models import User
    from workspace.extensions import db
    from workspace.review.tasks import my_tasks
    with scg.app.app_context():
        return my_tasks(db.session.get(User, scg.users[who])).total


def test_the_headers_task_count_includes_suggestion_tasks_and_equals_the_pages_total(scg):
    author = scg.client("dacorum_officer")
    scg.suggest(author, "green", CHANGED)
    scg.suggest(author, "intro", "Alpha one, changed.\n\nBravo two.\n")
    officer = scg.client("officer")
    before = _header_count(officer.get("/tasks").text)
    assert before == _page_total(scg, "officer") >= 2
    # A decision on the author's suggestion is a task of theirs; it leaves the officer's.
    assert officer.post(scg.url(scg.last().id, "reject"),
                        data={"reason": "Not now."}).status_code == 303
    assert _header_count(officer.get("/tasks").text) == _page_total(scg, "officer") \
        == before - 1
    mine = author.get("/tasks").text
    assert _header_count(mine) == _page_total(scg, "dacorum_officer") >= 1
    assert "Decisions on your suggestions (1)" in mine
    # Out for agreement only the partnership admins decide: the count follows.
    scg.set_status("out_for_agreement")
    for who in ("officer", "padmin", "viewer"):
        assert _header_count(scg.client(who).get("/tasks").text) == _page_total(scg, who), who


def test_others_comments_on_my_suggestion_are_in_my_tasks_and_the_header_count(scg):
    author = scg.client("dacorum_officer")
    scg.suggest(author, "green", CHANGED)
    sid = scg.last().id
    assert author.post(scg.url(sid, "comments"), data={"body": "My own note."}).status_code \
        in (200, 303)
    assert "Comments on your suggestions" not in _tasks(scg, "dacorum_officer")
    assert scg.client("member").post(scg.url(sid, "comments"),
                                     data={"body": "Watford would like the date kept."}
                                     ).status_code in (200, 303)
    mine = _tasks(scg, "dacorum_officer")
    assert "Comments on your suggestions (1)" in mine
    assert "Watford would like the date kept." in mine
    assert f"#suggestion-{sid}" in mine
    assert "My own note." not in mine.split("Comments on your suggestions")[1]
    assert "Comments on your suggestions" not in _tasks(scg, "member")
    header = _header_count(author.get("/tasks").text)
    assert header == _page_total(scg, "dacorum_officer")

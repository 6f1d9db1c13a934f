"""Deciding at once: two accepts of different suggestions on one section, two accepts of the
same suggestion, an accept while another officer saves. Nothing is lost or half-recorded."""
import threading

from .conftest import HX

BASE = "Alpha one.\n\nBravo two.\n"


def at_once(*calls):
    """Run the calls in threads released together; their answers, in order."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        answers[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_two_accepts_of_different_suggestions_at_once_both_land_merged(scg):
    officer, dacorum = scg.client("officer"), scg.client("dacorum_officer")
    scg.suggest(officer, "intro", BASE.replace("Alpha one.", "Alpha one, from Watford."))
    first = scg.last().id
    scg.suggest(dacorum, "intro", BASE.replace("Bravo two.", "Bravo two, from Dacorum."))
    second = scg.last().id
    a, b = scg.client("padmin"), scg.client("officer")
    answers = at_once(lambda: a.post(scg.url(first, "accept")),
                      lambda: b.post(scg.url(second, "accept")))
    assert [r.status_code for r in answers] == [303, 303]
    body = scg.section("intro").body
    assert "Alpha one, from Watford." in body and "Bravo two, from Dacorum." in body
    revisions = scg.revisions("intro")
    assert [r.number for r in revisions] == [1, 2, 3]
    assert {r.kind for r in revisions[1:]} == {"suggestion"}
    assert {s.status for s in scg.suggestions()} == {"accepted"}


def test_two_accepts_of_overlapping_suggestions_at_once_one_lands_one_is_a_conflict(scg):
    officer, dacorum = scg.client("officer"), scg.client("dacorum_officer")
    scg.suggest(officer, "intro", BASE.replace("Alpha one.", "Alpha from Watford."))
    first = scg.last().id
    scg.suggest(dacorum, "intro", BASE.replace("Alpha one.", "Alpha from Dacorum."))
    second = scg.last().id
    a, b = scg.client("padmin"), scg.client("officer")
    answers = at_once(lambda: a.post(scg.url(first, "accept")),
                      lambda: b.post(scg.url(second, "accept")))
    assert sorted(r.status_code for r in answers) == [303, 409]
    conflict = next(r for r in answers if r.status_code == 409)
    assert "overlaps changes made since" in conflict.text
    statuses = {s.id: s.status for s in scg.suggestions()}
    assert sorted(statuses.values()) == ["accepted", "open"]
    winner = "Watford" if statuses[first] == "accepted" else "Dacorum"
    assert scg.section("intro").body == BASE.replace("Alpha one.", f"Alpha from {winner}.")
    assert len(scg.revisions("intro")) == 2


def test_two_accepts_of_the_same_suggestion_at_once_accept_it_once(scg):
    scg.suggest(scg.client("dacorum_officer"), "intro", BASE + "\nCharlie three.\n")
    suggestion = scg.last().id
    a, b = scg.client("padmin"), scg.client("officer")
    answers = at_once(lambda: a.post(scg.url(suggestion, "accept")),
                      lambda: b.post(scg.url(suggestion, "accept")))
    assert sorted(r.status_code for r in answers) == [303, 409]
    assert "already been accepted" in next(r for r in answers if r.status_code == 409).text
    assert len(scg.revisions("intro")) == 2


def test_an_accept_while_another_officer_saves_loses_neither(scg):
    scg.suggest(scg.client("dacorum_officer"), "intro",
                BASE.replace("Alpha one.", "Alpha one, suggested."))
    suggestion = scg.last().id
    admin, officer = scg.client("padmin"), scg.client("officer")
    answers = at_once(
        lambda: admin.post(scg.url(suggestion, "accept")),
        lambda: officer.post(scg.section_url("intro"), headers=HX, data={
            "body": BASE.replace("Bravo two.", "Bravo two, saved."), "base_version": "1"}))
    assert [r.status_code for r in answers] == [303, 200]
    body = scg.section("intro").body
    assert "Alpha one, suggested." in body and "Bravo two, saved." in body
    assert [r.number for r in scg.revisions("intro")] == [1, 2, 3]

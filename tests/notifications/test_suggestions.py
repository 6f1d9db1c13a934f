"""Suggested changes notify: a new suggestion on a section an authority gave a position on
tells that authority's Members; a decision on a suggestion tells its author (the e-mail goes
through a real SMTP server)."""
from workspace.documents.models import Section
from workspace.extensions import db
from workspace.suggestions import service as suggestions
from workspace.suggestions.models import Suggestion

from .helpers import act, give_position, notifications_of, send_out, user


def _suggest(app, scg, index, who="dacorum_officer", body="Changed.\n"):
    return act(app, lambda: suggestions.suggest(
        db.session.get(Section, scg["sections"][index]), body, 1,
        user(scg["users"][who]), reason="Clearer.").id)


def test_a_suggestion_on_a_matter_with_a_position_tells_that_authoritys_members(
        app, scg, smtp, run_jobs):
    send_out(app, scg)
    give_position(app, scg, 2, "dacorum_member")       # Dacorum on Green Belt only
    run_jobs()
    smtp.messages.clear()
    _suggest(app, scg, 2, who="officer")
    [note] = [n for n in notifications_of(app, scg["users"]["dacorum_member"])
              if n.kind == "suggestion_made"]
    assert note.title == ("Watford Borough Council suggested a change to \u201cGreen Belt\u201d "
                          "in Statement of Common Ground")
    assert "recorded a position on this section" in note.reason
    assert note.link.endswith(f"#section-{scg['sections'][2]}")
    # Watford gave no position on Green Belt; Housing has none at all.
    assert not [n for n in notifications_of(app, scg["users"]["member"])
                if n.kind == "suggestion_made"]
    _suggest(app, scg, 1)
    assert len([n for n in notifications_of(app, scg["users"]["dacorum_member"])
                if n.kind == "suggestion_made"]) == 1
    run_jobs()
    [mail] = smtp.to("member@dacorum.example")
    assert "Watford Borough Council suggested a change to \u201cGreen Belt\u201d" in \
        mail.get_body(("plain",)).get_content()


def test_a_decision_on_a_suggestion_tells_its_author(app, scg, smtp, run_jobs):
    rejected = _suggest(app, scg, 0)
    act(app, lambda: suggestions.reject(db.session.get(Suggestion, rejected),
                                        user(scg["users"]["officer"]), "Not now."))
    accepted = _suggest(app, scg, 0, body="Context, better.\n")
    act(app, lambda: suggestions.accept(db.session.get(Suggestion, accepted),
                                        user(scg["users"]["officer"])))
    withdrawn = _suggest(app, scg, 1)
    act(app, lambda: suggestions.withdraw(db.session.get(Suggestion, withdrawn),
                                          user(scg["users"]["dacorum_officer"])))
    notes = [n for n in notifications_of(app, scg["users"]["dacorum_officer"])
             if n.kind == "suggestion_decided"]
    assert [n.title for n in notes] == [
        ("Test Officer (Watford Borough Council) rejected your suggestion on \u201cContext\u201d: "
         "\u201cNot now.\u201d"),
        "Test Officer (Watford Borough Council) accepted your suggestion on \u201cContext\u201d"]
    assert notes[0].link.endswith("/history#decided-suggestions")
    assert "You made Dacorum Borough Council\u2019s suggestion of" in notes[0].reason
    assert not [n for n in notifications_of(app, scg["users"]["officer"])
                if n.kind == "suggestion_decided"]
    run_jobs()
    found = smtp.to("officer@dacorum.example")
    assert found and "rejected your suggestion" in "".join(
        m.get_body(("plain",)).get_content() for m in found)

"""Comments on a suggestion: anyone who may comment in the partnership, shown under the open
suggestion and in the section's history once decided; the same input rules as section
comments; audited, redrawn live, and its author told."""
import json

from sqlalchemy import select

from workspace.audit import AuditEvent
from workspace.documents.models import DocumentChange
from workspace.extensions import db
from workspace.notifications.models import Notification
from workspace.suggestions.models import SuggestionComment

from .conftest import GREEN_BELT, HX

CHANGED = GREEN_BELT.replace("is kept", "is kept and reviewed every five years")


def _suggested(scg):
    assert scg.suggest(scg.client("dacorum_officer"), "green", CHANGED).status_code == 200
    return scg.last().id


def _comment(scg, who, suggestion_id, body, headers=HX):
    return scg.client(who).post(scg.url(suggestion_id, "comments"), data={"body": body},
                                headers=headers)


def test_members_and_viewers_comment_on_a_suggestion_and_everyone_sees_who_and_when(scg):
    sid = _suggested(scg)
    for who in ("viewer", "member", "officer", "padmin"):
        answer = _comment(scg, who, sid, f"A thought from the {who}.")
        assert answer.status_code == 200, who
        assert f'id="suggestion-comments-{sid}"' in answer.text
        assert "Your comment was added to the suggestion." in answer.text
    page = scg.client("dacorum_member").get(scg.page).text
    assert "A thought from the viewer." in page and "A thought from the padmin." in page
    assert "Comments on this suggestion (4)" in page
    assert "Watford Borough Council" in page and "<time datetime=" in page


def test_the_comment_form_comes_on_demand_and_as_a_page_without_javascript(scg):
    sid = _suggested(scg)
    viewer = scg.client("viewer")
    page = viewer.get(scg.page).text
    assert scg.url(sid, "comments/new") in page
    partial = viewer.get(scg.url(sid, "comments/new"), headers=HX)
    assert partial.status_code == 200 and "<html" not in partial.text
    assert f'id="suggestion-comment-form-{sid}"' in partial.text
    full = viewer.get(scg.url(sid, "comments/new"))
    assert full.status_code == 200 and "<html" in full.text
    answer = _comment(scg, "viewer", sid, "Without JavaScript.", headers={})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"#section-{scg.sections['green']}")
    assert "Without JavaScript." in viewer.get(scg.page).text


def test_an_empty_or_over_long_comment_is_refused_with_the_text_kept(scg):
    sid = _suggested(scg)
    empty = _comment(scg, "viewer", sid, "   ")
    assert empty.status_code == 422 and "Enter a comment" in empty.text
    assert empty.headers["HX-Retarget"] == f"#suggestion-comment-form-{sid}"
    long_text = "x" * 5001
    too_long = _comment(scg, "viewer", sid, long_text, headers={})
    assert too_long.status_code == 422
    assert "5,000 characters or fewer" in too_long.text and long_text in too_long.text
    assert "Error: " in too_long.text          # the page, with its error summary
    with scg.app.app_context():
        assert db.session.scalars(select(SuggestionComment)).all() == []


def test_a_decided_suggestion_takes_no_comments_but_its_comments_stay_in_the_history(scg):
    sid = _suggested(scg)
    assert _comment(scg, "member", sid, "Please keep the old boundary.").status_code == 200
    assert scg.client("officer").post(scg.url(sid, "reject"),
                                      data={"reason": "Not now."}).status_code == 303
    assert _comment(scg, "member", sid, "Too late?").status_code == 409
    history = scg.client("viewer").get(scg.section_url("green") + "/history").text
    assert "Please keep the old boundary." in history and "Too late?" not in history


def test_comments_need_the_comment_permission_and_the_partnership(scg, world, login):
    sid = _suggested(scg)
    outsider = login(scg.app.test_client(), world["users"]["foreign_admin"])
    assert outsider.post(scg.url(sid, "comments"), data={"body": "Hi"}).status_code == 404
    assert outsider.get(scg.url(sid, "comments/new")).status_code == 404


def test_a_comment_is_audited_and_redraws_the_section_live(scg):
    sid = _suggested(scg)
    with scg.app.app_context():
        before = db.session.scalar(select(DocumentChange.id).order_by(
            DocumentChange.id.desc()).limit(1))
    assert _comment(scg, "viewer", sid, "Audited.").status_code == 200
    with scg.app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "suggestion.commented")).all()
        assert json.loads(event.detail)["suggestion"] == sid
        change = db.session.scalars(select(DocumentChange).where(
            DocumentChange.id > before)).all()
        assert [(c.section_id, c.kind) for c in change] == [(scg.sections["green"], "comment")]


def test_a_comment_on_my_suggestion_tells_me_but_not_my_own(scg):
    sid = _suggested(scg)
    assert _comment(scg, "viewer", sid, "Why?").status_code == 200
    assert _comment(scg, "dacorum_officer", sid, "Because.").status_code == 200
    with scg.app.app_context():
        notes = db.session.scalars(select(Notification).where(
            Notification.kind == "suggestion_comment")).all()
        assert [(n.user_id, n.title) for n in notes] == [
            (scg.users["dacorum_officer"],
             ("Test Viewer (Watford Borough Council) commented on your suggestion on "
              "\u201cGreen Belt\u201d"))]

"""Comments on sections: threads, replies, edit and delete own, resolve and reopen, "on an
earlier version", counts and the filter, the live feed, and the "feedback sought" question."""
import re

import pytest
from sqlalchemy import event, select

from workspace.accounts.models import User
from workspace.audit import AuditEvent
from workspace.documents import feed, service
from workspace.documents.models import Document, DocumentChange, Section
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.review.comments import comment_context
from workspace.review.models import Comment

HX = {"HX-Request": "true"}
ROLES = ["viewer", "officer", "member", "admin"]


@pytest.fixture
def doc(app, world):
    """A three-section document in the `own` partnership; returns ids and URLs."""
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        ids = [service.append_section(document, title, body, feedback_sought=question).id
               for title, body, question in [
                   ("Strategic context", "Alpha one.\n", "Do we agree with the context?"),
                   ("Housing", "Housing need.\n", ""),
                   ("Green Belt", "Green Belt text.\n", ""),
               ]]
        db.session.commit()
        base = f"/p/own/d/{document.id}"
        return {"id": document.id, "sections": ids, "url": base + "/", "base": base,
                "section": lambda i: f"{base}/s/{ids[i]}"}


@pytest.fixture
def as_role(app, login, world):
    """as_role("viewer"): a client signed in as that user of the world fixture."""
    clients = {}

    def _client(role):
        if role not in clients:
            clients[role] = login(app.test_client(), world["users"][role])
        return clients[role]

    return _client


def post_comment(client, doc, i, body, headers=HX):
    return client.post(doc["section"](i) + "/comments", data={"body": body}, headers=headers)


def comment_url(doc, i, comment_id, action=""):
    return f"{doc['section'](i)}/comments/{comment_id}{action}"


def all_comments(app):
    with app.app_context():
        return db.session.scalars(select(Comment).order_by(Comment.id)).all()


def last_comment_id(app):
    return all_comments(app)[-1].id


def audit_actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent)
                                                      .order_by(AuditEvent.id))]


def comment_changes(app):
    with app.app_context():
        return db.session.scalars(select(DocumentChange.section_id).where(
            DocumentChange.kind == "comment").order_by(DocumentChange.id)).all()


def thread(app, doc, as_role, role="officer", body="Can we add the figures?", i=1):
    """A thread started by `role` on section i; its comment id."""
    assert post_comment(as_role(role), doc, i, body).status_code == 200
    return last_comment_id(app)


# Adding and replying ------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_comment(app, doc, as_role, world, role):
    response = post_comment(as_role(role), doc, 1, f"A comment from the {role}.")
    assert response.status_code == 200
    assert f"A comment from the {role}." in response.text
    assert f'id="comments-{doc["sections"][1]}"' in response.text
    assert "Comment added." in response.text
    [comment] = all_comments(app)
    assert (comment.author_id, comment.organisation_id, comment.section_id,
            comment.revision_number, comment.parent_id) == \
        (world["users"][role], world["orgs"]["watford"], doc["sections"][1], 1, None)


def test_plain_form_comment_redirects_to_the_section_and_shows_there(doc, as_role):
    client = as_role("viewer")
    response = post_comment(client, doc, 1, "Seen on the page.", headers={})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#section-{doc['sections'][1]}")
    page = client.get(doc["url"])
    assert "Seen on the page." in page.text and "Comment added." in page.text


def test_replies_join_the_thread_even_when_replying_to_a_reply(app, doc, as_role):
    root = thread(app, doc, as_role, "officer")
    client = as_role("member")
    assert client.post(comment_url(doc, 1, root, "/replies"), data={"body": "First reply"},
                       headers=HX).status_code == 200
    first = last_comment_id(app)
    response = client.post(comment_url(doc, 1, first, "/replies"),
                           data={"body": "Second reply"}, headers=HX)
    assert response.status_code == 200 and "Reply added." in response.text
    assert [(c.body, c.parent_id) for c in all_comments(app)] == \
        [("Can we add the figures?", None), ("First reply", root), ("Second reply", root)]
    assert response.text.index("First reply") < response.text.index("Second reply")


def test_a_comment_is_plain_text_with_its_line_breaks_kept(app, doc, as_role):
    response = post_comment(as_role("officer"), doc, 1, "First line\r\nsecond *line*\n\nthird")
    assert "First line<br>\nsecond *line*<br>\n<br>\nthird" in response.text
    assert all_comments(app)[0].body == "First line\nsecond *line*\n\nthird"


def test_hostile_text_is_shown_escaped(app, doc, as_role):
    hostile = ('<script>alert(1)</script><img src=x onerror="alert(2)">'
               '<a href="javascript:alert(3)">x</a>')
    client = as_role("viewer")
    response = post_comment(client, doc, 1, hostile)
    page = client.get(doc["url"])
    for text in (response.text, page.text):
        assert "<script>alert(1)" not in text
        assert "<img src=x" not in text and 'href="javascript:' not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "onerror=&#34;alert(2)&#34;" in text


# Bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("body, message", [
    ("", "Enter a comment"),
    ("   \n  ", "Enter a comment"),
    ("x" * 5001, "A comment must be 5,000 characters or fewer"),
])
def test_bad_comment_is_422_with_the_form_and_keeps_the_text(app, doc, as_role, body,
                                                             message):
    response = post_comment(as_role("officer"), doc, 1, body)
    assert response.status_code == 422
    assert message in response.text
    sid = doc["sections"][1]
    assert response.headers["HX-Retarget"] == f"#comment-form-{sid}"
    assert f'id="comment-form-{sid}"' in response.text
    assert re.search(r'<textarea [^>]*class="govuk-textarea', response.text)
    # What was typed is kept; spaces alone arrive as the empty field they look like.
    assert (body if body.strip() else "") in response.text
    assert all_comments(app) == []


def test_bad_comment_without_javascript_is_a_page_with_the_form(app, doc, as_role):
    response = post_comment(as_role("officer"), doc, 1, "y" * 5001, headers={})
    assert response.status_code == 422
    assert "There is a problem" in response.text and "<html" in response.text
    assert "y" * 5001 in response.text
    assert all_comments(app) == []


def test_a_comment_of_exactly_5000_characters_is_accepted(app, doc, as_role):
    assert post_comment(as_role("officer"), doc, 1, "z" * 5000).status_code == 200
    assert len(all_comments(app)[0].body) == 5000


def test_bad_reply_and_bad_edit_are_422_and_keep_the_text(app, doc, as_role):
    root = thread(app, doc, as_role, "officer")
    client = as_role("officer")
    reply = client.post(comment_url(doc, 1, root, "/replies"), data={"body": ""}, headers=HX)
    assert reply.status_code == 422 and reply.headers["HX-Retarget"] == f"#reply-form-{root}"
    edit = client.post(comment_url(doc, 1, root), data={"body": "w" * 5001}, headers=HX)
    assert edit.status_code == 422
    assert edit.headers["HX-Retarget"] == f"#comment-edit-form-{root}"
    assert "w" * 5001 in edit.text
    assert [c.body for c in all_comments(app)] == ["Can we add the figures?"]


def test_commenting_on_a_removed_section_is_409(app, doc, as_role):
    assert as_role("officer").post(doc["section"](2) + "/remove").status_code == 303
    response = post_comment(as_role("viewer"), doc, 2, "Too late?")
    assert response.status_code == 409 and "removed" in response.text
    assert "Too late?" in response.text
    assert all_comments(app) == []


# Edit and delete own ------------------------------------------------------------------------

def test_only_the_author_can_edit_a_comment(app, doc, as_role):
    root = thread(app, doc, as_role, "viewer")
    for role in ("officer", "member", "admin"):
        client = as_role(role)
        assert client.get(comment_url(doc, 1, root, "/edit"), headers=HX).status_code == 403
        response = client.post(comment_url(doc, 1, root), data={"body": "Hijacked"},
                               headers=HX)
        assert response.status_code == 403, role
        assert "your own comments" in response.text
    author = as_role("viewer")
    form = author.get(comment_url(doc, 1, root, "/edit"), headers=HX)
    assert form.status_code == 200 and f'id="comment-edit-form-{root}"' in form.text
    assert "Can we add the figures?" in form.text
    response = author.post(comment_url(doc, 1, root), data={"body": "Please add figures."},
                           headers=HX)
    assert response.status_code == 200
    assert "Please add figures." in response.text and "edited" in response.text
    comment = all_comments(app)[0]
    assert comment.body == "Please add figures." and comment.edited_at is not None


def test_edit_and_delete_links_show_only_on_own_comments(app, doc, as_role):
    root = thread(app, doc, as_role, "viewer")
    edit = comment_url(doc, 1, root, "/edit")
    assert edit in as_role("viewer").get(doc["url"]).text
    assert edit not in as_role("admin").get(doc["url"]).text
    assert comment_url(doc, 1, root, "/delete") not in as_role("admin").get(doc["url"]).text


def test_edit_form_works_as_a_page_without_javascript(app, doc, as_role):
    root = thread(app, doc, as_role, "member")
    page = as_role("member").get(comment_url(doc, 1, root, "/edit"))
    assert page.status_code == 200 and "<html" in page.text
    assert "Edit your comment" in page.text and "Can we add the figures?" in page.text
    response = as_role("member").post(comment_url(doc, 1, root), data={"body": "Changed."})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#section-{doc['sections'][1]}")


def test_only_the_author_can_delete_a_comment(app, doc, as_role):
    root = thread(app, doc, as_role, "member")
    for role in ("viewer", "officer", "admin"):
        response = as_role(role).post(comment_url(doc, 1, root, "/delete"), headers=HX)
        assert response.status_code == 403, role
    assert all_comments(app)[0].deleted_at is None
    response = as_role("member").post(comment_url(doc, 1, root, "/delete"), headers=HX)
    assert response.status_code == 200 and "Comment deleted." in response.text


def test_delete_is_soft_and_keeps_the_row(app, doc, as_role):
    root = thread(app, doc, as_role, "officer", "Text to delete")
    response = as_role("officer").post(comment_url(doc, 1, root, "/delete"), headers=HX)
    assert response.status_code == 200
    [comment] = all_comments(app)
    assert comment.deleted_at is not None and comment.body == "Text to delete"
    page = as_role("viewer").get(doc["url"])
    assert "Text to delete" not in page.text
    assert "Comment deleted</em>" not in page.text, "a lone deleted comment leaves no trace"
    again = as_role("officer").post(comment_url(doc, 1, root, "/delete"), headers=HX)
    assert again.status_code == 409
    edit = as_role("officer").post(comment_url(doc, 1, root), data={"body": "Back"},
                                   headers=HX)
    assert edit.status_code == 409


def test_deleted_comment_with_replies_shows_a_placeholder(app, doc, as_role):
    root = thread(app, doc, as_role, "officer", "Original question")
    as_role("member").post(comment_url(doc, 1, root, "/replies"), data={"body": "An answer"},
                           headers=HX)
    as_role("officer").post(comment_url(doc, 1, root, "/delete"), headers=HX)
    page = as_role("viewer").get(doc["url"])
    assert "Comment deleted" in page.text and "An answer" in page.text
    assert "Original question" not in page.text


# Resolve and reopen -------------------------------------------------------------------------

@pytest.mark.parametrize("role, allowed", [
    ("viewer", True),          # the thread's author
    ("officer", True), ("admin", True),
    ("member", False),         # neither author, officer nor admin
])
def test_thread_author_officers_and_admins_resolve_and_reopen(app, doc, as_role, role,
                                                              allowed):
    root = thread(app, doc, as_role, "viewer")
    client = as_role(role)
    resolve = client.post(comment_url(doc, 1, root, "/resolve"), headers=HX)
    assert resolve.status_code == (200 if allowed else 403)
    if not allowed:
        assert all_comments(app)[0].resolved_at is None
        as_role("officer").post(comment_url(doc, 1, root, "/resolve"), headers=HX)
        assert client.post(comment_url(doc, 1, root, "/reopen"),
                           headers=HX).status_code == 403
        assert all_comments(app)[0].resolved_at is not None
        return
    assert "Thread resolved." in resolve.text and "Resolved</strong>" in resolve.text
    comment = all_comments(app)[0]
    assert comment.resolved_at is not None
    with app.app_context():
        assert comment.resolved_by_id == db.session.scalar(
            select(User.id).where(User.email == f"{role}@watford.example"))
    reopen = client.post(comment_url(doc, 1, root, "/reopen"), headers=HX)
    assert reopen.status_code == 200 and "Thread reopened." in reopen.text
    assert all_comments(app)[0].resolved_at is None


def test_resolve_buttons_show_only_to_those_who_may(app, doc, as_role):
    root = thread(app, doc, as_role, "viewer")
    resolve = comment_url(doc, 1, root, "/resolve")
    assert resolve in as_role("viewer").get(doc["url"]).text
    assert resolve in as_role("officer").get(doc["url"]).text
    assert resolve not in as_role("member").get(doc["url"]).text


def test_resolving_twice_is_harmless(app, doc, as_role):
    root = thread(app, doc, as_role, "officer")
    as_role("officer").post(comment_url(doc, 1, root, "/resolve"), headers=HX)
    again = as_role("admin").post(comment_url(doc, 1, root, "/resolve"), headers=HX)
    assert again.status_code == 200 and "already resolved" in again.text
    assert audit_actions(app).count("comment.resolved") == 1


def test_a_resolved_thread_takes_no_replies_until_reopened(app, doc, as_role):
    root = thread(app, doc, as_role, "officer")
    as_role("officer").post(comment_url(doc, 1, root, "/resolve"), headers=HX)
    response = as_role("viewer").post(comment_url(doc, 1, root, "/replies"),
                                      data={"body": "But wait"}, headers=HX)
    assert response.status_code == 409 and "Reopen it to reply" in response.text
    assert "But wait" in response.text
    as_role("officer").post(comment_url(doc, 1, root, "/reopen"), headers=HX)
    response = as_role("viewer").post(comment_url(doc, 1, root, "/replies"),
                                      data={"body": "But wait"}, headers=HX)
    assert response.status_code == 200


# Earlier versions ---------------------------------------------------------------------------

def test_comment_says_on_an_earlier_version_after_the_section_is_saved_again(app, doc,
                                                                           as_role):
    thread(app, doc, as_role, "viewer")
    page = as_role("viewer").get(doc["url"])
    assert "On an earlier version" not in page.text
    officer = as_role("officer")
    assert officer.post(doc["section"](1), data={"body": "Housing need is high.\n",
                                                 "base_version": "1"},
                        headers=HX).status_code == 200
    page = as_role("viewer").get(doc["url"])
    assert "On an earlier version" in page.text
    diff = f"{doc['section'](1)}/diff?from=1&amp;to=2"
    assert diff in page.text
    assert as_role("viewer").get(diff.replace("&amp;", "&")).status_code == 200
    post_comment(officer, doc, 1, "On the new text.")
    assert all_comments(app)[-1].revision_number == 2
    assert as_role("viewer").get(doc["url"]).text.count("On an earlier version") == 1


# Counts, filter, queries --------------------------------------------------------------------

def contents(page_text):
    return page_text.split('id="contents-list"', 1)[1].split("</ol>", 1)[0]


def test_open_comment_counts_appear_in_the_contents_list(app, doc, as_role):
    for body in ("One", "Two", "Three"):
        post_comment(as_role("viewer"), doc, 1, body)
    post_comment(as_role("viewer"), doc, 2, "Only one")
    first = all_comments(app)[0].id
    as_role("officer").post(comment_url(doc, 1, first, "/replies"), data={"body": "Re"},
                            headers=HX)
    as_role("officer").post(comment_url(doc, 1, first, "/resolve"), headers=HX)
    listing = contents(as_role("member").get(doc["url"]).text)
    assert "2 open comments" in listing
    assert "1 open comment<" in listing
    assert listing.count("open comment") == 2, "no count for a section without comments"


def test_filter_shows_only_sections_with_open_comments(app, doc, as_role):
    post_comment(as_role("viewer"), doc, 2, "Green Belt question")
    post_comment(as_role("viewer"), doc, 0, "Resolved one")
    as_role("officer").post(comment_url(doc, 0, last_comment_id(app), "/resolve"), headers=HX)
    page = as_role("member").get(doc["url"])
    assert "?filter=open-comments" in page.text
    assert page.text.count('class="cg-section ') == 3
    filtered = as_role("member").get(doc["url"] + "?filter=open-comments")
    assert filtered.status_code == 200
    assert filtered.text.count('class="cg-section ') == 1
    assert f'id="section-{doc["sections"][2]}"' in filtered.text
    assert f'id="section-{doc["sections"][0]}"' not in filtered.text
    assert "Show all sections" in filtered.text
    assert f'href="{doc["url"]}"' in filtered.text


def test_filter_with_no_open_comments_says_so(doc, as_role):
    filtered = as_role("viewer").get(doc["url"] + "?filter=open-comments")
    assert filtered.status_code == 200 and "No sections have open comments." in filtered.text


def test_comment_context_is_one_query_however_many_sections(app, doc, as_role, world):
    for i in range(3):
        post_comment(as_role("viewer"), doc, i, f"Comment {i}")
        as_role("officer").post(comment_url(doc, i, last_comment_id(app), "/replies"),
                                data={"body": "Reply"}, headers=HX)
    with app.test_request_context():
        document = db.session.get(Document, doc["id"])
        user = db.session.get(User, world["users"]["member"])
        statements = []

        def listener(_conn, _cursor, statement, *_rest):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            context = comment_context(document, doc["sections"], user)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    # One for the comments; one asking once whether the user is a partnership admin (in a
    # request, the loader that opened the document has answered that already).
    assert len([s for s in statements if "FROM comments" in s]) == 1
    assert len(statements) <= 2
    assert [context[sid]["open"] for sid in doc["sections"]] == [1, 1, 1]
    assert all(len(context[sid]["threads"][0].replies) == 1 for sid in doc["sections"])


def _commented_document(app, world, sections):
    """A document of `sections` sections, each with a thread and a reply; its page URL."""
    from workspace.review import comments
    with app.test_request_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = service.create_document(partnership, f"{sections} sections", "scg")
        viewer = db.session.get(User, world["users"]["viewer"])
        officer = db.session.get(User, world["users"]["officer"])
        for i in range(sections):
            section = service.append_section(document, f"Section {i}", f"Text {i}.\n",
                                             feedback_sought=f"Agree with {i}?")
            root = comments.add_comment(section, "A question", viewer)
            comments.add_reply(root, section, "An answer", officer)
        db.session.commit()
        return f"/p/own/d/{document.id}/"


def _page_queries(app, client, url):
    statements = []

    def listener(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return response, len(statements)


def test_document_page_queries_do_not_grow_with_commented_sections(app, client, login, world):
    """Comments on every section, with replies, cost no query per section or comment."""
    small, large = _commented_document(app, world, 10), _commented_document(app, world, 200)
    login(client, world["users"]["member"])
    _page_queries(app, client, small)                   # warm-up
    _, small_count = _page_queries(app, client, small)
    large_page, large_count = _page_queries(app, client, large)
    assert large_page.text.count("An answer") == 200
    assert contents(large_page.text).count("1 open comment<") == 200
    assert small_count == large_count, f"10 sections: {small_count}, 200: {large_count}"


# Who may --------------------------------------------------------------------------------------

def test_outsiders_get_404_on_every_comment_route(app, doc, as_role, login, world):
    root = thread(app, doc, as_role, "officer")
    outsider = login(app.test_client(), world["users"]["foreign_admin"])
    for method, url in [
        ("GET", doc["section"](1) + "/comments"),
        ("POST", doc["section"](1) + "/comments"),
        ("POST", comment_url(doc, 1, root, "/replies")),
        ("GET", comment_url(doc, 1, root, "/edit")),
        ("POST", comment_url(doc, 1, root)),
        ("POST", comment_url(doc, 1, root, "/delete")),
        ("POST", comment_url(doc, 1, root, "/resolve")),
        ("POST", comment_url(doc, 1, root, "/reopen")),
        ("POST", doc["section"](1) + "/feedback"),
    ]:
        response = outsider.open(url, method=method, data={"body": "x", "feedback_sought": "x"})
        assert response.status_code == 404, (method, url)
    assert len(all_comments(app)) == 1 and all_comments(app)[0].resolved_at is None


def test_a_comment_of_another_section_is_404(app, doc, as_role):
    root = thread(app, doc, as_role, "officer", i=1)
    response = as_role("officer").post(comment_url(doc, 2, root, "/delete"), headers=HX)
    assert response.status_code == 404
    assert all_comments(app)[0].deleted_at is None


def test_csrf_is_required(app, doc, as_role):
    root = thread(app, doc, as_role, "officer")
    client = as_role("officer")
    for url in (doc["section"](1) + "/comments", comment_url(doc, 1, root, "/replies"),
                comment_url(doc, 1, root), comment_url(doc, 1, root, "/delete"),
                comment_url(doc, 1, root, "/resolve"), doc["section"](1) + "/feedback"):
        response = client.post(url, data={"body": "No token", "feedback_sought": "No"},
                               headers=HX, csrf=False)
        assert response.status_code == 400, url
    assert [c.body for c in all_comments(app)] == ["Can we add the figures?"]


# Audit and the live feed ----------------------------------------------------------------------

def test_every_comment_change_is_audited_and_fed_to_other_viewers(app, doc, as_role):
    root = thread(app, doc, as_role, "viewer")
    as_role("member").post(comment_url(doc, 1, root, "/replies"), data={"body": "R"},
                           headers=HX)
    reply = last_comment_id(app)
    as_role("member").post(comment_url(doc, 1, reply), data={"body": "R2"}, headers=HX)
    as_role("member").post(comment_url(doc, 1, reply, "/delete"), headers=HX)
    as_role("viewer").post(comment_url(doc, 1, root, "/resolve"), headers=HX)
    as_role("viewer").post(comment_url(doc, 1, root, "/reopen"), headers=HX)
    actions = [a for a in audit_actions(app) if a.startswith("comment.")]
    assert actions == ["comment.added", "comment.replied", "comment.edited", "comment.deleted",
                       "comment.resolved", "comment.reopened"]
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("comment.%"))).all()
        assert {e.document_id for e in events} == {doc["id"]}
    assert comment_changes(app) == [doc["sections"][1]] * 6


def _cursor(app, doc):
    with app.app_context():
        return feed.cursor(db.session.get(Document, doc["id"]))


def test_change_feed_returns_the_section_after_a_comment(app, doc, as_role):
    cursor = _cursor(app, doc)
    post_comment(as_role("member"), doc, 1, "Live comment from a Member")
    response = as_role("officer").get(f"{doc['base']}/changes?cursor={cursor}&presence=0",
                                      headers=HX)
    assert response.status_code == 200
    sid = doc["sections"][1]
    assert re.search(rf'<section [^>]*id="section-{sid}"[^>]*hx-swap-oob="true"', response.text)
    assert "Live comment from a Member" in response.text
    assert f'id="section-{doc["sections"][0]}"' not in response.text
    new_cursor = re.search(r"cursor=(\d+)", response.text).group(1)
    again = as_role("officer").get(f"{doc['base']}/changes?cursor={new_cursor}&presence=0",
                                   headers=HX)
    assert again.status_code == 204


# Feedback sought ------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_change_the_feedback_sought(app, doc, as_role, role):
    client = as_role(role)
    response = client.post(doc["section"](1) + "/feedback",
                           data={"feedback_sought": "Do we agree with the housing figures?"},
                           headers=HX)
    assert response.status_code == 200
    assert "Feedback sought:</strong> Do we agree with the housing figures?" in response.text
    assert f'id="section-{doc["sections"][1]}"' in response.text
    with app.app_context():
        assert db.session.get(Section, doc["sections"][1]).feedback_sought == \
            "Do we agree with the housing figures?"
        event_row = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "section.feedback_changed"))
        assert event_row.document_id == doc["id"]
        assert event_row.details["new"] == "Do we agree with the housing figures?"
    assert comment_changes(app) == [doc["sections"][1]]
    plain = client.post(doc["section"](1) + "/feedback", data={"feedback_sought": ""})
    assert plain.status_code == 303
    with app.app_context():
        assert db.session.get(Section, doc["sections"][1]).feedback_sought == ""


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_viewers_and_members_cannot_change_the_feedback_sought(app, doc, as_role, role):
    response = as_role(role).post(doc["section"](0) + "/feedback",
                                  data={"feedback_sought": "Changed?"}, headers=HX)
    assert response.status_code == 403
    assert "Change the feedback sought" not in as_role(role).get(doc["url"]).text
    with app.app_context():
        assert db.session.get(Section, doc["sections"][0]).feedback_sought == \
            "Do we agree with the context?"


def test_feedback_sought_over_1000_characters_is_422_and_keeps_the_text(app, doc, as_role):
    text = "Q" * 1001
    response = as_role("officer").post(doc["section"](0) + "/feedback",
                                       data={"feedback_sought": text}, headers=HX)
    assert response.status_code == 422
    assert "1,000 characters or fewer" in response.text and text in response.text
    assert response.headers["HX-Retarget"] == f"#feedback-form-{doc['sections'][0]}"
    page = as_role("officer").post(doc["section"](0) + "/feedback",
                                   data={"feedback_sought": text})
    assert page.status_code == 422 and "There is a problem" in page.text
    with app.app_context():
        assert db.session.get(Section, doc["sections"][0]).feedback_sought == \
            "Do we agree with the context?"
    assert "section.feedback_changed" not in audit_actions(app)


def test_the_document_page_has_labelled_comment_forms_with_unique_ids(doc, as_role):
    page = as_role("officer").get(doc["url"]).text
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids on the page are unique"
    for field_id in re.findall(r'<textarea[^>]*\sid="([^"]+)"', page):
        assert f'<label class="govuk-label govuk-label--s" for="{field_id}">' in page


# Forms fetched on demand ---------------------------------------------------------------------
# The document page carries no comment, reply or feedback form per section (they made it slow):
# each <details> holds a link that htmx follows when it is first opened, and that works as a
# page without JavaScript.

def test_document_page_carries_links_not_forms(app, doc, as_role):
    root = thread(app, doc, as_role, "viewer", i=0)
    page = as_role("officer").get(doc["url"]).text
    assert '<textarea' not in page
    for i in range(3):
        new = doc["section"](i) + "/comments/new"
        assert f'hx-get="{new}"' in page and f'href="{new}"' in page
        assert f'href="{doc["section"](i)}/feedback"' in page
    assert f'href="{comment_url(doc, 0, root, "/replies/new")}"' in page
    assert 'hx-trigger="toggle once from:closest details"' in page


def test_comment_form_on_demand_is_the_partial_for_htmx_and_a_page_otherwise(doc, as_role):
    client = as_role("member")
    sid = doc["sections"][1]
    partial = client.get(doc["section"](1) + "/comments/new", headers=HX)
    assert partial.status_code == 200 and "<html" not in partial.text
    assert f'id="comment-form-{sid}"' in partial.text
    assert f'hx-post="{doc["section"](1)}/comments"' in partial.text
    assert 'name="csrf_token"' in partial.text
    page = as_role("viewer").get(doc["section"](1) + "/comments/new")
    assert page.status_code == 200 and "<html" in page.text
    assert '<h1 class="govuk-heading-l">Add a comment</h1>' in page.text
    assert f'id="comment-body-{sid}"' in page.text


def test_a_form_fetched_on_demand_posts_like_the_inline_one(app, doc, as_role):
    client = as_role("viewer")
    form = client.get(doc["section"](2) + "/comments/new", headers=HX).text
    action = re.search(r'hx-post="([^"]+)"', form).group(1)
    response = client.post(action, data={"body": "Through the fetched form."}, headers=HX)
    assert response.status_code == 200 and "Through the fetched form." in response.text
    assert [c.section_id for c in all_comments(app)] == [doc["sections"][2]]


def test_reply_form_on_demand_names_the_thread(app, doc, as_role):
    root = thread(app, doc, as_role, "officer")
    response = as_role("member").get(comment_url(doc, 1, root, "/replies/new"), headers=HX)
    assert response.status_code == 200
    assert f'id="reply-form-{root}"' in response.text
    assert f'hx-post="{comment_url(doc, 1, root, "/replies")}"' in response.text
    assert as_role("member").get(comment_url(doc, 1, 999999, "/replies/new"),
                                 headers=HX).status_code == 404


def test_feedback_form_on_demand_holds_the_question_and_is_for_officers(doc, as_role):
    response = as_role("officer").get(doc["section"](0) + "/feedback", headers=HX)
    assert response.status_code == 200 and "<html" not in response.text
    assert "Do we agree with the context?</textarea>" in response.text
    page = as_role("admin").get(doc["section"](0) + "/feedback")
    assert page.status_code == 200 and '<h1 class="govuk-heading-l">Feedback sought</h1>' \
        in page.text
    for role in ("viewer", "member"):
        assert as_role(role).get(doc["section"](0) + "/feedback").status_code == 403


def test_without_javascript_the_confirmation_shows_in_the_section_the_page_lands_on(doc, as_role):
    client = as_role("viewer")
    response = post_comment(client, doc, 2, "Seen where I land.", headers={})
    assert response.headers["Location"].endswith(f"#section-{doc['sections'][2]}")
    page = client.get(doc["url"]).text
    notifications = page.split('id="notifications"', 1)[1].split("</div>", 1)[0]
    assert "Comment added." not in notifications
    landed = page.split(f'id="section-{doc["sections"][2]}"', 1)[1].split("</section>", 1)[0]
    # Marked as the person's own confirmation: focus goes to it when the page loads there.
    assert ('<div class="govuk-inset-text cg-saved" role="status" tabindex="-1" '
            'data-status-message>Comment added.</div>') in landed
    assert "Comment added." not in client.get(doc["url"]).text        # shown once


def test_a_section_confirmation_on_another_page_still_shows_at_the_top(app, doc, as_role):
    client = as_role("viewer")
    post_comment(client, doc, 2, "Then somewhere else.", headers={})
    page = client.get("/p/own/").text
    notifications = page.split('id="notifications"', 1)[1].split("</main>", 1)[0]
    assert "Comment added." in notifications


def test_the_live_feed_and_partials_do_not_take_a_pending_confirmation(app, doc, as_role):
    client = as_role("viewer")
    post_comment(client, doc, 2, "Pending while another tab polls.", headers={})
    feed = client.get(doc["base"] + "/changes?cursor=0", headers=HX)
    assert feed.status_code == 200 and "Pending while another tab polls." in feed.text
    assert "Comment added." not in feed.text
    page = client.get(doc["url"]).text
    landed = page.split(f'id="section-{doc["sections"][2]}"', 1)[1].split("</section>", 1)[0]
    assert "Comment added." in landed


def test_the_question_asked_has_a_link_to_answer_it_which_shows_the_question(doc, as_role):
    """'Feedback sought' is answered with a comment: the question links to the comment form,
    and that form (as a page) shows the question again."""
    client = as_role("viewer")
    page = client.get(doc["url"]).text
    question = page[page.index('class="govuk-inset-text cg-feedback"'):]
    question = question[:question.index("</div>")]
    assert "Do we agree with the context?" in question
    answer = f'href="{doc["section"](0)}/comments/new"'
    assert answer in question and ">Answer this question<" in question
    form = client.get(doc["section"](0) + "/comments/new").text
    assert "Feedback sought:</strong> Do we agree with the context?" in form
    assert 'name="body"' in form

"""The document page leads each role to what they must do: "Your actions" at the top (a
Member: the positions their authority owes; an officer: open suggestions and comment threads;
a partnership admin: the lifecycle's next step; a viewer: nothing), each strategic matter's
positions as one line of counts, comment threads collapsed to a count, and each section's
status in the contents, all without a query per section."""
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.pages.test_document_queries import make_document, page_queries
from workspace.accounts.models import User
from workspace.documents.models import OUT_FOR_AGREEMENT, Document, Section
from workspace.documents.service import live_sections
from workspace.extensions import db
from workspace.pages.guidance import position_summary, thread_summary
from workspace.review import comments, queue
from workspace.review.models import Signatory

SCG_TITLE = "Statement of Common Ground"


def _scg(app):
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.title == SCG_TITLE))
        return document.id, f"/p/{document.partnership.slug}/d/{document.id}/"


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def _actions(html):
    """The "Your actions" lines, as text, or None when the page has no such block."""
    block = re.search(r'<div class="cg-your-actions".*?</div>', html, re.S)
    if not block:
        return None
    return [re.sub(r"<[^>]+>", "", item).split(" — ")[0].strip()
            for item in re.findall(r"<li>(.*?)</li>", block.group(0), re.S)]


# Pure helpers ---------------------------------------------------------------------------------

def _cells(*states):
    return [SimpleNamespace(state=s) for s in states]


def test_positions_summary_counts_each_state_in_words():
    cells = _cells("agreed", "agreed", "agreed", "agreed", "reservations", "not_agreed",
                   "missing")
    assert position_summary(cells) == ("4 agreed · 1 with reservations · 1 not agreed · "
                                       "1 with no position yet")


def test_a_position_on_an_earlier_text_is_counted_as_to_re_confirm():
    """Told apart from no position at all: "6 outstanding" when all six had agreed an
    earlier text read as if nobody had answered."""
    assert position_summary(_cells("agreed", "stale", "stale", "missing")) == (
        "1 agreed · 2 to re-confirm · 1 with no position yet")


def test_thread_summary_counts_comments_with_replies_and_open_threads():
    thread = SimpleNamespace
    entry = {"threads": [thread(replies=[1, 2]), thread(replies=[])], "open": 1}
    assert thread_summary(entry) == "4 comments, 1 open thread"
    assert thread_summary({"threads": [thread(replies=[])], "open": 0}) == \
        "1 comment, 0 open threads"


# Your actions, per role, on the demo SCG (out for agreement) ------------------------------------

def test_member_is_told_the_positions_their_authority_owes(app, client, login, demo):
    document_id, url = _scg(app)
    login(client, _user(app, "member@watford.example"))
    page = client.get(url)
    with app.test_request_context():
        document = db.session.get(Document, document_id)
        member = db.session.get(User, _user(app, "member@watford.example"))
        # The count is the review queue's own: the link leads to exactly these matters.
        owed = len(queue.owed_matters(document, member))
    assert owed
    noun = "matter" if owed == 1 else "matters"
    assert _actions(page.text) == [f"Watford Borough Council owes positions on {owed} {noun}"]
    assert f'href="/p/sw-herts/d/{document_id}/review-queue">Review' in page.text


def test_officer_is_told_the_open_suggestions_and_comment_threads(app, client, login, demo):
    document_id, url = _scg(app)
    login(client, _user(app, "officer@watford.example"))
    page = client.get(url)
    with app.app_context():
        document = db.session.get(Document, document_id)
        ids = [s.id for s in live_sections(document)]
        user = db.session.get(User, _user(app, "officer@watford.example"))
        open_threads = comments.open_comment_total(comments.comment_context(document, ids,
                                                                            user))
    lines = _actions(page.text)
    assert lines[0].endswith("open suggestions waiting")
    assert lines[1] == f"{open_threads} open comment threads waiting"
    assert "filter=suggestions" in page.text and "filter=open-comments" in page.text


def test_partnership_admin_is_told_the_lifecycle_next_step(app, client, login, demo):
    _, url = _scg(app)
    login(client, _user(app, "admin@swherts.example"))
    lines = _actions(client.get(url).text)
    step = [line for line in lines if line.startswith("Next step")]
    assert step and re.fullmatch(r"Next step: mark the document as agreed when the positions "
                                 r"are in \(\d+ positions? outstanding\)", step[0]), lines


def test_viewer_has_no_actions(app, client, login, demo, factory):
    with app.app_context():
        watford = db.session.scalar(select(User.organisation_id).where(
            User.email == "member@watford.example"))
    viewer = factory.user(watford, "viewer", email="viewer@watford.example")
    _, url = _scg(app)
    login(client, viewer)
    page = client.get(url)
    assert page.status_code == 200
    assert _actions(page.text) is None
    assert "Your actions" not in page.text


def test_matter_shows_one_summary_line_and_threads_collapse_to_a_count(app, client, login,
                                                                       demo):
    _, url = _scg(app)
    login(client, _user(app, "officer@watford.example"))
    text = client.get(url).text
    # Every matter: one <details> whose summary is the counts; the cells only inside it.
    summaries = re.findall(r'cg-positions__detail.*?details__summary-text">([^<]+)<', text,
                           re.S)
    assert summaries and all(re.fullmatch(
        r"\d+ [a-z -]+( · \d+ [a-z -]+)*", s) for s in summaries), summaries
    assert re.search(r'cg-comments__threads[^>]*>\s*<summary[^>]*><span[^>]*>'
                     r"\d+ comments?, \d+ open threads?<", text)
    # The question asked of partners stays in view, outside any collapsed block.
    assert text.count('class="govuk-inset-text cg-feedback"') >= 4


# Contents status and the cost of it all --------------------------------------------------------

def _matters_document(app, world, sections):
    """A document out for agreement whose every section is a strategic matter that Watford and
    Dacorum sign for, with no positions yet."""
    document_id = make_document(app, world["partnerships"]["own"], sections, f"M{sections}")
    with app.app_context():
        document = db.session.get(Document, document_id)
        for section in db.session.scalars(select(Section).where(
                Section.document_id == document_id)):
            section.strategic_matter = True
        for org in ("watford", "dacorum"):
            db.session.add(Signatory(document_id=document_id,
                                     organisation_id=world["orgs"][org], all_matters=True))
        document.status = OUT_FOR_AGREEMENT
        db.session.commit()
    return document_id


def test_contents_list_says_positions_outstanding_in_words(app, client, login, world):
    document_id = _matters_document(app, world, 3)
    login(client, world["users"]["member"])
    page = client.get(f"/p/own/d/{document_id}/")
    assert page.text.count(">2 positions outstanding</span>") == 3
    assert _actions(page.text) == ["Watford Borough Council owes positions on 3 matters"]
    login(client, world["users"]["admin"])
    step = ("Next step: mark the document as agreed when the positions are in "
            "(6 positions outstanding)")
    assert _actions(client.get(f"/p/own/d/{document_id}/").text) == [step]


@pytest.mark.parametrize("role", ["member", "admin", "officer"])
def test_guidance_costs_no_query_per_section(app, client, login, world, role):
    small, large = _matters_document(app, world, 10), _matters_document(app, world, 60)
    login(client, world["users"][role])
    page_queries(app, client, small)                        # warm-up
    _, few = page_queries(app, client, small)
    page, many = page_queries(app, client, large)
    # The Member owes 60 positions; the admin has a next step; the officer nothing open yet.
    assert ("Your actions" in page.text) == (role != "officer")
    assert few == many, f"10 matters: {few} statements, 60 matters: {many}"


"""Text that shows nothing (a zero-width space, joiners, direction marks, blank fillers) is
an empty field: a required comment, title or reason made of it is refused like an empty one
(a hostile tester saved an invisible heading and a "Not agreed" without a reason). Text
with something visible keeps its invisible characters; passwords are left as typed."""
import pytest
from sqlalchemy import func, select

from workspace.accounts.models import User
from workspace.documents.models import Document, Section
from workspace.extensions import db
from workspace.review.models import Comment, Position
from workspace.security import CleanParameters, shows_nothing

INVISIBLE = ["\u200b", "\u200b\u200d\u2060\ufeff", " \u200e\u200f\u202a\u202c ",
             "\u3164", "\u2800", "\u00a0\u2003\n"]
HX = {"HX-Request": "true"}


@pytest.mark.parametrize("text", INVISIBLE)
def test_text_of_invisible_characters_shows_nothing_and_is_made_empty(text):
    assert shows_nothing(text)
    assert CleanParameters({"reason": text})["reason"] == ""


@pytest.mark.parametrize("text", ["a\u200b", "\U0001f469\u200d\U0001f469", "\u0645\u200c\u06cc",
                                  "-", "\u00b7"])
def test_text_with_anything_visible_is_kept_as_typed(text):
    assert not shows_nothing(text)
    assert CleanParameters({"reason": text})["reason"] == text


@pytest.mark.parametrize("name", ["password", "current_password", "new_password", "confirm"])
def test_a_password_and_its_confirmation_are_left_as_typed(name):
    assert CleanParameters({name: "\u200b" * 12})[name] == "\u200b" * 12


@pytest.fixture
def demo_ids(app, demo):
    with app.app_context():
        scg = db.session.scalar(select(Document).where(Document.kind == "scg"))
        matter = db.session.scalar(select(Section).where(
            Section.document_id == scg.id, Section.strategic_matter.is_(True),
            Section.removed_at.is_(None)).order_by(Section.position))
        return {"scg": scg.id, "section": matter.id, "version": matter.version,
                "title": matter.title,
                "member": db.session.scalar(select(User.id).where(
                    User.email == "member@watford.example")),
                "admin": db.session.scalar(select(User.id).where(
                    User.email == "admin@swherts.example"))}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("text", ["\u200b", "\u200b\u200b", "\u3164 \u2060"])
def test_invisible_required_text_is_refused_and_nothing_is_saved(app, login, demo_ids, text):
    section = f"/p/sw-herts/d/{demo_ids['scg']}/s/{demo_ids['section']}"
    member = login(app.test_client(), demo_ids["member"])
    admin = login(app.test_client(), demo_ids["admin"])
    comments, positions = _count(app, Comment), _count(app, Position)

    comment = member.post(f"{section}/comments", headers=HX, data={"body": text})
    assert comment.status_code == 422 and _count(app, Comment) == comments

    position = member.post(f"{section}/positions", headers=HX, data={
        "stance": "not_agreed", "reason": text, "seen_version": str(demo_ids["version"])})
    assert position.status_code == 422 and "Give the reason" in position.text
    assert _count(app, Position) == positions

    renamed = admin.post(f"{section}/rename", data={"title": text})
    assert renamed.status_code in (400, 409, 422)
    with app.app_context():
        assert db.session.get(Section, demo_ids["section"]).title == demo_ids["title"]

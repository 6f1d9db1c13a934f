"""Comments on a suggestion: anyone who may comment in the partnership discusses an open
suggestion; the comments stay readable (in the section's history) once it is decided.
Plain text, checked as section comments are (review.comments.check_body)."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..clock import utcnow
from ..documents.feed import record_change
from ..extensions import db
from ..permissions import can
from ..review.comments import CommentError, check_body
from ..signals import suggestion_commented
from .models import OPEN, Suggestion, SuggestionComment

__all__ = ["CommentError", "add_comment", "by_suggestion", "may_comment"]


def may_comment(document, user=None) -> bool:
    """Anyone who may comment in the document's partnership (viewers, officers, Members,
    partnership admins)."""
    return can("comment", user, document.partnership_id)


def add_comment(suggestion: Suggestion, body: str | None, user: User) -> SuggestionComment:
    """Comment on an open suggestion (CommentError 422 when empty or too long, 409 once it
    has been decided); the section is redrawn live and the suggestion's author is told."""
    text = check_body(body)
    if suggestion.status != OPEN:
        raise CommentError(f"This suggestion has been {suggestion.status_label.lower()}, so "
                           "it no longer takes comments.", status=409)
    comment = SuggestionComment(suggestion_id=suggestion.id, author_id=user.id,
                                organisation_id=user.organisation_id, body=text,
                                created_at=utcnow())
    db.session.add(comment)
    db.session.flush()
    section = suggestion.section
    audit.record("suggestion.commented", comment, actor=user, document=suggestion.document,
                 suggestion=suggestion.id, section=section.id, title=section.title)
    record_change(suggestion.document_id, section.id, "comment")
    suggestion_commented.send(comment, by=user)
    return comment


def by_suggestion(suggestion_ids) -> dict[int, list[SuggestionComment]]:
    """{suggestion id: its comments, oldest first}, in one query however many suggestions."""
    found: dict[int, list[SuggestionComment]] = {}
    ids = list(suggestion_ids)
    if not ids:
        return found
    rows = db.session.scalars(
        select(SuggestionComment).where(SuggestionComment.suggestion_id.in_(ids))
        .order_by(SuggestionComment.created_at, SuggestionComment.id)).all()
    for row in rows:
        found.setdefault(row.suggestion_id, []).append(row)
    return found

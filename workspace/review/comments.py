"""Rules for comments and replies on sections, and for a section's "feedback sought" question.

A thread is an opening comment and its replies (replies hang off the opening comment, one
level deep). Comments are plain text. Nothing is hard-deleted: deleting a comment stamps
`deleted_at` and hides its text. Every change writes an audit event and a "comment" row in
the document's change feed, so other viewers see the section's comments change live.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from .. import audit, signals
from ..accounts.models import User
from ..clock import utcnow
from ..documents.models import Document, DocumentChange, Section
from ..extensions import db
from ..permissions import Forbidden, is_partnership_admin
from .models import Comment

#: Longest comment, in characters.
MAX_COMMENT = 5000
#: Longest "feedback sought" question, in characters.
MAX_FEEDBACK = 1000
#: Roles that may resolve and reopen anyone's thread (authors may always do their own).
RESOLVER_ROLES = frozenset({"officer"})
#: The kind of change-feed row a comment change writes (documents.feed.changes_since
#: re-renders the section for it, as for a save).
CHANGE_KIND = "comment"


class CommentError(Exception):
    """Input or state that cannot be taken: the message is for the user; their text is kept."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# What the document page shows -----------------------------------------------------------------

@dataclass
class CommentView:
    """One comment as the page shows it: text is empty once deleted."""
    id: int
    author: str
    organisation: str
    body: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    revision_number: int
    #: Made on an earlier revision than the section's current one.
    earlier: bool
    #: The viewer wrote it, so may edit and delete it.
    mine: bool

    @property
    def lines(self) -> list[str]:
        """The text split at line breaks, for the template to join with <br>."""
        return self.body.split("\n")


@dataclass
class Thread:
    """An opening comment, its replies, and whether it is resolved."""
    comment: CommentView
    replies: list = field(default_factory=list)
    resolved_at: datetime | None = None
    resolved_by: str = ""
    #: The viewer may resolve and reopen it.
    can_resolve: bool = False

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def id(self) -> int:
        return self.comment.id


def may_resolve(root: Comment, user: User, partnership_id: int) -> bool:
    """True for the thread's author, for officers and for the partnership's admins."""
    return (root.author_id == user.id or user.role in RESOLVER_ROLES
            or is_partnership_admin(user, partnership_id))


def comment_context(document: Document, section_ids: list[int], user: User) -> dict[int, dict]:
    """{section id: {"threads": [Thread], "open": n}} for the given sections.

    One query for all the document's comments, however many sections: authors, their
    organisations, the resolver and the section's current version come in the same query.
    Deleted comments are hidden, except an opening comment that still has replies, which
    shows as "Comment deleted". "open" counts the unresolved threads shown.
    """
    result = {sid: {"threads": [], "open": 0} for sid in section_ids}
    if not section_ids:
        return result
    resolver = aliased(User)
    rows = db.session.execute(
        select(Comment, Section.version, resolver.name)
        .join(Section, Section.id == Comment.section_id)
        .outerjoin(resolver, resolver.id == Comment.resolved_by_id)
        .where(Comment.document_id == document.id)
        .order_by(Comment.created_at, Comment.id)).all()
    wanted = set(section_ids)
    threads, replies = {}, []
    for comment, version, resolver_name in rows:
        if comment.section_id not in wanted:
            continue
        view = _view(comment, version, user)
        if comment.parent_id is None:
            threads[comment.id] = (comment, Thread(
                comment=view, resolved_at=comment.resolved_at,
                resolved_by=resolver_name or "",
                can_resolve=may_resolve(comment, user, document.partnership_id)))
        else:
            replies.append((comment.parent_id, view))
    for parent_id, view in replies:
        if parent_id in threads and not view.deleted:
            threads[parent_id][1].replies.append(view)
    for comment, thread in threads.values():
        if thread.comment.deleted and not thread.replies:
            continue
        entry = result[comment.section_id]
        entry["threads"].append(thread)
        if not thread.resolved:
            entry["open"] += 1
    return result


def _view(comment, version, user):
    deleted = comment.deleted_at is not None
    return CommentView(
        id=comment.id, author=comment.author.name, organisation=comment.organisation.name,
        body="" if deleted else comment.body, created_at=comment.created_at,
        edited_at=comment.edited_at, deleted=deleted,
        revision_number=comment.revision_number, earlier=comment.revision_number < version,
        mine=comment.author_id == user.id and not deleted)


def open_comment_total(context: dict[int, dict]) -> int:
    """Open threads over all the sections of a comment_context."""
    return sum(entry["open"] for entry in context.values())


def with_open_comments(numbered: list[tuple[str, Section]],
                       context: dict[int, dict]) -> list[tuple[str, Section]]:
    """The (number, section) pairs whose section has open threads, for the page's filter."""
    return [(n, s) for n, s in numbered if context.get(s.id, {}).get("open")]


# Loading ------------------------------------------------------------------------------------

def load_comment(section: Section, comment_id: int) -> Comment | None:
    """The comment if it belongs to the section, else None."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.section_id != section.id:
        return None
    return comment


def thread_root(comment: Comment) -> Comment:
    """The opening comment of the thread the comment belongs to."""
    if comment.parent_id is None:
        return comment
    return db.session.get(Comment, comment.parent_id)


# Changing -----------------------------------------------------------------------------------

def check_body(body: str | None) -> str:
    """The comment text, trimmed and with plain line breaks; CommentError when unusable."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise CommentError("Enter a comment")
    if len(text) > MAX_COMMENT:
        raise CommentError(f"A comment must be {MAX_COMMENT:,} characters or fewer "
                           f"(this one has {len(text):,})")
    return text


def _check_open_section(section):
    if section.removed_at is not None:
        raise CommentError("This section has been removed, so it cannot take comments.",
                           status=409)


def _changed(section):
    db.session.add(DocumentChange(document_id=section.document_id, section_id=section.id,
                                  kind=CHANGE_KIND, at=utcnow()))


def _record(action, comment, section, user, **detail):
    _changed(section)
    audit.record(action, comment, actor=user, document=section.document,
                 section_id=section.id, title=section.title, **detail)


def add_comment(section: Section, body: str | None, user: User) -> Comment:
    """Open a new thread on the section, on its current revision."""
    text = check_body(body)
    _check_open_section(section)
    comment = Comment(document_id=section.document_id, section_id=section.id,
                      author_id=user.id, organisation_id=user.organisation_id, body=text,
                      revision_number=section.version, created_at=utcnow())
    db.session.add(comment)
    db.session.flush()
    _record("comment.added", comment, section, user)
    return comment


def add_reply(comment: Comment, section: Section, body: str | None, user: User) -> Comment:
    """Reply to a thread (a reply to a reply joins the same thread)."""
    text = check_body(body)
    _check_open_section(section)
    root = thread_root(comment)
    if root.resolved_at is not None:
        raise CommentError("This thread is resolved. Reopen it to reply.", status=409)
    reply = Comment(document_id=section.document_id, section_id=section.id, parent_id=root.id,
                    author_id=user.id, organisation_id=user.organisation_id, body=text,
                    revision_number=section.version, created_at=utcnow())
    db.session.add(reply)
    db.session.flush()
    _record("comment.replied", reply, section, user, thread=root.id)
    signals.comment_replied.send(reply, thread=root, section=section, by=user)
    return reply


def _check_own(comment, user, verb):
    if comment.author_id != user.id:
        raise Forbidden(f"You can only {verb} your own comments.")
    if comment.deleted_at is not None:
        raise CommentError("This comment has been deleted.", status=409)


def edit_comment(comment: Comment, section: Section, body: str | None, user: User) -> bool:
    """Change the text of one's own comment; False when nothing changed."""
    _check_own(comment, user, "edit")
    text = check_body(body)
    if text == comment.body:
        return False
    comment.body = text
    comment.edited_at = utcnow()
    _record("comment.edited", comment, section, user)
    return True


def delete_comment(comment: Comment, section: Section, user: User) -> bool:
    """Delete one's own comment softly: the row stays, its text is no longer shown."""
    _check_own(comment, user, "delete")
    comment.deleted_at = utcnow()
    _record("comment.deleted", comment, section, user)
    return True


def resolve_thread(comment: Comment, section: Section, user: User) -> bool:
    """Mark the comment's thread resolved; False when it already was."""
    root = thread_root(comment)
    if not may_resolve(root, user, section.document.partnership_id):
        raise Forbidden("Only the person who started the thread, an officer or an admin can "
                        "resolve it.")
    if root.resolved_at is not None:
        return False
    root.resolved_at = utcnow()
    root.resolved_by_id = user.id
    _record("comment.resolved", root, section, user)
    return True


def reopen_thread(comment: Comment, section: Section, user: User) -> bool:
    """Open a resolved thread again; False when it was open."""
    root = thread_root(comment)
    if not may_resolve(root, user, section.document.partnership_id):
        raise Forbidden("Only the person who started the thread, an officer or an admin can "
                        "reopen it.")
    if root.resolved_at is None:
        return False
    root.resolved_at = None
    root.resolved_by_id = None
    _record("comment.reopened", root, section, user)
    return True


# Feedback sought ----------------------------------------------------------------------------

def check_feedback(text: str | None) -> str:
    """The question, trimmed; CommentError when over the limit (empty clears it)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_FEEDBACK:
        raise CommentError(f"The question must be {MAX_FEEDBACK:,} characters or fewer "
                           f"(this one has {len(text):,})")
    return text


def set_feedback_sought(section: Section, text: str | None, user: User) -> bool:
    """Change the question the section puts to the partners; False when unchanged."""
    text = check_feedback(text)
    _check_open_section(section)
    if text == section.feedback_sought:
        return False
    old, section.feedback_sought = section.feedback_sought, text
    _changed(section)
    audit.record("section.feedback_changed", section, actor=user, document=section.document,
                 title=section.title, old=old, new=text)
    return True

"""The rules of suggestions: who may suggest, withdraw, accept and reject, and what each step
writes. Accepting goes through the section's own save (documents.editing.save_section): the
same conditional write, three-way merge, conflict and confirmation before positions go stale.

Every step that decides a suggestion first locks its row (SELECT ... FOR UPDATE on
PostgreSQL; SQLite write requests begin IMMEDIATE, so they are serialised) and re-reads its
status, so two people deciding at once cannot both act on what they read.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..clock import DATE, display, utcnow
from ..documents import editing
from ..documents.editing import EditError
from ..documents.feed import record_change
from ..documents.markdown import render_markdown
from ..documents.merge import normalise
from ..documents.models import Section
from ..extensions import db
from ..permissions import can, may_change_text
from ..signals import suggestion_decided, suggestion_made
from .models import ACCEPTED, OPEN, REJECTED, WITHDRAWN, Suggestion

MAX_REASON = 2000


class SuggestionError(EditError):
    """A step that cannot be taken: the message is for the user (status 403, 404, 409, 413
    or 422; `field` names the form field at fault)."""


@dataclass
class Accepted:
    suggestion: Suggestion
    result: editing.SaveResult

    @property
    def merged(self) -> bool:
        return bool(self.result.merged_with)


def credit(suggestion: Suggestion) -> str:
    """"Dacorum Borough Council's suggestion of 2 December 2026"."""
    return (f"{suggestion.organisation.name}\u2019s suggestion of "
            f"{display(suggestion.created_at, DATE)}")


def may_suggest(document, user=None) -> bool:
    """Officers of any active partner and partnership admins, while the text may change."""
    return document.is_editable and can("suggest", user, document.partnership_id)


def may_decide(document, user=None) -> bool:
    """Accept or reject: those who may change the text directly (in Draft officers and
    partnership admins; out for agreement, partnership admins only)."""
    return may_change_text(document, user)


def _check_section(section: Section) -> None:
    editing.check_unlocked(section.document)
    if section.removed_at is not None:
        raise SuggestionError("This section has been removed, so changes to it can no longer "
                              "be suggested or accepted. Restore it first.", status=409)


def _check_reason(reason: str | None, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise SuggestionError(f"The reason must be {MAX_REASON} characters or fewer.",
                              field=field)
    return reason


def suggest(section: Section, body: str, base_number: int, user: User,
            reason: str | None = "") -> Suggestion:
    """Record proposed text for the section, made on revision `base_number`."""
    document = section.document
    if not can("suggest", user, document.partnership_id):
        raise SuggestionError("Only officers and partnership admins can suggest changes.",
                              status=403)
    _check_section(section)
    editing.check_body(body)
    reason = _check_reason(reason)
    text = normalise(body or "")
    if not text.strip():
        raise SuggestionError("Enter the text you suggest for this section.")
    if text == normalise(section.body):
        raise SuggestionError("Your suggestion is the same as the current text. Change the "
                              "text before suggesting it.")
    editing.check_live_blocks(section, render_markdown(text))
    suggestion = Suggestion(document_id=document.id, section_id=section.id,
                            base_number=base_number, body=text, reason=reason,
                            author_id=user.id, organisation_id=user.organisation_id,
                            status=OPEN, created_at=utcnow())
    db.session.add(suggestion)
    db.session.flush()
    audit.record("suggestion.made", suggestion, actor=user, document=document,
                 section=section.id, title=section.title, base=base_number)
    record_change(document.id, section.id, "comment")
    suggestion_made.send(suggestion, by=user)
    return suggestion


def locked(suggestion_id: int) -> Suggestion | None:
    """The suggestion re-read under its row lock, its status safe to act on."""
    found = db.session.execute(select(Suggestion.id).where(Suggestion.id == suggestion_id)
                               .with_for_update()).scalar()
    if found is None:
        return None
    suggestion = db.session.get(Suggestion, found)
    db.session.refresh(suggestion)      # read after the lock: what the last decider wrote
    return suggestion


def _still_open(suggestion: Suggestion) -> None:
    """409 with what became of it, unless the suggestion is still open."""
    if suggestion.status == OPEN:
        return
    who = suggestion.decided_by.display_name if suggestion.decided_by else "someone"
    when = display(suggestion.decided_at) if suggestion.decided_at else ""
    message = {
        ACCEPTED: f"This suggestion has already been accepted, by {who} on {when}.",
        REJECTED: f"This suggestion has already been rejected, by {who} on {when}.",
        WITHDRAWN: f"This suggestion was withdrawn by its author on {when}.",
    }.get(suggestion.status, "This suggestion is no longer open.")
    raise SuggestionError(message, status=409)


def _decide(suggestion: Suggestion, user: User, status: str, reason: str | None = None,
            revision_id: int | None = None) -> None:
    suggestion.status = status
    suggestion.decided_by_id = user.id
    suggestion.decided_at = utcnow()
    suggestion.decision_reason = reason
    suggestion.accepted_revision_id = revision_id
    db.session.flush()


def refuse_undecidable(document, user: User) -> None:
    """SuggestionError (403) unless the user may accept and reject on the document now."""
    if may_decide(document, user):
        return
    if document.is_out_for_agreement:
        message = ("While the document is out for agreement, only the partnership admins can "
                   "accept or reject suggestions.")
    elif not document.is_editable:
        message = "The text is frozen, so suggestions can no longer be accepted or rejected."
    else:
        message = "Only officers and partnership admins can accept or reject suggestions."
    raise SuggestionError(message, status=403)


def withdraw(suggestion: Suggestion, user: User) -> Suggestion:
    """The author takes back their own open suggestion."""
    if suggestion.author_id != user.id:
        raise SuggestionError("Only the person who made a suggestion can withdraw it.",
                              status=403)
    suggestion = locked(suggestion.id)
    _still_open(suggestion)
    _decide(suggestion, user, WITHDRAWN)
    audit.record("suggestion.withdrawn", suggestion, actor=user, document=suggestion.document,
                 section=suggestion.section_id, title=suggestion.section.title)
    record_change(suggestion.document_id, suggestion.section_id, "comment")
    suggestion_decided.send(suggestion, by=user)
    return suggestion


def reject(suggestion: Suggestion, user: User, reason: str | None) -> Suggestion:
    """Decline a suggestion, saying why (a reason is required)."""
    refuse_undecidable(suggestion.document, user)
    reason = _check_reason(reason)
    if not reason:
        raise SuggestionError("Enter the reason for rejecting this suggestion.")
    suggestion = locked(suggestion.id)
    _still_open(suggestion)
    _decide(suggestion, user, REJECTED, reason=reason)
    audit.record("suggestion.rejected", suggestion, actor=user, document=suggestion.document,
                 section=suggestion.section_id, title=suggestion.section.title,
                 reason=reason, credit=credit(suggestion))
    record_change(suggestion.document_id, suggestion.section_id, "comment")
    suggestion_decided.send(suggestion, by=user)
    return suggestion


class TextMoved(Exception):
    """The section changed after the person deciding read the suggestion over its text."""


def accept(suggestion: Suggestion, user: User, confirm_stale: str | bool = False,
           seen_version: int | None = None) -> Accepted:
    """Make the suggested text the section's text: a new revision through the section's save,
    merged onto the current text when the suggestion was made on an older revision.

    Raises TextMoved (nothing written) when `seen_version`, the section's version the person
    read the suggestion against, is no longer current (they are shown what accepting would do
    now), editing.ConfirmStale when current positions would go stale and
    `confirm_stale` does not confirm exactly them, and editing.Conflict when the suggestion
    overlaps changes made since its revision (nothing written, the suggestion stays open).
    """
    refuse_undecidable(suggestion.document, user)
    suggestion = locked(suggestion.id)
    _still_open(suggestion)
    section = suggestion.section
    _check_section(section)
    if seen_version is not None and seen_version != section.version:
        raise TextMoved()
    result = editing.save_section(section, suggestion.body, suggestion.base_number, user,
                                  summary=f"Accepted {credit(suggestion)}"[:200],
                                  kind="suggestion", confirm_stale=confirm_stale)
    _decide(suggestion, user, ACCEPTED,
            revision_id=result.revision.id if result.revision else None)
    audit.record("suggestion.accepted", suggestion, actor=user, document=suggestion.document,
                 section=section.id, title=section.title, credit=credit(suggestion),
                 revision=result.revision.number if result.revision else None)
    record_change(suggestion.document_id, section.id, "comment")
    suggestion_decided.send(suggestion, by=user)
    return Accepted(suggestion, result)


def get(document, suggestion_id: int) -> Suggestion | None:
    """The document's suggestion with this id, or None."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.document_id != document.id:
        return None
    return suggestion

"""What each event tells whom: receivers of the signals the other areas send (connected in
`connect()`, from the package's register), and the daily check of decisions sought.

Every notification says what happened (its title), where (a link to the exact place) and why
this person is told (the reason).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from .. import signals
from ..accounts.models import Organisation
from ..documents.models import Document
from ..extensions import db
from ..review.agreement import agreement_grid, current_positions
from ..review.decisions import decision_state
from ..review.models import Comment, DecisionSought, Position
from ..review.scope import in_scope, signatories, signatory_for
from ..review.signing import signatures
from ..suggestions.service import credit
from . import kinds
from .service import notify, partnership_admins, path_for, recipients

#: Decisions sought due within this many days (or overdue) are notified.
DECISION_NOTICE_DAYS = 7


def _document_path(document, section_id=None):
    values = {"_anchor": f"section-{section_id}"} if section_id else {}
    return path_for("documents.show", slug=document.partnership.slug, document_id=document.id,
                    **values)


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def _sent_out_title(document, name, owed, in_scope_count):
    if owed:
        return (f"{document.title} is out for agreement: {name} owes positions on "
                f"{_plural(owed, 'strategic matter')}")
    # A later version whose matters' text did not change: the positions carry over.
    return (f"{document.title} is out for agreement: {name}'s positions on its "
            f"{_plural(in_scope_count, 'strategic matter')} still stand")


def on_sent_out(document: Document, by=None, **_):
    """Out for agreement: Members of each signatory authority are told what it owes, reckoned
    as the agreement grid and My tasks reckon it (a position given on the same text carries
    over to a later version)."""
    grid = agreement_grid(document)
    partnership = document.partnership
    for signatory in grid.signatories:
        cells = [c for c in grid.row_of(signatory) if c is not None]
        if not cells:
            continue
        name = signatory.organisation.name
        title = _sent_out_title(document, name, sum(c.outstanding for c in cells), len(cells))
        for user in recipients(partnership.id, organisation_ids=[signatory.organisation_id],
                               role="member", exclude=by):
            notify(user, kinds.POSITION_OWED.name,
                   title=title,
                   link=path_for("review.review_queue", slug=partnership.slug,
                                 document_id=document.id),
                   reason=f"You are a Member of {name}, a signatory of {document.title} in "
                          f"{partnership.name}.",
                   partnership_id=partnership.id, document_id=document.id)


def on_section_saved(section, revision=None, old_sha256=None, by=None, **_):
    """A strategic matter's text changed: the Members of each authority whose position was
    current on the old text are told it must be given again."""
    if not section.strategic_matter or section.removed_at is not None or old_sha256 is None:
        return
    document = section.document
    partnership = document.partnership
    positions: dict[tuple[int, int], Position] = current_positions(document, [section.id])
    for (_section_id, organisation_id), position in positions.items():
        if position.text_sha256 != old_sha256:
            continue            # already out of date before this change: told then
        signatory = signatory_for(document, organisation_id)
        if signatory is None or not in_scope(signatory, section):
            continue
        name = db.session.get(Organisation, organisation_id).name
        for user in recipients(partnership.id, organisation_ids=[organisation_id],
                               role="member", exclude=by):
            notify(user, kinds.POSITION_STALE.name,
                   title=f"“{section.title}” changed in {document.title}: {name}'s position "
                         "needs giving again",
                   link=_document_path(document, section.id),
                   reason=f"You are a Member of {name}, which recorded “"
                          f"{position.stance_label}” on this section; the text it was given "
                          "on has changed.",
                   partnership_id=partnership.id, document_id=document.id,
                   section_id=section.id)


def on_version_frozen(document: Document, version=None, by=None, **_):
    """Agreed: Members of each signatory authority are told the version is ready to sign."""
    partnership = document.partnership
    number = version.number if version is not None else document.version_number
    for signatory in signatories(document):
        name = signatory.organisation.name
        for user in recipients(partnership.id, organisation_ids=[signatory.organisation_id],
                               role="member", exclude=by):
            notify(user, kinds.SIGNATURE_READY.name,
                   title=f"{document.title}, version {number}, is ready for {name}'s signature",
                   link=path_for("review.sign", slug=partnership.slug,
                                 document_id=document.id),
                   reason=f"You are a Member of {name}, a signatory of {document.title} in "
                          f"{partnership.name}.",
                   partnership_id=partnership.id, document_id=document.id)


def on_comment_replied(reply, thread=None, section=None, by=None, **_):
    """A reply: the thread's author and those who replied before are told."""
    document = section.document
    partnership = document.partnership
    earlier = db.session.scalars(select(Comment.author_id).where(
        Comment.parent_id == thread.id, Comment.id != reply.id,
        Comment.deleted_at.is_(None))).all()
    authors = dict.fromkeys([thread.author_id, *earlier])
    who = f"{by.name} ({by.organisation.name})" if by is not None else "Someone"
    for user in recipients(partnership.id, user_ids=authors, exclude=by):
        started = user.id == thread.author_id
        notify(user, kinds.COMMENT_REPLY.name,
               title=f"{who} replied to "
                     f"{'your comment' if started else 'a comment thread you replied in'} on "
                     f"“{section.title}”",
               link=_document_path(document, section.id),
               reason=(f"You {'started' if started else 'replied in'} this comment thread on "
                       f"{document.title} in {partnership.name}."),
               partnership_id=partnership.id, document_id=document.id, section_id=section.id)


def on_suggestion_made(suggestion, by=None, **_):
    """A suggested change to a section: the Members of each authority that recorded a position
    on it are told (it may change the text their position was given on)."""
    section = suggestion.section
    document = section.document
    partnership = document.partnership
    organisation_ids = sorted({org for (_s, org) in current_positions(document, [section.id])})
    for organisation_id in organisation_ids:
        name = db.session.get(Organisation, organisation_id).name
        for user in recipients(partnership.id, organisation_ids=[organisation_id],
                               role="member", exclude=by):
            notify(user, kinds.SUGGESTION_MADE.name,
                   title=f"{suggestion.organisation.name} suggested a change to "
                         f"“{section.title}” in {document.title}",
                   link=_document_path(document, section.id),
                   reason=f"You are a Member of {name}, which recorded a position on this "
                          "section; if the change is accepted, the position must be given "
                          "again.",
                   partnership_id=partnership.id, document_id=document.id,
                   section_id=section.id)


def on_suggestion_decided(suggestion, by=None, **_):
    """A suggestion accepted or rejected by someone else: its author is told, with the reason
    for a rejection."""
    if suggestion.status not in ("accepted", "rejected"):
        return
    section = suggestion.section
    document = section.document
    partnership = document.partnership
    who = f"{by.name} ({by.organisation.name})" if by is not None else "Someone"
    reason = suggestion.decision_reason or ""
    reason = reason if len(reason) <= 120 else reason[:119].rstrip() + "…"
    why = f": “{reason}”" if suggestion.status == "rejected" and reason else ""
    link = (_document_path(document, section.id) if suggestion.status == "accepted" else
            path_for("documents.history", slug=partnership.slug, document_id=document.id,
                     section_id=section.id, _anchor="decided-suggestions"))
    for user in recipients(partnership.id, user_ids=[suggestion.author_id], exclude=by):
        notify(user, kinds.SUGGESTION_DECIDED.name,
               title=f"{who} {suggestion.status} your suggestion on “{section.title}”"
                     f"{why}",
               link=link,
               reason=f"You made {credit(suggestion)} in {document.title}.",
               partnership_id=partnership.id, document_id=document.id, section_id=section.id)


def on_suggestion_commented(comment, by=None, **_):
    """A comment on a suggestion: its author is told (not for their own comments)."""
    suggestion = comment.suggestion
    section = suggestion.section
    document = section.document
    partnership = document.partnership
    who = f"{by.name} ({by.organisation.name})" if by is not None else "Someone"
    for user in recipients(partnership.id, user_ids=[suggestion.author_id], exclude=by):
        notify(user, kinds.SUGGESTION_COMMENT.name,
               title=f"{who} commented on your suggestion on “{section.title}”",
               link=_document_path(document, section.id),
               reason=f"You made {credit(suggestion)} in {document.title}.",
               partnership_id=partnership.id, document_id=document.id, section_id=section.id)


def on_pdf_signing_failed(document: Document, version=None, reason: str = "", **_):
    """The signed PDF could not be made: each Member whose signature on the version is not
    yet in it is told where to try again (their signature's progress page)."""
    partnership = document.partnership
    for signature in signatures(version):
        for user in recipients(partnership.id, user_ids=[signature.user_id]):
            notify(user, kinds.SIGNING_FAILED.name,
                   title=f"Your signature for {signature.organisation.name} could not yet be "
                         f"added to the PDF of {document.title}, version {version.number}",
                   link=path_for("export.signing_progress", slug=partnership.slug,
                                 document_id=document.id, number=version.number,
                                 signature_id=signature.id),
                   reason=f"You signed version {version.number} of {document.title} for "
                          f"{signature.organisation.name}. Your signature stands in the "
                          f"workspace's record; the PDF failed: {reason}"[:500],
                   partnership_id=partnership.id, document_id=document.id,
                   dedupe_key=f"signing-failed:{signature.id}:{version.id}:{reason[:40]}")


def on_action_reminder(action, state: str = "due", partnership=None, **_):
    """An open agreed action due within seven days, or overdue: the lead authority's
    officers are told, once for each (the action carries what, when and who leads)."""
    if partnership is None:
        return
    kind = kinds.ACTION_OVERDUE if state == "overdue" else kinds.ACTION_DUE
    due = f"{action.due_on.day} {action.due_on:%B %Y}"
    what = action.what if len(action.what) <= 120 else action.what[:119].rstrip() + "…"
    lead = action.lead.name
    title = (f"Overdue (due {due}): “{what}”, led by {lead}" if state == "overdue" else
             f"Due on {due}: “{what}”, led by {lead}")
    for user in recipients(partnership.id, organisation_ids=[action.lead_organisation_id],
                           role="officer"):
        notify(user, kind.name, title=title,
               link=path_for("cooperation.action", slug=partnership.slug, action_id=action.id),
               reason=f"You are an officer of {lead}, which leads this action agreed in "
                      f"{partnership.name}.",
               partnership_id=partnership.id,
               dedupe_key=f"action:{action.id}:{state}:{action.due_on.isoformat()}")


def notify_decisions(on: date) -> int:
    """Decisions sought not taken and due within seven days, or overdue: the partnership's
    admins are told once per decision and state. How many notifications were made."""
    made = 0
    rows = db.session.execute(
        select(DecisionSought, Document).join(Document,
                                              Document.id == DecisionSought.document_id)
        .where(DecisionSought.taken_at.is_(None),
               DecisionSought.due_date <= on + timedelta(days=DECISION_NOTICE_DAYS))
        .order_by(DecisionSought.id)).all()
    for decision, document in rows:
        state = decision_state(decision, on)
        partnership = document.partnership
        due = f"{decision.due_date.day} {decision.due_date:%B %Y}"
        title = (f"Decision of {decision.body} sought by {document.title} is overdue (due "
                 f"{due})" if state == "overdue" else
                 f"Decision of {decision.body} sought by {document.title} is due on {due}")
        for user in partnership_admins(partnership.id):
            made += notify(
                user, kinds.DECISION_DUE.name, title=title,
                link=path_for("review.decisions", slug=partnership.slug,
                              document_id=document.id),
                reason=f"You are a partnership admin of {partnership.name}, who records the "
                       "decisions its documents seek.",
                partnership_id=partnership.id, document_id=document.id,
                dedupe_key=f"decision:{decision.id}:{state}") is not None
    return made


def connect() -> None:
    """Listen to the areas' signals (idempotent: blinker keeps one connection per receiver)."""
    signals.document_sent_out.connect(on_sent_out)
    signals.section_saved.connect(on_section_saved)
    signals.version_frozen.connect(on_version_frozen)
    signals.comment_replied.connect(on_comment_replied)
    signals.suggestion_made.connect(on_suggestion_made)
    signals.suggestion_decided.connect(on_suggestion_decided)
    signals.suggestion_commented.connect(on_suggestion_commented)
    signals.pdf_signing_failed.connect(on_pdf_signing_failed)
    signals.action_reminder.connect(on_action_reminder)

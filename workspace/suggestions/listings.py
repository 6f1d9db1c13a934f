"""Suggestions as other pages list them, answered through signals so those areas never import
this one: the decided suggestions in a section's history (with their comments), and My tasks
(suggestions awaiting the user's decision, decisions on the user's own suggestions and others'
comments on them) with their count for the header."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import DateTime, Integer, bindparam, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import identity_key

from ..clock import utcnow
from ..documents.models import Document, Section
from ..documents.numbering import number_sections
from ..documents.service import live_sections
from ..extensions import db
from ..partnerships.models import Partner, PartnershipAdmin
from ..permissions import remember_grants
from ..signals import section_history_extras, task_counts, task_extras
from .comments import by_suggestion
from .models import OPEN, Suggestion, SuggestionComment
from .service import credit, may_decide

#: Decisions on the user's suggestions, and others' comments on them, stay in My tasks this
#: long.
DECISIONS_SHOWN_DAYS = 14


def decided(section: Section) -> list[Suggestion]:
    """The section's accepted, rejected and withdrawn suggestions, latest decision first."""
    return db.session.scalars(
        select(Suggestion).where(Suggestion.section_id == section.id,
                                 Suggestion.status != OPEN)
        .order_by(Suggestion.decided_at.desc(), Suggestion.id.desc())).all()


@dataclass
class SuggestionTask:
    suggestion: Suggestion
    section: Section
    document: Document

    @property
    def partnership(self):
        return self.document.partnership

    @property
    def credit(self) -> str:
        return credit(self.suggestion)


def _visible(organisation_id):
    """The documents of the partnerships the organisation is an active partner in."""
    return (select(Document.id)
            .join(Partner, Partner.partnership_id == Document.partnership_id)
            .where(Partner.organisation_id == organisation_id, Partner.status == "active"))


#: The user as bound parameters: the statements below are built once and run with
#: _params(user, now) (building them cost more than running them).
_USER_ID = bindparam("user_id", type_=Integer)
_ORGANISATION_ID = bindparam("organisation_id", type_=Integer)
_SINCE = bindparam("since", type_=DateTime)


def _params(user, now=None):
    return {"user_id": user.id, "organisation_id": user.organisation_id,
            "since": (now or utcnow()) - timedelta(days=DECISIONS_SHOWN_DAYS)}


def _with_places(stmt):
    return (stmt.add_columns(Section, Document)
            .join(Section, Section.id == Suggestion.section_id)
            .join(Document, Document.id == Suggestion.document_id))


def _rows(stmt, params):
    return [SuggestionTask(s, section, document) for s, section, document in
            db.session.execute(stmt, params).all()]


@lru_cache(maxsize=1)
def _to_decide_stmt():
    return _with_places(
        select(Suggestion)
        .where(Suggestion.status == OPEN, Suggestion.document_id.in_(_visible(_ORGANISATION_ID)))
        .where(Section.removed_at.is_(None))
        .order_by(Suggestion.created_at, Suggestion.id))


def to_decide(user) -> list[SuggestionTask]:
    """Open suggestions on live sections the user may accept or reject now, oldest first."""
    rows = _rows(_to_decide_stmt(), {"organisation_id": user.organisation_id})
    allowed: dict[int, bool] = {}
    found = []
    for row in rows:
        if row.document.id not in allowed:
            allowed[row.document.id] = may_decide(row.document, user)
        if allowed[row.document.id]:
            found.append(row)
    return found


def decisions_on_mine(user, now=None) -> list[SuggestionTask]:
    """The user's suggestions accepted or rejected by someone else in the last
    DECISIONS_SHOWN_DAYS days, latest first."""
    return _rows(_decisions_on_mine_list_stmt(), _params(user, now))


@lru_cache(maxsize=1)
def _decisions_on_mine_list_stmt():
    return _with_places(_decisions_on_mine_stmt()
                        .order_by(Suggestion.decided_at.desc(), Suggestion.id.desc()))


def _decisions_on_mine_stmt():
    return (select(Suggestion)
            .where(Suggestion.author_id == _USER_ID,
                   Suggestion.status.in_(("accepted", "rejected")),
                   Suggestion.decided_by_id != _USER_ID, Suggestion.decided_at >= _SINCE,
                   Suggestion.document_id.in_(_visible(_ORGANISATION_ID))))


@dataclass
class ReplyTask(SuggestionTask):
    """Someone else's comment on one of the user's suggestions."""
    comment: SuggestionComment | None = None


def _replies_on_mine_stmt():
    return (select(SuggestionComment)
            .join(Suggestion, Suggestion.id == SuggestionComment.suggestion_id)
            .where(Suggestion.author_id == _USER_ID, SuggestionComment.author_id != _USER_ID,
                   SuggestionComment.created_at >= _SINCE,
                   Suggestion.document_id.in_(_visible(_ORGANISATION_ID))))


@lru_cache(maxsize=1)
def _replies_on_mine_list_stmt():
    return (_replies_on_mine_stmt().add_columns(Suggestion, Section, Document)
            .join(Section, Section.id == Suggestion.section_id)
            .join(Document, Document.id == Suggestion.document_id)
            .order_by(SuggestionComment.created_at.desc(), SuggestionComment.id.desc()))


def replies_on_mine(user, now=None) -> list[ReplyTask]:
    """Others' comments on the user's suggestions in the last DECISIONS_SHOWN_DAYS days,
    latest first."""
    rows = db.session.execute(_replies_on_mine_list_stmt(), _params(user, now)).all()
    return [ReplyTask(suggestion, section, document, comment)
            for comment, suggestion, section, document in rows]


@lru_cache(maxsize=1)
def _count_stmt():
    """task_count's query, built once with the user as parameters."""
    document = aliased(Document)       # the subqueries' own `documents` stay uncorrelated
    open_n = (select(func.count(Suggestion.id))
              .join(Section, Section.id == Suggestion.section_id)
              .where(Suggestion.document_id == document.id, Suggestion.status == OPEN,
                     Section.removed_at.is_(None))
              .scalar_subquery())
    decisions_n = (_decisions_on_mine_stmt()
                   .with_only_columns(func.count(Suggestion.id)).scalar_subquery())
    replies_n = (_replies_on_mine_stmt()
                 .with_only_columns(func.count(SuggestionComment.id)).scalar_subquery())
    # The partnership admin grant beside each document: its organisation is an active partner
    # (the documents are the visible ones), so this is permissions' own question, answered here
    # instead of in a statement per partnership.
    grant = (select(PartnershipAdmin.id)
             .where(PartnershipAdmin.partnership_id == document.partnership_id,
                    PartnershipAdmin.user_id == _USER_ID)
             .exists())
    return (select(document.id, document.partnership_id, open_n, decisions_n, replies_n, grant)
            .where(document.id.in_(_visible(_ORGANISATION_ID))))


def task_count(user, now=None) -> int:
    """len(to_decide(user)) + len(decisions_on_mine(user)) + len(replies_on_mine(user)) for
    the header, in one query however many suggestions and sections: a row per document the
    user sees, with its open suggestions on live sections counted (the right to decide is the
    document's), and the decisions on and replies to the user's suggestions counted once beside
    them."""
    rows = db.session.execute(_count_stmt(), _params(user, now)).all()
    if not rows:
        return 0
    waiting = {doc_id: n for doc_id, _p, n, _d, _r, _g in rows if n}
    if waiting:
        remember_grants(user, {partnership_id: held
                               for doc_id, partnership_id, _n, _d, _r, held in rows
                               if doc_id in waiting})
        # Documents are loaded only where suggestions wait, in one statement (none when the
        # request has them already).
        documents = _documents(waiting)
        waiting = {doc_id: n for doc_id, n in waiting.items()
                   if may_decide(documents[doc_id], user)}
    return sum(waiting.values()) + (rows[0][3] or 0) + (rows[0][4] or 0)


def _documents(ids) -> dict[int, Document]:
    found = {i: db.session.identity_map.get(identity_key(Document, i)) for i in ids}
    missing = [i for i, document in found.items() if document is None]
    if missing:
        found.update((d.id, d) for d in db.session.scalars(
            select(Document).where(Document.id.in_(missing))))
    return found


def _count(user, **_kwargs):
    return task_count(user)


def _history(section, **_kwargs):
    found = decided(section)
    return {"decided_suggestions": found,
            "decided_suggestion_comments": by_suggestion(s.id for s in found)}


def _tasks(user, **_kwargs):
    return {"suggestions_to_decide": to_decide(user),
            "suggestion_decisions": decisions_on_mine(user),
            "suggestion_replies": replies_on_mine(user)}


def connect() -> None:
    section_history_extras.connect(_history, weak=False)
    task_extras.connect(_tasks, weak=False)
    task_counts.connect(_count, weak=False)


def open_by_number(document) -> dict[str, list[Suggestion]]:
    """{section number as printed (1, 2.1 ...): open suggestions, oldest first} for the
    document's live sections (the Word export of a draft lists them after each section)."""
    numbered = {s.id: n for n, s in number_sections(live_sections(document))}
    rows = db.session.scalars(
        select(Suggestion).where(Suggestion.document_id == document.id,
                                 Suggestion.status == OPEN,
                                 Suggestion.section_id.in_(list(numbered)))
        .order_by(Suggestion.created_at, Suggestion.id)).all()
    found: dict[str, list[Suggestion]] = {}
    for row in rows:
        found.setdefault(numbered[row.section_id], []).append(row)
    return found

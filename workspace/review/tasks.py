"""My tasks: what is waiting for the signed-in user across their partnerships.

- positions their authority still owes (Members): in-scope strategic matters of documents out
  for agreement where the authority's current position is missing or was given on an earlier
  version of the text;
- comments awaiting a reply on sections they edited: open threads whose latest comment is by
  someone else, on sections where they wrote a revision;
- documents awaiting their signature (Members of signatory authorities);
- decisions sought soon: due within 30 days, or overdue, and not yet taken.

The page's lists and the header's count are built from the same statements; the count is one
SQL query of four counts, so it costs every page a single round trip.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import SimpleNamespace

from sqlalchemy import Date, Integer, and_, bindparam, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..clock import today
from ..documents.models import OUT_FOR_AGREEMENT, Document, Section, SectionRevision
from ..extensions import db
from ..partnerships.models import Partner, Partnership
from ..signals import task_counts, task_extras
from .agreement import agreement_grid, matter_numbers
from .decisions import SOON_DAYS, decision_state
from .models import (
    Comment,
    DecisionSought,
    DocumentVersion,
    Position,
    Signatory,
    SignatoryMatter,
    Signature,
)

#: Documents in this status ask signatories for positions.
ASKING_FOR_POSITIONS = OUT_FOR_AGREEMENT

#: The user as bound parameters: the lists' and the count's statements are built once with
#: these (building them cost more than running them) and run with _who(user).
_WHO = SimpleNamespace(id=bindparam("user_id", type_=Integer),
                       organisation_id=bindparam("organisation_id", type_=Integer))


def _who(user):
    return {"user_id": user.id, "organisation_id": user.organisation_id}


def _visible_documents(user):
    """Ids of documents in the partnerships the user's organisation belongs to."""
    return (select(Document.id)
            .join(Partner, Partner.partnership_id == Document.partnership_id)
            .where(Partner.organisation_id == user.organisation_id, Partner.status == "active"))


def _signatory_documents(user, status):
    """Ids of visible documents in `status` for which the user's authority signs."""
    return (select(Document.id)
            .join(Signatory, and_(Signatory.document_id == Document.id,
                                  Signatory.organisation_id == user.organisation_id))
            .where(Document.status == status, Document.id.in_(_visible_documents(user))))


# Positions owed -----------------------------------------------------------------------------

def _owed_positions_stmt(user):
    """Strategic matters (Section ids) on which the user's authority owes a current position.

    The SQL twin of agreement_grid's "missing" and "stale" cells for one authority: a
    position is current while its text hash is that of the section's latest revision.
    """
    org = user.organisation_id
    latest = (select(func.max(Position.id))
              .where(Position.section_id == Section.id, Position.organisation_id == org)
              .correlate(Section).scalar_subquery())
    current = (select(literal(1)).select_from(Position)
               .join(SectionRevision, and_(SectionRevision.section_id == Position.section_id,
                                           SectionRevision.number == Section.version))
               .where(Position.id == latest,
                      Position.text_sha256 == SectionRevision.body_sha256)
               .correlate(Section))
    in_scope = or_(Signatory.all_matters.is_(True),
                   exists().where(SignatoryMatter.signatory_id == Signatory.id,
                                  SignatoryMatter.section_id == Section.id))
    return (select(Section.id)
            .join(Document, Document.id == Section.document_id)
            .join(Signatory, and_(Signatory.document_id == Document.id,
                                  Signatory.organisation_id == org))
            .where(Section.strategic_matter.is_(True), Section.removed_at.is_(None),
                   Document.status == ASKING_FOR_POSITIONS,
                   Document.id.in_(_visible_documents(user)),
                   in_scope, ~current.exists()))


@dataclass
class PositionTask:
    partnership: Partnership
    document: Document
    section: Section
    number: str
    #: "missing" or "stale" (given on an earlier version).
    state: str


@lru_cache(maxsize=1)
def _owed_positions_list_stmt():
    """The owed matters with their document and state, built once (run with _who(user))."""
    given = (exists().where(Position.section_id == Section.id,
                            Position.organisation_id == _WHO.organisation_id))
    return (_owed_positions_stmt(_WHO)
            .with_only_columns(Section, Document,
                               case((given, literal("stale")), else_=literal("missing")))
            .order_by(Document.title, Document.id))


def owed_positions(user: User) -> list[PositionTask]:
    """[PositionTask] for a Member's authority (each document in its own order); [] for
    everyone else. The same statement as the header's count, so the two always agree."""
    if user.role != "member":
        return []
    rows = db.session.execute(_owed_positions_list_stmt(), _who(user)).all()
    by_document: dict[int, list] = {}
    for section, document, state in rows:
        by_document.setdefault(document.id, []).append((section, document, state))
    tasks = []
    for found in by_document.values():
        document = found[0][1]
        numbers = matter_numbers(document)              # in the document's order
        order = {section_id: i for i, section_id in enumerate(numbers)}
        for section, _document, state in sorted(found, key=lambda r: order.get(r[0].id, 0)):
            tasks.append(PositionTask(document.partnership, document, section,
                                      numbers.get(section.id, ""), state))
    return tasks


def owed_in_document(document: Document, user: User) -> list[PositionTask]:
    """[PositionTask] the user's authority owes on one document, in the document's order."""
    grid = agreement_grid(document)
    numbers = matter_numbers(document)
    tasks = []
    for section in grid.matters:
        for cell in grid.row(section):
            if (cell is not None and cell.outstanding
                    and cell.signatory.organisation_id == user.organisation_id):
                tasks.append(PositionTask(document.partnership, document, section,
                                          numbers.get(section.id, ""), cell.state))
    return tasks


# Comments awaiting a reply ------------------------------------------------------------------

def _awaiting_reply_stmt(user, columns):
    """Open threads on sections the user edited whose latest comment is someone else's."""
    thread = aliased(Comment)
    last = aliased(Comment)
    last_id = (select(func.max(Comment.id))
               .where(or_(Comment.id == thread.id, Comment.parent_id == thread.id),
                      Comment.deleted_at.is_(None))
               .correlate(thread).scalar_subquery())
    edited = exists().where(SectionRevision.section_id == thread.section_id,
                            SectionRevision.author_id == user.id)
    stmt = (select(*columns(thread, last))
            .select_from(thread)
            .join(last, last.id == last_id)
            .join(Section, Section.id == thread.section_id)
            .where(thread.parent_id.is_(None), thread.resolved_at.is_(None),
                   last.author_id != user.id, Section.removed_at.is_(None),
                   thread.document_id.in_(_visible_documents(user)), edited))
    return stmt


@dataclass
class ReplyTask:
    partnership: Partnership
    document: Document
    section: Section
    thread: Comment
    last: Comment


@lru_cache(maxsize=1)
def _awaiting_reply_list_stmt():
    return (_awaiting_reply_stmt(_WHO, lambda thread, last: (thread, last, Section, Document))
            .join(Document, Document.id == Section.document_id))


def awaiting_reply(user: User) -> list[ReplyTask]:
    """[ReplyTask], the longest-waiting first."""
    rows = db.session.execute(_awaiting_reply_list_stmt(), _who(user)).all()
    tasks = [ReplyTask(d.partnership, d, s, t, last) for t, last, s, d in rows]
    return sorted(tasks, key=lambda task: (task.last.created_at, task.last.id))


# Signatures awaited -------------------------------------------------------------------------

def _awaiting_signature_stmt(user):
    signed = (exists().where(DocumentVersion.document_id == Document.id,
                             DocumentVersion.number == Document.version_number,
                             Signature.version_id == DocumentVersion.id,
                             Signature.organisation_id == user.organisation_id,
                             Signature.voided_at.is_(None)))
    return (select(Document)
            .where(Document.id.in_(_signatory_documents(user, "agreed")), ~signed))


@lru_cache(maxsize=1)
def _awaiting_signature_list_stmt():
    return _awaiting_signature_stmt(_WHO).order_by(Document.title)


def awaiting_signature(user: User) -> list[Document]:
    """Agreed documents a Member's authority has not signed yet."""
    if user.role != "member":
        return []
    return db.session.scalars(_awaiting_signature_list_stmt(), _who(user)).all()


# Decisions sought soon ----------------------------------------------------------------------

def _soon_until(on):
    return on + timedelta(days=SOON_DAYS)


def _decisions_soon_stmt(user, until):
    """Decisions not taken, due on or before `until` (see _soon_until)."""
    return (select(DecisionSought)
            .where(DecisionSought.document_id.in_(_visible_documents(user)),
                   DecisionSought.taken_at.is_(None),
                   DecisionSought.due_date <= until))


@dataclass
class DecisionTask:
    partnership: Partnership
    document: Document
    decision: DecisionSought
    #: "overdue" or "upcoming".
    state: str


@lru_cache(maxsize=1)
def _decisions_soon_list_stmt():
    return (_decisions_soon_stmt(_WHO, bindparam("until", type_=Date)).add_columns(Document)
            .join(Document, Document.id == DecisionSought.document_id)
            .order_by(DecisionSought.due_date, DecisionSought.id))


def decisions_soon(user: User, on: date | None = None) -> list[DecisionTask]:
    """Decisions sought by visible documents, due within 30 days or overdue, not taken."""
    on = on or today()
    rows = db.session.execute(_decisions_soon_list_stmt(),
                              _who(user) | {"until": _soon_until(on)}).all()
    return [DecisionTask(d.partnership, d, decision, decision_state(decision, on))
            for decision, d in rows]


# The page and the count ---------------------------------------------------------------------

@dataclass
class Tasks:
    positions: list = field(default_factory=list)
    replies: list = field(default_factory=list)
    signatures: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    #: Lists other areas add through the task_extras signal ({"suggestions_to_decide": ...}).
    extras: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return (len(self.positions) + len(self.replies) + len(self.signatures)
                + len(self.decisions) + sum(len(v) for v in self.extras.values()))


def my_tasks(user: User, on: date | None = None) -> Tasks:
    """Everything waiting for the user, for the My tasks page (with what other areas add)."""
    extras: dict = {}
    for _receiver, answer in task_extras.send(user):
        extras.update({key: found for key, found in (answer or {}).items() if found})
    return Tasks(positions=owed_positions(user), replies=awaiting_reply(user),
                 signatures=awaiting_signature(user), decisions=decisions_soon(user, on),
                 extras=extras)


def _count(stmt):
    return select(func.count()).select_from(stmt.subquery()).scalar_subquery()


@lru_cache(maxsize=2)
def _count_stmt(member):
    """The header count's query, built once (per kind of user) with the user as parameters:
    building these statements cost every page more than running them."""
    who = _WHO
    counts = [
        _count(_owed_positions_stmt(who)) if member else literal(0),
        _count(_awaiting_reply_stmt(who, lambda thread, _last: (thread.id,))),
        _count(_awaiting_signature_stmt(who)) if member else literal(0),
        _count(_decisions_soon_stmt(who, bindparam("until", type_=Date))),
    ]
    return select(*counts)


def task_count(user: User, on: date | None = None) -> int:
    """How many tasks wait for the user, in one query (the header shows it on every page),
    plus what other areas answer through the task_counts signal (a query or two each)."""
    on = on or today()
    row = db.session.execute(_count_stmt(user.role == "member"),
                             _who(user) | {"until": _soon_until(on)}).one()
    # Other areas add theirs (suggestions: to decide, and decisions on the user's own).
    return sum(row) + sum(answer or 0 for _receiver, answer in task_counts.send(user))

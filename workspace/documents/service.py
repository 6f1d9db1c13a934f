"""Rules for documents and sections: creating, numbering, saving with history, merging."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..partnerships.models import User
from . import limits
from .markdown import render_markdown
from .merge import merge3, normalise, word_diff
from .models import (
    EDITABLE_STATUSES,
    MAX_DEPTH,
    Document,
    DocumentChange,
    Presence,
    Section,
    SectionRevision,
    sha256_text,
)

MAX_TITLE = 200
MAX_BODY_BYTES = 200 * 1024


def documents_by_partnership(partnership_ids):
    """{partnership id: [documents by title]} in one query."""
    result = {pid: [] for pid in partnership_ids}
    if not partnership_ids:
        return result
    rows = db.session.scalars(
        select(Document).where(Document.partnership_id.in_(partnership_ids))
        .order_by(Document.title))
    for document in rows:
        result[document.partnership_id].append(document)
    return result


def load_document(partnership, document_id):
    """The document if it belongs to the partnership, else None."""
    document = db.session.get(Document, document_id)
    if document is None or document.partnership_id != partnership.id:
        return None
    return document


def live_sections(document):
    """The document's sections in order, without removed ones."""
    return db.session.scalars(
        select(Section).where(Section.document_id == document.id, Section.removed_at.is_(None))
        .order_by(Section.position)
    ).all()


def number_sections(sections):
    """[(number, section)]: 1, 1.1, 1.2, 2 ... from order and depth."""
    counters = [0] * (MAX_DEPTH + 1)
    numbered = []
    previous_depth = -1
    for section in sections:
        depth = min(section.depth, previous_depth + 1, MAX_DEPTH)
        counters[depth] += 1
        for deeper in range(depth + 1, MAX_DEPTH + 1):
            counters[deeper] = 0
        numbered.append((".".join(str(c) for c in counters[:depth + 1]), section))
        previous_depth = depth
    return numbered


def section_number(section):
    """The number (1, 1.1, ...) of one section, from the order and depth of the live ones.

    Reads only ids and depths: numbering one section does not load the document's text.
    """
    rows = db.session.execute(
        select(Section.id, Section.depth)
        .where(Section.document_id == section.document_id, Section.removed_at.is_(None))
        .order_by(Section.position)).all()
    for number, row in number_sections(rows):
        if row.id == section.id:
            return number
    return ""


def create_document(partnership, title, kind, user=None):
    """A new, empty draft document."""
    document = Document(partnership_id=partnership.id, title=title.strip(), kind=kind,
                        created_by_id=getattr(user, "id", None), created_at=utcnow())
    db.session.add(document)
    db.session.flush()
    audit.record("document.created", document, actor=user, partnership=partnership,
                 document=document, title=document.title)
    return document


def append_section(document, title, body="", *, depth=0, feedback_sought="", guidance="",
                   user=None):
    """Add a section at the end of the document, with revision 1."""
    last = db.session.scalar(select(func.max(Section.position))
                             .where(Section.document_id == document.id))
    now = utcnow()
    section = Section(document_id=document.id, position=(last or 0) + 10, depth=depth,
                      title=title.strip(), body=body, html=render_markdown(body), version=1,
                      feedback_sought=feedback_sought, guidance=guidance, created_at=now,
                      updated_at=now)
    db.session.add(section)
    db.session.flush()
    db.session.add(SectionRevision(
        section_id=section.id, number=1, body=body, body_sha256=sha256_text(body),
        html=section.html, summary="Created", kind="create", author_id=getattr(user, "id", None),
        organisation_id=getattr(user, "organisation_id", None), created_at=now))
    return section



# Saving -------------------------------------------------------------------------------------

class EditError(Exception):
    """A save that cannot be taken: the message is for the user; their text is kept."""

    def __init__(self, message, status=422, field="body"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


class Conflict(Exception):
    """Both sides changed the same paragraphs: the user must resolve it."""

    def __init__(self, section, mine, current, base_number, last_author):
        super().__init__("conflict")
        self.section = section
        self.mine = mine
        self.current = current
        self.base_number = base_number
        self.last_author = last_author

    @property
    def difference(self):
        """Word diff from the current text to the user's text."""
        return word_diff(self.current, self.mine)




def check_unlocked(document):
    """Raise EditError (409) when the document's text is frozen by its lifecycle.

    Reads the status with a shared row lock (PostgreSQL), so a save cannot slip in between
    a lifecycle step that freezes the text and its commit; SQLite writers are serialised.
    """
    status = db.session.execute(
        select(Document.status).where(Document.id == document.id)
        .with_for_update(read=True)).scalar_one()
    if status in EDITABLE_STATUSES:
        return
    if status == "published":
        raise EditError("This version is published, so its text cannot change. The "
                        "partnership admin can start the next version.", status=409)
    raise EditError("The text is locked while signatures are collected. The partnership "
                    "admin can send the document back to draft.", status=409)


def check_room(document, adding=1, status=422, what="no section can be added"):
    """check_unlocked, then raise EditError (`status`) when `adding` more live sections would
    pass MAX_SECTIONS_PER_DOCUMENT. The document's row lock is taken first, so two requests
    adding sections at once count one after the other (limits.lock)."""
    limits.lock(document)
    check_unlocked(document)
    message = limits.refusal(document, adding, what)
    if message:
        raise EditError(message, status=status, field="title")


@dataclass
class SaveResult:
    section: Section
    revision: SectionRevision | None   # None when nothing changed
    merged_with: list                  # authors whose changes were merged in

    @property
    def changed(self):
        return self.revision is not None


#: How often a save re-merges when another save slipped in between its read and its write.
SAVE_ATTEMPTS = 5


def check_body(body):
    """Raise EditError (413) for a body over the limit."""
    if len((body or "").encode("utf-8")) > MAX_BODY_BYTES:
        raise EditError(f"The text is too long: the limit is {MAX_BODY_BYTES // 1024} KB. "
                        "Split it into more than one section.", status=413)


def parse_base(value, section):
    """The revision number a save started from, validated against the section."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise EditError("The form did not say which version you started from. Copy your "
                        "text, reload the page and try again.", field="body") from None
    if number < 1 or number > section.version:
        raise EditError("The version you started from is not a version of this section. "
                        "Copy your text, reload the page and try again.", field="body")
    return number


def revision(section, number):
    return db.session.scalar(select(SectionRevision).where(
        SectionRevision.section_id == section.id, SectionRevision.number == number))


def _authors_since(section, number):
    """Authors of revisions after `number`, for "merged with changes by ..."."""
    return db.session.scalars(
        select(User).join(SectionRevision, SectionRevision.author_id == User.id)
        .where(SectionRevision.section_id == section.id, SectionRevision.number > number)
        .distinct()).all()


def save_section(section, body, base_number, user, summary="", kind="edit"):
    """Save new text for a section, started from revision `base_number`.

    If the section moved on since, the two changes are merged paragraph by paragraph; when
    they overlap, Conflict is raised and nothing is written. The write is conditional on the
    version read (UPDATE ... WHERE version = :seen), so two saves can never both win: the
    loser re-reads, re-merges and tries again.
    """
    check_unlocked(section.document)
    if section.removed_at is not None:
        raise EditError("This section has been removed. Restore it from the removed "
                        "sections list before editing it.", status=409)
    check_body(body)
    summary = (summary or "").strip()
    if len(summary) > 200:
        raise EditError("The summary must be 200 characters or fewer.", field="summary")
    mine = normalise(body)
    for _attempt in range(SAVE_ATTEMPTS):
        db.session.refresh(section)
        seen = section.version
        merged_with = []
        if base_number == seen:
            new_text = mine
        else:
            base = revision(section, base_number)
            result = merge3(base.body, mine, section.body)
            if not result.clean:
                raise Conflict(section, mine, section.body, seen,
                               revision(section, seen).author)
            new_text = result.text
            merged_with = _authors_since(section, base_number)
            kind = "merge" if kind == "edit" else kind
        if new_text == section.body:
            _leave(section, user)       # the editor closes: others stop seeing "is editing"
            return SaveResult(section, None, merged_with)
        html = render_markdown(new_text)
        now = utcnow()
        written = db.session.execute(
            update(Section)
            .where(Section.id == section.id, Section.version == seen)
            .values(body=new_text, html=html, version=seen + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if written != 1:
            continue
        rev = SectionRevision(
            section_id=section.id, number=seen + 1, body=new_text,
            body_sha256=sha256_text(new_text), html=html, summary=summary, kind=kind,
            base_number=base_number, author_id=user.id, organisation_id=user.organisation_id,
            created_at=now)
        db.session.add(rev)
        _changed(section.document_id, section.id, "section")
        _leave(section, user)
        db.session.flush()
        db.session.refresh(section)
        audit.record("section.saved", section, actor=user, document=section.document,
                     revision=rev.number, kind=kind, title=section.title)
        return SaveResult(section, rev, merged_with)
    raise EditError("The section is being saved by several people at once. Try again.",
                    status=409)


def restore_revision(section, number, user):
    """Make an old revision the current text again, as a new revision."""
    old = revision(section, number)
    if old is None:
        return None
    return save_section(section, old.body, section.version, user,
                        summary=f"Restored revision {number}", kind="restore")


def history(section):
    """Revisions of a section, newest first."""
    return db.session.scalars(select(SectionRevision)
                              .where(SectionRevision.section_id == section.id)
                              .order_by(SectionRevision.number.desc())).all()


def load_section(document, section_id):
    section = db.session.get(Section, section_id)
    if section is None or section.document_id != document.id:
        return None
    return section


# Structure ----------------------------------------------------------------------------------

def record_change(document_id, section_id, kind):
    """Tell other viewers' live feed that a section (or the structure) changed."""
    _changed(document_id, section_id, kind)


def _changed(document_id, section_id, kind):
    db.session.add(DocumentChange(document_id=document_id, section_id=section_id, kind=kind,
                                  at=utcnow()))


def check_title(title):
    title = (title or "").strip()
    if not title:
        raise EditError("Enter a title", field="title")
    if len(title) > MAX_TITLE:
        raise EditError(f"The title must be {MAX_TITLE} characters or fewer", field="title")
    return title


def add_section_after(document, after, title, user, depth=None):
    """Insert a new empty section after `after` (or at the start when None)."""
    check_room(document)
    title = check_title(title)
    sections = live_sections(document)
    if after is not None:
        index = _live_index(sections, after) + 1
        depth = after.depth if depth is None else depth
    else:
        index, depth = 0, 0
    depth = max(0, min(depth, MAX_DEPTH))
    section = append_section(document, title, "", depth=depth, user=user)
    ordered = sections[:index] + [section] + sections[index:]
    _renumber(ordered)
    _changed(document.id, section.id, "structure")
    audit.record("section.added", section, actor=user, document=document, title=title)
    return section


def _removed_error():
    """The refusal of a structure change to a removed section (a stale page, another tab)."""
    return EditError("This section has been removed, so it cannot be changed or have a "
                     "section added after it. Restore it from \u201cRemoved sections\u201d "
                     "first.", status=409)


def _live_index(sections, section):
    """The section's place among the live ones; EditError (409) once it has been removed."""
    for i, live in enumerate(sections):
        if live.id == section.id:
            return i
    raise _removed_error()


def _renumber(ordered):
    for i, section in enumerate(ordered):
        section.position = (i + 1) * 10


def rename_section(section, title, user):
    check_unlocked(section.document)
    if section.removed_at is not None:
        raise _removed_error()
    title = check_title(title)
    if title == section.title:
        return False
    old, section.title = section.title, title
    _changed(section.document_id, section.id, "structure")
    audit.record("section.renamed", section, actor=user, document=section.document,
                 old=old, new=title)
    return True


def move_section(section, direction, user):
    """Swap a section with its live neighbour above (-1) or below (+1)."""
    check_unlocked(section.document)
    sections = live_sections(section.document)
    index = _live_index(sections, section)
    other = index + direction
    if not 0 <= other < len(sections):
        return False
    sections[index], sections[other] = sections[other], sections[index]
    _renumber(sections)
    _changed(section.document_id, section.id, "structure")
    audit.record("section.moved", section, actor=user, document=section.document,
                 title=section.title, direction="up" if direction < 0 else "down")
    return True


def nest_section(section, delta, user):
    """Indent (+1) or outdent (-1), never deeper than one below the section above."""
    check_unlocked(section.document)
    sections = live_sections(section.document)
    index = _live_index(sections, section)
    limit = sections[index - 1].depth + 1 if index > 0 else 0
    depth = max(0, min(section.depth + delta, limit, MAX_DEPTH))
    if depth == section.depth:
        return False
    section.depth = depth
    _changed(section.document_id, section.id, "structure")
    audit.record("section.nested", section, actor=user, document=section.document,
                 title=section.title, depth=depth)
    return True


def remove_section(section, user):
    """Soft removal: the section goes to the "Removed sections" list."""
    check_unlocked(section.document)
    if section.removed_at is not None:
        return False
    section.removed_at = utcnow()
    _changed(section.document_id, section.id, "structure")
    audit.record("section.removed", section, actor=user, document=section.document,
                 title=section.title)
    return True


def restore_section(section, user):
    check_room(section.document, 1 if section.removed_at is not None else 0, status=409,
               what="this section cannot be restored")
    if section.removed_at is None:
        return False
    section.removed_at = None
    _changed(section.document_id, section.id, "structure")
    audit.record("section.restored", section, actor=user, document=section.document,
                 title=section.title)
    return True


def removed_sections(document):
    return db.session.scalars(
        select(Section).where(Section.document_id == document.id,
                              Section.removed_at.is_not(None))
        .order_by(Section.removed_at.desc())).all()


def activity(document, limit=100):
    """The document's audit events, newest first."""
    from ..audit import AuditEvent
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.document_id == document.id)
        .order_by(AuditEvent.id.desc()).limit(limit)).all()


# Presence and live updates ------------------------------------------------------------------

PRESENCE_TIMEOUT = timedelta(minutes=2)


def touch_presence(section, user):
    """Record that the user has this section's editor open (now): one upsert, so two
    sessions of one user opening the editor at the same moment cannot collide."""
    now = utcnow()
    insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[
        db.session.get_bind().dialect.name]
    db.session.execute(
        insert(Presence).values(document_id=section.document_id, section_id=section.id,
                                user_id=user.id, seen_at=now)
        .on_conflict_do_update(index_elements=["section_id", "user_id"],
                               set_={"seen_at": now}))


def _leave(section, user):
    db.session.execute(delete(Presence).where(Presence.section_id == section.id,
                                              Presence.user_id == user.id))


def leave_section(section, user):
    """The user closed the editor (cancel)."""
    _leave(section, user)


def presence_by_section(document, exclude_user=None):
    """{section id: [users editing]} for editors active in the last two minutes."""
    stmt = select(Presence).where(Presence.document_id == document.id,
                                  Presence.seen_at >= utcnow() - PRESENCE_TIMEOUT)
    if exclude_user is not None:
        stmt = stmt.where(Presence.user_id != exclude_user.id)
    result = {}
    for row in db.session.scalars(stmt.order_by(Presence.id)):
        result.setdefault(row.section_id, []).append(row.user)
    return result


def presence_tag(presence):
    """A short fingerprint of who is editing what; the client sends it back when polling."""
    items = sorted((sid, u.id) for sid, users in presence.items() for u in users)
    return format(hash(tuple(items)) & 0xFFFFFFFF, "x") if items else "0"


def cursor(document):
    """The id of the latest change to the document (0 when none)."""
    return db.session.scalar(select(func.coalesce(func.max(DocumentChange.id), 0))
                             .where(DocumentChange.document_id == document.id))


@dataclass
class Changes:
    cursor: int
    section_ids: set
    structure: bool


def changes_since(document, since):
    """What changed after cursor `since`: sections saved or commented on (both re-render the
    section) and whether the structure moved."""
    rows = db.session.execute(
        select(DocumentChange.id, DocumentChange.section_id, DocumentChange.kind)
        .where(DocumentChange.document_id == document.id, DocumentChange.id > since)
        .order_by(DocumentChange.id)).all()
    if not rows:
        return None
    return Changes(cursor=rows[-1].id,
                   section_ids={r.section_id for r in rows if r.kind in ("section", "comment")},
                   structure=any(r.kind == "structure" for r in rows))

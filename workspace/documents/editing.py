"""Editing a section's text: the checks a change must pass (not frozen, within the limits) and
the save with history, merging with saves made since the user's version."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select, update

from .. import audit, binders
from ..accounts.models import User
from ..clock import utcnow
from ..extensions import db
from ..signals import section_change_impact, section_saved
from . import limits
from .feed import record_change
from .markdown import render_markdown
from .merge import merge3, normalise, word_diff
from .models import EDITABLE_STATUSES, Document, Section, SectionRevision, sha256_text
from .presence import leave_section

MAX_TITLE = 200
MAX_BODY_BYTES = 200 * 1024


class EditError(Exception):
    """A save that cannot be taken: the message is for the user; their text is kept."""

    def __init__(self, message: str, status: int = 422, field: str = "body") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


class Conflict(Exception):
    """Both sides changed the same paragraphs: the user must resolve it."""

    def __init__(self, section: Section, mine: str, current: str, base_number: int,
                 last_author: User | None) -> None:
        super().__init__("conflict")
        self.section = section
        self.mine = mine
        self.current = current
        self.base_number = base_number
        self.last_author = last_author

    @property
    def difference(self) -> Markup:
        """Word diff from the current text to the user's text."""
        return word_diff(self.current, self.mine)


class ConfirmStale(EditError):
    """A save that would make current positions stale: nothing is written until the user
    confirms (confirm_stale). `affected` lists (authority name, stance label)."""

    def __init__(self, section: Section, affected: list[tuple[str, str]]) -> None:
        self.section = section
        self.affected = affected
        super().__init__(f"Saving this change will make the positions of {self.authorities} "
                         "on this section out of date: they will have to re-confirm.",
                         status=409)

    @property
    def answer(self) -> str:
        """What the confirm button posts: the digest of the positions it names."""
        return impact_digest(self.affected)

    @property
    def authorities(self) -> str:
        """The authorities' names, e.g. "Dacorum Borough Council, Watford Borough Council"."""
        return ", ".join(dict.fromkeys(name for name, _stance in self.affected))


def impact_digest(affected: list[tuple]) -> str:
    """A short digest of the positions a question named: the confirm button posts it back, so
    a confirmation covers exactly the positions the person was shown."""
    text = "\n".join("\t".join(str(part) for part in row) for row in sorted(affected))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def confirms(affected: list[tuple], answer: str | bool | None) -> bool:
    """True when `answer` confirms unpicking exactly `affected`: the digest of the list the
    question showed (a position recorded since the question was shown asks again), or True
    from code that needs no question (the demo)."""
    if answer is True or not affected:
        return True
    if not isinstance(answer, str) or not answer:
        return False
    return hmac.compare_digest(answer, impact_digest(affected))


def change_impact(section: Section, new_body: str | None = None) -> list[tuple[str, str]]:
    """[(authority name, stance label)] of the current positions on the section that a change
    would unpick: made stale by `new_body`, or (None) taken off the grid. Asked of whichever
    area keeps positions through the section_change_impact signal."""
    found = []
    for _receiver, answer in section_change_impact.send(section, new_body=new_body):
        found.extend(answer or [])
    return sorted(set(found))


def check_unlocked(document: Document) -> None:
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


def check_room(document: Document, adding: int = 1, status: int = 422,
               what: str = "no section can be added") -> None:
    """check_unlocked, then raise EditError (`status`) when `adding` more live sections would
    pass MAX_SECTIONS_PER_DOCUMENT. The document's row lock is taken first, so two requests
    adding sections at once count one after the other (limits.lock)."""
    limits.lock(document)
    check_unlocked(document)
    message = limits.refusal(document, adding, what)
    if message:
        raise EditError(message, status=status, field="title")


def check_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise EditError("Enter a title", field="title")
    if len(title) > MAX_TITLE:
        raise EditError(f"The title must be {MAX_TITLE} characters or fewer", field="title")
    return title


@dataclass
class SaveResult:
    section: Section
    revision: SectionRevision | None   # None when nothing changed
    merged_with: list                  # authors whose changes were merged in

    @property
    def changed(self) -> bool:
        return self.revision is not None


#: How often a save re-merges when another save slipped in between its read and its write.
SAVE_ATTEMPTS = 5


def check_body(body: str | None) -> None:
    """Raise EditError (413) for a body over the limit."""
    if len((body or "").encode("utf-8")) > MAX_BODY_BYTES:
        raise EditError(f"The text is too long: the limit is {MAX_BODY_BYTES // 1024} KB. "
                        "Split it into more than one section.", status=413)


def live_block_refusal(markers: list[str]) -> str:
    """Why a strategic matter may not embed the live blocks `markers`."""
    names = " and ".join(markers)
    return (f"A strategic matter cannot contain {names}: Members' positions are bound to the "
            "text they read, and a live block shows records that can change without the text "
            "changing. Put the block in a section of its own that is not a strategic matter.")


def check_live_blocks(section: Section, html: str) -> None:
    """Raise EditError when a strategic matter's new text (as html) would embed a live block
    ({{cooperation}}, {{register}} …): positions bind to the text, not to the block's data."""
    if section.strategic_matter:
        markers = binders.live_markers(html)
        if markers:
            raise EditError(live_block_refusal(markers), field="body")


def parse_base(value: str | int | None, section: Section) -> int:
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


def revision(section: Section, number: int) -> SectionRevision | None:
    return db.session.scalar(select(SectionRevision).where(
        SectionRevision.section_id == section.id, SectionRevision.number == number))


def _authors_since(section, number):
    """Authors of revisions after `number`, for "merged with changes by ..."."""
    return db.session.scalars(
        select(User).join(SectionRevision, SectionRevision.author_id == User.id)
        .where(SectionRevision.section_id == section.id, SectionRevision.number > number)
        .distinct()).all()


def save_section(section: Section, body: str, base_number: int, user: User,
                 summary: str | None = "", kind: str = "edit",
                 confirm_stale: str | bool = False) -> SaveResult:
    """Save new text for a section, started from revision `base_number`.

    A change that would make current positions stale raises ConfirmStale (nothing written)
    unless `confirm_stale` confirms them (`confirms`): the user was told whose positions, and
    confirmed that list; a position recorded since then asks again.

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
            leave_section(section, user)    # the editor closes: others stop seeing "is editing"
            return SaveResult(section, None, merged_with)
        html = render_markdown(new_text)
        check_live_blocks(section, html)
        affected = change_impact(section, new_text)
        if not confirms(affected, confirm_stale):
            raise ConfirmStale(section, affected)
        old_sha256 = sha256_text(section.body)
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
        record_change(section.document_id, section.id, "section")
        leave_section(section, user)
        db.session.flush()
        db.session.refresh(section)
        audit.record("section.saved", section, actor=user, document=section.document,
                     revision=rev.number, kind=kind, title=section.title)
        section_saved.send(section, revision=rev, old_sha256=old_sha256, by=user)
        return SaveResult(section, rev, merged_with)
    raise EditError("The section is being saved by several people at once. Try again.",
                    status=409)


def restore_revision(section: Section, number: int, user: User,
                     confirm_stale: str | bool = False) -> SaveResult | None:
    """Make an old revision the current text again, as a new revision (ConfirmStale as for a
    save)."""
    old = revision(section, number)
    if old is None:
        return None
    return save_section(section, old.body, section.version, user,
                        summary=f"Restored revision {number}", kind="restore",
                        confirm_stale=confirm_stale)


def history(section: Section) -> list[SectionRevision]:
    """Revisions of a section, newest first."""
    return db.session.scalars(select(SectionRevision)
                              .where(SectionRevision.section_id == section.id)
                              .order_by(SectionRevision.number.desc())).all()

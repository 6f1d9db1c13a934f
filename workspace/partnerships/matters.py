"""The partnership's lists: its strategic matters and its bodies, kept by its admins.

Sections, meetings, actions and the open data link to a strategic matter; meetings and
positions' decision routes name a body. Neither is ever deleted: a retired one is no longer
offered, and the record keeps pointing at it.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select

from .. import audit
from ..clock import utcnow
from ..documents.models import Document, Section
from ..extensions import db
from ..numbers import whole_number
from .models import BODY_KINDS, Body, Partnership, StrategicMatter
from .service import PartnershipError

#: The longest description of a strategic matter (a paragraph or two, not a document).
MAX_DESCRIPTION = 5000
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-/]{0,19}$")


def _natural(reference):
    """"SM2" before "SM10"."""
    # The runs \d+ splits out are decimal digits (int() reads any); the rest never is.
    return [int(p) if p.isdecimal() else p.casefold() for p in re.split(r"(\d+)", reference)]


def matters(partnership: Partnership, include_retired: bool = False) -> list[StrategicMatter]:
    """The partnership's strategic matters, by reference (SM1, SM2, ... SM10)."""
    query = select(StrategicMatter).where(StrategicMatter.partnership_id == partnership.id)
    if not include_retired:
        query = query.where(StrategicMatter.retired_at.is_(None))
    return sorted(db.session.scalars(query), key=lambda m: _natural(m.reference))


def matter(partnership: Partnership, matter_id) -> StrategicMatter | None:
    """One of the partnership's matters by id (None for another partnership's)."""
    number = whole_number(matter_id)
    found = db.session.get(StrategicMatter, number) if number is not None else None
    return found if found is not None and found.partnership_id == partnership.id else None


def next_reference(partnership: Partnership) -> str:
    """The next free "SMn"."""
    taken = set(db.session.scalars(select(StrategicMatter.reference)
                                   .where(StrategicMatter.partnership_id == partnership.id)))
    number = len(taken) + 1
    while f"SM{number}" in taken:
        number += 1
    return f"SM{number}"


def _check_matter(partnership, title, reference, description, current=None):
    title, reference = (title or "").strip(), (reference or "").strip()
    if not title:
        raise PartnershipError("Enter the strategic matter's title.", field="title")
    if len(title) > 200:
        raise PartnershipError("The title must be 200 characters or fewer.", field="title")
    if len(description or "") > MAX_DESCRIPTION:
        raise PartnershipError(f"Keep the description to {MAX_DESCRIPTION:,} characters.",
                               field="description")
    if not REFERENCE.match(reference):
        raise PartnershipError("Enter a short reference such as SM1 (letters, digits, dots "
                               "or dashes, 20 characters or fewer).", field="reference")
    clash = db.session.scalar(select(StrategicMatter).where(
        StrategicMatter.partnership_id == partnership.id,
        func.lower(StrategicMatter.reference) == reference.lower()))
    if clash is not None and clash is not current:
        raise PartnershipError(f"{clash.reference} is already “{clash.title}”. Choose "
                               "another reference.", field="reference")
    clash = db.session.scalar(select(StrategicMatter).where(
        StrategicMatter.partnership_id == partnership.id,
        func.lower(StrategicMatter.title) == title.lower()))
    if clash is not None and clash is not current:
        raise PartnershipError(f"“{clash.title}” is already strategic matter "
                               f"{clash.reference}.", field="title")
    return title, reference, (description or "").strip()


def add_matter(partnership: Partnership, title: str, user, description: str = "",
               reference: str | None = None) -> StrategicMatter:
    """A new strategic matter (reference: the next "SMn" when not given)."""
    title, reference, description = _check_matter(
        partnership, title, reference or next_reference(partnership), description)
    row = StrategicMatter(partnership_id=partnership.id, reference=reference, title=title,
                          description=description)
    db.session.add(row)
    db.session.flush()
    audit.record("matter.added", row, actor=user, partnership=partnership,
                 reference=reference, title=title)
    return row


def update_matter(row: StrategicMatter, user, title: str, reference: str,
                  description: str = "") -> None:
    partnership = db.session.get(Partnership, row.partnership_id)
    title, reference, description = _check_matter(partnership, title, reference,
                                                  description, current=row)
    before = {"reference": row.reference, "title": row.title}
    row.title, row.reference, row.description = title, reference, description
    audit.record("matter.changed", row, actor=user, partnership=partnership, before=before,
                 reference=reference, title=title)


def set_matter_retired(row: StrategicMatter, retired: bool, user) -> None:
    row.retired_at = utcnow() if retired else None
    audit.record("matter.retired" if retired else "matter.restored", row, actor=user,
                 partnership=db.session.get(Partnership, row.partnership_id),
                 reference=row.reference)


def matter_for_title(partnership: Partnership, title: str, user) -> StrategicMatter:
    """The partnership's matter of this title (restored if retired), or a new one."""
    found = db.session.scalar(select(StrategicMatter).where(
        StrategicMatter.partnership_id == partnership.id,
        func.lower(StrategicMatter.title) == (title or "").strip().lower()))
    if found is not None:
        if found.retired_at is not None:
            set_matter_retired(found, False, user)
        return found
    return add_matter(partnership, title, user)


def matter_of_title(partnership: Partnership, title: str) -> StrategicMatter | None:
    """The partnership's matter (not retired) of this title, if there is one; creates none."""
    return db.session.scalar(select(StrategicMatter).where(
        StrategicMatter.partnership_id == partnership.id,
        StrategicMatter.retired_at.is_(None),
        func.lower(StrategicMatter.title) == (title or "").strip().lower()))


def linked_sections(partnership: Partnership) -> dict[int, list[tuple[Document, Section]]]:
    """{matter id: [(document, section)]}: the live sections marked as strategic matters that
    are about each of the partnership's matters, by document title and order (one query)."""
    rows = db.session.execute(
        select(Document, Section)
        .join(Section, Section.document_id == Document.id)
        .join(StrategicMatter, StrategicMatter.id == Section.matter_id)
        .where(StrategicMatter.partnership_id == partnership.id,
               Document.partnership_id == partnership.id,
               Section.strategic_matter.is_(True), Section.removed_at.is_(None))
        .order_by(Document.title, Document.id, Section.position)).all()
    linked: dict[int, list] = {}
    for document, section in rows:
        linked.setdefault(section.matter_id, []).append((document, section))
    return linked


def bodies(partnership: Partnership, include_retired: bool = False) -> list[Body]:
    """The partnership's bodies, by name."""
    query = select(Body).where(Body.partnership_id == partnership.id)
    if not include_retired:
        query = query.where(Body.retired_at.is_(None))
    return list(db.session.scalars(query.order_by(Body.name)))


def body(partnership: Partnership, body_id) -> Body | None:
    number = whole_number(body_id)
    found = db.session.get(Body, number) if number is not None else None
    return found if found is not None and found.partnership_id == partnership.id else None


def _check_body(partnership, name, short_name, kind, current=None):
    name, short_name = (name or "").strip(), (short_name or "").strip()
    if not name:
        raise PartnershipError("Enter the body's name.", field="name")
    if len(name) > 200 or len(short_name) > 40:
        raise PartnershipError("Keep the name to 200 characters and the short name to 40.",
                               field="name" if len(name) > 200 else "short_name")
    if kind not in BODY_KINDS:
        raise PartnershipError("Choose what kind of body it is.", field="kind")
    clash = db.session.scalar(select(Body).where(Body.partnership_id == partnership.id,
                                                 func.lower(Body.name) == name.lower()))
    if clash is not None and clash is not current:
        raise PartnershipError(f"“{clash.name}” is already on the list.", field="name")
    return name, short_name


def add_body(partnership: Partnership, name: str, user, short_name: str = "",
             kind: str = "other") -> Body:
    name, short_name = _check_body(partnership, name, short_name, kind)
    row = Body(partnership_id=partnership.id, name=name, short_name=short_name, kind=kind)
    db.session.add(row)
    db.session.flush()
    audit.record("body.added", row, actor=user, partnership=partnership, name=name)
    return row


def update_body(row: Body, user, name: str, short_name: str, kind: str) -> None:
    partnership = db.session.get(Partnership, row.partnership_id)
    name, short_name = _check_body(partnership, name, short_name, kind, current=row)
    row.name, row.short_name, row.kind = name, short_name, kind
    audit.record("body.changed", row, actor=user, partnership=partnership, name=name)


def set_body_retired(row: Body, retired: bool, user) -> None:
    row.retired_at = utcnow() if retired else None
    audit.record("body.retired" if retired else "body.restored", row, actor=user,
                 partnership=db.session.get(Partnership, row.partnership_id), name=row.name)

"""What the public register shows: a partnership that publishes, its published documents and
versions, and what each version's signatures amount to. Every lookup here answers None (or
leaves out) anything unpublished, so a view that asks only these never shows a draft.

Other parts of the register (open data, what changed, the feed) import these lookups."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import select

from .. import audit
from ..documents.models import Document
from ..extensions import db
from ..partnerships.models import Partnership
from ..review.models import DocumentVersion, Signatory, Signature
from ..review.versions import version_content
from ..web import absolute_url


@dataclass
class PublishedDocument:
    """A document on the register with its published versions, newest first."""
    document: Document
    versions: list[DocumentVersion] = field(default_factory=list)

    @property
    def latest(self) -> DocumentVersion:
        return self.versions[0]


def register_partnership(slug: str) -> Partnership | None:
    """The partnership named by slug if it exists and publishes its register; else None."""
    return db.session.scalar(select(Partnership).where(
        Partnership.slug == slug, Partnership.publishes_register.is_(True)))


def registers() -> list[Partnership]:
    """Every partnership that publishes its register, by name."""
    return list(db.session.scalars(select(Partnership).where(
        Partnership.publishes_register.is_(True)).order_by(Partnership.name)))


def _published_rows(partnership: Partnership):
    return db.session.execute(
        select(Document, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(Document.partnership_id == partnership.id, Document.public_slug.is_not(None),
               DocumentVersion.published_at.is_not(None))
        .order_by(Document.title, Document.id, DocumentVersion.number.desc())).all()


def published_documents(partnership: Partnership) -> list[PublishedDocument]:
    """The partnership's documents with at least one published version (and a public
    address), by title, each with its published versions newest first."""
    found: dict[int, PublishedDocument] = {}
    for document, row in _published_rows(partnership):
        found.setdefault(document.id, PublishedDocument(document)).versions.append(row)
    return list(found.values())


def published_document(partnership: Partnership, document_slug: str) -> PublishedDocument | None:
    """One document of the register by its public address, or None."""
    return next((p for p in published_documents(partnership)
                 if p.document.public_slug == document_slug), None)


def published_version(partnership: Partnership, document_slug: str,
                      number: int) -> tuple[Document, DocumentVersion] | None:
    """(document, version) when that version is published on the partnership's register;
    None for an unknown document or number, or a version agreed or signed but not published.
    (Whether the partnership publishes at all is register_partnership's question.)"""
    found = db.session.execute(
        select(Document, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(Document.partnership_id == partnership.id,
               Document.public_slug == document_slug, DocumentVersion.number == number,
               DocumentVersion.published_at.is_not(None))).first()
    return (found[0], found[1]) if found else None


def previous_published(document: Document, version: DocumentVersion) -> DocumentVersion | None:
    """The newest published version before this one, or None."""
    return db.session.scalar(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document.id,
               DocumentVersion.number < version.number,
               DocumentVersion.published_at.is_not(None))
        .order_by(DocumentVersion.number.desc()).limit(1))


def live_signatures(version: DocumentVersion) -> list[Signature]:
    """The signatures that count on a version (not voided), by authority name."""
    rows = db.session.scalars(select(Signature).where(
        Signature.version_id == version.id, Signature.voided_at.is_(None))
        .order_by(Signature.id)).all()
    return sorted(rows, key=lambda s: (s.organisation.name, s.id))


def named_authorities(version: DocumentVersion, content: dict | None = None) -> set[str]:
    """The authorities the version's record of agreement names (as frozen), or, for a
    document whose record names none, the document's signatories."""
    content = content if content is not None else version_content(version)
    names = {p["organisation"] for matter in content.get("record_of_agreement") or ()
             for p in matter.get("positions", ())}
    if not names:
        names = {s.organisation.name for s in db.session.scalars(
            select(Signatory).where(Signatory.document_id == version.document_id))}
    return names


def signature_summary(version: DocumentVersion,
                      content: dict | None = None) -> tuple[int, int]:
    """(signed, expected): authorities that signed the version (live signatures) and those
    it names, e.g. (6, 6) for "Signed by 6 of 6 authorities"."""
    signed = {s.organisation.name for s in live_signatures(version)}
    expected = named_authorities(version, content) | signed
    return len(signed), len(expected)


def signed_by_text(version: DocumentVersion, content: dict | None = None) -> str:
    """e.g. "Signed by 6 of 6 authorities"."""
    signed, expected = signature_summary(version, content)
    return f"Signed by {signed} of {expected} {'authority' if expected == 1 else 'authorities'}"


def version_url(partnership: Partnership, document: Document, version: DocumentVersion,
                _external: bool = False) -> str:
    """The published version's public address."""
    return (absolute_url if _external else url_for)(
        "public.version", slug=partnership.slug, document_slug=document.public_slug,
        number=version.number)


def public_version_url(document: Document, version: DocumentVersion | None) -> str | None:
    """The public page of the document's `version` while the version is published and its
    partnership's register is on, else None (for links from the workspace)."""
    partnership = document.partnership
    if (version is None or version.published_at is None or not document.public_slug
            or not partnership.publishes_register):
        return None
    return version_url(partnership, document, version)


def register_url(partnership: Partnership, _external: bool = False) -> str:
    return (absolute_url if _external else url_for)("public.register", slug=partnership.slug)


def set_publishing(partnership: Partnership, publishes: bool, contact: str, user) -> bool:
    """Switch the register on or off and set the accessibility contact (audited); True when
    something changed. Off takes every page of the register away at once: each public
    request asks register_partnership first."""
    contact = (contact or "").strip()
    old = (bool(partnership.publishes_register), partnership.accessibility_contact or "")
    if old == (bool(publishes), contact):
        return False
    partnership.publishes_register = bool(publishes)
    partnership.accessibility_contact = contact
    db.session.flush()
    audit.record("partnership.register_changed", partnership, actor=user,
                 partnership=partnership, publishes_register=bool(publishes),
                 was_publishing=old[0], accessibility_contact=contact,
                 previous_contact=old[1])
    return True

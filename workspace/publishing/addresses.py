"""A published document's address on the register: a slug of its title, unique in its
partnership, given when its first version is published and never changed."""
import re

from sqlalchemy import select

from ..documents.models import Document
from ..extensions import db
from ..signals import version_published

#: Names the register itself uses under /public/<partnership>/ (a document never takes one).
RESERVED = frozenset({"data", "accessibility", "feed", "feed-atom"})


def slug_for(document: Document) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", (document.title or "").lower()).strip("-")[:70]
    base = base or "document"
    taken = set(RESERVED) | set(db.session.scalars(select(Document.public_slug).where(
        Document.partnership_id == document.partnership_id, Document.id != document.id,
        Document.public_slug.is_not(None))))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def give_address(document: Document) -> str:
    """The document's public slug, given now if it has none."""
    if not document.public_slug:
        document.public_slug = slug_for(document)
    return document.public_slug


def _on_published(document, **_kwargs):
    give_address(document)


def connect():
    version_published.connect(_on_published, weak=False)

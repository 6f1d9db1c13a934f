"""What review does when an organisation leaves a partnership (it listens; partnerships does
not import review)."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..documents.models import EDITABLE_STATUSES, Document
from ..extensions import db
from ..partnerships.models import Partnership
from ..signals import partner_left
from .models import Signatory


@partner_left.connect
def drop_open_signatory(partnership: Partnership, organisation_id: int, by: User, **_) -> None:
    """Remove the leaver as a signatory of the partnership's documents not yet agreed (Draft
    or Out for agreement); agreed, signed and published ones keep their record and
    signatures."""
    rows = db.session.scalars(
        select(Signatory).join(Document, Document.id == Signatory.document_id)
        .where(Document.partnership_id == partnership.id,
               Document.status.in_(EDITABLE_STATUSES),
               Signatory.organisation_id == organisation_id)).all()
    for signatory in rows:
        document = db.session.get(Document, signatory.document_id)
        audit.record("signatories.partner_left", signatory.organisation, document=document,
                     organisation=signatory.organisation.name)
        db.session.delete(signatory)
    db.session.flush()

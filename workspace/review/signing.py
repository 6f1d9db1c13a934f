"""Signatures: a Member signs the frozen version for their authority.

A signature records the SHA-256 of the exact content it signs. Signing sends
`document_signed`, so export adds the authority's digital signature to the version's PDF
without review importing it. The last signatory's signature moves the document to Signed by
itself (audited as an automatic status change).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from .. import audit, signals
from ..accounts.models import User
from ..audit import AuditEvent
from ..clock import utcnow
from ..documents.models import SIGNED, Document
from ..extensions import db
from .agreement import STATE_TAGS
from .errors import LifecycleError
from .guards import lock, set_status, status_label
from .models import STANCES, DocumentVersion, Signature
from .scope import signatories, signatory_for
from .versions import current_version, version_content

#: Failed signing attempts (wrong password) allowed per user in SIGN_THROTTLE_WINDOW.
MAX_SIGN_FAILURES = 5
SIGN_THROTTLE_WINDOW = timedelta(minutes=15)


def signatures(version_row: DocumentVersion | None,
               include_void: bool = False) -> list[Signature]:
    """Signatures on a frozen version, by authority name."""
    if version_row is None:
        return []
    stmt = select(Signature).where(Signature.version_id == version_row.id)
    if not include_void:
        stmt = stmt.where(Signature.voided_at.is_(None))
    return sorted(db.session.scalars(stmt.order_by(Signature.id)),
                  key=lambda s: (s.organisation.name, s.id))


@dataclass
class SigningRow:
    signatory: object
    signature: Signature | None


def signing_state(document: Document) -> list[SigningRow]:
    """[SigningRow] for every signatory of the document, against the current version."""
    current = {s.organisation_id: s for s in signatures(current_version(document))}
    return [SigningRow(sg, current.get(sg.organisation_id)) for sg in signatories(document)]


def all_signed(document: Document) -> bool:
    rows = signing_state(document)
    return bool(rows) and all(r.signature is not None for r in rows)


def _valid_signature(version_row, organisation_id):
    return db.session.scalar(select(Signature).where(
        Signature.version_id == version_row.id, Signature.organisation_id == organisation_id,
        Signature.voided_at.is_(None)))


def signature_for(document: Document, organisation_id: int) -> Signature | None:
    """The authority's signature that counts on the current version, or None."""
    version_row = current_version(document)
    return None if version_row is None else _valid_signature(version_row, organisation_id)


def sign_refusal(document: Document, user: User) -> tuple[str, int] | None:
    """Why this user cannot sign this document (message, status), or None."""
    if user.role != "member":
        return "Only Members can sign for their authority.", 403
    if signatory_for(document, user.organisation_id) is None:
        return f"{user.organisation.name} is not a signatory of this document.", 403
    if not document.is_agreed:
        return ("This document is not waiting for signatures: it is "
                f"{status_label(document.status)}."), 409
    return None


@dataclass
class SignResult:
    signature: Signature
    created: bool
    #: True when this was the last signature: the document moved to Signed.
    completed: bool = False


@dataclass
class Reservation:
    """A strategic matter the version records as not agreed, or agreed with reservations,
    by one authority, with its reason."""
    number: str
    title: str
    organisation: str
    state: str
    stance: str
    reason: str

    @property
    def tag_class(self) -> str:
        return STATE_TAGS[self.state]


def reservations(version_row: DocumentVersion | None) -> list[Reservation]:
    """The matters the frozen version's record of agreement holds as not agreed or agreed
    with reservations (not agreed first), as the signer reads them before signing."""
    if version_row is None:
        return []
    found = []
    for matter in version_content(version_row).get("record_of_agreement", []):
        for entry in matter.get("positions", []):
            if entry.get("state") in ("not_agreed", "reservations"):
                found.append(Reservation(
                    str(matter.get("number", "")), matter.get("title", ""),
                    entry.get("organisation", ""), entry["state"],
                    STANCES[entry["state"]], entry.get("reason", "")))
    return sorted(found, key=lambda r: r.state != "not_agreed")


def _sign_failures(user):
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "signature.failed", AuditEvent.actor_id == user.id,
        AuditEvent.at >= utcnow() - SIGN_THROTTLE_WINDOW))


def _printed(signed_name, signed_position):
    """The name and position as they will be printed, or LifecycleError (422)."""
    signed_name = (signed_name or "").strip()
    signed_position = (signed_position or "").strip()
    if not signed_name:
        raise LifecycleError("Enter your name as it should be printed.", 422, "signed_name")
    if not signed_position:
        raise LifecycleError("Enter your position as it should be printed, for example "
                             "Portfolio Holder for Planning.", 422, "signed_position")
    if len(signed_name) > 200 or len(signed_position) > 200:
        raise LifecycleError("Name and position must be 200 characters or fewer.", 422,
                             "signed_name" if len(signed_name) > 200 else "signed_position")
    return signed_name, signed_position


def sign(document: Document, user: User, password: str | None, signed_name: str | None,
         signed_position: str | None, fingerprint: str | None = None) -> SignResult:
    """Sign the frozen version for the user's authority, after re-checking their password.

    Signing again for an authority that has signed is harmless: the existing signature is
    returned with created=False. A wrong password records nothing but an audit event.
    `fingerprint`, when given, is the SHA-256 the signer was shown: a version frozen again
    with other content since is refused (409). The last signatory's signature moves the
    document to Signed. Sends `document_signed` (sender: the document; user, signature).
    """
    refusal = sign_refusal(document, user)
    if refusal and refusal[1] == 403:
        raise LifecycleError(*refusal)
    lock(document)
    version_row = current_version(document)
    existing = _valid_signature(version_row, user.organisation_id) if version_row else None
    if existing is not None:
        return SignResult(existing, False)      # signed already (a second click, a race)
    refusal = sign_refusal(document, user)
    if refusal and fingerprint is not None and refusal[1] == 409:
        raise LifecycleError(
            "Nothing has been signed: since you opened the signing page the document has "
            f"gone back to {status_label(document.status)}, so version "
            f"{document.version_number} is not waiting for signatures any more. The "
            "partnership admin can tell you when it is agreed again.", 409)
    if refusal:
        raise LifecycleError(*refusal)
    if fingerprint is not None and fingerprint != version_row.content_sha256:
        raise LifecycleError(
            f"Version {version_row.number} changed since you opened the signing page: it "
            "went back to draft and was agreed again with other content. Nothing has been "
            "signed. Read the version again before you sign it.", 409)
    signed_name, signed_position = _printed(signed_name, signed_position)
    if _sign_failures(user) >= MAX_SIGN_FAILURES:
        raise LifecycleError("Too many wrong passwords. Wait 15 minutes and try again.", 429,
                             "password")
    if not password or not user.check_password(password):
        audit.record("signature.failed", version_row, actor=user, document=document,
                     version=version_row.number, organisation=user.organisation.name)
        raise LifecycleError("The password is not right.", 422,
                             "password")
    signature = Signature(version_id=version_row.id, organisation_id=user.organisation_id,
                          user_id=user.id, signed_name=signed_name,
                          signed_position=signed_position,
                          content_sha256=version_row.content_sha256, signed_at=utcnow())
    db.session.add(signature)
    db.session.flush()
    audit.record("signature.recorded", signature, actor=user, document=document,
                 version=version_row.number, organisation=user.organisation.name,
                 sha256=version_row.content_sha256, signed_name=signed_name,
                 signed_position=signed_position)
    signals.document_signed.send(document, user=user, signature=signature)
    completed = all_signed(document)
    if completed:
        set_status(document, SIGNED, user, automatic=True, sha256=version_row.content_sha256)
    return SignResult(signature, True, completed)

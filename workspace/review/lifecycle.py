"""Rules for a document's lifecycle, its frozen versions, signatures and decisions sought.

Draft -> Out for agreement -> Agreed -> Signed -> Published as version N, moved on by the
partnership admin. Moving to Agreed freezes the content: a DocumentVersion holds the exact
text and record of agreement as canonical JSON and its SHA-256, which every signature
records. From Agreed until the next version is started the text is locked (the documents
service refuses saves and structure changes). Sending the document back to Draft voids the
signatures; nothing is deleted.

Every step takes the document row's lock first (SELECT ... FOR UPDATE on PostgreSQL; SQLite
write requests begin IMMEDIATE), so two admins, or an admin and a saving officer, cannot both
act on what they read.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from .. import audit
from ..audit import AuditEvent
from ..db import utcnow
from ..documents.models import Document
from ..extensions import db
from ..permissions import is_partnership_admin
from .models import STATUSES, DecisionSought, DocumentVersion, Signature, SupersededFreeze
from .positions import agreement_grid, record_of_agreement, signatories, signatory_for

#: The lifecycle in order (STATUSES keys).
STEPS = list(STATUSES)
#: Statuses from which the admin may send the document back to Draft.
RETURNABLE = frozenset({"out_for_agreement", "agreed", "signed"})
#: Failed signing attempts (wrong password) allowed per user in SIGN_THROTTLE_WINDOW.
MAX_SIGN_FAILURES = 5
SIGN_THROTTLE_WINDOW = timedelta(minutes=15)
#: Decisions sought due within this many days (or overdue) count as "soon" in My tasks.
SOON_DAYS = 30
LONDON = ZoneInfo("Europe/London")


class LifecycleError(Exception):
    """A step that cannot be taken; the message is for the user, nothing was recorded."""

    def __init__(self, message, status=409, field=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def today():
    """Today's date in the UK, for due dates."""
    return datetime.now(LONDON).date()


def status_label(status):
    return STATUSES.get(status, status)


def _lock(document):
    """Re-read the document under a row lock; its status is then safe to act on."""
    db.session.execute(select(Document.id).where(Document.id == document.id)
                       .with_for_update())
    db.session.refresh(document)
    return document


def _check_seen(document, seen):
    """Refuse a form that showed another status: someone else moved the document on."""
    if seen is not None and seen != document.status:
        raise LifecycleError(
            f"The document moved on since you opened this page: it is now "
            f"{status_label(document.status)}. Nothing was changed.", 409)


def _set_status(document, new, user, **detail):
    old = document.status
    document.status = new
    db.session.flush()
    audit.record("document.status_changed", document, actor=user, document=document,
                 old=old, new=new, version=document.version_number, **detail)


# Versions -----------------------------------------------------------------------------------

def versions(document):
    """The document's frozen versions, newest first."""
    return db.session.scalars(select(DocumentVersion)
                              .where(DocumentVersion.document_id == document.id)
                              .order_by(DocumentVersion.number.desc())).all()


def version(document, number):
    return db.session.scalar(select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == number))


def current_version(document):
    """The frozen version being signed or published, or None while the text is open."""
    if document.status not in ("agreed", "signed", "published"):
        return None
    return version(document, document.version_number)


def version_content(version_row):
    """The frozen content as a dict (title, kind, version, sections, record_of_agreement)."""
    return json.loads(version_row.content)


def canonical_content(document):
    """(JSON text, SHA-256) of the document as it stands: the content a signature binds to.

    Live blocks ({{register}} and the like) are bound here: each section's html holds them
    as printed from the data of this moment, and "blocks" holds the same data as values (for
    the Word export), so a frozen version and its signatures cover the pictures it shows.
    """
    from ..documents.service import live_sections, number_sections
    from ..engagement.blocks import Printed
    printed = Printed(document.partnership)
    sections = [{"number": number, "title": s.title, "body": s.body,
                 "html": printed.html(s.html, number),
                 "strategic_matter": bool(s.strategic_matter)}
                for number, s in number_sections(live_sections(document))]
    content = {"title": document.title, "kind": document.kind,
               "version": document.version_number, "sections": sections,
               "record_of_agreement": record_of_agreement(document)}
    if printed.names:
        content["blocks"] = printed.values()
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def superseded_freezes(row):
    """Earlier content of a version that was frozen again after a return to Draft, oldest
    first."""
    return db.session.scalars(select(SupersededFreeze)
                              .where(SupersededFreeze.version_id == row.id)
                              .order_by(SupersededFreeze.id)).all()


def _freeze(document, user, with_exceptions):
    """Write the frozen content of version N (re-freezing it after a return to Draft)."""
    text, sha = canonical_content(document)
    row = version(document, document.version_number)
    now = utcnow()
    if row is None:
        row = DocumentVersion(document_id=document.id, number=document.version_number,
                              content=text, content_sha256=sha, frozen_at=now,
                              agreed_with_exceptions=with_exceptions)
        db.session.add(row)
    else:
        # Version N was frozen before and sent back to Draft: its signatures are void and
        # the old fingerprint stays in them and in the audit log (one row per number).
        previous = row.content_sha256
        if previous != sha:
            # Keep what was frozen (and perhaps signed) before, readable in full.
            db.session.add(SupersededFreeze(
                version_id=row.id, content=row.content, content_sha256=previous,
                frozen_at=row.frozen_at, agreed_with_exceptions=row.agreed_with_exceptions,
                superseded_at=now))
            audit.record("version.refrozen", row, actor=user, document=document,
                         version=row.number, old_sha256=previous, new_sha256=sha)
        row.content, row.content_sha256, row.frozen_at = text, sha, now
        row.agreed_with_exceptions = with_exceptions
    db.session.flush()
    audit.record("version.frozen", row, actor=user, document=document, version=row.number,
                 sha256=sha, agreed_with_exceptions=with_exceptions)
    return row


# Signatures ---------------------------------------------------------------------------------

def signatures(version_row, include_void=False):
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


def signing_state(document):
    """[SigningRow] for every signatory of the document, against the current version."""
    current = {s.organisation_id: s for s in signatures(current_version(document))}
    return [SigningRow(sg, current.get(sg.organisation_id)) for sg in signatories(document)]


def all_signed(document):
    rows = signing_state(document)
    return bool(rows) and all(r.signature is not None for r in rows)


def _valid_signature(version_row, organisation_id):
    return db.session.scalar(select(Signature).where(
        Signature.version_id == version_row.id, Signature.organisation_id == organisation_id,
        Signature.voided_at.is_(None)))


def signature_for(document, organisation_id):
    """The authority's signature that counts on the current version, or None."""
    version_row = current_version(document)
    return None if version_row is None else _valid_signature(version_row, organisation_id)


def sign_refusal(document, user):
    """Why this user cannot sign this document (message, status), or None."""
    if user.role != "member":
        return "Only Members can sign for their authority.", 403
    if signatory_for(document, user.organisation_id) is None:
        return f"{user.organisation.name} is not a signatory of this document.", 403
    if document.status != "agreed":
        return ("This document is not waiting for signatures: it is "
                f"{status_label(document.status)}."), 409
    return None


@dataclass
class SignResult:
    signature: Signature
    created: bool


def _sign_failures(user):
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "signature.failed", AuditEvent.actor_id == user.id,
        AuditEvent.at >= utcnow() - SIGN_THROTTLE_WINDOW))


def sign(document, user, password, signed_name, signed_position):
    """Sign the frozen version for the user's authority, after re-checking their password.

    Signing again for an authority that has signed is harmless: the existing signature is
    returned with created=False. A wrong password records nothing but an audit event.
    """
    refusal = sign_refusal(document, user)
    if refusal and refusal[1] == 403:
        raise LifecycleError(*refusal)
    _lock(document)
    refusal = sign_refusal(document, user)
    if refusal:
        raise LifecycleError(*refusal)
    version_row = current_version(document)
    existing = _valid_signature(version_row, user.organisation_id)
    if existing is not None:
        return SignResult(existing, False)
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
    if _sign_failures(user) >= MAX_SIGN_FAILURES:
        raise LifecycleError("Too many wrong passwords. Wait 15 minutes and try again.", 429,
                             "password")
    if not password or not user.check_password(password):
        audit.record("signature.failed", version_row, actor=user, document=document,
                     version=version_row.number, organisation=user.organisation.name)
        raise LifecycleError("The password is not right. Nothing has been signed.", 422,
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
    from ..export.service import on_signed
    on_signed(document, user)   # the version's PDF gains this authority's digital signature
    return SignResult(signature, True)


# Lifecycle steps ----------------------------------------------------------------------------

def _require_admin(user, document):
    if not is_partnership_admin(user, document.partnership_id):
        raise LifecycleError("Only the partnership admin can move the document on.", 403)


def send_out(document, user, seen=None):
    """Draft -> Out for agreement: Members may now record positions."""
    _require_admin(user, document)
    _lock(document)
    _check_seen(document, seen)
    if document.status != "draft":
        raise LifecycleError("Only a draft can be sent out for agreement.")
    _set_status(document, "out_for_agreement", user)


def agree(document, user, with_exceptions=False, seen=None):
    """Out for agreement -> Agreed, freezing the content as version N.

    Needs a current agreeing position from every in-scope signatory on every strategic
    matter, or the admin's decision that it is agreed except the matters recorded as not
    agreed (allowed only when nothing else is outstanding).
    """
    _require_admin(user, document)
    _lock(document)
    _check_seen(document, seen)
    if document.status != "out_for_agreement":
        raise LifecycleError("Only a document out for agreement can be marked agreed.")
    grid = agreement_grid(document)
    if not grid.cells:
        raise LifecycleError("There is nothing to agree yet: mark the strategic matters and "
                             "name the signatories first.")
    exceptions = False
    if not grid.fully_agreed:
        outstanding = len(grid.outstanding)
        if outstanding:
            raise LifecycleError(
                f"{outstanding} position{'s are' if outstanding != 1 else ' is'} still "
                "outstanding (not given yet, or given on an earlier version of the text). "
                "The document can be marked agreed when every signatory has given a current "
                "position on every strategic matter.")
        if not with_exceptions:
            raise LifecycleError(
                f"{len(grid.not_agreed)} position{'s' if len(grid.not_agreed) != 1 else ''} "
                "recorded as not agreed. To move on, confirm that the document is agreed "
                "except the matters recorded as not agreed.", 422, "with_exceptions")
        exceptions = True
    row = _freeze(document, user, exceptions)
    _set_status(document, "agreed", user, sha256=row.content_sha256,
                agreed_with_exceptions=exceptions)
    return row


def mark_signed(document, user, seen=None):
    """Agreed -> Signed, once every signatory has signed the frozen version."""
    _require_admin(user, document)
    _lock(document)
    _check_seen(document, seen)
    if document.status != "agreed":
        raise LifecycleError("Only an agreed document can be marked signed.")
    missing = [r.signatory.organisation.name for r in signing_state(document)
               if r.signature is None]
    if missing or not signatories(document):
        raise LifecycleError("Still waiting for signatures from: " + ", ".join(missing) + "."
                             if missing else "The document has no signatories.")
    _set_status(document, "signed", user)


def publish(document, user, seen=None):
    """Signed -> Published: version N is dated and readable for ever."""
    _require_admin(user, document)
    _lock(document)
    _check_seen(document, seen)
    if document.status != "signed":
        raise LifecycleError("Only a signed document can be published.")
    row = current_version(document)
    row.published_at = utcnow()
    _set_status(document, "published", user, sha256=row.content_sha256)
    return row


def back_to_draft(document, user, confirmed=False, seen=None):
    """Send the document back to Draft: signatures on version N are voided, text unlocked."""
    _require_admin(user, document)
    _lock(document)
    _check_seen(document, seen)
    if document.status not in RETURNABLE:
        raise LifecycleError("Only a document out for agreement, agreed or signed can be "
                             "sent back to draft.")
    if not confirmed:
        raise LifecycleError("Confirm that you want to send the document back to draft "
                             "(any signatures will no longer count).", 422, "confirm")
    voided = 0
    row = current_version(document)
    now = utcnow()
    for signature in signatures(row):
        signature.voided_at = now
        voided += 1
        audit.record("signature.voided", signature, actor=user, document=document,
                     version=row.number, organisation=signature.organisation.name)
    from ..export.service import on_signatures_voided
    on_signatures_voided(document)
    _set_status(document, "draft", user, voided_signatures=voided)
    return voided


def start_next_version(document, user, seen=None):
    """Published version N -> version N+1 as a draft, continuing from version N's text."""
    _require_admin(user, document)
    _lock(document)
    _check_seen(document, seen)
    if document.status != "published":
        raise LifecycleError("The next version can be started once this one is published.")
    document.version_number += 1
    _set_status(document, "draft", user, started_version=document.version_number)


#: Form value -> step, for the lifecycle view.
MOVES = {"out_for_agreement": send_out, "agreed": agree, "signed": mark_signed,
         "published": publish, "draft": back_to_draft, "next_version": start_next_version}


def move(document, to, user, *, seen=None, with_exceptions=False, confirmed=False):
    """Take the step named by `to` (a MOVES key)."""
    step = MOVES.get(to)
    if step is None:
        raise LifecycleError("Choose a step to take.", 422)
    if step is agree:
        return agree(document, user, with_exceptions=with_exceptions, seen=seen)
    if step is back_to_draft:
        return back_to_draft(document, user, confirmed=confirmed, seen=seen)
    return step(document, user, seen=seen)


# Decisions sought ---------------------------------------------------------------------------

def decisions(document):
    """Decisions the document seeks, by due date."""
    return db.session.scalars(select(DecisionSought)
                              .where(DecisionSought.document_id == document.id)
                              .order_by(DecisionSought.due_date, DecisionSought.id)).all()


def decision_state(decision, on=None):
    """taken, overdue (due date passed, not taken) or upcoming."""
    if decision.taken_at is not None:
        return "taken"
    return "overdue" if decision.due_date < (on or today()) else "upcoming"


def load_decision(document, decision_id):
    decision = db.session.get(DecisionSought, decision_id)
    if decision is None or decision.document_id != document.id:
        return None
    return decision


def _text(value, limit, message, field, required=True):
    value = (value or "").strip()
    if required and not value:
        raise LifecycleError(message, 422, field)
    if limit and len(value) > limit:
        raise LifecycleError(f"Must be {limit} characters or fewer.", 422, field)
    return value


def add_decision(document, user, body, description, due_date):
    """Record that the document seeks a decision from a named body by a date."""
    _require_admin(user, document)
    body = _text(body, 200, "Enter the body whose decision is sought, for example "
                 "JSP Steering Group.", "body")
    description = _text(description, 2000, "", "description", required=False)
    if due_date is None:
        raise LifecycleError("Enter the date of the meeting or decision.", 422, "due_date")
    decision = DecisionSought(document_id=document.id, body=body, description=description,
                              due_date=due_date)
    db.session.add(decision)
    db.session.flush()
    audit.record("decision.added", decision, actor=user, document=document, body=body,
                 due_date=due_date.isoformat())
    return decision


def record_decision(decision, user, taken_at, outcome, minute_ref):
    """Record the decision as taken: its date, outcome and minute reference."""
    _require_admin(user, db.session.get(Document, decision.document_id))
    if taken_at is None:
        raise LifecycleError("Enter the date the decision was taken.", 422, "taken_at")
    if taken_at > today():
        raise LifecycleError("The date the decision was taken cannot be in the future.", 422,
                             "taken_at")
    outcome = _text(outcome, 2000, "Enter the outcome, for example Approved.", "outcome")
    minute_ref = _text(minute_ref, 100, "", "minute_ref", required=False)
    correcting = decision.taken_at is not None
    old = {"taken_at": decision.taken_at.isoformat() if correcting else None,
           "outcome": decision.outcome, "minute_ref": decision.minute_ref}
    decision.taken_at, decision.outcome, decision.minute_ref = taken_at, outcome, minute_ref
    db.session.flush()
    document = db.session.get(Document, decision.document_id)
    audit.record("decision.recorded", decision, actor=user, document=document,
                 body=decision.body, taken_at=taken_at.isoformat(), outcome=outcome,
                 minute_ref=minute_ref, **({"old": old} if correcting else {}))
    return decision

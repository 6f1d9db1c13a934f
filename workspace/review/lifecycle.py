"""A document's lifecycle: Draft -> Out for agreement -> Agreed -> Signed -> Published as
version N, moved on by the partnership admin (the move to Signed is made by the last
signatory's signature).

Moving to Agreed freezes the content (versions.py); Members then sign it (signing.py). From
Agreed until the next version is started the text is locked (the documents service refuses
saves and structure changes). Sending the document back to Draft voids the signatures
(`signatures_voided` tells export to retire the version's files); nothing is deleted. Every
step takes the document row's lock first (guards.py).

The names of the versions, signing and decisions modules are importable from here as well
(`lifecycle.sign`, `lifecycle.current_version` ...), as views and tests use them.
"""
from __future__ import annotations

from .. import audit, signals
from ..accounts.models import User
from ..clock import today, utcnow  # noqa: F401  (lifecycle.today, as tests use it)
from ..documents import completeness
from ..documents.models import (
    AGREED,
    DRAFT,
    OUT_FOR_AGREEMENT,
    PUBLISHED,
    SIGNED,
    Document,
)
from .agreement import agreement_grid
from .decisions import (  # noqa: F401  (importable from here)
    SOON_DAYS,
    add_decision,
    decision_state,
    decisions,
    load_decision,
    record_decision,
)
from .errors import LifecycleError
from .guards import check_seen, lock, require_admin, set_status, status_label  # noqa: F401
from .models import STATUSES, DocumentVersion
from .scope import signatories
from .signing import (  # noqa: F401  (importable from here)
    MAX_SIGN_FAILURES,
    SIGN_THROTTLE_WINDOW,
    Reservation,
    SigningRow,
    SignResult,
    all_signed,
    reservations,
    sign,
    sign_refusal,
    signature_for,
    signatures,
    signing_state,
)
from .versions import (  # noqa: F401  (importable from here)
    canonical_content,
    current_version,
    freeze,
    superseded_freezes,
    version,
    version_content,
    versions,
)

#: The lifecycle in order (STATUSES keys).
STEPS = list(STATUSES)
#: Statuses from which the admin may send the document back to Draft.
#: Longest reason to send a document out with gaps.
MAX_REASON = 2000


# Lifecycle steps ----------------------------------------------------------------------------

def send_out(document: Document, user: User, seen: str | None = None,
             reason: str | None = None) -> None:
    """Draft -> Out for agreement: Members may now record positions.

    A document with gaps in its completeness check goes out only with the admin's `reason`
    to proceed, which is stored on the document, audited and shown on the lifecycle page.
    """
    require_admin(user, document)
    lock(document)
    check_seen(document, seen)
    if not document.is_draft:
        raise LifecycleError("Only a draft can be sent out for agreement.")
    found = completeness.check(document)
    gaps = len(found.gaps) if found else 0
    reason = (reason or "").strip()
    if gaps and not reason:
        raise LifecycleError(
            f"The document has {gaps} gap{'s' if gaps != 1 else ''} in its completeness "
            "check. Fill them, or give the reason to send it out for agreement with them.",
            422, "proceed_reason")
    if gaps and len(reason) > MAX_REASON:
        raise LifecycleError(f"The reason must be {MAX_REASON} characters or fewer.", 422,
                             "proceed_reason")
    document.proceed_gaps = gaps or None
    document.proceed_reason = reason if gaps else None
    document.proceed_by_id = user.id if gaps else None
    document.proceed_at = utcnow() if gaps else None
    if gaps:
        set_status(document, OUT_FOR_AGREEMENT, user, gaps=gaps, proceed_reason=reason)
    else:
        set_status(document, OUT_FOR_AGREEMENT, user)
    signals.document_sent_out.send(document, by=user)


def agree(document: Document, user: User, with_exceptions: bool = False,
          seen: str | None = None) -> DocumentVersion:
    """Out for agreement -> Agreed, freezing the content as version N.

    Needs a current agreeing position from every in-scope signatory on every strategic
    matter, or the admin's decision that it is agreed except the matters recorded as not
    agreed (allowed only when nothing else is outstanding).
    """
    require_admin(user, document)
    lock(document)
    check_seen(document, seen)
    if not document.is_out_for_agreement:
        raise LifecycleError("Only a document out for agreement can be marked agreed.")
    blockers = agreement_blockers(document)
    if blockers:
        raise LifecycleError(" ".join(blockers))
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
    row = freeze(document, user, exceptions)
    set_status(document, AGREED, user, sha256=row.content_sha256,
                agreed_with_exceptions=exceptions)
    return row


def mark_signed(document: Document, user: User, seen: str | None = None) -> None:
    """Agreed -> Signed by hand, once every signatory has signed the frozen version.

    The last signature moves the document on by itself (signing.sign); this step remains
    for an agreed document whose signatures were all given before that was so. Asked of a
    document the last signature has already moved on, it does nothing."""
    require_admin(user, document)
    lock(document)
    check_seen(document, seen)
    if document.is_signed:
        return
    if not document.is_agreed:
        raise LifecycleError("Only an agreed document can be marked signed.")
    missing = [r.signatory.organisation.name for r in signing_state(document)
               if r.signature is None]
    if missing or not signatories(document):
        raise LifecycleError("Still waiting for signatures from: " + ", ".join(missing) + "."
                             if missing else "The document has no signatories.")
    set_status(document, SIGNED, user)


def agreement_blockers(document: Document) -> list[str]:
    """What stands in the way of marking the document agreed besides the positions (reasons
    for people, from the areas that answer `agreement_blockers`: suggestions still open)."""
    return [reason for _receiver, answer in signals.agreement_blockers.send(document)
            for reason in (answer or [])]


def publication_blockers(document: Document) -> list[str]:
    """What stands in the way of publishing the current version (reasons for people, from
    the areas that answer `publication_blockers`, such as a signed PDF still being made)."""
    row = current_version(document)
    if row is None:
        return []
    return [reason for _receiver, answer in
            signals.publication_blockers.send(document, version=row)
            for reason in (answer or [])]


def publish(document: Document, user: User, seen: str | None = None,
            fingerprint: str | None = None) -> DocumentVersion:
    """Signed -> Published: version N is dated and readable for ever.

    `fingerprint`, when given, is the SHA-256 the admin confirmed: other content is refused.
    Refused (409) while anything stands in the way (`publication_blockers`)."""
    require_admin(user, document)
    lock(document)
    check_seen(document, seen)
    if not document.is_signed:
        raise LifecycleError("Only a signed document can be published.")
    row = current_version(document)
    if fingerprint is not None and fingerprint != row.content_sha256:
        raise LifecycleError(f"Version {row.number} is not the content you confirmed. "
                             "Nothing was published: check it again.", 409)
    blockers = publication_blockers(document)
    if blockers:
        raise LifecycleError(f"Version {row.number} cannot be published yet. "
                             + " ".join(blockers), 409)
    row.published_at = utcnow()
    set_status(document, PUBLISHED, user, sha256=row.content_sha256)
    signals.version_published.send(document, version=row, by=user)
    return row


def back_to_draft(document: Document, user: User, confirmed: bool = False,
                  seen: str | None = None) -> int:
    """Send the document back to Draft: signatures on version N are voided, text unlocked."""
    require_admin(user, document)
    lock(document)
    check_seen(document, seen)
    if not document.can_return_to_draft:
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
    signals.signatures_voided.send(document, version=row, by=user, count=voided)
    set_status(document, DRAFT, user, voided_signatures=voided)
    return voided


def start_next_version(document: Document, user: User, seen: str | None = None) -> None:
    """Published version N -> version N+1 as a draft, continuing from version N's text."""
    require_admin(user, document)
    lock(document)
    check_seen(document, seen)
    if not document.is_published:
        raise LifecycleError("The next version can be started once this one is published.")
    document.version_number += 1
    set_status(document, DRAFT, user, started_version=document.version_number)


#: Form value -> step, for the lifecycle view.
MOVES = {OUT_FOR_AGREEMENT: send_out, AGREED: agree, SIGNED: mark_signed,
         PUBLISHED: publish, DRAFT: back_to_draft, "next_version": start_next_version}


def move(document: Document, to: str, user: User, *, seen: str | None = None,
         with_exceptions: bool = False, confirmed: bool = False,
         reason: str | None = None, fingerprint: str | None = None,
         ) -> DocumentVersion | int | None:
    """Take the step named by `to` (a MOVES key). Publishing and a return to Draft need
    `confirmed` (the admin ticked the confirmation)."""
    step = MOVES.get(to)
    if step is None:
        raise LifecycleError("Choose a step to take.", 422)
    if step is send_out:
        return send_out(document, user, seen=seen, reason=reason)
    if step is agree:
        return agree(document, user, with_exceptions=with_exceptions, seen=seen)
    if step is back_to_draft:
        return back_to_draft(document, user, confirmed=confirmed, seen=seen)
    if step is publish:
        if not confirmed:
            require_admin(user, document)
            check_seen(document, seen)
            if not document.is_signed:      # nothing to confirm: say why, not "confirm"
                raise LifecycleError("Only a signed document can be published.")
            raise LifecycleError("Confirm that you want to publish this version: it will be "
                                 "public and permanent.", 422, "confirm")
        return publish(document, user, seen=seen, fingerprint=fingerprint)
    return step(document, user, seen=seen)

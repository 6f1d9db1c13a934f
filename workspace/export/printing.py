"""What a PDF prints besides the document's content: the cover's status, the running header,
the signature page; and the state of the signatures a rendering depends on.

A version's PDF names, under each authority, who signed, in what capacity and when (the
recorded signatures), and its cover says when it was agreed, signed and published. So its
rendering depends on more than the content fingerprint: `rendering_state` says on what, and a
stored rendering (PdfExport) whose state differs from the version's is made again by a job.
"""
from __future__ import annotations

from datetime import UTC

from .. import clock
from ..clock import utcnow
from ..documents.models import Document
from ..review import signing
from ..review.models import DocumentVersion
from ..review.scope import signatories
from .keys import signing_key_for

#: Bumped when what a rendering prints changes shape: stored renderings of an older layout
#: are made again when next asked for.
LAYOUT = 2
#: How the time an authority signed is printed (UK time), e.g. 2 July 2026 00:30 BST.
SIGNED_AT = "%-d %B %Y %H:%M %Z"


def ordered_signatures(row: DocumentVersion | None) -> list:
    """The version's signatures in the order they were given (the order they go in a PDF)."""
    return sorted(signing.signatures(row), key=lambda s: (s.signed_at, s.id)) if row else []


def rendering_state(row: DocumentVersion | None, agreed: bool) -> dict:
    """What a rendering of the version prints besides its content: the signatures it names
    (ids, in signing order), those it carries as digital signatures (their authority holds a
    key), and the publication date. A draft's is the layout alone."""
    if row is None or not agreed:
        return {"layout": LAYOUT}
    given = ordered_signatures(row)
    return {"layout": LAYOUT, "printed": [s.id for s in given],
            "digital": [s.id for s in given if signing_key_for(s.organisation_id)],
            "published": row.published_at.isoformat() if row.published_at else None}


def signature_blocks(document: Document, row: DocumentVersion | None) -> list[dict]:
    """One block per signatory authority: who signed, in what capacity and when (UK time),
    whether digitally; or unsigned (a wet-ink signature may go there)."""
    given = {s.organisation_id: s for s in signing.signatures(row)} if row else {}
    blocks = []
    for signatory in signatories(document):
        sig = given.get(signatory.organisation_id)
        blocks.append({
            "organisation": signatory.organisation.name, "code": signatory.organisation.code,
            "signed": sig is not None,
            "digital": sig is not None and signing_key_for(sig.organisation_id) is not None,
            "name": sig.signed_name if sig else "",
            "position": sig.signed_position if sig else "",
            "date": clock.display(sig.signed_at, clock.DATE) if sig else "",
            "when": clock.display(sig.signed_at, SIGNED_AT) if sig else ""})
    return blocks


def _status(row, agreed, blocks):
    """(status line, date line) of the cover: Draft, Agreed on, Signed on ... and published
    on ..."""
    if row is None or not agreed:
        return "Draft", clock.display(utcnow(), clock.DATE)
    agreed_on = clock.display(row.frozen_at, clock.DATE)
    given = ordered_signatures(row)
    signed_on = clock.display(given[-1].signed_at, clock.DATE) \
        if given and all(b["signed"] for b in blocks) else None
    status = f"Signed on {signed_on}" if signed_on else f"Agreed on {agreed_on}"
    if row.published_at:
        published_on = clock.display(row.published_at, clock.DATE)
        return f"{status} and published on {published_on}", published_on
    return status, signed_on or agreed_on


def print_context(document: Document, content: dict, fingerprint: str,
                  row: DocumentVersion | None, agreed: bool) -> dict:
    """The context of templates/export/print.html for a version (or the draft); its "state"
    is what the rendering depends on besides the content (`rendering_state`)."""
    partnership = document.partnership
    parties = [s.organisation.name for s in signatories(document)] or \
        [o.name for o in partnership.organisations]
    blocks = signature_blocks(document, row) if agreed else []
    status, when = _status(row, agreed, blocks)
    given = ordered_signatures(row) if agreed else []
    return {"document": document, "partnership": partnership, "content": content,
            "fingerprint": fingerprint, "draft": not agreed, "status_label": status,
            "date": when, "parties": parties, "signature_blocks": blocks,
            "all_signed": bool(blocks) and all(b["signed"] for b in blocks),
            "any_digital": any(b["digital"] for b in blocks),
            "state": rendering_state(row, agreed), "signed_count": len(given)}


def signing_time(signed_at):
    """A recorded (naive UTC) signing time as the aware time a CMS signature carries."""
    return signed_at.replace(tzinfo=UTC) if signed_at.tzinfo is None else signed_at

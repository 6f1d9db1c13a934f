"""The kinds of notification: a small registry, so a new capability adds its own.

    register(Kind("suggestion_made", "Suggestions on sections you edited",
                  "When someone suggests a change to a section you wrote."))

Each kind has a label and a description for the preferences page, and the way its e-mails go
unless the user chooses otherwise (`default_mode`). A notification carries its own what (the
title), where (the link) and why (the reason), so the e-mail text is built the same way for
every kind (email.py); `heading` names the kind's group in an e-mail that holds several.
"""
from __future__ import annotations

from dataclasses import dataclass

from .models import DIGEST, IMMEDIATE, MODES


@dataclass(frozen=True)
class Kind:
    name: str
    #: The preference's label, e.g. "Positions your authority owes".
    label: str
    #: When it is sent, for the preferences page.
    description: str
    default_mode: str = IMMEDIATE
    #: The group heading in an e-mail holding several kinds.
    heading: str = ""

    def __post_init__(self):
        if self.default_mode not in MODES:
            raise ValueError(f"default_mode must be one of {MODES}")


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind (a second registration of a name replaces the first)."""
    _kinds[kind.name] = kind
    return kind


def get(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No notification kind {name!r} is registered.") from None


def all_kinds() -> list[Kind]:
    """Every kind, in the order registered (the preferences page's order)."""
    return list(_kinds.values())


POSITION_OWED = register(Kind(
    "position_owed", "Positions your authority owes",
    "When a document goes out for agreement and your authority signs it (Members).",
    heading="Positions your authority owes"))
POSITION_STALE = register(Kind(
    "position_stale", "Changes to sections your authority gave a position on",
    "When the text of a section changes after your authority recorded its position, so the "
    "position has to be given again (Members).",
    heading="Sections changed since your authority's position"))
SIGNATURE_READY = register(Kind(
    "signature_ready", "Versions ready for your signature",
    "When a document your authority signs is agreed and its version is ready to sign "
    "(Members).", heading="Ready for signature"))
COMMENT_REPLY = register(Kind(
    "comment_reply", "Replies to your comments",
    "When someone replies in a comment thread you started or replied in.",
    heading="Replies to your comments"))
DECISION_DUE = register(Kind(
    "decision_due", "Decisions sought that are due soon or overdue",
    "When a decision a document seeks is due within seven days, and again if it becomes "
    "overdue (partnership admins).", default_mode=DIGEST,
    heading="Decisions sought"))
SIGNING_FAILED = register(Kind(
    "signing_failed", "Problems adding your signature to a PDF",
    "When your digital signature could not be added to the signed PDF after several tries, "
    "so you or a partnership admin can try again (Members).",
    heading="Signatures not yet in the PDF"))
SUGGESTION_MADE = register(Kind(
    "suggestion_made", "Suggested changes to sections your authority gave a position on",
    "When someone suggests a change to a strategic matter on which your authority has "
    "recorded a position (Members).", heading="Suggested changes"))
SUGGESTION_DECIDED = register(Kind(
    "suggestion_decided", "Decisions on your suggestions",
    "When a change you suggested is accepted or rejected.",
    heading="Decisions on your suggestions"))
SUGGESTION_COMMENT = register(Kind(
    "suggestion_comment", "Comments on your suggestions",
    "When someone comments on a change you suggested.",
    heading="Comments on your suggestions"))
ACTION_DUE = register(Kind(
    "action_due", "Agreed actions your authority leads that are due soon",
    "When an open action your authority leads is due within seven days (officers).",
    heading="Agreed actions due soon"))
ACTION_OVERDUE = register(Kind(
    "action_overdue", "Agreed actions your authority leads that are overdue",
    "When an open action your authority leads passes its due date (officers).",
    heading="Agreed actions overdue"))

"""What the document page tells each reader to do: the "Your actions" line at the top, each
strategic matter's one-line summary of positions, and each section's status in the contents.

Everything here is computed from the review context the page has already loaded
(review.context.section_review_context): no query per section. A Member's signature on an
agreed document is the one thing asked afresh (one query, whatever the section count).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from ..documents.views import bp
from ..permissions import can
from ..review import signing

#: The summary's parts in order: (states counted, words).
SUMMARY_PARTS = (({"agreed"}, "agreed"), ({"reservations"}, "with reservations"),
                 ({"not_agreed"}, "not agreed"), ({"stale"}, "to re-confirm"),
                 ({"missing"}, "with no position yet"))

#: The partnership admin's next step at each lifecycle status.
NEXT_STEPS = {
    "draft": "Next step: send the document out for agreement",
    "out_for_agreement": "Next step: mark the document as agreed when the positions are in",
    "agreed": "Next step: the signatories sign; then publish",
    "signed": "Next step: publish the signed version",
    "published": "Published: start the next version when it is needed",
}


@dataclass
class Action:
    """One thing the reader should do: a sentence and the link that does it."""
    text: str
    link_text: str
    url: str
    #: Words after the link text for screen readers only (the link's purpose out of context).
    hidden: str = ""


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 matter', '2 matters'."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


@bp.app_template_filter("position_summary")
def position_summary(cells) -> str:
    """'4 agreed · 1 with reservations · 1 not agreed · 1 outstanding' for a matter's cells
    (states with none are left out)."""
    parts = []
    for states, words in SUMMARY_PARTS:
        n = sum(1 for c in cells if c.state in states)
        if n:
            parts.append(f"{n} {words}")
    return " · ".join(parts) or "No signatories"


@bp.app_template_filter("thread_summary")
def thread_summary(entry) -> str:
    """'3 comments, 1 open thread' for one section's comment context entry."""
    threads = entry.get("threads", []) if entry else []
    total = sum(1 + len(t.replies) for t in threads)
    open_ = entry.get("open", 0) if entry else 0
    return f"{plural(total, 'comment')}, {plural(open_, 'open thread')}"


def outstanding(review, section_id: int) -> int:
    """Positions still outstanding on one strategic matter (0 off a matter)."""
    pos = (review or {}).get("positions", {}).get(section_id)
    return sum(1 for c in pos.cells if c.outstanding) if pos else 0


@bp.app_template_global()
def section_status(review, section_id: int) -> dict:
    """{"comments": open threads, "suggestions": open suggestions, "positions": outstanding}
    for the contents list."""
    review = review or {}
    comments = review.get("comments") or {}
    suggestions = (review.get("suggestions") or {}).get("counts", {})
    return {"comments": comments.get(section_id, {}).get("open", 0),
            "suggestions": suggestions.get(section_id, 0),
            "positions": outstanding(review, section_id)}


def your_actions(partnership, document, review, user) -> list[Action]:
    """What the signed-in reader should do on this document now, for their role: a Member,
    the positions their authority owes (and its signature once agreed); an officer, the open
    suggestions and comment threads; a partnership admin, the lifecycle's next step; a
    viewer, nothing."""
    review = review or {}
    args = {"slug": partnership.slug, "document_id": document.id}
    actions = []
    if getattr(user, "role", None) == "member":
        actions += _member_actions(document, review, user, args)
    if can("edit"):
        actions += _officer_actions(document, review, args)
    if can("manage"):
        step = NEXT_STEPS.get(document.status)
        owed = sum(outstanding(review, sid) for sid in review.get("positions") or {})
        if step and document.is_out_for_agreement and owed:
            step += f" ({plural(owed, 'position')} outstanding)"
        if step:
            actions.append(Action(step, "Lifecycle and versions",
                                  url_for("review.lifecycle", **args),
                                  hidden=f" of {document.title}"))
    return actions


def _member_actions(document, review, user, args):
    org = user.organisation.name
    positions = review.get("positions") or {}
    if document.is_out_for_agreement:
        owed = sum(1 for p in positions.values() if p.own is not None and p.own.outstanding)
        if owed:
            return [Action(f"{org} owes positions on {plural(owed, 'matter')}", "Review",
                           url_for("review.review_queue", **args),
                           hidden=" the matters one at a time")]
        if any(p.own is not None for p in positions.values()):
            return [Action(f"{org} has a current position on every matter it signs for",
                           "", "")]
    elif document.is_agreed and signing.sign_refusal(document, user) is None \
            and signing.signature_for(document, user.organisation_id) is None:
        return [Action(f"The document is agreed: {org} has not signed it yet", "Sign",
                       url_for("review.sign", **args), hidden=f" for {org}")]
    return []


def _officer_actions(document, review, args):
    suggested = sum(((review.get("suggestions") or {}).get("counts") or {}).values())
    open_threads = sum(e.get("open", 0) for e in (review.get("comments") or {}).values())
    actions = []
    if suggested:
        actions.append(Action(
            f"{plural(suggested, 'open suggestion')} waiting", "Show those sections",
            url_for("documents.show", filter="suggestions", **args),
            hidden=" (sections with open suggestions)"))
    if open_threads:
        actions.append(Action(
            f"{plural(open_threads, 'open comment thread')} waiting", "Show those sections",
            url_for("documents.show", filter="open-comments", **args),
            hidden=" (sections with open comments)"))
    return actions

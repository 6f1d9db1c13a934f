"""What the document page shows of review beside each section, loaded in a fixed number of
queries however many sections there are."""
from ..signals import section_extras
from .comments import comment_context
from .positions import position_context


def section_review_context(document, sections, user):
    """{"comments": {...}, "positions": {...}} for the given (number, section) pairs, and what
    other areas add through the section_extras signal (suggestions)."""
    live = [s for _, s in sections]
    section_ids = [s.id for s in live]
    context = {"comments": comment_context(document, section_ids, user),
               "positions": position_context(document, section_ids, user, sections=live)}
    context.update(other_areas(document, live, user))
    return context


def other_areas(document, sections, user):
    """What other areas add beside these sections (section_extras: suggestions)."""
    extras = {}
    for _receiver, extra in section_extras.send(document, sections=sections, user=user):
        extras.update(extra or {})
    return extras

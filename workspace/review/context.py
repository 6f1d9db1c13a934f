"""What the document page shows of review beside each section, loaded in a fixed number of
queries however many sections there are."""
from .comments import comment_context
from .positions import position_context


def section_review_context(document, sections, user):
    """{"comments": {...}, "positions": {...}} for the given (number, section) pairs."""
    live = [s for _, s in sections]
    section_ids = [s.id for s in live]
    return {"comments": comment_context(document, section_ids, user),
            "positions": position_context(document, section_ids, user, sections=live)}

"""Rules for comments and replies on sections."""


def comment_context(document, section_ids, user):
    """{section id: comment threads and counts} for the document page."""
    return {}

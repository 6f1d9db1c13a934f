"""Rules for positions, signatory scope and the record of agreement."""


def position_context(document, section_ids, user):
    """{section id: current positions and what the user may record} for the document page."""
    return {}

"""Suggested changes to a section, credited to their author and authority, accepted (as a
revision, through the same merge as a save) or rejected with a reason."""


def register(app):
    """Show suggestions beside each section (the section_extras signal), in the section
    history and My tasks, and name the revisions accepting them wrote."""
    from . import context, listings
    context.connect()
    listings.connect()

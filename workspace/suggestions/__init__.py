"""Suggested changes to a section, credited to their author and authority, accepted (as a
revision, through the same merge as a save) or rejected with a reason."""


def register(app):
    """Show suggestions beside each section (the section_extras signal)."""
    from .context import connect
    connect()

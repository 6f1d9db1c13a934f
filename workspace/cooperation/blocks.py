"""The `{{cooperation}}` live block: the cooperation activity table."""


def register(app):
    """Register the block (not yet)."""

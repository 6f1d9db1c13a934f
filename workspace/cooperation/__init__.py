"""The record of cooperation: the partnership's meetings (attendees by authority, the
strategic matters discussed, each authority's stated position on them), the actions agreed
with a lead authority, and the cooperation activity table drawn from them."""


def register(app):
    """Listen to other areas' signals (My tasks, reminders) and register the
    `{{cooperation}}` live block."""
    from . import blocks, tasks
    tasks.connect()
    blocks.register(app)

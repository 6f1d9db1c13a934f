"""The record of cooperation in My tasks and the header count (task_extras, task_counts)."""


def connect():
    """Connect the receivers (none yet)."""

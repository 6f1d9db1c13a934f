"""What the engagement forms and the CSV import share when checking values: the refusal that
names every problem by field, and matching a choice by its key or its label."""


class Invalid(Exception):
    """Values that break a rule: {field: message}, and the values as entered."""

    def __init__(self, errors, values):
        super().__init__("invalid")
        self.errors = errors
        self.values = values


def choice(value, options):
    """The key of options matching value by key or label (case-insensitive), else None."""
    value = (value or "").strip().lower()
    for key, label in options.items():
        if value in (key, label.lower()):
            return key
    return None

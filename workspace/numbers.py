"""Whole numbers as people and pages send them: ids, counts, the parts of a date.

`str.isdigit()` is true of "²" and other characters `int()` refuses, and `int()` takes numbers
no database integer holds (PostgreSQL refuses to compare them, SQLite overflows: a 500 either
way). A number read from a request, a form, a CSV cell or an imported file goes through
`whole_number`: ASCII digits only, no more than a maximum.
"""
#: The largest database integer (PostgreSQL's `integer`: every id).
MAX_ID = 2**31 - 1


def whole_number(value, maximum: int = MAX_ID) -> int | None:
    """The whole number 0..`maximum` that `value` is or spells in ASCII digits (spaces around
    it allowed), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= maximum else None
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 20 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= maximum else None

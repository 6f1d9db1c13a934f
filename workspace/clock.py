"""One clock and one time zone.

The database keeps every timestamp as naive UTC (`utcnow`). People read dates and times in
UK time: pages, PDF and Word exports, emails all print them with `display`, and "today"
(due dates, the engagement timeline, file names) is today in the UK (`today`).
"""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: The time zone every date a person reads is in.
UK = ZoneInfo("Europe/London")
#: How a date is printed for a person, e.g. 2 July 2026.
DATE = "%-d %B %Y"
#: How a date and time are printed on a page, e.g. 2 Jul 2026, 00:30.
DATE_TIME = "%-d %b %Y, %H:%M"


def utcnow() -> datetime:
    """Naive UTC now: every timestamp in the database is UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in the UK (due dates, the engagement timeline, file names)."""
    return datetime.now(UK).date()


def in_uk(value: datetime) -> datetime:
    """A naive UTC timestamp from the database (or an aware one) as UK time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UK)


def display(value, fmt: str = DATE_TIME) -> str:
    """A date or time as a person reads it: timestamps (datetimes, or ISO text as frozen
    content keeps them) in UK time; a plain date as it is. "" for None or ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = in_uk(value)
    return value.strftime(fmt)

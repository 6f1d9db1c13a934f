"""The position form and the signatory scope form: what was typed, parsed, with messages.

Both are plain objects rather than WTForms classes: the document page shows one position
form per strategic matter, each with its own element ids, and the scope form has a group of
fields per partner organisation. CSRF is checked for every POST by CSRFProtect.
The rules themselves are in positions.py; here is only turning text into values.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from .positions import ScopeRow

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


def parse_date(text):
    """A date from <input type=date> (YYYY-MM-DD) or as typed in a browser without one."""
    text = " ".join((text or "").split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass
class PositionForm:
    """A Member's position form, as typed; `errors` maps a field to its message."""
    section_id: int
    stance: str = ""
    reason: str = ""
    route: str = ""
    route_body: str = ""
    meeting_date: str = ""
    minute_ref: str = ""
    seen_version: str = ""
    errors: dict = field(default_factory=dict)
    #: A message about the whole form (the section changed): shown above it.
    problem: str = ""
    #: The version the Member had read, when the section changed since: for a diff link.
    read_version: int | None = None

    @classmethod
    def blank(cls, section):
        return cls(section_id=section.id, seen_version=str(section.version))

    @classmethod
    def from_request(cls, section, formdata):
        return cls(section_id=section.id,
                   **{name: formdata.get(name, "") for name in (
                       "stance", "reason", "route", "route_body", "meeting_date",
                       "minute_ref", "seen_version")})

    def values(self):
        """Keyword arguments for record_position; fills `errors` with what cannot be read."""
        meeting_date = None
        if self.meeting_date.strip():
            try:
                meeting_date = parse_date(self.meeting_date)
            except ValueError:
                self.errors["meeting_date"] = ("Enter the meeting date as a real date, for "
                                               "example 13/10/2026.")
            else:
                if not date(1990, 1, 1) <= meeting_date <= date(2100, 12, 31):
                    self.errors["meeting_date"] = "Enter a meeting date between 1990 and 2100."
        try:
            seen_version = int(self.seen_version)
        except (TypeError, ValueError):
            seen_version = 0          # no version read: treated as a stale form
        return {"stance": self.stance, "reason": self.reason, "route": self.route or None,
                "route_body": self.route_body, "meeting_date": meeting_date,
                "minute_ref": self.minute_ref, "seen_version": seen_version}

    @property
    def error_list(self):
        """[(field, message)] in the order the fields appear."""
        order = ("stance", "reason", "route", "route_body", "meeting_date", "minute_ref")
        return [(name, self.errors[name]) for name in order if name in self.errors]


def scope_rows_from_request(partnership, formdata):
    """[ScopeRow] for every partner organisation from the scope form as posted."""
    rows = []
    for organisation in partnership.organisations:
        ids = set()
        for value in formdata.getlist(f"matters-{organisation.id}"):
            if value.isdigit():
                ids.add(int(value))
        scope = formdata.get(f"scope-{organisation.id}", "")
        rows.append(ScopeRow(organisation, scope, ids))
    return rows

"""The meeting form: what was typed, kept as typed, with messages on its fields.

Attendees and stated positions are repeated rows (attendees-0-role, positions-1-stance...):
a few blank rows, and "Add another" buttons that post the form back with one more row, so
it works without JavaScript. Blank rows are ignored. The rules are in meetings.py; a
CooperationError's field names the row among those filled in, which `add_error` maps back
to the row on screen.
"""
from types import SimpleNamespace as Row

from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from ..forms_dates import DatePartsField
from ..numbers import whole_number
from .models import MEETING_KINDS, STATED_STANCES

#: Blank rows offered on a new form.
BLANK_ATTENDEES = 3
BLANK_POSITIONS = 2


def _select(label, description=None):
    return SelectField(label, choices=[], validate_choice=False, description=description)


class AttendeeRow(Form):
    organisation_id = _select("Authority")
    role = StringField("Role", description="For example, Head of Planning")
    person = StringField("Name (optional)")

    def is_blank(self):
        return not any((self.organisation_id.data, (self.role.data or "").strip(),
                        (self.person.data or "").strip()))


class PositionRow(Form):
    organisation_id = _select("Authority")
    matter_id = _select("Strategic matter", description="One of the matters discussed")
    stance = _select("Stance (optional)")
    statement = TextAreaField("What the authority said")

    def is_blank(self):
        return not any((self.organisation_id.data, self.matter_id.data, self.stance.data,
                        (self.statement.data or "").strip()))


class MeetingForm(FlaskForm):
    held_on = DatePartsField("Date of the meeting", name_in_messages="meeting date",
                             required=True, description="For example, 23 1 2026")
    kind = _select("Kind of meeting")
    body_id = _select("Body that met (optional)",
                      description="One of the partnership's own bodies, if it was one")
    title = StringField("Title", description="For example, Joint Strategic Plan workshop")
    attendees = FieldList(FormField(AttendeeRow), min_entries=BLANK_ATTENDEES)
    matter_ids = SelectMultipleField("Strategic matters discussed", choices=[],
                                     validate_choice=False)
    positions = FieldList(FormField(PositionRow), min_entries=BLANK_POSITIONS)
    notes = TextAreaField("Notes", description="You can use Markdown: **bold**, lists with "
                                               "-, links as [text](https://...)")
    outcome = TextAreaField("Outcome", description="What was agreed or decided, in a line or "
                                                   "two")

    #: Messages about rows or the whole form: [(anchor id, message)] for the error summary.
    problems = ()
    #: The id of the row just added by "Add another ...", where the page lands.
    new_row = None

    def offer(self, partners, matters, bodies):
        """Set the choices: the active partners, the strategic matters that may be
        discussed, the partnership's bodies. Called again after a row is added."""
        authorities = [SelectChoice("", "Choose an authority"),
                       *(SelectChoice(str(o.id), o.name) for o in partners)]
        matter_choices = [SelectChoice(str(m.id), m.label) for m in matters]
        self.kind.choices = [SelectChoice("", "Choose the kind of meeting"),
                             *(SelectChoice(k, v) for k, v in MEETING_KINDS.items())]
        self.body_id.choices = [SelectChoice("", "None of them"),
                                *(SelectChoice(str(b.id), b.label) for b in bodies)]
        self.matter_ids.choices = matter_choices
        for row in self.attendees:
            row.form.organisation_id.choices = authorities
        for row in self.positions:
            row.form.organisation_id.choices = authorities
            row.form.matter_id.choices = [SelectChoice("", "Choose a matter"), *matter_choices]
            row.form.stance.choices = [SelectChoice("", "Not given"),
                                       *(SelectChoice(k, v) for k, v in STATED_STANCES.items())]
        self._offered = (partners, matters, bodies)
        return self

    def add_row(self, which):
        """One more blank row of attendees or positions; returns its index."""
        rows = self.attendees if which == "attendee" else self.positions
        rows.append_entry()
        self.offer(*self._offered)
        return len(rows) - 1

    def _filled(self, rows):
        return [entry for entry in rows if not entry.form.is_blank()]

    def values(self):
        """Keyword arguments for record_meeting / correct_meeting (blank rows left out)."""
        self._attendees, self._positions = self._filled(self.attendees), \
            self._filled(self.positions)
        return {
            "held_on": None if self.held_on.errors else self.held_on.data,
            "kind": self.kind.data or "", "body_id": self.body_id.data or None,
            "title": self.title.data or "", "notes": self.notes.data or "",
            "outcome": self.outcome.data or "",
            "attendees": [(e.form.organisation_id.data, e.form.role.data, e.form.person.data)
                          for e in self._attendees],
            "matter_ids": [v for v in self.matter_ids.data or () if v],
            "positions": [(e.form.organisation_id.data, e.form.matter_id.data,
                           e.form.statement.data, e.form.stance.data or None)
                          for e in self._positions],
        }

    def date_problems(self):
        """The date's own messages (not a date, no month...), for the error summary."""
        return [(f"{self.held_on.id}-{self.held_on.anchor}", m) for m in self.held_on.errors]

    def add_error(self, name, message):
        """Put a service message on its field ("title", "attendees-1-role"...) and in the
        summary; a row index counts the filled rows, as values() passed them."""
        parts = (name or "").split("-", 2)
        target, anchor = None, None
        index = whole_number(parts[1]) if len(parts) == 3 else None
        if index is not None and parts[0] in ("attendees", "positions"):
            filled = self._attendees if parts[0] == "attendees" else self._positions
            entry = filled[index] if index < len(filled) else (
                (self.attendees if parts[0] == "attendees" else self.positions).entries[0])
            target = entry.form[parts[2]]
        elif name in ("kind", "body_id", "title", "notes", "outcome", "matter_ids"):
            target = self[name]
        elif name == "held_on":
            target = self.held_on
            anchor = f"{self.held_on.id}-day"
        elif name and name in self:
            target = self[name]
        if target is not None:
            target.errors = [*list(target.errors or []), message]
            if anchor is None:
                anchor = target.id if name != "matter_ids" else \
                    f"{target.id}-{target.choices[0].value}" if target.choices else target.id
        self.problems = [*self.problems, (anchor or "main-content", message)]


class CorrectionForm(MeetingForm):
    expected_version = HiddenField()
    reason = TextAreaField("Why are you correcting the record?",
                           description="For example, Dacorum's attendee was left out. It is "
                                       "kept in the meeting's history.")


def meeting_form(partners, matters, bodies, meeting=None, correcting=False, posted=False):
    """The form as posted (`posted`), filled from a meeting, or blank, with its choices."""
    cls = CorrectionForm if correcting else MeetingForm
    if posted:
        return cls().offer(partners, matters, bodies)
    if meeting is None:
        return cls(formdata=None).offer(partners, matters, bodies)
    data = {
        "held_on": meeting.held_on, "kind": meeting.kind,
        "body_id": str(meeting.body_id) if meeting.body_id else "", "title": meeting.title,
        "notes": meeting.notes, "outcome": meeting.outcome,
        "matter_ids": [str(m.matter_id) for m in meeting.matters],
        # FormField reads a row's values as attributes; one blank row follows the filled ones.
        "attendees": [Row(organisation_id=str(a.organisation_id), role=a.role,
                          person=a.person) for a in meeting.attendees] + [Row()],
        "positions": [Row(organisation_id=str(p.organisation_id), matter_id=str(p.matter_id),
                          stance=p.stance or "", statement=p.statement)
                      for p in meeting.stated_positions] + [Row()],
    }
    if correcting:
        data["expected_version"] = str(meeting.version)
    return cls(formdata=None, data=data).offer(partners, matters, bodies)

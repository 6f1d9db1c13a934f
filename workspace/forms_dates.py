"""A date entered as GOV.UK's date input: three boxes, Day, Month and Year.

The boxes are posted as <name>-day, <name>-month and <name>-year; the field's `data` is the
date (or None when nothing was entered) and its messages are GOV.UK's: "Enter the meeting
date", "Meeting date must include a month", "Meeting date must be a real date". The
template macro `date_input` in components/field.html draws it.
"""
from datetime import date

from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

from .numbers import whole_number

PARTS = ("day", "month", "year")
MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
    ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
    ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), start=1) for name in names}


def _number(text, part):
    if part == "month" and text.lower() in MONTHS:
        return MONTHS[text.lower()]
    return whole_number(text)


class DatePartsField(Field):
    """A date in three boxes. `name_in_messages` is how messages name it ("meeting date");
    `required` makes an empty date an error ("Enter the meeting date")."""

    def __init__(self, label=None, validators=None, name_in_messages=None, required=False,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.name_in_messages = name_in_messages or str(self.label.text).lower()
        self.required = required
        self.parts = dict.fromkeys(PARTS, "")
        #: The boxes the message is about (drawn with the error style).
        self.bad_parts = ()
        self._problem = None

    @property
    def anchor(self):
        """The id suffix of the box an error summary links to."""
        return (self.bad_parts or PARTS)[0]

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data if isinstance(data, date) else None
        if self.data:
            self.parts = {"day": str(self.data.day), "month": str(self.data.month),
                          "year": str(self.data.year)}
        names = [f"{self.name}-{part}" for part in PARTS]
        if formdata is not None and any(name in formdata for name in names):
            self.parts = {part: " ".join((formdata.get(name) or "").split())
                          for part, name in zip(PARTS, names, strict=True)}
            self.raw_data = list(self.parts.values())
            self.data, self._problem, self.bad_parts = self._parse()

    def _parse(self):
        what = self.name_in_messages
        missing = [part for part in PARTS if not self.parts[part]]
        if len(missing) == len(PARTS):
            return None, (f"Enter the {what}" if self.required else None), PARTS
        if missing:
            return None, (f"{what.capitalize()} must include a "
                          f"{' and '.join(missing)}"), tuple(missing)
        day, month, year = (_number(self.parts[part], part) for part in PARTS)
        if year is not None and len(self.parts["year"]) != 4:
            return None, "Year must include 4 numbers", ("year",)
        try:
            return date(year, month, day), None, ()
        except (TypeError, ValueError):
            return None, f"{what.capitalize()} must be a real date", PARTS

    def pre_validate(self, form):
        if self._problem:
            raise StopValidation(self._problem)

    def _value(self):
        return self.parts

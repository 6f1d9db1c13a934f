"""The position form (WTForms) and the signatory scope form: what was typed, with messages.

The document page offers one position form per strategic matter, fetched when opened
(review.position_form): the templates draw each with the component macros and an id prefix of
its own ("p<section id>-"), so ids stay unique while the field names stay plain. The scope
form has a group of fields per partner organisation (scope-<id>, matters-<id>): scope_form
builds its class for the partnership and scope_rows_from_form reads it. CSRF is checked for
every POST by CSRFProtect. The rules themselves are in positions.py; here is only turning text
into values.
"""
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)

from ..forms_dates import DatePartsField
from ..numbers import whole_number
from .models import ROUTES, STANCES
from .positions import ScopeRow


class PositionForm(FlaskForm):
    """A Member's position form on one section. `section_id` says which section's form it
    is; the stance and the route are checked by positions.record_position, whose messages
    are put on the fields with `add_error`."""

    stance = RadioField("Position",
                        choices=[SelectChoice(v, label) for v, label in STANCES.items()],
                        validate_choice=False)
    reason = TextAreaField("Reason", description=(
        "Needed for Agreed with reservations and Not agreed. It is printed in the record "
        "of agreement."))
    route = SelectField("Decision route", validate_choice=False, choices=[
        SelectChoice("", "Not given"), *(SelectChoice(v, label) for v, label in ROUTES.items())])
    route_body = StringField("Body that decided",
                             description="For example SPMG, Cabinet or Planning Committee")
    meeting_date = DatePartsField("Meeting date", description="For example, 13 10 2026")
    minute_ref = StringField("Minute reference")
    seen_version = HiddenField()

    #: A message about the whole form (the section changed): shown above it.
    problem = ""
    #: The version the Member had read, when the section changed since: for a diff link.
    read_version = None

    @classmethod
    def blank(cls, section, current=None):
        """The form to fill in; with the authority's `current` position (a Position) chosen,
        to change or re-confirm. Its reason is not filled in (the form quotes it): left as it
        was, an objection would go out as the reason of a new stance. How it was decided is
        left blank too: a change is a new decision."""
        form = cls(formdata=None, seen_version=str(section.version))
        if current is not None:
            form.stance.data = current.stance
        form.section_id = section.id
        return form

    @classmethod
    def posted(cls, section):
        """The form as posted (Flask-WTF reads it from the request)."""
        form = cls()
        form.section_id = section.id
        return form

    def add_error(self, name, message):
        self[name].errors = [*self[name].errors, message]
        self._errors = None

    def validate_meeting_date(self, field):
        """Between 1990 and 2100, when a date is given (DatePartsField checks it is one)."""
        if field.data and not date(1990, 1, 1) <= field.data <= date(2100, 12, 31):
            field.bad_parts = ("year",)
            raise ValidationError("Meeting date must be between 1990 and 2100")

    def values(self):
        """Keyword arguments for record_position (after validate())."""
        text = {name: self[name].data or "" for name in (
            "stance", "reason", "route", "route_body", "minute_ref")}
        meeting_date = None if self.meeting_date.errors else self.meeting_date.data
        try:
            seen_version = int(self.seen_version.data)
        except (TypeError, ValueError):
            seen_version = 0          # no version read: treated as a stale form
        return {"stance": text["stance"], "reason": text["reason"],
                "route": text["route"] or None, "route_body": text["route_body"],
                "meeting_date": meeting_date, "minute_ref": text["minute_ref"],
                "seen_version": seen_version}


class QueueForm(PositionForm):
    """The position form of the review queue: the same fields and rules, with the reason
    revealed under each choice that needs one (GOV.UK's conditional reveal), so the reason
    under "Not agreed" is a field of its own; `values` and `add_error` map it to `reason`."""

    reason_not_agreed = TextAreaField("Reason", description=(
        "It is printed in the record of agreement."))
    reason = TextAreaField("Reason", description=(
        "It is printed in the record of agreement."))

    def _reason_field(self):
        return "reason_not_agreed" if self.stance.data == "not_agreed" else "reason"

    def add_error(self, name, message):
        super().add_error(self._reason_field() if name == "reason" else name, message)

    def values(self):
        values = super().values()
        values["reason"] = self[self._reason_field()].data or ""
        return values


def scope_form(partnership, scopes, matters, numbers, rows=None):
    """The signatory scope form: for each partner organisation a scope (one of positions'
    SCOPES, checked by the service; "listed" offered only when there are strategic matters)
    and the strategic matters ticked (ids). With `rows` (the scope as stored, or as refused
    with each row's error), the form shows them; without, it reads the post."""
    class ScopeForm(FlaskForm):
        #: "1" once the admin confirmed a scope that takes current positions off the grid.
        confirm_stale = HiddenField()
    matter_choices = [SelectChoice(str(m.id), f"{numbers.get(m.id, '')} {m.title}".strip())
                      for m in matters]
    scope_choices = [SelectChoice(value, label) for value, label in scopes.items()
                     if value != "listed" or matters]
    for organisation in partnership.organisations:
        setattr(ScopeForm, f"scope-{organisation.id}",
                RadioField(organisation.name, choices=scope_choices, validate_choice=False))
        setattr(ScopeForm, f"matters-{organisation.id}",
                SelectMultipleField(f"Strategic matters {organisation.name} signs for",
                                    choices=matter_choices, validate_choice=False))
    if rows is None:
        return ScopeForm()
    form = ScopeForm(formdata=None, data={
        **{f"scope-{r.organisation.id}": r.scope for r in rows},
        **{f"matters-{r.organisation.id}": [str(i) for i in sorted(r.matter_ids)]
           for r in rows}})
    for row in rows:
        if row.error:
            form[f"scope-{row.organisation.id}"].errors = [row.error]
    return form


def scope_rows_from_form(partnership, form):
    """[ScopeRow] for every partner organisation from the scope form."""
    rows = []
    for organisation in partnership.organisations:
        ids = {number for number in map(whole_number, form[f"matters-{organisation.id}"].data
                                        or ()) if number is not None}
        scope = form[f"scope-{organisation.id}"].data or ""
        rows.append(ScopeRow(organisation, scope, ids))
    return rows

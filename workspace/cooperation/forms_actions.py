"""Forms of the agreed actions: the action (add and change), closing it (done or dropped),
reopening it, and the list's filters. What was typed is kept as typed; the rules are in
actions.py, whose CooperationError names the field its message goes on (`add_error`)."""
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)

from ..forms_dates import DatePartsField
from .models import ACTION_STATUSES, DONE, DROPPED


def _select(label, description=None):
    return SelectField(label, choices=[], validate_choice=False, description=description)


def _multiple(label, description=None):
    return SelectMultipleField(label, choices=[], validate_choice=False,
                               description=description)


class ActionForm(FlaskForm):
    what = TextAreaField("What was agreed",
                         description="For example, Set up a meeting with Government")
    lead_organisation_id = _select("Lead authority")
    supporter_ids = _multiple("Supporting authorities (optional)")
    due_on = DatePartsField("Due date (optional)", name_in_messages="due date",
                            description="For example, 31 3 2027")
    matter_ids = _multiple("Strategic matters (optional)")
    document_ids = _multiple("Documents (optional)")
    #: The meeting it was agreed at (a new action only; from ?meeting=<id>).
    meeting = HiddenField()
    #: The version the change was based on (a change only).
    version = HiddenField()

    #: A message about the whole form (a stale edit), shown in the error summary.
    problem = ""

    def offer(self, partners, matters, documents):
        """Set the choices: the active partners, the strategic matters, the documents."""
        self.lead_organisation_id.choices = [
            SelectChoice("", "Choose an authority"),
            *(SelectChoice(str(o.id), o.name) for o in partners)]
        self.supporter_ids.choices = [SelectChoice(str(o.id), o.name) for o in partners]
        self.matter_ids.choices = [SelectChoice(str(m.id), m.label) for m in matters]
        self.document_ids.choices = [SelectChoice(str(d.id), d.title) for d in documents]
        return self

    @classmethod
    def of(cls, action):
        """A form filled from an action, to change it."""
        return cls(formdata=None, data={
            "what": action.what, "lead_organisation_id": str(action.lead_organisation_id),
            "supporter_ids": [str(s.organisation_id) for s in action.supporters],
            "due_on": action.due_on, "matter_ids": [str(m.matter_id) for m in action.matters],
            "document_ids": [str(d.document_id) for d in action.documents],
            "version": str(action.version)})

    def values(self):
        """Keyword arguments for add_action / update_action (less the meeting and version)."""
        return {"what": self.what.data or "",
                "lead_organisation_id": self.lead_organisation_id.data or None,
                "supporter_ids": [v for v in self.supporter_ids.data or () if v],
                "due_on": self.due_on.data,
                "matter_ids": [v for v in self.matter_ids.data or () if v],
                "document_ids": [v for v in self.document_ids.data or () if v]}

    def add_error(self, exc):
        """Put a CooperationError on its field, or above the form."""
        field = getattr(self, exc.field, None) if exc.field else None
        if field is None or exc.field in ("version", "meeting"):
            self.problem = exc.message
        else:
            field.errors = [*field.errors, exc.message]
        return self


class CloseForm(FlaskForm):
    status = RadioField("What became of the action?", validate_choice=False, choices=[
        SelectChoice(DONE, "Done"), SelectChoice(DROPPED, "Dropped")])
    outcome = TextAreaField("Outcome, or why it was dropped", description=(
        "What came of it (optional when done); the reason it was dropped (required)."))
    version = HiddenField()

    problem = ""

    def add_error(self, exc):
        field = getattr(self, exc.field, None) if exc.field else None
        if field is None or exc.field == "version":
            self.problem = exc.message
        else:
            field.errors = [*field.errors, exc.message]
        return self


class ReopenForm(FlaskForm):
    version = HiddenField()


class FilterForm(FlaskForm):
    """The list's filters: a GET form (no CSRF), drawn from the filters the view read."""

    class Meta:
        csrf = False

    organisation = _select("Authority (leading or supporting)")
    matter = _select("Strategic matter")
    status = _select("Status")

    def offer(self, partners, matters):
        self.organisation.choices = [SelectChoice("", "All authorities"),
                                     *(SelectChoice(str(o.id), o.name) for o in partners)]
        self.matter.choices = [SelectChoice("", "All matters"),
                               *(SelectChoice(str(m.id), m.label) for m in matters)]
        self.status.choices = [SelectChoice("", "Any status"),
                               *(SelectChoice(k, v) for k, v in ACTION_STATUSES.items())]
        return self

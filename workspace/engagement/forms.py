"""Forms of the engagement pages: the shape of what is posted, labelled fields, the CSRF token.

Values are checked in stakeholders.validate_stakeholder / activities.validate_activity /
objectives.validate_objective (the same rules for the form, the in-place row editor and the
CSV import), which take typed values built here from the form's data; their messages are put
back on these fields. Selects do not check their choice: the service names a wrong one.
"""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from .activities import ActivityValues
from .models import ACTIVITY_STATUSES, CATEGORIES, LEVELS, PRIORITIES, STAGES
from .objectives import ObjectiveValues
from .stakeholders import StakeholderValues

SCORE_CHOICES = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


def _choices(options):
    """SelectChoice, not tuples: WTForms 3.3 deprecates tuples."""
    return [SelectChoice(key, label) for key, label in options.items()]


def _select(label, choices):
    return SelectField(label, choices=choices, validate_choice=False)


class StakeholderForm(FlaskForm):
    name = StringField("Name")
    category = _select("Category", _choices(CATEGORIES))
    contact = StringField("Contact (role or team)")
    lead_partner = StringField("Lead partner")
    lead_person = StringField("Lead person (role)")
    relationship_now = _select("Relationship now", _choices(STAGES))
    relationship_target = _select("Relationship target", _choices(STAGES))
    influence = _select("Influence (1 lowest to 5 highest)", SCORE_CHOICES)
    quality = _select("Quality of relationship (1 poor to 5 excellent)", SCORE_CHOICES)
    priority = _select("Priority", _choices(PRIORITIES))
    actions = StringField("Actions")
    #: Checkboxes of the partnership's objectives (ids); choices are set per partnership.
    objectives = SelectMultipleField("Objectives supported", choices=[],
                                     validate_choice=False)

    def values(self):
        return StakeholderValues.from_form(self.data)


class ObjectiveForm(FlaskForm):
    name = StringField("Short name", description="One word or a few, for example Unite. "
                                                 "Up to 60 characters, no semicolons.")
    description = TextAreaField("Description", description="What the objective means, "
                                                           "up to 2,000 characters.")

    def values(self):
        return ObjectiveValues(name=self.name.data or "",
                               description=self.description.data or "")


class ActivityForm(FlaskForm):
    audience = StringField("Audience group")
    groups = StringField("Number of groups", description="Leave blank if not fixed")
    participants = StringField("Participants", description="Leave blank if not fixed")
    convened_by = StringField("Convened by")
    led_by = StringField("Led by", description="A partner's representative or an appointed "
                                               "consultant")
    period = StringField("Engagement period")
    start_date = StringField("Start date", description="For example, 2021-06-14")
    end_date = StringField("End date", description="For example, 2021-07-30")
    level = _select("Level on the ladder of participation", _choices(LEVELS))
    status = _select("Status", _choices(ACTIVITY_STATUSES))

    def values(self):
        return ActivityValues(**{name: self[name].data or "" for name in (
            "audience", "groups", "participants", "convened_by", "led_by", "period",
            "start_date", "end_date", "level", "status")})


class ImportForm(FlaskForm):
    file = FileField("CSV file (UTF-8, up to 2 MB)")


class ButtonForm(FlaskForm):
    """CSRF token only, for buttons that post."""


def _all(options):
    return [SelectChoice("", "All"), *_choices(options)]


class FilterForm(FlaskForm):
    """The register's filters: a GET form (no CSRF), drawn from the filters the view read."""
    class Meta:
        csrf = False

    sort = HiddenField()
    dir = HiddenField()
    q = SearchField("Name contains")
    category = _select("Category", _all(CATEGORIES))
    priority = _select("Priority", _all(PRIORITIES))
    stage = _select("Relationship now", _all(STAGES))


def filter_form(filters):
    return FilterForm(formdata=None, data={
        "sort": filters["sort"], "dir": "desc" if filters["descending"] else "asc",
        "q": filters["text"] or "", "category": filters["category"] or "",
        "priority": filters["priority"] or "", "stage": filters["stage"] or ""})


def with_errors(form, errors):
    """Put service messages on the form's fields, for the field macros and the error summary."""
    for name, message in errors.items():
        form[name].errors = [message]
    return form


def stakeholder_form(objectives, row=None, posted=False, errors=None):
    """A form filled from a stakeholder, from what was posted (`posted`) or with the defaults,
    with any messages; `objectives` are the partnership's live objectives, as checkboxes."""
    if posted:
        form = StakeholderForm()
    elif row is not None:
        form = StakeholderForm(formdata=None, obj=row)
        form.influence.data = str(row.influence)
        form.quality.data = str(row.quality)
        form.objectives.data = [str(o.id) for o in row.live_objectives]
    else:
        form = StakeholderForm(formdata=None, data={"relationship_now": "coexist",
                                                    "relationship_target": "cooperate",
                                                    "influence": "3", "quality": "3",
                                                    "priority": "medium", "objectives": []})
    form.objectives.choices = [SelectChoice(str(o.id), o.name) for o in objectives]
    return with_errors(form, errors or {})


def objective_form(row=None):
    """A form filled from an objective (or empty)."""
    return ObjectiveForm(formdata=None, obj=row)


def activity_form(row=None):
    """A form filled from an activity (or with the defaults)."""
    if row is None:
        return ActivityForm(formdata=None, data={"level": "consult", "status": "planned"})
    form = ActivityForm(formdata=None, obj=row)
    form.start_date.data = row.start_date.isoformat()
    form.end_date.data = row.end_date.isoformat()
    form.groups.data = "" if row.groups is None else str(row.groups)
    form.participants.data = "" if row.participants is None else str(row.participants)
    return form

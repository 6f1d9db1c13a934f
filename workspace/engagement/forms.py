"""Forms of the engagement pages: they render labelled fields and carry the CSRF token.

Values are checked in stakeholders.validate_stakeholder / activities.validate_activity (the
same rules for the form, the in-place row editor and the CSV import); messages are put back on
these fields.
"""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField

from .csv_io import CSV_COLUMNS
from .models import ACTIVITY_STATUSES, CATEGORIES, LEVELS, PRIORITIES, STAGES

SCORE_CHOICES = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


def _choices(options):
    """SelectChoice, not tuples: WTForms 3.3 deprecates tuples."""
    return [SelectChoice(key, label) for key, label in options.items()]


class StakeholderForm(FlaskForm):
    name = StringField("Name")
    category = SelectField("Category", choices=_choices(CATEGORIES))
    contact = StringField("Contact (role or team)")
    lead_partner = StringField("Lead partner")
    lead_person = StringField("Lead person (role)")
    relationship_now = SelectField("Relationship now", choices=_choices(STAGES))
    relationship_target = SelectField("Relationship target", choices=_choices(STAGES))
    influence = SelectField("Influence (1 lowest to 5 highest)", choices=SCORE_CHOICES)
    quality = SelectField("Quality of relationship (1 poor to 5 excellent)",
                          choices=SCORE_CHOICES)
    priority = SelectField("Priority", choices=_choices(PRIORITIES))
    actions = StringField("Actions")
    #: Checkboxes of the partnership's objectives (ids); choices are set per partnership.
    objectives = SelectMultipleField("Objectives supported", choices=[],
                                     validate_choice=False)


class ObjectiveForm(FlaskForm):
    name = StringField("Short name", description="One word or a few, for example Unite. "
                                                 "Up to 60 characters, no semicolons.")
    description = TextAreaField("Description", description="What the objective means, "
                                                           "up to 2,000 characters.")


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
    level = SelectField("Level on the ladder of participation", choices=_choices(LEVELS))
    status = SelectField("Status", choices=_choices(ACTIVITY_STATUSES))


class ImportForm(FlaskForm):
    file = FileField("CSV file (UTF-8, up to 2 MB)")


class ButtonForm(FlaskForm):
    """CSRF token only, for buttons that post."""


def with_errors(form, errors):
    """Put service messages on the form's fields, for the field macros and the error summary."""
    for name, message in errors.items():
        form[name].errors = [message]
    return form


def stakeholder_form(objectives, row=None, values=None, errors=None):
    """A form filled from a stakeholder or from the values entered, with any messages;
    `objectives` are the partnership's live objectives, offered as checkboxes."""
    if values is not None:
        data = {k: values.get(k, "") for k in CSV_COLUMNS}
        data["objectives"] = values.getlist("objectives") if hasattr(values, "getlist") \
            else []
        form = StakeholderForm(formdata=None, data=data)
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


def objective_form(row=None, values=None, errors=None):
    """A form filled from an objective or from the values entered, with any messages."""
    if values is not None:
        form = ObjectiveForm(formdata=None, data={k: values.get(k, "")
                                                  for k in ("name", "description")})
    else:
        form = ObjectiveForm(formdata=None, obj=row)
    return with_errors(form, errors or {})


def activity_form(row=None, values=None, errors=None):
    if values is not None:
        form = ActivityForm(formdata=None, data=dict(values.items()))
    elif row is not None:
        form = ActivityForm(formdata=None, obj=row)
        form.start_date.data = row.start_date.isoformat()
        form.end_date.data = row.end_date.isoformat()
        form.groups.data = "" if row.groups is None else str(row.groups)
        form.participants.data = "" if row.participants is None else str(row.participants)
    else:
        form = ActivityForm(formdata=None, data={"level": "consult", "status": "planned"})
    return with_errors(form, errors or {})

"""Partnership admin forms."""
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from .models import ROLE_LABELS

#: SelectChoice, not (value, label) tuples: WTForms 3.3 deprecates tuples and 3.4 drops them.
ROLE_CHOICES = [SelectChoice(value, label) for value, label in ROLE_LABELS.items()]


def organisation_choices(partnership):
    """The partnership's organisations as choices for a select field."""
    return [SelectChoice(o.id, o.name) for o in partnership.organisations]


class PartnerForm(FlaskForm):
    name = StringField("Organisation name", validators=[
        DataRequired("Enter the organisation's name"), Length(max=200)])
    code = StringField("Short code", description="Letters and numbers, e.g. watford",
                       validators=[Optional(), Length(max=40)])


class InviteForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Enter the person's name"),
                                                Length(max=200)])
    email = EmailField("Email address", validators=[
        DataRequired("Enter an email address"),
        Email("Enter an email address in the right format, like name@example.org",
              check_deliverability=False),
        Length(max=254)])
    organisation_id = SelectField("Organisation", coerce=int,
                                  validate_choice=True)
    role = SelectField("Role", choices=ROLE_CHOICES, default="officer")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""

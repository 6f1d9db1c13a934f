"""Partnership admin forms."""
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..accounts.forms import EMAIL_VALIDATORS
from .models import BODY_KINDS


class InvitePartnerForm(FlaskForm):
    code = StringField("Organisation code", description="The short code the organisation uses "
                       "in Common Ground, e.g. watford. Ask the organisation for it.",
                       validators=[DataRequired("Enter the organisation's code"),
                                   Length(max=40)])


class NewOrganisationForm(FlaskForm):
    name = StringField("Organisation name", validators=[
        DataRequired("Enter the organisation's name"), Length(max=200)])
    code = StringField("Short code", description="Letters and numbers, e.g. luton",
                       validators=[Optional(), Length(max=40)])
    admin_name = StringField("Full name of its first admin", validators=[
        DataRequired("Enter the name of the organisation's first admin"), Length(max=200)])
    admin_email = EmailField("Email address of its first admin", validators=EMAIL_VALIDATORS)


class GrantAdminForm(FlaskForm):
    user_id = SelectField("Person", coerce=int, validate_choice=False)


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""


class MatterForm(FlaskForm):
    """A strategic matter on the partnership's list (the rules are in matters.py)."""
    reference = StringField("Reference", description="Short and stable, for example SM4. "
                            "Leave it empty for the next number.")
    title = StringField("Title")
    description = TextAreaField("Description (optional)")


class BodyForm(FlaskForm):
    """A body on the partnership's list (the rules are in matters.py)."""
    name = StringField("Name", description="For example Strategic Planning Members Group")
    short_name = StringField("Short name (optional)", description="For example SPMG")
    kind = SelectField("Kind of body", validate_choice=False,
                       choices=[SelectChoice(v, label) for v, label in BODY_KINDS.items()])

"""Organisation admin forms."""
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from ..partnerships.forms import EMAIL_VALIDATORS, ROLE_CHOICES


class InviteUserForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Enter the person's name"),
                                                Length(max=200)])
    email = EmailField("Email address", validators=EMAIL_VALIDATORS)
    role = SelectField("Role", choices=ROLE_CHOICES, default="officer")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ActiveForm(FlaskForm):
    """Deactivate (0) or reactivate (1) a user."""
    active = HiddenField(validators=[AnyOf(["0", "1"], message="Choose an action")])

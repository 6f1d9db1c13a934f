"""Sign-in, password, invitation and organisation admin forms."""
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, Length, ValidationError

from .models import ROLE_LABELS
from .signin import MIN_PASSWORD_LENGTH

#: SelectChoice, not (value, label) tuples: WTForms 3.3 deprecates tuples and 3.4 drops them.
ROLE_CHOICES = [SelectChoice(value, label) for value, label in ROLE_LABELS.items()]

EMAIL_VALIDATORS = [
    DataRequired("Enter an email address"),
    Email("Enter an email address in the right format, like name@example.org",
          check_deliverability=False),
    Length(max=254)]


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"), Length(max=254)])
    password = PasswordField("Password", validators=[
        DataRequired("Enter your password"), Length(max=200)])
    #: Where to go once signed in (a local path; from ?next= on the page that asked).
    next = HiddenField()


class NewPasswordMixin:
    new_password = PasswordField("New password", validators=[
        DataRequired("Enter a new password"),
        Length(min=MIN_PASSWORD_LENGTH, max=200,
               message=f"Password must be between {MIN_PASSWORD_LENGTH} and 200 characters")])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Confirm the new password")])

    def validate_confirm(self, field):
        if field.data != self.new_password.data:
            raise ValidationError("Passwords do not match")


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password")])


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    pass


# An organisation's own admins ----------------------------------------------------------------

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

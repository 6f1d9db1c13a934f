"""Sign-in, password and invitation forms."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from .service import MIN_PASSWORD_LENGTH


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"), Length(max=254)])
    password = PasswordField("Password", validators=[
        DataRequired("Enter your password"), Length(max=200)])


class NewPasswordMixin:
    new_password = PasswordField("New password", validators=[
        DataRequired("Enter a new password"),
        Length(min=MIN_PASSWORD_LENGTH, max=200,
               message=f"Password must be between {MIN_PASSWORD_LENGTH} and 200 characters")])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Confirm the new password")])

    def validate_confirm(self, field):
        from wtforms.validators import ValidationError
        if field.data != self.new_password.data:
            raise ValidationError("Passwords do not match")


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password")])


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    pass


class SignOutForm(FlaskForm):
    """Sign-out is a POST with a CSRF token, so another site cannot sign people out."""

"""The lifecycle forms: a step of the lifecycle, signing for an authority.

The rules (who may, in which status, the password) are in lifecycle.py and signing.py, whose
messages come back as LifecycleError; the declaration to sign is the form's own check.
"""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError


class LifecycleForm(FlaskForm):
    to = HiddenField()
    #: The status the page showed, so a second click or a second admin cannot skip a step.
    seen = HiddenField()
    #: Publishing: the SHA-256 of the version the confirmation page showed.
    fingerprint = HiddenField()
    with_exceptions = BooleanField("Agreed except the matters recorded as not agreed")
    confirm = BooleanField("Yes, send it back to draft")
    confirm_publish = BooleanField(
        "I understand that this version will be public and permanent")
    #: Needed only when the completeness check finds gaps (lifecycle.send_out says so).
    proceed_reason = TextAreaField(
        "Reason to send it out with these gaps",
        description="For example, the Members asked to see the matters before the evidence "
                    "section is written. The reason is recorded and shown on this page.")


class SignForm(FlaskForm):
    """A Member signs for their authority: the declaration, the name and position as
    printed, and their password again."""
    declaration = BooleanField()
    signed_name = StringField("Name as printed")
    signed_position = StringField("Position as printed",
                                  description="For example, Portfolio Holder for Planning")
    password = PasswordField("Your password", description="To confirm it is you signing")
    #: The SHA-256 of the version the page showed: other content is not signed.
    fingerprint = HiddenField()

    def __init__(self, *args, authority: str = "your authority", **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.declaration.label.text = f"I am authorised to sign for {authority}"

    def validate_declaration(self, field):
        if not field.data:
            raise ValidationError(
                f"Confirm that you are authorised to sign for {self.authority}")

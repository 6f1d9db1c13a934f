"""The partnership admin's setting for the public register."""
import re
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import Length, ValidationError

#: An email address as people write one (name@example.org): no spaces, one @, a dot after it.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
CONTACT_FORMAT = ("Enter an email address, like name@example.org, or a web address starting "
                  "with https://")


def is_contact(value: str) -> bool:
    """True for an email address or an http(s) web address with a host."""
    if EMAIL.match(value):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and "." in (parts.hostname or "") \
        and not any(ch.isspace() for ch in value)


class RegisterSettingForm(FlaskForm):
    """Publish the register or not, and who the public asks for another format."""
    publishes = RadioField(
        "Publish the register", choices=[SelectChoice("on", "Yes, publish the register"),
                                         SelectChoice("off", "No, the register is not public")],
        validate_choice=False)
    accessibility_contact = StringField(
        "Contact for an alternative format",
        description="An email address or web address the public can use to ask for a "
                    "published document in another format, such as large print or audio. "
                    "It is shown in the register's accessibility statement.",
        validators=[Length(max=300, message="Enter a contact of 300 characters or fewer")])

    def validate_publishes(self, field):
        if field.data not in ("on", "off"):
            raise ValidationError("Choose whether to publish the register")

    def validate_accessibility_contact(self, field):
        value = (field.data or "").strip()
        field.data = value
        if not value:
            if self.publishes.data == "on":
                raise ValidationError("Enter a contact for requests for an alternative format: "
                                      "the accessibility statement must give one")
            return
        if not is_contact(value):
            raise ValidationError(CONTACT_FORMAT)

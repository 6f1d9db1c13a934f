"""Notification forms: preferences (one choice per kind), mark all read, unsubscribe."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from . import kinds
from .models import DIGEST, IMMEDIATE, OFF

#: The three ways a kind's notifications can reach a user by e-mail.
MODE_CHOICES = [SelectChoice(IMMEDIATE, "E-mail me straight away"),
                SelectChoice(DIGEST, "In one daily e-mail at 8am"),
                SelectChoice(OFF, "Do not e-mail me")]


def preferences_form(modes=None, posted=False):
    """A form with one radio group per registered kind: the posted choices, or (not posted)
    showing the user's modes."""

    class PreferencesForm(FlaskForm):
        pass

    for kind in kinds.all_kinds():
        setattr(PreferencesForm, kind.name, RadioField(
            kind.label, choices=MODE_CHOICES, description=kind.description,
            validators=[InputRequired(f"Choose how to get {kind.label.lower()}")]))
    if posted:
        return PreferencesForm()
    return PreferencesForm(formdata=None, data=modes or {})


class MarkAllReadForm(FlaskForm):
    """A button; CSRF only."""


class UnsubscribeForm(FlaskForm):
    """The one button of the unsubscribe page. The signed token in its address is the proof,
    so no session (and no CSRF token) is needed: e-mail clients post it without one."""

    class Meta:
        csrf = False

"""Forms of the background work page."""
from flask_wtf import FlaskForm


class TryAgainForm(FlaskForm):
    """"Try again" on a failed job: nothing to fill in but the CSRF token."""

"""Forms of the decisions sought: the decision and its recording, dates as GOV.UK's day /
month / year fields."""
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..forms_dates import DatePartsField


class DecisionForm(FlaskForm):
    body = StringField("Body whose decision is sought",
                       description="For example, JSP Steering Group")
    description = TextAreaField("Decision sought (optional)")
    due_date = DatePartsField("Date of the meeting or decision", name_in_messages="date",
                              description="For example, 27 3 2027")


class RecordDecisionForm(FlaskForm):
    taken_at = DatePartsField("Date taken", name_in_messages="date taken",
                              description="For example, 14 6 2026")
    outcome = TextAreaField("Outcome", description="For example, Approved")
    minute_ref = StringField("Minute reference (optional)")

"""The comment, feedback and strategic-matter forms: the shape of what is posted.

The rules about the text (length, empty, who may post) are in comments.py and positions.py;
their messages come back as CommentError / PositionError. The position and signatory scope
forms are in forms_positions.py.
"""
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf


class CommentForm(FlaskForm):
    """A new thread, a reply or a change to one's own comment."""
    body = TextAreaField("Comment")


class FeedbackForm(FlaskForm):
    """The question a section puts to the partners."""
    feedback_sought = TextAreaField("Feedback sought")


class StrategicMatterForm(FlaskForm):
    """Mark a section as a strategic matter ("1") or no longer one ("0"), about which of the
    partnership's matters: its id, "new" (named after the section) or nothing (the section's
    own: the one it was about, else the one of its title); views_positions reads it."""
    strategic_matter = HiddenField(validators=[AnyOf(("1", "0"))])
    matter = StringField("Strategic matter this section is about")
    #: "1" once the admin confirmed un-marking a matter that has current positions.
    confirm_stale = HiddenField()

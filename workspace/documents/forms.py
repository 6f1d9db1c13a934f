"""Forms for section editing and structure. Validation of text lives in the service."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import Optional


class SectionForm(FlaskForm):
    body = TextAreaField("Section text (Markdown)")
    base_version = HiddenField()
    summary = StringField("Summary of your change (optional)")


class TitleForm(FlaskForm):
    title = StringField("Title")


class AddSectionForm(FlaskForm):
    title = StringField("Title of the new section")
    after = IntegerField(validators=[Optional()])


class ButtonForm(FlaskForm):
    """CSRF token only, for buttons that post."""


class NewDocumentForm(FlaskForm):
    title = StringField("Title")
    template = RadioField("Start from", choices=[])


class NewImportForm(FlaskForm):
    """A new document from a Word or Markdown file; the file itself is read by the view."""
    title = StringField("Title")
    kind = RadioField("Kind of document", choices=[])
    file = FileField("Word (.docx) or Markdown (.md) file, up to 20 MB")

"""Forms for section editing and structure. Validation of text lives in the service."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional


class SectionForm(FlaskForm):
    body = TextAreaField("Section text (Markdown)")
    base_version = HiddenField()
    summary = StringField("Summary of your change (optional)")
    #: "1" once the user confirmed a save that makes current positions stale.
    confirm_stale = HiddenField()


class TitleForm(FlaskForm):
    title = StringField("Title")


class AddSectionForm(FlaskForm):
    title = StringField("Title of the new section")
    after = IntegerField(validators=[Optional()])


class ButtonForm(FlaskForm):
    """CSRF token only, for buttons that post."""


class ConfirmForm(FlaskForm):
    """A button whose change may take positions off the grid: "1" once the user confirmed."""
    confirm_stale = HiddenField()


class DirectionForm(FlaskForm):
    """A structure button: move "up" or "down", nest "in" or "out" (the view names a wrong
    one, 422)."""
    direction = HiddenField()


class ImportForm(FlaskForm):
    """A Word or Markdown file to import into a document, and where its sections go."""
    file = FileField("Word (.docx) or Markdown (.md) file, up to 20 MB")
    after = SelectField("Put the imported sections after", choices=[], default="end",
                        validate_choice=False)


def import_form(choices, after=None, error=None):
    """The import form showing `after` (the end by default) and any message about the file;
    `choices` are (section id, label) of the sections to follow."""
    form = ImportForm(formdata=None, data={"after": after or "end"})
    form.after.choices = [SelectChoice("end", "The end of the document")] + [
        SelectChoice(str(section_id), label) for section_id, label in choices]
    form.file.errors = [error] if error else []
    return form


class ConfirmImportForm(FlaskForm):
    """Confirm a preview: its sealed token and, into a document, where its sections go."""
    token = HiddenField()
    after = HiddenField(default="end")
    #: Ticked: the file's one top-level heading is the document's title (a new document) or
    #: left out (an existing one), and its sub-sections come in one level up.
    use_title = BooleanField()


class NewDocumentForm(FlaskForm):
    title = StringField("Title")
    template = RadioField("Start from", choices=[])


class NewImportForm(FlaskForm):
    """A new document from a Word or Markdown file (read by the view, up to the limit);
    `token` keeps a file already chosen, `change` goes back from the preview to the form."""
    title = StringField("Title")
    kind = RadioField("Kind of document", choices=[], validate_choice=False)
    file = FileField("Word (.docx) or Markdown (.md) file, up to 20 MB")
    token = HiddenField()
    change = HiddenField()

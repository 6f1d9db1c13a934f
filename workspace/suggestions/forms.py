"""Forms of suggestions. The rules on their values live in the service."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField


class SuggestForm(FlaskForm):
    """The section editor in suggest mode: the whole proposed text and why."""
    body = TextAreaField("Section text (Markdown)")
    base_version = HiddenField()
    reason = TextAreaField("Why do you suggest this change? (optional)")


class AcceptForm(FlaskForm):
    """Accept: confirm_stale carries the digest of the positions the question named;
    seen_version the section's version the suggestion was read against."""
    confirm_stale = HiddenField()
    seen_version = HiddenField()


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason for rejecting")


class WithdrawForm(FlaskForm):
    """CSRF token only."""


class CommentForm(FlaskForm):
    """A comment on a suggestion (plain text; the rules are review.comments.check_body's)."""
    body = TextAreaField("Comment")

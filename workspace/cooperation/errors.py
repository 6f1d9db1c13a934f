"""The record of cooperation's refusals."""
from __future__ import annotations


class CooperationError(Exception):
    """A refusal with a message for the person recording (and the field it concerns)."""

    def __init__(self, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

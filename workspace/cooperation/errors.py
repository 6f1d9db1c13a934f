"""The record of cooperation's refusals."""
from __future__ import annotations


class CooperationError(Exception):
    """A refusal with a message for the person recording (and the field it concerns)."""

    def __init__(self, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    @property
    def problems(self) -> list[CooperationError]:
        """Every refusal it stands for: itself (CooperationErrors: several)."""
        return [self]


class CooperationErrors(CooperationError):
    """Several refusals found at once, each naming its field; the first gives the message,
    field and status."""

    def __init__(self, problems: list[CooperationError]) -> None:
        first = problems[0]
        super().__init__(first.message, field=first.field, status=first.status)
        self._problems = list(problems)

    @property
    def problems(self) -> list[CooperationError]:
        return self._problems

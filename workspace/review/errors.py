"""The errors review's rules raise: the message is for the user, nothing was recorded."""


class LifecycleError(Exception):
    """A lifecycle step, signature or decision that cannot be taken."""

    def __init__(self, message, status=409, field=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


class PositionError(Exception):
    """A position (or scope change) that cannot be made."""

    def __init__(self, message, status=422, field=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field

"""Meeting pages: list, record, show, correct (with history)."""
from .views import bp  # noqa: F401

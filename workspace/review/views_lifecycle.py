"""Review routes: lifecycle."""
from .views import bp  # noqa: F401

"""Review routes: comments."""
from .views import bp  # noqa: F401

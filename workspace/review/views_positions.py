"""Review routes: positions."""
from .views import bp  # noqa: F401

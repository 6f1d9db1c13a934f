"""Public register routes (views_register)."""
from .views import bp  # noqa: F401

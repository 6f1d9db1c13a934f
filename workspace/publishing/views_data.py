"""Public register routes (views_data)."""
from .views import bp  # noqa: F401

"""Public register routes (views_feed)."""
from .views import bp  # noqa: F401

"""Agreed actions pages: the list filtered by authority, matter and status; add; update."""
from .views import bp  # noqa: F401

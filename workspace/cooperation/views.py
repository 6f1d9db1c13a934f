"""The record of cooperation's pages: meetings (views_meetings) and agreed actions
(views_actions), under /p/<slug>/."""
from flask import Blueprint

bp = Blueprint("cooperation", __name__, url_prefix="/p/<slug>")

from . import views_actions, views_meetings  # noqa: E402,F401  (routes on bp)

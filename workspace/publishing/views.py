"""The public register's pages, under /public (no sign-in, no session cookie)."""
from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")

from . import views_data, views_feed, views_register  # noqa: E402,F401  (routes on bp)

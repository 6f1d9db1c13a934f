"""The review blueprint: comments, positions, agreement, lifecycle, sign-off, tasks.

Routes live in modules named for what they serve; importing them registers them here.
"""
from flask import Blueprint

bp = Blueprint("review", __name__)

from . import (  # noqa: F401
    impact,
    membership,
    views_comments,
    views_lifecycle,
    views_positions,
    views_queue,
    views_signing,
)

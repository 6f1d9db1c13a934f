"""Live blocks: the register, map, ladder and timeline, drawn from the data when shown.

A section of an engagement plan embeds one with a marker on a line by itself, e.g.
`{{register}}`. The stored revision keeps the marker; `expand` swaps it for the rendered block
each time the section is shown, so the document never goes stale. The section's own text is
sanitised as before: only an exact marker paragraph is replaced, by server-made markup.
"""
import re

from flask import render_template
from markupsafe import Markup

from . import charts, service

BLOCKS = ("register", "map", "ladder", "timeline")
#: A marker as the Markdown renderer writes it: a paragraph holding only `{{name}}`.
MARKER = re.compile(r"<p>\{\{\s*(" + "|".join(BLOCKS) + r")\s*\}\}</p>")


def context(partnership, filters=None):
    """Everything the engagement pictures and tables need, for templates."""
    everyone = service.stakeholders(partnership)
    rows = service.stakeholders(partnership, **filters) if filters else everyone
    activity_rows = service.activities(partnership)
    decisions = service.key_dates(partnership)
    return {"stakeholders": rows, "all_stakeholders": everyone,
            "influence_map": charts.influence_map(everyone),
            "ladder": charts.ladder(everyone), "activities": activity_rows,
            "key_dates": decisions, "timeline": charts.timeline(activity_rows, decisions)}


def expand(html, partnership, printing=False):
    """Section html with each live-block marker replaced by the rendered block."""
    if not html or "{{" not in html or not partnership:
        return Markup(html or "")
    cache = {}

    def _block(match):
        if "data" not in cache:
            cache["data"] = context(partnership)
        return render_template(f"engagement/_block_{match.group(1)}.html",
                               partnership=partnership, printing=printing, embedded=True,
                               **cache["data"])

    return Markup(MARKER.sub(_block, html))


def register_filter(app):
    """`section.html|live_blocks(partnership)` in templates."""
    app.add_template_filter(expand, "live_blocks")

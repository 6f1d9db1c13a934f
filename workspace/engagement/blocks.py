"""Live blocks: the register, map, ladder and timeline, drawn from the data when shown.

A section of an engagement plan embeds one with a marker on a line by itself, e.g.
`{{register}}`. The stored revision keeps the marker; `expand` swaps it for the rendered block
each time the section is shown, so the document never goes stale. The section's own text is
sanitised as before: only an exact marker paragraph is replaced, by server-made markup.

A frozen version binds the data as it stood when it was frozen (signatures cover it): `Printed`
expands the markers once, print-friendly (no links or buttons), into the html the version
stores, and gives the same data as plain values for the Word export.
"""
import re

from flask import render_template
from markupsafe import Markup

from .. import binders, clock
from . import activities, charts, stakeholders

BLOCKS = ("register", "map", "ladder", "timeline")
#: A marker as the Markdown renderer writes it: a paragraph holding only `{{name}}`.
MARKER = re.compile(r"<p>\{\{\s*(" + "|".join(BLOCKS) + r")\s*\}\}</p>")
#: A marker paragraph's text in Markdown (what the Word export looks for).
TEXT_MARKER = re.compile(r"^\{\{\s*(" + "|".join(BLOCKS) + r")\s*\}\}$")


def context(partnership, filters=None):
    """Everything the engagement pictures and tables need, for templates."""
    everyone = stakeholders.stakeholders(partnership)
    rows = stakeholders.stakeholders(partnership, **filters) if filters else everyone
    activity_rows = activities.activities(partnership)
    decisions = activities.key_dates(partnership)
    return {"stakeholders": rows, "all_stakeholders": everyone,
            "influence_map": charts.influence_map(everyone),
            "ladder": charts.ladder(everyone), "activities": activity_rows,
            "key_dates": decisions,
            "timeline": charts.timeline(activity_rows, decisions, today=clock.today())}


def expand(html, partnership, printing=False, prefix="block", data=None):
    """Section html with each live-block marker replaced by the rendered block.

    `printing` leaves out links and buttons (a PDF or a frozen version); `prefix` keeps the
    pictures' ids unique on a page; `data` is a `context` already read.
    """
    if not html or "{{" not in html or not partnership:
        return Markup(html or "")
    cache = {"data": data} if data is not None else {}
    seen = {}

    def _block(match):
        name = match.group(1)
        if "data" not in cache:
            cache["data"] = context(partnership)
        seen[name] = seen.get(name, 0) + 1
        uid = prefix if seen[name] == 1 else f"{prefix}-{seen[name]}"
        return render_template(f"engagement/_block_{name}.html",
                               partnership=partnership, printing=printing, embedded=True,
                               **dict(cache["data"], prefix=uid))

    return Markup(MARKER.sub(_block, html))


def used(html):
    """The names of the blocks a section's html embeds."""
    return MARKER.findall(html or "")


class Printed:
    """The blocks of one printed or frozen document: the data read once for all sections,
    markers expanded print-friendly, and the same data as plain values (`values`)."""

    def __init__(self, partnership):
        self.partnership = partnership
        self.names = []
        self._data = None

    @property
    def data(self):
        if self._data is None:
            self._data = context(self.partnership)
        return self._data

    def html(self, html, key):
        """The section's html with its markers replaced by the blocks as printed."""
        names = used(html)
        if not names or not self.partnership:
            return html
        self.names += [n for n in names if n not in self.names]
        return str(expand(html, self.partnership, printing=True,
                          prefix="block-" + re.sub(r"[^0-9A-Za-z]+", "-", str(key)),
                          data=self.data))

    def values(self):
        """The data of the blocks used, as JSON-ready values, or None when none is used."""
        return snapshot(self.data, self.names) if self.names else None


def snapshot(data, names=BLOCKS):
    """The data behind the named blocks as plain values: what a frozen version stores so
    its Word file shows the same tables as its PDF."""
    values = {}
    if "register" in names:
        values["register"] = [{
            "name": s.name, "category": s.category_label, "lead_partner": s.lead_partner,
            "lead_person": s.lead_person, "now": s.now_label, "target": s.target_label,
            "influence": s.influence, "quality": s.quality, "priority": s.priority_label,
            "objectives": s.objective_names} for s in data["all_stakeholders"]]
    if "map" in names:
        values["map"] = [{"number": p.number, "name": p.name, "influence": p.influence,
                          "quality": p.quality} for p in data["influence_map"]["points"]]
    if "ladder" in names:
        values["ladder"] = [{"stage": r["label"], "now": r["now"], "target": r["target"]}
                            for r in data["ladder"]]
    if "timeline" in names:
        timeline = data["timeline"]
        values["timeline"] = {
            "as_at": timeline["today"]["date"].isoformat() if timeline else None,
            "activities": [{
                "audience": a.audience, "groups": a.groups, "participants": a.participants,
                "convened_by": a.convened_by, "led_by": a.led_by, "period": a.period,
                "start": a.start_date.isoformat(), "end": a.end_date.isoformat(),
                "level": a.level_label, "status": a.status_label}
                for a in data["activities"]],
            "key_dates": [{
                "date": d.due_date.isoformat(), "body": d.body,
                "description": d.description or "",
                "taken": d.taken_at.isoformat() if d.taken_at else None}
                for d in data["key_dates"]]}
    return values


def register(app):
    """`section.html|live_blocks(partnership)` in templates; the live blocks bound into a
    frozen version (the content binder `Printed`, see workspace.binders); and
    `html|picture_regions` for a frozen version's sections, as pages show them."""
    app.add_template_filter(charts.picture_regions, "picture_regions")
    binders.register_live(app, "engagement", expand,
                          lambda html: ["{{" + name + "}}" for name in used(html)])
    binders.register(app, "engagement_blocks", Printed)

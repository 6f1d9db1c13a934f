"""Geometry for the server-rendered pictures: influence map, relationship ladder, timeline.

Functions here return plain numbers and labels; templates/engagement/_*.html draw them.
`picture_regions` puts the pictures a frozen version stores into the scrolling regions the
live page draws them in, when the version is shown.
"""
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from .models import STAGES

#: Influence map: plot area inside a fixed viewBox.
MAP = {"width": 480, "height": 460, "left": 70, "top": 30, "size": 380}


@dataclass
class Point:
    stakeholder_id: int
    number: int
    name: str
    influence: int
    quality: int
    x: float
    y: float


def influence_map(stakeholders):
    """One point per stakeholder; points sharing a cell are spread round its centre."""
    left, top, size = MAP["left"], MAP["top"], MAP["size"]
    cell = size / 5
    by_cell = {}
    for s in stakeholders:
        by_cell.setdefault((s.quality, s.influence), []).append(s)
    points = []
    numbers = {s.id: i for i, s in enumerate(stakeholders, start=1)}
    for (quality, influence), group in by_cell.items():
        cx = left + (quality - 0.5) * cell
        cy = top + (5 - influence + 0.5) * cell
        radius = 0 if len(group) == 1 else min(cell * 0.32, 8 + 2.2 * len(group))
        for i, s in enumerate(group):
            angle = 2 * math.pi * i / len(group)
            points.append(Point(s.id, numbers[s.id], s.name, influence, quality,
                                round(cx + radius * math.cos(angle), 1),
                                round(cy + radius * math.sin(angle), 1)))
    points.sort(key=lambda p: p.number)
    ticks = [{"value": v, "x": round(left + (v - 0.5) * cell, 1),
              "y": round(top + (5 - v + 0.5) * cell, 1)} for v in range(1, 6)]
    return {"points": points, "ticks": ticks, "cell": cell, **MAP,
            "right": left + size, "bottom": top + size, "mid_x": left + size / 2,
            "mid_y": top + size / 2}


def ladder(stakeholders):
    """[(stage label, number now, number at target)], lowest rung first."""
    now = Counter(s.relationship_now for s in stakeholders)
    target = Counter(s.relationship_target for s in stakeholders)
    return [{"key": key, "label": label, "now": now[key], "target": target[key]}
            for key, label in STAGES.items()]


#: Timeline: label column, then the time axis.
TIMELINE = {"width": 760, "label_width": 230, "row": 30, "top": 40}


def timeline(activities, decisions, today=None):
    """Bars for activities, diamonds for key dates and a line for today (at an edge with an
    arrow when today falls outside the span)."""
    today = today or date.today()
    dates = [a.start_date for a in activities] + [a.end_date for a in activities] + \
        [d.due_date for d in decisions]
    if not dates:
        return None
    start = min(dates).replace(day=1)
    last = max(dates)
    end = (last.replace(day=28) + timedelta(days=4)).replace(day=1)
    days = max((end - start).days, 1)
    x0 = TIMELINE["label_width"]
    span = TIMELINE["width"] - x0 - 20

    def x(d):
        return round(x0 + span * (d - start).days / days, 1)

    rows = []
    y = TIMELINE["top"]
    for a in activities:
        rows.append({"id": a.id, "label": a.audience, "period": a.period, "y": y,
                     "x": x(a.start_date), "w": max(x(a.end_date) - x(a.start_date), 4),
                     "start": a.start_date, "end": a.end_date, "level": a.level_label,
                     "status": a.status_label})
        y += TIMELINE["row"]
    keys = []
    for d in decisions:
        keys.append({"x": x(d.due_date), "y": y + 14, "date": d.due_date, "body": d.body,
                     "description": d.description, "taken": d.taken_at})
    height = y + 60
    months = []
    cursor = start
    while cursor <= end:
        months.append({"x": x(cursor), "label": cursor.strftime("%b %Y"),
                       "show": cursor < end and
                       (cursor.month - start.month) % max(1, round(days / 30 / 8)) == 0})
        cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
    if today < start:
        marker = {"x": x0, "where": "before"}
    elif today > end:
        marker = {"x": x0 + span, "where": "after"}
    else:
        marker = {"x": x(today), "where": "within"}
    marker["date"] = today
    return {"rows": rows, "marks": keys, "months": months, "today": marker,
            "height": height, "width": TIMELINE["width"], "x0": x0, "right": x0 + span,
            "key_y": y, "start": start, "end": end}


#: A picture as a frozen version stores it: print-friendly, not in a scrolling region.
_FROZEN_PICTURE = re.compile(
    r'<svg\b[^>]*\baria-labelledby="([\w-]+-title)[^"]*"[^>]*\bclass="cg-chart cg-chart--[a-z]+"'
    r'[^>]*>.*?</svg>', re.S)


def picture_regions(html):
    """A frozen version's html with each picture in the scrolling region the live page gives
    it: on a phone it keeps a readable size and scrolls sideways, named after the picture and
    reachable by keyboard (the public register has no script to add the tab stop only when it
    scrolls). Applied when shown, so versions frozen before keep their stored html, and their
    fingerprint, as signed."""
    if "cg-chart--" not in (html or ""):
        return html

    def wrap(match):
        before = html[max(0, match.start() - 120):match.start()]
        if "cg-chart-scroll" in before:
            return match.group(0)
        return (f'<div class="cg-chart-scroll" role="region" tabindex="0" '
                f'aria-labelledby="{match.group(1)}" data-labelledby="{match.group(1)}">'
                f"{match.group(0)}</div>")

    return _FROZEN_PICTURE.sub(wrap, html)

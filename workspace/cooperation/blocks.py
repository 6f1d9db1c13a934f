"""The `{{cooperation}}` live block: the cooperation activity table.

A section embeds it with a marker on a line by itself: `{{cooperation}}` for all the
partnership's cooperation, or `{{cooperation SM1}}` (`{{cooperation SM1, SM3}}`) for the
activity on those strategic matters only. Each row is an activity, oldest first: a meeting
(date, title with its kind or body, the authorities that attended, the matters discussed, its
outcome), or an action agreed on its own and closed (done or dropped: the date it was closed,
its lead and supporting authorities, its matters, what came of it).

Like engagement's blocks, the marker stays in the stored text and is replaced each time the
section is shown (the draft is always current); a frozen version binds the table as it stood
(`Printed`: printed html, and the rows as values for the Word export), so a changed meeting
never changes a signed version.
"""
import re

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from .. import binders, clock
from ..extensions import db
from ..partnerships.models import StrategicMatter
from .models import DONE, DROPPED, Action, Meeting

NAME = "cooperation"
#: `{{cooperation}}` or `{{cooperation SM1, SM2}}` as the Markdown renderer writes it.
MARKER = binders.marker(NAME)
#: What a row of a closed action says about it.
CLOSED = {DONE: "Done", DROPPED: "Dropped"}


def _matters(links):
    ordered = sorted((link.matter for link in links), key=lambda m: m.id)
    return [{"reference": m.reference, "title": m.title} for m in ordered]


def _meeting_row(meeting):
    authorities = []
    for attendee in meeting.attendees:
        if attendee.organisation.name not in authorities:
            authorities.append(attendee.organisation.name)
    return {"date": meeting.held_on.isoformat(), "activity": meeting.title,
            "type": meeting.body.label if meeting.body else meeting.kind_label,
            "authorities": sorted(authorities), "matters": _matters(meeting.matters),
            "outcome": meeting.outcome or ""}


def _action_row(action):
    supporters = sorted(s.organisation.name for s in action.supporters)
    outcome = CLOSED[action.status] + (f": {action.outcome}" if action.outcome else "")
    return {"date": clock.in_uk(action.closed_at).date().isoformat(), "activity": action.what,
            "type": "Agreed action", "authorities": [action.lead.name + " (lead)"] + supporters,
            "matters": _matters(action.matters), "outcome": outcome}


def context(partnership):
    """The table's data as plain values: {"rows": every activity, oldest first, "matters":
    {reference: title} of all the partnership's matters (retired ones too)}. The same
    values render the page and the PDF, and are what a frozen version keeps for Word."""
    # The table needs each meeting's body, attendees and matters, not what was stated at it.
    meetings = db.session.scalars(select(Meeting)
                                  .options(joinedload(Meeting.body),
                                           lazyload(Meeting.stated_positions))
                                  .where(Meeting.partnership_id == partnership.id)
                                  .order_by(Meeting.held_on, Meeting.id)).all()
    actions = db.session.scalars(select(Action).where(
        Action.partnership_id == partnership.id, Action.meeting_id.is_(None),
        Action.status.in_(tuple(CLOSED)), Action.closed_at.is_not(None))
        .order_by(Action.closed_at, Action.id)).all()
    rows = [_meeting_row(m) for m in meetings] + [_action_row(a) for a in actions]
    rows.sort(key=lambda r: r["date"])          # stable: meetings before actions on a day
    matters = db.session.scalars(select(StrategicMatter)
                                 .where(StrategicMatter.partnership_id == partnership.id)
                                 .order_by(StrategicMatter.id)).all()
    return {"rows": rows, "matters": {m.reference: m.title for m in matters}}


def choose(values, wanted):
    """(rows, matters named, references not known) for a marker's options: every row when
    none is given, else the rows on any of those matters (references in any case)."""
    if not wanted:
        return values["rows"], [], []
    known = {ref.casefold(): ref for ref in values["matters"]}
    named = list(dict.fromkeys(known[w.casefold()] for w in wanted if w.casefold() in known))
    unknown = [w for w in wanted if w.casefold() not in known]
    rows = [r for r in values["rows"] if any(m["reference"] in named for m in r["matters"])]
    return rows, [{"reference": ref, "title": values["matters"][ref]} for ref in named], unknown


def expand(html, partnership, printing=False, prefix="block", data=None):
    """Section html with each `{{cooperation}}` marker replaced by the table. `printing`
    leaves out links (a PDF or a frozen version); `data` is a `context` already read."""
    if not html or "{{" not in html or not partnership:
        return Markup(html or "")
    cache = {"data": data} if data is not None else {}

    def _block(match):
        if "data" not in cache:
            cache["data"] = context(partnership)
        rows, named, unknown = choose(cache["data"], binders.options(match.group(1)))
        return render_template("cooperation/_block_cooperation.html", partnership=partnership,
                               printing=printing, rows=rows, named=named, unknown=unknown)

    return Markup(MARKER.sub(_block, html))


class Printed:
    """The cooperation tables of one printed or frozen document: the records read once for
    all sections, printed without links, and kept as values (`values`) for the Word file."""

    def __init__(self, partnership):
        self.partnership = partnership
        self.used = False
        self._data = None

    def html(self, html, key):
        """The section's html with its markers replaced by the tables as printed."""
        if not self.partnership or not MARKER.search(html or ""):
            return html
        if self._data is None:
            self._data = context(self.partnership)
        self.used = True
        return str(expand(html, self.partnership, printing=True,
                          prefix="block-" + re.sub(r"[^0-9A-Za-z]+", "-", str(key)),
                          data=self._data))

    def values(self):
        """{"cooperation": the table's values}, or None when no section embeds it."""
        return {NAME: self._data} if self.used else None


def register(app):
    """The `{{cooperation}}` marker on pages (the `live_blocks` filter) and bound into a
    frozen version (the content binder `Printed`), see workspace.binders."""
    binders.register_live(app, NAME, expand,
                          lambda html: ["{{" + NAME + "}}"] if MARKER.search(html) else [])
    binders.register(app, "cooperation_block", Printed)

"""Live blocks in the Word export: a `{{register}}`, `{{map}}`, `{{ladder}}`, `{{timeline}}` or
`{{cooperation}}` (`{{cooperation SM1, SM2}}`) paragraph of a section becomes Word tables,
from the data the version's content holds (bound when it was frozen, or read now for the
draft: lifecycle.canonical_content), so a version's Word file shows what its PDF shows. The
marker itself is never printed."""
import re
from datetime import date

from markdown_it import MarkdownIt

from .. import binders
from ..engagement.blocks import TEXT_MARKER

#: `{{cooperation}}` or `{{cooperation SM1, SM2}}` as a paragraph's text (the cooperation
#: package's marker, workspace.binders.marker).
COOPERATION_MARKER = binders.marker("cooperation", html=False)

_md = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
TITLES = {"register": "Stakeholder register",
          "map": "Stakeholders by influence and quality of relationship",
          "ladder": "Relationship ladder: stakeholders at each stage now and at target",
          "timeline": "Engagement timeline", "cooperation": "Cooperation activity"}


def split(body):
    """[("text", markdown) or ("block", marker)]: the body cut at its marker paragraphs (at
    the top level, as the page and the PDF replace them); a marker is the block's name, and
    its options after it (e.g. "cooperation SM1 SM2")."""
    lines = (body or "").splitlines(keepends=True)
    parts, start = [], 0
    tokens = _md.parse(body or "")
    for i, tok in enumerate(tokens):
        if tok.type != "paragraph_open" or tok.level != 0 or not tok.map:
            continue
        text = tokens[i + 1].content.strip()
        found = TEXT_MARKER.match(text)
        cooperation = None if found else COOPERATION_MARKER.match(text)
        if found or cooperation:
            first, last = tok.map
            if first > start:
                parts.append(("text", "".join(lines[start:first])))
            parts.append(("block", found.group(1) if found else " ".join(
                ["cooperation"] + binders.options(cooperation.group(1)))))
            start = last
    if start < len(lines):
        parts.append(("text", "".join(lines[start:])))
    return parts


#: A footnote definition (`[^1]: the note`) and its indented or blank continuation lines.
_NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:.*\n?(?:(?:[ \t]*\n|(?: {4}|\t).*\n?))*",
                              re.MULTILINE)


def definitions(body):
    """The section's footnote definitions, so that text cut off by a block still has its
    notes (they stand at the end of the section)."""
    return "".join(m.group(0).rstrip("\n") + "\n\n" for m in _NOTE_DEFINITION.finditer(body or ""))


def write_section(word, body, blocks, write_markdown):
    """Write a section's Markdown, with each marker paragraph as its block's tables."""
    parts = split(body)
    notes = definitions(body) if len(parts) > 1 else ""
    for kind, value in parts:
        name, *options = value.split() if kind == "block" else (None,)
        if kind == "text":
            own = notes and not definitions(value)
            write_markdown(word, value + ("\n\n" + notes if own else ""))
        elif blocks and name in blocks:
            WRITERS[name](word, blocks[name], *options)
        else:
            word.add_paragraph(f"({TITLES[name]}: shown live in the workspace; this version "
                               "was frozen before its data were kept with it.)")


def _date(text):
    return date.fromisoformat(text).strftime("%-d %B %Y") if text else ""


def _table(word, caption, header, rows, numeric=()):
    word.add_paragraph().add_run(caption).bold = True
    table = word.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = "" if value is None else str(value)
    if not rows:
        cells = table.add_row().cells
        cells[0].text = "None yet."
    word.add_paragraph()
    return table


def _register(word, rows):
    _table(word, f"{TITLES['register']} ({len(rows)})",
           ("Stakeholder", "Category", "Lead", "Relationship now \u2192 target", "Influence",
            "Quality", "Priority", "Objectives supported"),
           [(r["name"], r["category"],
             r["lead_partner"] + (f" ({r['lead_person']})" if r["lead_person"] else ""),
             f"{r['now']} \u2192 {r['target']}", r["influence"], r["quality"], r["priority"],
             r["objectives"].replace("; ", ", ")) for r in rows])


def _map(word, points):
    _table(word, TITLES["map"] + " (influence and quality from 1 to 5)",
           ("Number", "Stakeholder", "Influence", "Quality of relationship"),
           [(p["number"], p["name"], p["influence"], p["quality"]) for p in points])


def _ladder(word, stages):
    _table(word, TITLES["ladder"] + " (Compete \u2192 Co-exist \u2192 Cooperate \u2192 "
           "Collaborate)", ("Stage", "Now", "At target"),
           [(s["stage"], s["now"], s["target"]) for s in stages])


def _timeline(word, timeline):
    def count(value):
        return "\u2013" if value is None else value

    caption = TITLES["timeline"]
    if timeline.get("as_at"):
        caption += f", as at {_date(timeline['as_at'])}"
    _table(word, caption + ": activities by start date",
           ("Audience group", "Groups and participants", "Convened by / led by",
            "Period and dates", "Level", "Status"),
           [(a["audience"], (f"{count(a['groups'])} group{'' if a['groups'] == 1 else 's'}, "
                             f"{count(a['participants'])} participants"),
             f"{a['convened_by'] or chr(8211)} / {a['led_by'] or chr(8211)}",
             f"{a['period']}: {_date(a['start'])} to {_date(a['end'])}".lstrip(": "),
             a["level"], a["status"]) for a in timeline["activities"]])
    _table(word, "Key dates: decisions sought", ("Date", "Decision by", "Outcome"),
           [(_date(k["date"]), k["body"] + (f": {k['description']}" if k["description"]
                                           else ""),
             f"Decided {_date(k['taken'])}" if k["taken"] else "Awaited")
            for k in timeline["key_dates"]])


def _cooperation(word, values, *wanted):
    """The cooperation activity table, limited to the matters named (as on the page)."""
    known = {ref.casefold(): ref for ref in values["matters"]}
    named = [known[w.casefold()] for w in wanted if w.casefold() in known]
    rows = values["rows"]
    caption = TITLES["cooperation"]
    if wanted:
        rows = [r for r in rows if any(m["reference"] in named for m in r["matters"])]
        if named:
            caption += " on " + "; ".join(f"{ref} {values['matters'][ref]}" for ref in named)
        unknown = [w for w in wanted if w.casefold() not in known]
        if unknown:
            word.add_paragraph("Not a strategic matter of this partnership: "
                               + ", ".join(unknown) + ".")
    _table(word, f"{caption} ({len(rows)} {'activity' if len(rows) == 1 else 'activities'}"
           ", oldest first)",
           ("Date", "Activity", "Authorities involved", "Strategic matters", "Outcome"),
           [(_date(r["date"]), f"{r['activity']} ({r['type']})", ", ".join(r["authorities"]),
             "; ".join(f"{m['reference']} {m['title']}" for m in r["matters"]), r["outcome"])
            for r in rows])


WRITERS = {"register": _register, "map": _map, "ladder": _ladder, "timeline": _timeline,
           "cooperation": _cooperation}

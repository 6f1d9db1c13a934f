"""Wide tables in a frozen version's text, as pages show them on a phone.

A frozen version's html is stored as it was signed, for print (no scrolling regions). The
public register has no script, so the region that table-scroll.js adds on the working pages
(to a table only once it overflows) is added here, when the html is shown, to every table:
it scrolls sideways inside a region named after its caption (or its first row) that the
keyboard can reach, rather than being squeezed until its words break letter by letter. A
table of five or more columns (the stakeholder register, the activities) keeps a readable
width (`cg-table-scroll--wide`); a narrower one takes the width and wraps between words, and
scrolls only if a word cannot fit (public.css).
"""
import html as html_lib
import re

from markupsafe import escape

#: Columns from which a table keeps a readable width and scrolls on a narrow screen.
WIDE = 5
_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_FIRST_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.S)
_CAPTION = re.compile(r"<caption\b([^>]*)>")
_ID = re.compile(r'\bid="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")
#: A table already in a region (an opening region tag right before it), and a table's tag.
_WRAPPED = re.compile(r'<div class="cg-table-scroll[^"]*"[^>]*>\s*\Z')
_OPENING = re.compile(r"<table\b[^>]*>")


def _text(fragment):
    return " ".join(html_lib.unescape(_TAG.sub(" ", fragment)).split())


def table_regions(html, number=""):
    """`html` with each table in a named, focusable scrolling region. `number` (the section's
    number) keeps the regions' names and ids distinct across a page's sections."""
    if "<table" not in (html or ""):
        return html
    key = re.sub(r"\W+", "-", str(number)).strip("-") or "x"
    count = {"n": 0}

    def wrap(match):
        table = match.group(0)
        before = html[max(0, match.start() - 300):match.start()]
        row = _FIRST_ROW.search(table)
        if _WRAPPED.search(before) or "cg-stack-table" in _OPENING.match(table).group(0) \
                or row is None:
            return table
        wide = " cg-table-scroll--wide" if len(_CELL.findall(row.group(1))) >= WIDE else ""
        count["n"] += 1
        caption = _CAPTION.search(table)
        if caption:
            found = _ID.search(caption.group(1))
            caption_id = found.group(1) if found else f"cg-table-{key}-{count['n']}"
            if not found:
                table = (table[:caption.start()] + f'<caption id="{caption_id}"'
                         + table[caption.start() + len("<caption"):])
            name = f'aria-labelledby="{caption_id}"'
        else:
            heads = ", ".join(filter(None, (_text(c) for c in _CELL.findall(row.group(1)))))
            heads = heads if len(heads) <= 60 else f"{heads[:57]}..."
            label = f"Table {number}.{count['n']}" if number else f"Table {count['n']}"
            name = f'aria-label="{escape(label + (": " + heads if heads else ""))}"'
        return (f'<div class="cg-table-scroll{wide}" role="region" tabindex="0" {name}>'
                f"{table}</div>")

    return _TABLE.sub(wrap, html)

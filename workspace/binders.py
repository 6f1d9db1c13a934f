"""Live blocks and content binders: how the live parts of a document are shown, and bound
into a frozen version.

A section may embed content drawn from data each time it is shown (engagement's register and
pictures, cooperation's activity table). On pages, the `live_blocks` filter runs every
package's registered expander (`register_live`). For a frozen version, the package that
owns such content registers a binder at app creation (`register`), so the package that
freezes versions (review) binds it through `bind` without importing that package.

A binder is a callable `binder(partnership)` returning an object with
- `html(section_html, key)`: the section's html with its live parts printed as they stand
  (`key` keeps ids unique in the document, e.g. the section number);
- `values()`: the data of the parts it printed, as JSON-ready values, or None.
"""
import re

from flask import current_app
from markupsafe import Markup

EXTENSION = "content_binders"


def register(app, name, binder):
    """Register (or replace) the app's binder called `name`."""
    app.extensions.setdefault(EXTENSION, {})[name] = binder


def bind(partnership):
    """Every registered binder, bound to the partnership of one document."""
    binders = current_app.extensions.get(EXTENSION, {})
    return Bound([binder(partnership) for binder in binders.values()])


class Bound:
    """The binders of one document, applied in turn."""

    def __init__(self, parts):
        self.parts = parts

    def html(self, html, key):
        for part in self.parts:
            html = part.html(html, key)
        return html

    def values(self):
        """The printed parts' data merged, or None when no live part was printed."""
        merged = {}
        for part in self.parts:
            merged.update(part.values() or {})
        return merged or None


# Live blocks on pages: each package with live blocks registers its expander, and the
# `live_blocks` template filter runs them all, so a section may embed blocks of several
# packages without one package importing another.

LIVE = "live_block_expanders"
#: Per package, `used(html)`: the markers of its blocks that a section's html embeds.
USED = "live_block_markers"
#: A block's options: references such as SM1, after its name, separated by spaces or commas.
_OPTIONS = r"((?:[\s,]+[A-Za-z0-9][A-Za-z0-9.\-/]*)*)"


def register_live(app, name, expand, used):
    """Register (or replace) the expander called `name` and the `live_blocks` filter.

    `expand(html, partnership, printing=False, prefix="block")` returns the html with its
    package's markers replaced by the rendered blocks (see `live_blocks`); `used(html)` lists
    the markers of its blocks that the html embeds, as written (e.g. "{{register}}")."""
    app.extensions.setdefault(LIVE, {})[name] = expand
    app.extensions.setdefault(USED, {})[name] = used
    app.add_template_filter(live_blocks, "live_blocks")


def live_markers(html):
    """The live-block markers a section's html embeds, as written, in a stable order: what
    shows content drawn from data rather than from the section's own text."""
    html = html or ""
    if "{{" not in html:
        return []
    found = []
    for used in current_app.extensions.get(USED, {}).values():
        found.extend(used(html))
    return sorted(set(found))


def live_blocks(html, partnership, printing=False, prefix="block"):
    """Section html with every registered package's live-block markers replaced by the
    rendered blocks: `section.html|live_blocks(partnership, prefix=...)` in templates.
    `printing` leaves out links and buttons; `prefix` keeps ids unique on a page."""
    html = html or ""
    if "{{" in html and partnership:
        for expand in current_app.extensions.get(LIVE, {}).values():
            html = expand(html, partnership, printing=printing, prefix=prefix)
    return Markup(html)


def marker(name, html=True):
    """The marker of the block `name` with options, e.g. `{{cooperation SM1, SM2}}`: as the
    Markdown renderer writes it (a paragraph holding only the marker), or (`html=False`) as
    a paragraph's text in Markdown. Group 1 holds the options' text (see `options`)."""
    inner = r"\{\{\s*" + re.escape(name) + _OPTIONS + r"\s*\}\}"
    return re.compile(r"<p>" + inner + r"</p>" if html else r"^" + inner + r"$")


def options(text):
    """A marker's options as a list: " SM1, SM2" -> ["SM1", "SM2"]."""
    return [o for o in re.split(r"[\s,]+", text or "") if o]

"""Content binders: how the live parts of a document are bound into a frozen version.

A section may embed content drawn from data each time it is shown (engagement's live
blocks). The package that owns such content registers a binder at app creation
(`register`), so the package that freezes versions (review) binds it through `bind` without
importing that package.

A binder is a callable `binder(partnership)` returning an object with
- `html(section_html, key)`: the section's html with its live parts printed as they stand
  (`key` keeps ids unique in the document, e.g. the section number);
- `values()`: the data of the parts it printed, as JSON-ready values, or None.
"""
from flask import current_app

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

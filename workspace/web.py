"""Small helpers every blueprint's views share: partial-or-page, redirects, commit rules."""
from urllib.parse import urlencode, urlsplit

from flask import (
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.routing import IntegerConverter

from .numbers import MAX_ID


def absolute_url(endpoint, **values):
    """An endpoint's absolute address for others to follow and keep (the public feed, the
    open data): under BASE_URL's scheme and host when it is configured, so a request's Host
    header never chooses what a shared cache, or the per-process cache of rendered public
    pages, hands to everyone; else the request's own host."""
    base = current_app.config.get("BASE_URL")
    if base:
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}{url_for(endpoint, **values)}"
    return url_for(endpoint, _external=True, **values)


def background(view=None, *, when=None):
    """Mark a view the page calls on its own (a poll, a heartbeat), not the person: its
    answers do not refresh the session cookie (security.QuietSessionInterface) nor count as
    the person's use of the session (accounts.signin). Put it under the route decorator.
    `when`: a test of the request, for a view that answers both (e.g. `reloaded`: a page's
    own reloads are the page's, its first load the person's)."""
    if view is None:
        return lambda found: background(found, when=when)
    view.background = when or True
    return view


def is_background_request():
    """True while answering a view marked with @background (known before the view runs, so
    before_request hooks that load the user see it too)."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    mark = getattr(view, "background", False)
    return bool(mark()) if callable(mark) else bool(mark)


#: The query parameter a page that reloads itself adds to its own reloads (reload_header).
RELOADED = "reloaded"


def reloaded():
    """True for a page's own reload (reload_header), not one the person asked for."""
    return request.args.get(RELOADED) == "1"


def reload_header(seconds):
    """The Refresh header of a page that reloads itself until something is ready: it reloads
    its own address (a GET) marked as the page's own, so with @background(when=reloaded) a
    tab left waiting does not keep the person signed in for ever."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != RELOADED]
    return f"{seconds}; url={request.path}?{urlencode(args + [(RELOADED, '1')])}"


def is_htmx():
    """True for a request made by htmx (not a history restore, which wants the full page)."""
    return request.headers.get("HX-Request") == "true" and \
        request.headers.get("HX-History-Restore-Request") != "true"


def render(page, partial=None, status=200, **context):
    """Render the partial for htmx requests and the full page otherwise.

    The page template includes the same partial, so each piece of markup has one source.
    """
    template = partial if partial and is_htmx() else page
    response = make_response(render_template(template, **context), status)
    if partial:
        response.headers["Vary"] = "HX-Request"
    return response


#: A section id no section has: built into a URL once, then replaced by each real id.
_SLOT = "987654321987"


def section_url(endpoint, section_id, **values):
    """`url_for(endpoint, section_id=section_id, **values)`, built once per request for each
    endpoint and set of other values and then reused with each section's id: the document page
    links every section several times, and url_for is the costliest part of drawing it."""
    key = (endpoint, tuple(sorted(values.items())))
    cache = g.setdefault("_section_urls", {})
    pattern = cache.get(key)
    if pattern is None:
        pattern = url_for(endpoint, section_id=int(_SLOT), **values)
        # Reusable only when the slot is unmistakable (a slug could hold the same digits).
        cache[key] = pattern = pattern if pattern.count(_SLOT) == 1 else False
    if pattern is False:
        return url_for(endpoint, section_id=section_id, **values)
    return pattern.replace(_SLOT, str(int(section_id)))


#: Flash category of a confirmation shown inside a section of the document page.
SECTION_FLASH = "section-"


def flash_in_section(message, section):
    """A confirmation for a plain form post that redirects to #section-<id>: shown in that
    section, where the page lands, rather than at the top of a long page out of sight."""
    flash(message, f"{SECTION_FLASH}{section.id}")


def see_other(location):
    """303 after a successful plain-form post; htmx follows it with a GET as well."""
    return redirect(location, code=303)


def keep_changes():
    """Commit this request's writes even though it answers with an error status.

    Used for records that must survive a refusal, such as a failed sign-in.
    """
    g.commit_on_error = True


def is_local_url(target):
    """True only for a path on this site: no scheme, no host, no protocol-relative trick."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


#: The largest id a row can have (PostgreSQL's integer; SQLite's are wider).


def database_int(value):
    """`int(value)` when a database integer holds it, else ValueError: the `type` for an
    integer request parameter (`request.args.get("from", type=database_int)` falls back to
    its default), so a number no row can have never reaches PostgreSQL."""
    number = int(value)
    if not -MAX_ID - 1 <= number <= MAX_ID:
        raise ValueError(f"{value!r} is beyond a database integer")
    return number


class DatabaseInteger(IntegerConverter):
    """`<int:…>` in every route: a whole number a database integer holds, so a larger one is
    a 404 like any id no row has (PostgreSQL would refuse to compare it: a 500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


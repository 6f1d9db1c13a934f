"""The register's Atom feed and its accessibility statement (no sign-in, no session cookie)."""
from datetime import date

from flask import abort, current_app, render_template, request

from ..web import absolute_url
from . import feed as atom
from . import rendering, service
from .views import bp

#: When the accessibility statement was prepared and last reviewed (shown on the page; change
#: the second when the statement is reviewed).
STATEMENT_PREPARED = date(2026, 12, 5)
STATEMENT_REVIEWED = date(2026, 12, 5)
#: Kinds of page the automated checks cover (tests/browser/test_public_pages.py).
PAGES_TESTED = ("the register's home page", "a document's published versions",
                "a published version", "what changed between two published versions",
                "the open data documentation", "this accessibility statement",
                "the page shown for an address that is not there")


def _answer(body, content_type, last_modified=None):
    """The public answer with an ETag (a digest of the body), Last-Modified when known, the
    register's cache rules and 304 to a cache that holds it already (rendering.conditional)."""
    response = rendering.conditional(body, last_modified=last_modified)
    response.headers["Content-Type"] = content_type
    return response


def _register_or_404(slug):
    partnership = service.register_partnership(slug)
    if partnership is None:
        abort(404)
    return partnership


def feed_entries(partnership, authority):
    """Every published version of the partnership's register as a feed entry, newest first."""
    found = []
    for published in service.published_documents(partnership):
        document = published.document
        for row in published.versions:
            found.append(atom.Entry(
                id=atom.tag_uri(authority, row.published_at,
                                f"public/{partnership.slug}/{document.public_slug}/"
                                f"v{row.number}"),
                title=atom.entry_title(document.title, row.number),
                url=service.version_url(partnership, document, row, _external=True),
                published_at=row.published_at,
                summary=atom.entry_summary(service.signed_by_text(row), row.content_sha256)))
    found.sort(key=lambda e: (e.published_at, e.id), reverse=True)
    return found


@bp.get("/<slug>/feed.atom")
def feed(slug):
    """The partnership's published versions as an Atom feed, newest first."""
    partnership = _register_or_404(slug)
    authority = atom.tagging_authority(current_app.config.get("BASE_URL", ""), request.host)
    entries = feed_entries(partnership, authority)
    updated = entries[0].published_at if entries else partnership.created_at
    body = atom.atom(
        feed_id=atom.tag_uri(authority, partnership.created_at, f"public/{partnership.slug}"),
        title=f"{partnership.name}: published documents",
        subtitle="Each new published version of the partnership's documents.",
        self_url=absolute_url("public.feed", slug=partnership.slug),
        register_url=service.register_url(partnership, _external=True),
        author=partnership.name, updated=updated, entries=entries)
    return _answer(body, f"{atom.ATOM_TYPE}; charset=utf-8",
                        entries[0].published_at if entries else None)


def _contact(text):
    """The accessibility contact as (text, e-mail address or None)."""
    text = (text or "").strip()
    looks_like_email = "@" in text and " " not in text and "/" not in text
    return text, (text if looks_like_email else None)


@bp.get("/<slug>/accessibility")
def accessibility(slug):
    """The register's accessibility statement (the model statement's structure)."""
    partnership = _register_or_404(slug)
    contact, contact_email = _contact(partnership.accessibility_contact)
    body = render_template(
        "public/accessibility.html", partnership=partnership, register_partnership=partnership,
        authorities=[o.name for o in partnership.organisations],
        contact=contact, contact_email=contact_email,
        prepared=STATEMENT_PREPARED, reviewed=STATEMENT_REVIEWED, pages_tested=PAGES_TESTED)
    return _answer(body, "text/html; charset=utf-8")

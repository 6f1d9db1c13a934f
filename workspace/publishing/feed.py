"""The register's Atom feed: one entry per published version, newest first.

The XML is written by feedgen (lxml underneath), not by hand. Entry ids are tag: URIs
(RFC 4151) built from what never changes once a version is published: the partnership's and
the document's public addresses, the version number and the day it was published.
"""
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

ATOM_TYPE = "application/atom+xml"


@dataclass(frozen=True)
class Entry:
    """One published version as the feed tells it."""

    id: str
    title: str
    url: str
    published_at: datetime
    summary: str


def aware(moment: datetime) -> datetime:
    """A UTC timestamp from the database (stored naive) with its time zone, as Atom needs."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def tagging_authority(base_url: str, host: str) -> str:
    """The host name a tag: URI is minted under: BASE_URL's when configured (so ids stay the
    same whichever address a reader used), else the host the request came to, without a port."""
    name = urlsplit(base_url).hostname if base_url else None
    return (name or urlsplit(f"//{host}").hostname or "localhost").lower()


def tag_uri(authority: str, day: datetime, specific: str) -> str:
    """tag:<authority>,<yyyy-mm-dd>:<specific> (RFC 4151)."""
    return f"tag:{authority},{day:%Y-%m-%d}:{specific}"


def entry_title(document_title: str, number: int) -> str:
    return f"{document_title}, version {number}"


def entry_summary(signed_by: str, fingerprint: str) -> str:
    """'Signed by 6 of 6 authorities; content fingerprint (SHA-256) …'."""
    return f"{signed_by}; content fingerprint (SHA-256) {fingerprint}"


def atom(*, feed_id: str, title: str, subtitle: str, self_url: str, register_url: str,
         author: str, updated: datetime, entries: list[Entry]) -> bytes:
    """The feed as UTF-8 XML bytes; `entries` newest first, kept in that order."""
    # Imported when first used (as export's libraries are): only the feed needs it.
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.language("en-GB")
    fg.author({"name": author})
    fg.link(href=self_url, rel="self", type=ATOM_TYPE)
    fg.link(href=register_url, rel="alternate", type="text/html")
    fg.generator("Common Ground")
    fg.updated(aware(updated))
    for item in entries:
        fe = fg.add_entry(order="append")
        fe.id(item.id)
        fe.title(item.title)
        fe.link(href=item.url, rel="alternate", type="text/html")
        fe.published(aware(item.published_at))
        fe.updated(aware(item.published_at))
        fe.summary(item.summary)
    return fg.atom_str(pretty=True, encoding="UTF-8")

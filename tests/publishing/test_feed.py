"""The register's Atom feed: one entry per published version, newest first, with a stable id,
an absolute link to the version's page and what its signatures amount to; conditional answers
(ETag, Last-Modified, 304); no cookie; 404 when the register is off or unknown."""
import re
from datetime import UTC, datetime

from lxml import etree
from sqlalchemy import select

from tests.support import agree
from workspace.accounts.models import User
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.publishing import feed as atom
from workspace.review import lifecycle, positions
from workspace.review.models import DocumentVersion

FEED = "/public/sw-herts/feed.atom"
NS = {"a": "http://www.w3.org/2005/Atom"}
SCG = "Statement of Common Ground"
VERSION_URL = "http://localhost/public/sw-herts/statement-of-common-ground/v{}"


# Getting versions published quickly (the demo without its PDFs or signing keys) -------------

def _scg():
    return db.session.scalar(select(Document).where(Document.title == SCG))


def _admin():
    return db.session.scalar(select(User).where(User.email == "admin@swherts.example"))


def agree_and_sign(app):
    """Agree the Statement's current version (every outstanding position given) and have
    every signatory sign it: Signed, not published."""
    with app.test_request_context():
        document = _scg()
        members = db.session.scalars(select(User).where(
            User.role == "member", User.email.like("member@%"))).all()
        for cell in positions.agreement_grid(document).outstanding:
            who = next(u for u in members if u.organisation_id == cell.signatory.organisation_id)
            positions.record_position(cell.section, who, "agreed", route="cabinet",
                                      route_body="Cabinet", minute_ref="CAB 7/26")
        agree(document, _admin(), with_exceptions=True)
        for who in members:
            if not document.is_signed:
                lifecycle.sign(document, who, "common-ground", who.name, "Portfolio Holder")
        db.session.commit()


def publish(app):
    with app.test_request_context():
        lifecycle.publish(_scg(), _admin())
        db.session.commit()


def next_version_out(app):
    with app.test_request_context():
        document, admin = _scg(), _admin()
        lifecycle.start_next_version(document, admin)
        lifecycle.send_out(document, admin, reason="Version 2 for agreement")
        db.session.commit()


def versions(app):
    """{number: (published_at, content_sha256)} of the Statement's frozen versions."""
    with app.app_context():
        return {v.number: (v.published_at, v.content_sha256) for v in db.session.scalars(
            select(DocumentVersion).where(DocumentVersion.document_id == _scg().id))}


def parse(response):
    assert response.status_code == 200, response.text[:500]
    return etree.fromstring(response.data)


def entries(root):
    return root.findall("a:entry", NS)


def text(element, path):
    return element.findtext(path, namespaces=NS)


def assert_no_cookie(response):
    assert "Set-Cookie" not in response.headers, response.headers.get("Set-Cookie")


# The feed -----------------------------------------------------------------------------------

def test_the_feed_has_one_entry_per_published_version_newest_first(app, demo, client):
    agree_and_sign(app)
    publish(app)
    next_version_out(app)
    agree_and_sign(app)
    publish(app)
    frozen = versions(app)

    response = client.get(FEED)
    assert response.mimetype == "application/atom+xml"
    assert_no_cookie(response)
    root = parse(response)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert text(root, "a:title") == "South West Hertfordshire Joint Strategic Plan: " \
                                    "published documents"
    assert text(root, "a:author/a:name") == "South West Hertfordshire Joint Strategic Plan"
    assert root.find("a:link[@rel='self']", NS).get("href") == f"http://localhost{FEED}"
    assert root.find("a:link[@rel='alternate']", NS).get("href") == \
        "http://localhost/public/sw-herts/"
    assert text(root, "a:id").startswith("tag:localhost,")

    found = entries(root)
    assert [text(e, "a:title") for e in found] == [f"{SCG}, version 2", f"{SCG}, version 1"]
    for entry, number in zip(found, (2, 1)):
        published_at, sha = frozen[number]
        assert entry.find("a:link", NS).get("href") == VERSION_URL.format(number)
        assert entry.find("a:link", NS).get("rel", "alternate") == "alternate"   # RFC 4287 4.2.7.2
        stamp = published_at.replace(tzinfo=UTC).isoformat()
        assert text(entry, "a:updated") == stamp and text(entry, "a:published") == stamp
        assert text(entry, "a:summary") == \
            f"Signed by 6 of 6 authorities; content fingerprint (SHA-256) {sha}"
        assert text(entry, "a:id") == (
            f"tag:localhost,{published_at:%Y-%m-%d}:"
            f"public/sw-herts/statement-of-common-ground/v{number}")
    # The feed was last updated when its newest version was published.
    assert text(root, "a:updated") == frozen[2][0].replace(tzinfo=UTC).isoformat()
    # Every entry's link leads to the version's public page.
    assert client.get(VERSION_URL.format(1)).status_code == 200


def test_an_entry_keeps_its_id_when_later_versions_are_published(app, demo, client):
    agree_and_sign(app)
    publish(app)
    first = text(entries(parse(client.get(FEED)))[0], "a:id")
    next_version_out(app)
    agree_and_sign(app)
    publish(app)
    assert text(entries(parse(client.get(FEED)))[-1], "a:id") == first


def test_a_version_agreed_and_signed_but_not_published_is_not_in_the_feed(app, demo, client):
    agree_and_sign(app)
    publish(app)
    next_version_out(app)
    agree_and_sign(app)                             # version 2: signed, not published
    _published_at, unpublished_sha = versions(app)[2]
    response = client.get(FEED)
    assert [text(e, "a:title") for e in entries(parse(response))] == [f"{SCG}, version 1"]
    assert "version 2" not in response.text and unpublished_sha not in response.text
    assert "JSP Vision: Engagement Plan" not in response.text


def test_the_feed_answers_a_cache_that_holds_it_with_304(app, demo, client):
    agree_and_sign(app)
    publish(app)
    first = client.get(FEED)
    etag = first.headers["ETag"]
    published_at = versions(app)[1][0]
    assert first.last_modified == published_at.replace(microsecond=0, tzinfo=UTC)
    assert first.headers["Cache-Control"] == "public, no-cache"

    again = client.get(FEED, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert_no_cookie(again)
    since = client.get(FEED, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304

    next_version_out(app)
    agree_and_sign(app)
    publish(app)                                    # a new entry: the old copy is stale
    fresh = client.get(FEED, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert len(entries(parse(fresh))) == 2


def test_the_feed_is_not_found_when_the_register_is_off_or_unknown(app, demo, client):
    agree_and_sign(app)
    publish(app)
    assert client.get(FEED).status_code == 200
    with app.app_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))
        partnership.publishes_register = False
        db.session.commit()
    off = client.get(FEED)
    assert off.status_code == 404
    assert_no_cookie(off)
    assert SCG not in off.text
    assert client.get("/public/no-such-partnership/feed.atom").status_code == 404


def test_a_register_with_nothing_published_has_an_empty_feed(app, factory, client):
    partnership_id = factory.partnership("quiet")
    with app.app_context():
        partnership = db.session.get(Partnership, partnership_id)
        partnership.publishes_register = True
        created = partnership.created_at
        db.session.commit()
    response = client.get("/public/quiet/feed.atom")
    root = parse(response)
    assert entries(root) == []
    assert text(root, "a:updated") == created.replace(tzinfo=UTC).isoformat()
    assert "Last-Modified" not in response.headers


def test_the_register_page_advertises_its_feed(app, demo, client):
    page = client.get("/public/sw-herts/").text
    assert re.search(r'<link rel="alternate" type="application/atom\+xml" [^>]*'
                     r'href="/public/sw-herts/feed.atom">', page)
    assert '<a class="govuk-link" href="/public/sw-herts/feed.atom">' in page


def test_ids_are_minted_under_the_configured_address_when_there_is_one():
    assert atom.tagging_authority("https://register.example.gov.uk/", "10.0.0.5:8000") == \
        "register.example.gov.uk"
    assert atom.tagging_authority("", "Localhost:5000") == "localhost"
    assert atom.tag_uri("localhost", datetime(2026, 12, 5, 23, 30), "public/x/v1") == \
        "tag:localhost,2026-12-05:public/x/v1"


def test_with_base_url_the_feed_and_open_data_links_never_follow_the_host_header(
        app, demo, client, monkeypatch):
    """Both are kept by shared caches (and the open data by the app's own cache of rendered
    public files): a forged Host header must not choose the links everyone is handed."""
    agree_and_sign(app)
    publish(app)
    monkeypatch.setitem(app.config, "BASE_URL", "https://plans.example.gov.uk")
    root = parse(client.get(FEED, headers={"Host": "evil.example"}))
    links = [link.get("href") for link in root.iter("{http://www.w3.org/2005/Atom}link")]
    assert links and all(h.startswith("https://plans.example.gov.uk/public/sw-herts/")
                         for h in links), links
    data = client.get("/public/sw-herts/statement-of-common-ground/v1/data.json",
                      headers={"Host": "evil.example"})
    assert data.status_code == 200
    assert "evil.example" not in data.text
    assert "https://plans.example.gov.uk/public/sw-herts/" in data.text


def test_with_base_url_no_public_page_takes_its_links_from_the_host_header(app, demo, client,
                                                                           monkeypatch):
    """The register, a version, its changes and the open data page are cached too (ETags,
    `Cache-Control: public`), and the register's "link to this" snippet is pasted into
    councils' own sites: their canonical links and addresses come from BASE_URL."""
    agree_and_sign(app)
    publish(app)
    monkeypatch.setitem(app.config, "BASE_URL", "https://plans.example.gov.uk")
    for path in ("/public/sw-herts/", "/public/sw-herts/statement-of-common-ground/",
                 "/public/sw-herts/statement-of-common-ground/v1", "/public/sw-herts/data"):
        for headers in ({"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"}):
            page = client.get(path, headers=headers)
            assert page.status_code == 200, path
            assert "evil.example" not in page.text, path
            assert "https://plans.example.gov.uk/public/sw-herts/" in page.text, path


def test_without_base_url_one_host_never_chooses_the_links_kept_for_another(
        app, demo, client, monkeypatch):
    """The app keeps rendered public pages per process: a forged Host answered first must
    not be what the next visitor (or a cache revalidating its ETag) is handed."""
    agree_and_sign(app)
    publish(app)
    assert not app.config.get("BASE_URL")
    monkeypatch.setitem(app.config, "SERVER_NAME", None)     # links from the request's host
    path = "/public/sw-herts/statement-of-common-ground/v1"
    forged = client.get(path, headers={"Host": "evil.example"})
    assert "http://evil.example/public/sw-herts/" in forged.text
    honest = client.get(path, headers={"Host": "plans.example"})
    assert "evil.example" not in honest.text
    assert "http://plans.example/public/sw-herts/" in honest.text
    assert honest.headers["ETag"] != forged.headers["ETag"]
    again = client.get(path, headers={"Host": "plans.example",
                                      "If-None-Match": forged.headers["ETag"]})
    assert again.status_code == 200

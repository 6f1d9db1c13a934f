"""The public register of a partnership: its partners and published documents, the lookups
other parts of the register use, the helpful not-found page, caching rules, no cookie, and the
snippet web teams embed. Nothing unpublished is ever shown."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from workspace.clock import utcnow
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.publishing import service
from workspace.review.models import DocumentVersion, Signature

from .register_support import (
    REGISTER,
    SCG_SLUG,
    UNPUBLISHED_TITLE,
    V1,
    agree_and_sign,
    assert_no_cookie,
    publish,
    set_register,
    start_and_agree_next,
)

DOCUMENT = f"{REGISTER}{SCG_SLUG}/"


@pytest.fixture
def published(app, demo):
    """The demo with version 1 of its SCG published."""
    agree_and_sign(app)
    publish(app)


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def test_register_lists_partners_and_published_versions_with_their_signatures(
        app, client, published):
    response = client.get(REGISTER)
    assert response.status_code == 200
    words = _text(response)
    assert "South West Hertfordshire Joint Strategic Plan" in words
    for name in ("Dacorum Borough Council", "Hertfordshire County Council",
                 "Watford Borough Council", "St Albans City and District Council"):
        assert name in words
    assert "Statement of Common Ground" in words
    assert "Version 1 of Statement of Common Ground Latest" in words
    assert "Signed by 6 of 6 authorities" in words
    assert f'href="{V1}"' in response.text
    assert f'href="{DOCUMENT}"' in response.text


def test_register_lists_versions_newest_first_and_only_published_ones(app, client, published):
    start_and_agree_next(app)                       # version 2 agreed and signed, unpublished
    page = client.get(REGISTER).text
    assert "Version 2" not in page and f"{SCG_SLUG}/v2" not in page
    publish(app)
    page = client.get(REGISTER).text
    assert page.index(f"{SCG_SLUG}/v2") < page.index(f"{SCG_SLUG}/v1")
    assert client.get(DOCUMENT).text.index("Version 2") < client.get(DOCUMENT).text.index(
        "Version 1")


def test_a_register_with_nothing_published_says_so_and_names_no_document(app, client, demo):
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert "Nothing has been published yet." in response.text
    assert "Statement of Common Ground" not in response.text
    assert UNPUBLISHED_TITLE not in response.text


def test_no_public_page_shows_unpublished_work(app, client, published):
    start_and_agree_next(app)                       # version 2: agreed, not published
    urls = [REGISTER, DOCUMENT, V1, f"{V1}/docx", f"{REGISTER}{SCG_SLUG}/v2",
            f"{REGISTER}{SCG_SLUG}/v2/docx", f"{REGISTER}{SCG_SLUG}/v2/pdf",
            f"{REGISTER}jsp-vision-engagement-plan/", f"{REGISTER}jsp-vision-engagement-plan/v1",
            f"{REGISTER}nothing/here/at/all", "/public/unknown/"]
    for url in urls:
        response = client.get(url)
        body = response.get_data(as_text=url.endswith("docx") is False)
        if isinstance(body, str):
            assert UNPUBLISHED_TITLE not in body, url
            assert "Engagement Plan" not in body, url
            assert "Suggested change" not in body and "comment" not in body.lower(), url
        assert_no_cookie(response)
    for url in urls[4:]:
        assert client.get(url).status_code == 404, url


def test_not_found_links_to_the_register_only_when_the_partnership_publishes(app, client,
                                                                           published):
    response = client.get(f"{REGISTER}{SCG_SLUG}/v9")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert f'href="{REGISTER}"' in response.text
    assert "South West Hertfordshire" in response.text
    assert "Sign in" not in response.text and "csrf" not in response.text.lower()
    set_register(app, False)
    for url in (REGISTER, DOCUMENT, V1, f"{REGISTER}{SCG_SLUG}/v9"):
        off = client.get(url)
        assert off.status_code == 404
        assert "South West Hertfordshire" not in off.text
        assert "Statement of Common Ground" not in off.text
        assert f'href="{REGISTER}"' not in off.text
    unknown = client.get("/public/no-such-partnership/")
    assert unknown.status_code == 404 and "Page not found" in unknown.text


def test_no_public_answer_sets_a_cookie_even_for_a_signed_in_visitor(app, client, login,
                                                                     published):
    for url in (REGISTER, DOCUMENT, V1, f"{REGISTER}{SCG_SLUG}/v9", "/public/"):
        assert_no_cookie(client.get(url))
    with app.app_context():
        from workspace.accounts.models import User
        member = db.session.scalar(select(User.id).where(User.email ==
                                                         "member@watford.example"))
    login(client, member)
    with client.session_transaction() as session:
        session.permanent = True                 # as signing in makes it: refreshed on use
    assert "Set-Cookie" in client.get("/").headers       # the workspace refreshes it
    for url in (REGISTER, DOCUMENT, V1, f"{REGISTER}{SCG_SLUG}/v9"):
        response = client.get(url)
        assert_no_cookie(response)
        assert "Cookie" not in response.headers.get("Vary", "")


def test_register_answers_not_modified_to_a_request_that_still_matches(app, client,
                                                                       published):
    first = client.get(REGISTER)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get(REGISTER, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get(REGISTER, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    start_and_agree_next(app)
    publish(app)
    changed = client.get(REGISTER, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and f"{SCG_SLUG}/v2" in changed.text


def test_the_embed_snippet_is_a_plain_link_block_to_copy(app, client, published):
    page = client.get(REGISTER).text
    block = re.search(r'<pre class="cg-embed__code"[^>]*><code>(.*?)</code></pre>', page,
                      re.S)
    assert block, "the snippet is in a <pre><code> block"
    shown = block.group(1)
    assert "<a " not in shown, "the snippet is shown as text, not as links"
    snippet = (shown.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')
               .replace("&amp;", "&"))
    assert '<a href="http://localhost/public/sw-herts/">' in snippet
    assert '<a href="http://localhost/public/sw-herts/statement-of-common-ground/v1">' \
           "Statement of Common Ground, version 1</a>" in snippet
    assert "iframe" not in snippet and "script" not in snippet
    document_page = client.get(DOCUMENT).text
    assert "Link to this from your website" in document_page
    assert "v1&#34;&gt;Statement of Common Ground, version 1" in document_page


def test_document_page_lists_its_versions_and_unknown_documents_are_not_found(
        app, client, published):
    response = client.get(DOCUMENT)
    assert response.status_code == 200
    assert "The latest published version is" in response.text
    assert f'href="{V1}"' in response.text
    assert client.get(f"{REGISTER}no-such-document/").status_code == 404


def test_lookups_answer_only_what_is_published(app, published):
    start_and_agree_next(app)                       # version 2: agreed and signed only
    with app.test_request_context():
        partnership = service.register_partnership("sw-herts")
        assert partnership is not None
        [entry] = service.published_documents(partnership)
        assert entry.document.public_slug == SCG_SLUG
        assert [v.number for v in entry.versions] == [1]
        document, v1 = service.published_version(partnership, SCG_SLUG, 1)
        assert v1.number == 1 and document.title == "Statement of Common Ground"
        assert service.published_version(partnership, SCG_SLUG, 2) is None
        assert service.published_version(partnership, "nope", 1) is None
        assert service.previous_published(document, v1) is None
        assert service.signature_summary(v1) == (6, 6)
        assert service.version_url(partnership, document, v1) == \
            "/public/sw-herts/statement-of-common-ground/v1"
        assert service.version_url(partnership, document, v1, _external=True) == \
            "http://localhost/public/sw-herts/statement-of-common-ground/v1"
        partnership.publishes_register = False
        db.session.flush()
        assert service.register_partnership("sw-herts") is None
        assert service.register_partnership("no-such") is None
        db.session.rollback()
    publish(app)
    with app.test_request_context():
        partnership = service.register_partnership("sw-herts")
        document, v2 = service.published_version(partnership, SCG_SLUG, 2)
        assert service.previous_published(document, v2).number == 1
        assert [v.number for v in service.published_documents(partnership)[0].versions] == \
            [2, 1]


def test_signature_summary_counts_live_signatures_of_the_authorities_named(app, published):
    with app.test_request_context():
        row = db.session.scalar(select(DocumentVersion).where(DocumentVersion.number == 1))
        signature = db.session.scalars(select(Signature).where(
            Signature.version_id == row.id)).first()
        signature.voided_at = utcnow() - timedelta(minutes=1)
        db.session.flush()
        assert service.signature_summary(row) == (5, 6)
        assert service.signed_by_text(row) == "Signed by 5 of 6 authorities"
        db.session.rollback()


def test_a_document_without_a_public_address_is_not_on_the_register(app, client, published):
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.public_slug == SCG_SLUG))
        document.public_slug = None
        db.session.commit()
        partnership = db.session.scalar(select(Partnership))
    with app.test_request_context():
        assert service.published_documents(db.session.merge(partnership)) == []
    assert "Nothing has been published yet." in client.get(REGISTER).text


def test_the_registers_page_lists_the_partnerships_that_publish_theirs(app, client, published):
    """/public/ names every partnership whose register is on, linked to it; one with its
    register off is not named. Anyone reads it, without a cookie; it answers 304 when
    unchanged."""
    page = client.get("/public/")
    assert page.status_code == 200
    assert_no_cookie(page)
    assert f'<a class="govuk-link" href="{REGISTER}">South West Hertfordshire' in page.text
    assert client.get("/public/", headers={"If-None-Match": page.headers["ETag"]}) \
        .status_code == 304
    set_register(app, False)
    off = client.get("/public/")
    assert off.status_code == 200 and "South West Hertfordshire" not in off.text
    assert "No partnership publishes its register here yet." in off.text



def test_the_workspace_leads_to_the_register(app, client, login, published):
    """Found by a walkthrough: nothing in the workspace led to the public register. Its footer
    does, signed out too; a published version's lifecycle and versions pages link to its
    public page while the register is on."""
    assert 'href="/public/">Published documents</a>' in client.get("/sign-in").text
    with app.app_context():
        from workspace.accounts.models import User
        admin = db.session.scalar(select(User.id).where(User.email == "admin@swherts.example"))
        document_id = _scg_id()
    login(client, admin)
    base = f"/p/sw-herts/d/{document_id}"
    public_v1 = f'href="{V1}"'
    assert public_v1 in client.get(f"{base}/lifecycle").text
    assert public_v1 in client.get(f"{base}/versions").text
    set_register(app, False)
    assert public_v1 not in client.get(f"{base}/lifecycle").text
    assert public_v1 not in client.get(f"{base}/versions").text


def _scg_id():
    return db.session.scalar(select(Document.id).where(
        Document.title == "Statement of Common Ground"))

"""Static files: long cache lifetimes for names that carry a version, a content hash for our
own files, and gzip where the browser accepts it (not on pages with a CSRF token)."""
import gzip
import re

from workspace.static_files import YEAR


def test_vendored_files_are_cached_for_a_year(client):
    with client.get("/static/vendor/htmx-2.0.11.min.js") as response:
        assert response.status_code == 200
        assert response.cache_control.max_age == YEAR
        assert response.cache_control.immutable


def test_own_files_get_a_content_hash_and_only_that_is_cached_long(app, client, login, world):
    login(client, world["users"]["officer"])
    page = client.get("/").text
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page)
    js = re.search(r'src="(/static/js/main\.js\?v=[0-9a-f]{12})"', page)
    assert css and js, "app.css and main.js carry a content hash"
    with client.get(css.group(1)) as current:
        assert current.cache_control.max_age == YEAR
    assert "vendor/htmx-2.0.11.min.js\"" in page        # versioned names need no hash
    with client.get("/static/css/app.css?v=000000000000") as stale:
        assert stale.cache_control.no_cache and stale.cache_control.max_age is None
    with client.get("/static/js/main.js") as module:
        assert module.cache_control.no_cache


def test_static_text_is_compressed_when_accepted(client):
    with client.get("/static/vendor/htmx-2.0.11.min.js") as plain:
        plain_data = plain.data
        assert "Content-Encoding" not in plain.headers
    packed = client.get("/static/vendor/htmx-2.0.11.min.js",
                        headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain_data


def test_pages_with_a_csrf_token_are_not_compressed(client, login, world, app):
    login(client, world["users"]["officer"])
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text or "X-CSRFToken" in page.text
    assert "Content-Encoding" not in page.headers
    signin = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in signin.headers           # too small to be worth it

"""The front end's vendored files: the axe-core test script is never served (it lives with the
browser tests), and every file in static/vendor is one a page or script actually uses."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
AXE = "axe-core-4.14.1.min.js"


def test_axe_core_is_not_served(client):
    for url in (f"/static/vendor/{AXE}", f"/static/{AXE}",
                f"/__browser-tests__/{AXE}"):
        assert client.get(url).status_code == 404, url


def test_no_static_file_is_axe_and_the_tests_keep_their_copy():
    assert [p for p in STATIC.rglob("*") if p.name.lower().startswith("axe")] == []
    assert (ROOT / "tests" / "browser" / "vendor" / AXE).is_file()


def test_every_vendored_file_is_used():
    """A vendored file that nothing links or imports is dead weight served to the public."""
    sources = [*(ROOT / "templates").rglob("*.html"), *(STATIC / "js").rglob("*.js"),
               *(STATIC / "vendor").glob("*.js")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    unused = [p.name for p in (STATIC / "vendor").iterdir()
              if not re.search(r"vendor/" + re.escape(p.name) + r"\b", text)
              and not re.search(r"\./" + re.escape(p.name) + r"\b", text)]
    assert unused == []

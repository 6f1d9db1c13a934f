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


GOVUK_VERSION = "6.6.0"
GOVUK_CSS = STATIC / "vendor" / f"govuk-frontend-{GOVUK_VERSION}.min.css"
GOVUK_JS = STATIC / "vendor" / f"govuk-frontend-{GOVUK_VERSION}.components.min.js"
#: GOV.UK Frontend class names that carry no style of their own: hooks for its JavaScript,
#: or structure its markup asks for (checked against the 6.6.0 templates).
UNSTYLED_HOOKS = {
    "govuk-checkboxes", "govuk-radios", "govuk-file-upload--error",
    "govuk-generic-header__container", "govuk-service-navigation__text",
    "govuk-table__body", "govuk-table__head", "govuk-table__row", "govuk-table__caption--s",
    "govuk-template__header", "govuk-frontend-supported",
}


def _markup():
    files = [*(ROOT / "templates").rglob("*.html"), *(STATIC / "js").rglob("*.js"),
             *(ROOT / "workspace").rglob("*.py")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_every_govuk_class_the_pages_use_is_in_the_built_css():
    """Only the components the pages use are built: one dropped from the Sass, or a class
    that GOV.UK Frontend renamed or removed (6.0 dropped govuk-tag--blue), fails here."""
    css = GOVUK_CSS.read_text(encoding="utf-8").replace("\\!", "!")
    defined = set(re.findall(r"\.(govuk-[\w!-]+)", css))
    used = {c for c in re.findall(r"govuk-[\w!-]+", _markup())
            if not c.endswith("-") and not c.startswith("govuk-frontend-")}
    assert sorted(used - defined - UNSTYLED_HOOKS) == []


def test_every_govuk_script_the_pages_ask_for_is_bundled_and_nothing_else():
    modules = set(re.findall(r'data-module="(govuk-[a-z-]+)"', _markup()))
    bundle = GOVUK_JS.read_text(encoding="utf-8")
    bundled = set(re.findall(r'"(govuk-[a-z-]+)"', bundle)) & {
        f"govuk-{n}" for n in ("accordion", "button", "character-count", "checkboxes",
                               "error-summary", "exit-this-page", "file-upload", "header",
                               "notification-banner", "password-input", "radios",
                               "service-navigation", "skip-link", "tabs")}
    assert modules and modules == bundled
    assert bundle.startswith(f"/*! GOV.UK Frontend {GOVUK_VERSION} ")
    main = (STATIC / "js" / "main.js").read_text(encoding="utf-8")
    assert f'from "../vendor/{GOVUK_JS.name}"' in main

"""Real-browser fixtures: the app on a live server, Chromium driven by Playwright.

The live server serves the session's `app` (tests/conftest.py) and so its database: rows made
with the ordinary fixtures (`demo`, `factory`) are what the browser sees, and the autouse
cleaner empties the database after every test as usual.

Without Chromium or Playwright these tests fail (never skip) with what to install.
"""
import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from .support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    QUICK_MS,
    PlaywrightError,
    missing_requirements,
    sign_in,
    sync_playwright,
)


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request (the poller asks every 2 s); errors are still logged."""

    def log_request(self, *args, **kwargs):
        pass


class LiveServer:
    """The app on 127.0.0.1, a free port, one thread per request, in a background thread.

    Pages are opened at http://localhost:<port>: the test config's SERVER_NAME is
    "localhost", and a cookie set for `localhost` is sent back to it (Flask 3.1 routes any
    host when subdomain matching is off, so the port does not matter).

    It counts requests in flight so a test can wait for the server to go quiet before the
    database is cleaned (a poll still running would otherwise race the clean-up).
    """

    def __init__(self, app):
        self.app = app
        self._in_flight = 0
        self._quiet = threading.Condition()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True,
                                   request_handler=_QuietHandler)
        self.port = self._server.server_port
        self.url = f"http://localhost:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="live-server", daemon=True)

    def _wsgi(self, environ, start_response):
        with self._quiet:
            self._in_flight += 1
        iterable = None
        try:
            iterable = self.app(environ, start_response)
            yield from iterable
        finally:
            if hasattr(iterable, "close"):      # `yield from` does not close a finished one
                iterable.close()
            with self._quiet:
                self._in_flight -= 1
                self._quiet.notify_all()

    def start(self):
        self._thread.start()

    def wait_until_quiet(self, timeout=60):             # a PDF on a loaded machine is slow
        with self._quiet:
            if not self._quiet.wait_for(lambda: self._in_flight == 0, timeout=timeout):
                raise AssertionError(f"{self._in_flight} request(s) still running after "
                                     f"{timeout} s")

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app):
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _test_writes_take_the_lock():
    """The test's own transactions (fixtures seeding rows, reads between page steps) begin
    IMMEDIATE on SQLite while the live server runs.

    A browser may send one last request after the server went quiet (an editor's leaving
    beacon as a context closes): had it committed between a fixture's first read and its
    first write, the fixture would fail at once with "database is locked"
    (tests/test_sqlite_transactions.py). Every block the tests open here is short and ends
    before the page is used again, so holding the lock from its first read blocks nobody long.
    """
    from workspace.db import immediate_writes
    with immediate_writes():
        yield


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session (contexts keep tests apart)."""
    problems = missing_requirements()
    if problems:
        pytest.fail("The browser tests cannot run. " + " ".join(problems), pytrace=False)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc.message.splitlines()[0]}. "
                        "Reinstall it with `apt-get install --reinstall chromium`.",
                        pytrace=False)
        yield chromium
        chromium.close()


class BrowserPage:
    """A page in its own browser context, with what it logged."""

    def __init__(self, page):
        self.page = page
        self.console_errors = []
        self.page_errors = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def csp_violations(self):
        """Violations seen by the page (recorded by the init script below)."""
        return self.page.evaluate("window.__cspViolations || []")


#: Runs before any page script: records Content-Security-Policy violations. Injected by the
#: browser itself, so the CSP does not apply to it.
_RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective}: ${event.blockedURI}`);
});
"""


@pytest.fixture
def open_page(request, live_server):
    """open_page(email=None, javascript=True): a fresh browser context and page, signed in
    through the real form when an email is given. Returns a BrowserPage.

    The browser is asked for on first use, so that a missing Chromium or Playwright fails
    the test itself (FAILED, with what to install) rather than erroring in its set-up.
    At the end the contexts close and the server is left to finish what they started, before
    the database is cleaned.
    """
    contexts = []

    def _open(email=None, javascript=True):
        browser = request.getfixturevalue("browser")
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        context.set_default_timeout(QUICK_MS)
        context.add_init_script(_RECORD_CSP)
        contexts.append(context)
        opened = BrowserPage(context.new_page())
        if email:
            sign_in(opened.page, email)
        return opened

    yield _open
    for context in contexts:
        context.close()
    live_server.wait_until_quiet()


@pytest.fixture
def officers_edit(app, demo):
    """The demo Statement is out for agreement, where only partnership admins change its text
    directly and everyone else suggests (issue 17): Watford's and Dacorum's officers get the
    SW Herts partnership admin grant, for the tests of the editor itself."""
    from sqlalchemy import select

    from workspace.accounts.models import User
    from workspace.extensions import db
    from workspace.partnerships.models import Partnership, PartnershipAdmin
    with app.app_context():
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == "sw-herts"))
        for email in ("officer@watford.example", "officer@dacorum.example"):
            user = db.session.scalar(select(User).where(User.email == email))
            db.session.add(PartnershipAdmin(partnership_id=partnership.id, user_id=user.id))
        db.session.commit()

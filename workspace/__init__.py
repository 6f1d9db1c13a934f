"""Common Ground: a workspace where partner authorities co-write and agree documents."""
import math
import os
import time

from flask import Flask, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import audit, clock, health, logs
from . import db as dbmod
from .config import ConfigurationError, load_config, refuse
from .extensions import csrf, db, limiter, login_manager, migrate
from .security import CleanRequest, QuietSessionInterface, init_security_headers
from .web import DatabaseInteger, absolute_url, is_htmx, section_url

#: Endpoints anyone may reach without signing in.
PUBLIC_ENDPOINTS = frozenset({"static", "auth.login", "auth.accept_invitation", "health",
                              "readyz", "favicon", "export.verify",
                              # an e-mail's unsubscribe link: its signed token is the proof
                              "notifications.unsubscribe", "notifications.unsubscribe_post"})


_refuse = refuse


def create_app(test_config=None):
    """Build the application: config, extensions, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder="../templates", static_folder="../static")
    app.request_class = CleanRequest
    app.url_map.converters["int"] = DatabaseInteger     # ids beyond a database integer: 404
    load_config(app)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        _refuse(
            "SECRET_KEY is not set. Set it to a long random value in production "
            "(python -c 'import secrets; print(secrets.token_hex(32))'), "
            "or set APP_ENV=development for a local trial.")
    problem = dbmod.url_problem(app.config["SQLALCHEMY_DATABASE_URI"])
    if problem:
        _refuse(f"DATABASE_URL is not a usable database URL: {problem}.")
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.normpath(
        os.path.join(app.root_path, "..", "migrations")))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    logs.init_app(app)          # first after_request registered: its access line comes last
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = None
    app.session_interface = QuietSessionInterface()     # polls do not refresh the cookie

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            dbmod.configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        if not app.config.get("SKIP_DATABASE_CHECK"):
            problem = dbmod.check_database(engine)
            if problem:
                _refuse(
                    f"the database at {dbmod.safe_url(app.config['SQLALCHEMY_DATABASE_URI'])} "
                    f"cannot be reached ({problem}). Check DATABASE_URL.")

    _register_models()
    from .jobs.queue import init_app as init_jobs
    try:
        init_jobs(app)
    except ValueError as exc:
        _refuse(str(exc))
    health.init_app(app)
    from .files import init_app as init_files
    init_files(app)                 # the file store: FILES_DIR, or FILES_S3_BUCKET
    _register_blueprints(app)
    _register_request_rules(app)
    _register_errors(app)
    _register_template_helpers(app)
    init_security_headers(app)
    from .static_files import init_static
    init_static(app)
    from .cli import register_cli
    register_cli(app)
    from .pages.live_poll import init_app as init_live_poll
    init_live_poll(app, engine)     # the live feed's "nothing changed", before the app
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    return app


def _register_models():
    from .accounts import models as _accounts  # noqa: F401
    from .cooperation import models as _cooperation  # noqa: F401
    from .documents import models as _documents  # noqa: F401
    from .engagement import models as _engagement  # noqa: F401
    from .export import models as _export  # noqa: F401
    from .jobs import models as _jobs  # noqa: F401
    from .mail import OutboxMessage as _outbox  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .partnerships import models as _partnerships  # noqa: F401
    from .review import models as _review  # noqa: F401
    from .suggestions import models as _suggestions  # noqa: F401


def _register_blueprints(app):
    from .accounts.auth_views import bp as auth_bp
    from .accounts.views import bp as organisation_bp
    from .cooperation import register as register_cooperation
    from .cooperation.views import bp as cooperation_bp
    from .documents.import_views import bp as importing_bp
    from .documents.new_views import bp as new_document_bp
    from .engagement.blocks import register as register_engagement_blocks
    from .engagement.views import bp as engagement_bp
    from .export.service import register as register_export
    from .export.views import bp as export_bp
    from .jobs.views import bp as jobs_bp
    from .notifications import register as register_notifications
    from .pages.document import bp as documents_bp  # documents' own routes and the page's
    from .partnerships.views import bp as partnerships_bp
    from .publishing import register as register_publishing
    from .publishing.settings_views import bp as publishing_admin_bp
    from .publishing.views import bp as public_bp
    from .review.views import bp as review_bp
    from .suggestions import register as register_suggestions
    from .suggestions.views import bp as suggestions_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(partnerships_bp)
    app.register_blueprint(organisation_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(new_document_bp)
    app.register_blueprint(importing_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(export_bp)
    app.register_blueprint(engagement_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(suggestions_bp)
    app.register_blueprint(cooperation_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(publishing_admin_bp)
    register_engagement_blocks(app)     # the live_blocks filter and content binder
    register_export(app)                # export listens to review's signals
    register_notifications(app)         # notifications listen to every area's signals
    register_suggestions(app)           # suggestions show beside each section
    register_cooperation(app)           # My tasks, reminders, the {{cooperation}} block
    register_publishing(app)            # public addresses given at publication

    @app.get("/favicon.ico")
    def favicon():
        """No icon: answer quietly instead of logging a 404 for every page."""
        return "", 204


def _register_request_rules(app):
    from .accounts.signin import load_user_for_session

    login_manager.user_loader(load_user_for_session)

    @app.before_request
    def _require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if request.blueprint == "public":       # the public register: no account needed
            return None
        if not current_user.is_authenticated:
            if is_htmx():
                return "", 401, {"HX-Redirect": url_for("auth.login")}
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return None

    @app.after_request
    def _commit(response):
        """One commit per request; error answers write nothing unless asked to."""
        if response.status_code < 400 or g.get("commit_on_error"):
            db.session.commit()
            g.committed = True      # an error after this point cannot say "not saved"
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _rollback(exc):
        if exc is not None:
            db.session.rollback()


def _register_errors(app):
    titles = {400: "Your request could not be understood", 401: "Sign in required",
              403: "You cannot do that here", 404: "Page not found",
              405: "You cannot do that here",
              409: "This changed while you were reading it",
              410: "This is no longer available", 413: "The file is too large",
              422: "Some of what you entered needs changing",
              429: "Too many requests", 500: "Something went wrong"}

    def _back_to_document():
        """(title, url) of the document the URL names, when the user may read it. Never for
        a 404, so a page that is not there names nothing."""
        args = request.view_args or {}
        if "slug" not in args or "document_id" not in args:
            return None
        from .permissions import readable_document
        try:
            document = readable_document(args["slug"], args["document_id"])
        except SQLAlchemyError:         # the error page still shows, without the link
            db.session.rollback()
            return None
        if document is None:
            return None
        return document.title, url_for("documents.show", slug=args["slug"],
                                       document_id=document.id)

    def _render_error(code, message):
        db.session.rollback()
        title = titles.get(code, "Error")
        if code == 409 and request.method == "GET":
            # Opening a page changes nothing: the document is not at the stage it needs.
            title = "This cannot be done at this stage"
        elif code == 409:
            title = ("This section changed while you were reading it"
                     if "section_id" in (request.view_args or {}) else
                     "This document changed while you were reading it")
        back = _back_to_document() if code in (403, 405, 409, 410, 422) else None
        if is_htmx():
            if code >= 500:
                message = f"{message} Reference: {logs.request_id()}."
            body = render_template("_notification.html", title=title, message=message,
                                   kind="error")
            return body, code, {"HX-Retarget": "#notifications", "HX-Reswap": "innerHTML"}
        return render_template("errors/error.html", title=title, message=message,
                               code=code, back=back, request_id=logs.request_id()), code

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if exc.code is None or exc.code < 400:
            return exc
        default = exc.__class__.description
        message = exc.description if exc.description != default else None
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            message = ("Your form had expired or came from another site. Reload the page "
                       "and try again; your text has not been saved.")
        if exc.code == 429 and limiter.current_limit is not None:
            return _too_many(limiter.current_limit, exc.description)
        if exc.code == 500 and getattr(exc, "original_exception", None) is not None:
            # Raised outside the view (finishing the answer); Flask has logged it.
            return _render_error(500, _server_error_message())
        return _render_error(exc.code, message)

    def _too_many(limit, message):
        """A limit of the limiter was reached: say when to come back, also in Retry-After."""
        wait = max(1, int(limit.reset_at - time.time()))
        minutes = math.ceil(wait / 60)
        when = f"{wait} seconds" if wait < 60 else \
            f"{minutes} minute{'s' if minutes != 1 else ''}"
        response = app.make_response(_render_error(429, f"{message} Try again in {when}."))
        response.headers["Retry-After"] = str(wait)
        return response

    @app.errorhandler(Exception)
    def _server_error(exc):
        app.logger.exception("Unhandled error on %s %s", request.method, logs.safe_path())
        return _render_error(500, _server_error_message())

    def _server_error_message():
        """Logged; and for a change, whether it was saved (an error after the request's
        commit, while finishing the answer, must not say to do it again)."""
        if request.method in ("GET", "HEAD", "OPTIONS"):
            outcome = ""
        elif g.get("committed"):
            outcome = (" Your change was probably saved: reload the page to check before "
                       "doing it again.")
        else:
            outcome = " Your change was not saved."
        return "The error has been logged." + outcome


def _register_template_helpers(app):
    from .permissions import can

    @app.template_filter("localtime")
    def localtime(value, fmt=clock.DATE_TIME):
        """UTC from the database to UK time for display."""
        return clock.display(value, fmt)

    @app.template_filter("date")
    def date(value):
        """A date (or a timestamp, in UK time) as a person reads it: 2 July 2026."""
        return clock.display(value, clock.DATE) if value else ""

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(can=can, section_url=section_url, absolute_url=absolute_url)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


__all__ = ["ConfigurationError", "audit", "create_app"]

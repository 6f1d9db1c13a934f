"""Notifications: the workspace list, e-mail sent by background jobs (at once, batched per
user, or in a daily digest), preferences per kind, signed unsubscribe links and bounces.

Other areas never import this package: they send signals (workspace/signals.py) that
events.py answers. New kinds of notification register in kinds.py.
"""


def register(app):
    """Blueprints, signal receivers, jobs and the header's unread count."""
    from flask import g
    from flask_login import current_user
    from sqlalchemy.exc import SQLAlchemyError

    from . import events, jobs  # noqa: F401  (jobs registers its kinds on import)
    from .service import unread_count
    from .views import bp, dev_bp

    app.register_blueprint(bp)
    if app.config.get("APP_ENV") == "development":
        app.register_blueprint(dev_bp)
    events.connect()

    def _unread():
        """The header's unread count, once per request and only when a page shows it."""
        if "notifications_unread" not in g:
            try:
                g.notifications_unread = unread_count(current_user)
            except SQLAlchemyError:
                app.logger.exception("Unread notification count failed")
                g.notifications_unread = None
        return g.notifications_unread

    @app.context_processor
    def _unread_helper():
        return {"notifications_unread": _unread}

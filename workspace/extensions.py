"""Flask extensions, created once and bound to the app in create_app()."""
from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

#: Named constraints so migrations are identical on SQLite and PostgreSQL.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()

#: Limits per client address (request.remote_addr, which ProxyFix corrects when
#: TRUSTED_PROXIES is set) by default; workspace/rate_limits.py counts per signed-in user.
#: Counts live in RATELIMIT_STORAGE_URI: memory of each process by default (each gunicorn
#: worker counts on its own), Redis when configured. One Limiter holds one storage: the app
#: initialised last sets it.
limiter = Limiter(key_func=get_remote_address, key_prefix="common-ground",
                  in_memory_fallback_enabled=True)


def limit_from_config(setting, **options):
    """A limit read from app.config[setting] on each request, e.g. "10 per minute;50 per
    hour" (Flask-Limiter's notation); an empty setting turns the limit off."""
    return limiter.limit(lambda: current_app.config[setting],
                         exempt_when=lambda: not current_app.config.get(setting), **options)

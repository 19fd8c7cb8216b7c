"""Flask extensions, created once here and bound to the app in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Deterministic constraint names, so Alembic migrations are the same on both stores.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True)  # batch mode: SQLite cannot ALTER most things
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()  # every POST form; the JSON API will use tokens instead
# Limits are declared on the routes that need them (login, sign-up, reset): HTTP 429 past them.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

"""Flask extensions, created unbound here and bound to an app in create_app."""

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from advocacy.db import Base


def client_ip() -> str:
    # Behind a proxy, ProxyFix (enabled by ADVOCACY_PROXY_COUNT via wsgi) sets remote_addr.
    return request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_ip, key_prefix="advocacy")

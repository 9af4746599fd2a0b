"""Flask extensions, created unbound here and bound to an app in create_app."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from advocacy.db import Base
from advocacy.ratelimit import RateLimiter, client_ip  # noqa: F401 - client_ip is imported from here

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = RateLimiter()

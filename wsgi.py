"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import sys

from advocacy import create_app
from advocacy.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # one line naming the variable, no traceback
    sys.exit(f"advocacy: configuration error: {exc}")

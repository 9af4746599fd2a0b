"""WSGI entry point: `scripts/serve` (granian), `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc
import sys

from advocacy import create_app
from advocacy.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # one line naming the variable, no traceback
    sys.exit(f"advocacy: configuration error: {exc}")

# Everything built so far (modules, the app, its templates and models) lives as long as the process. Moving it
# out of the garbage collector's view means the full collections that run now and then under load no longer
# walk it: in a run of 2,000 submissions, collection time went from 0.17-0.19 s to 0.05-0.06 s.
gc.freeze()

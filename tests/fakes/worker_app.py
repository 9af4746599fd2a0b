"""An app factory for worker subprocesses in tests: `flask --app tests.fakes.worker_app:create deliveries work`.

Settings come from the ADVOCACY_* environment as in production; Flask config that has no environment
variable (the CWC agent's contact details, short timeouts) comes as JSON in ADVOCACY_TEST_CONFIG.
"""

from __future__ import annotations

import json
import os

from advocacy import create_app


def create():
    config = json.loads(os.environ.get("ADVOCACY_TEST_CONFIG", "{}"))
    if "DELIVERY_CWC_TIMEOUT" in config:
        config["DELIVERY_CWC_TIMEOUT"] = tuple(config["DELIVERY_CWC_TIMEOUT"])
    return create_app(config)

"""The lookup API's per-IP limit, checked with Flask-Limiter's own storage and strategy.

The storage is the one Flask-Limiter uses (Redis when ADVOCACY_REDIS_URL is set, so the limit holds across
workers and hosts). The check skips Flask-Limiter's per-request bookkeeping, which costs more than answering
a cached ZIP lookup does.
"""

from __future__ import annotations

import logging
import math
import time
from functools import lru_cache

from flask import current_app
from limits import RateLimitItem, parse_many

from advocacy.extensions import client_ip, limiter

log = logging.getLogger(__name__)


@lru_cache(maxsize=32)
def rate_items(spec: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(spec))


def retry_after(scope: str, spec: str) -> int | None:
    """Seconds until this client may ask again; None while it is within `spec` (e.g. "600 per minute")."""
    return retry_after_for(scope, client_ip(), spec)


def retry_after_for(scope: str, key: str, spec: str) -> int | None:
    """As `retry_after`, for any key (e.g. IP and campaign, or a hashed email)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    try:
        strategy = limiter.limiter
        for item in rate_items(spec):
            if not strategy.hit(item, scope, key):
                reset = strategy.get_window_stats(item, scope, key).reset_time
                return max(1, math.ceil(reset - time.time()))
    except Exception:  # noqa: BLE001 - storage down: like RATELIMIT_SWALLOW_ERRORS, answer rather than fail
        log.warning("rate limit storage unavailable; lookup not throttled")
    return None

"""The lookup API's per-IP limit, checked in the rate limiter's storage (advocacy/ratelimit.py).

The storage is Redis when ADVOCACY_REDIS_URL is set, so the limit holds across workers and hosts. The view calls
the check itself instead of carrying a decorator, so the 429 keeps the API's own error body.
"""

from __future__ import annotations

from advocacy.extensions import client_ip, limiter
from advocacy.ratelimit import rate_items  # noqa: F401 - letters.limits imports it from here


def retry_after(scope: str, spec: str) -> int | None:
    """Seconds until this client may ask again; None while it is within `spec` (e.g. "600 per minute")."""
    return retry_after_for(scope, client_ip(), spec)


def retry_after_for(scope: str, key: str, spec: str) -> int | None:
    """As `retry_after`, for any key (e.g. IP and campaign, or a hashed email)."""
    return limiter.retry_after(scope, key, spec)

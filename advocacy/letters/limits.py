"""Throttles on the keys that get abused: IP + campaign, and the constituent's email per campaign.

With Redis (ADVOCACY_REDIS_URL) every window of both keys is counted in one round trip (a small Lua script), so the
limits hold across workers and hosts at the cost of a single network call per submission. Without Redis
the counts live in the rate limiter's storage (advocacy/ratelimit.py), in this process's memory. While Redis is
unreachable the limits keep holding, per process: the rate limiter counts in memory (and logs the outage once),
and Redis is tried again after ratelimit.RETRY_STORAGE_AFTER seconds.
"""

from __future__ import annotations

import logging
import math
import time

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from advocacy.extensions import client_ip, limiter
from advocacy.ratelimit import RETRY_STORAGE_AFTER, rate_items

log = logging.getLogger(__name__)
DEFAULT_IP_LIMIT = "30 per minute;300 per hour"
DEFAULT_EMAIL_LIMIT = "5 per minute;20 per day"


def _redis() -> Redis:
    ext = current_app.extensions
    conn = ext.get("letters_rate_redis")
    if conn is None:
        url = current_app.config["ADVOCACY_SETTINGS"].redis_url
        conn = ext["letters_rate_redis"] = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    return conn


# Counts every window in one server-side call: INCR each key, and give a new key its expiry.
_COUNT_WINDOWS = """
local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  counts[i] = n
end
return counts
"""


def _counter():
    ext = current_app.extensions
    script = ext.get("letters_rate_script")
    if script is None:
        script = ext["letters_rate_script"] = _redis().register_script(_COUNT_WINDOWS)
    return script


def _redis_retry_after(checks: list[tuple[str, str, str]]) -> int | None:
    """Fixed windows, all counted in one Redis call; the longest wait among exceeded windows, or None."""
    now = time.time()
    keys, expiries, windows = [], [], []
    for scope, key, spec in checks:
        for item in rate_items(spec):
            expiry = item.get_expiry()
            start = int(now // expiry) * expiry
            keys.append(f"advocacy:rl:{scope}:{key}:{item.amount}/{expiry}:{start}")
            expiries.append(expiry + 1)
            windows.append((item.amount, start + expiry))
    counts = _counter()(keys=keys, args=expiries)
    waits = [math.ceil(ends - now) for (amount, ends), count in zip(windows, counts, strict=True) if count > amount]
    return max(1, max(waits)) if waits else None


def submission_retry_after(campaign_slug: str, email_key: str | None) -> int | None:
    """Seconds to wait before this client (or this email) may submit again, or None."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return None
    checks = [("action-ip", f"{client_ip()}:{campaign_slug}", config.get("ACTION_RATE_LIMIT_IP", DEFAULT_IP_LIMIT))]
    if email_key:
        checks.append(
            (
                "action-email",
                f"{email_key[:32]}:{campaign_slug}",
                config.get("ACTION_RATE_LIMIT_EMAIL", DEFAULT_EMAIL_LIMIT),
            )
        )
    ext = current_app.extensions
    if (
        config["ADVOCACY_SETTINGS"].redis_url
        and config.get("RATELIMIT_STORAGE_URI", "").startswith("redis")
        and time.monotonic() >= ext.get("letters_rate_redis_down_until", 0.0)
    ):
        try:
            return _redis_retry_after(checks)
        except (RedisError, OSError) as exc:
            # Count in memory instead (the rate limiter below, which logs the outage once); Redis again later.
            ext["letters_rate_redis_down_until"] = time.monotonic() + RETRY_STORAGE_AFTER
            log.debug("submission limits: Redis unavailable (%s); counting in this process", type(exc).__name__)
    for scope, key, spec in checks:
        wait = limiter.retry_after(scope, key, spec)
        if wait is not None:
            return wait
    return None

"""Throttles on the keys that get abused: IP + campaign, and the constituent's email per campaign.

Counted by the one rate limiter (advocacy/ratelimit.py): with Redis, every window of both keys in one round
trip; while Redis is unreachable, in this process's memory behind its breaker, like every other limit.
"""

from __future__ import annotations

from flask import current_app

from advocacy.extensions import client_ip, limiter

DEFAULT_IP_LIMIT = "30 per minute;300 per hour"
DEFAULT_EMAIL_LIMIT = "5 per minute;20 per day"


def submission_retry_after(campaign_slug: str, email_key: str | None) -> int | None:
    """Seconds to wait before this client (or this email) may submit again, or None."""
    config = current_app.config
    checks = [("action-ip", f"{client_ip()}:{campaign_slug}", config.get("ACTION_RATE_LIMIT_IP", DEFAULT_IP_LIMIT))]
    if email_key:
        checks.append(
            (
                "action-email",
                f"{email_key[:32]}:{campaign_slug}",
                config.get("ACTION_RATE_LIMIT_EMAIL", DEFAULT_EMAIL_LIMIT),
            )
        )
    return limiter.retry_after_all(checks)

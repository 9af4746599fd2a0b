"""Throttles on the keys that get abused: IP + campaign, and the constituent's email per campaign."""

from __future__ import annotations

from flask import current_app

from advocacy.congress.throttle import retry_after_for
from advocacy.extensions import client_ip

DEFAULT_IP_LIMIT = "30 per minute;300 per hour"
DEFAULT_EMAIL_LIMIT = "5 per minute;20 per day"


def submission_retry_after(campaign_slug: str, email_key: str | None) -> int | None:
    """Seconds to wait before this client (or this email) may submit again, or None."""
    config = current_app.config
    wait = retry_after_for(
        "action-ip", f"{client_ip()}:{campaign_slug}", config.get("ACTION_RATE_LIMIT_IP", DEFAULT_IP_LIMIT)
    )
    if wait is None and email_key:
        wait = retry_after_for(
            "action-email",
            f"{email_key[:32]}:{campaign_slug}",
            config.get("ACTION_RATE_LIMIT_EMAIL", DEFAULT_EMAIL_LIMIT),
        )
    return wait

"""Delivery tunables: Flask config keys with defaults (set them in create_app's `config` or tests)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from advocacy.config import Settings

DEFAULTS: dict[str, Any] = {
    # Attempts before a delivery is declared dead (an organizer can still retry it).
    "DELIVERY_MAX_ATTEMPTS": 8,
    # Exponential backoff: base * 2**(attempt-1), capped, then jittered to 50-100 %.
    "DELIVERY_BACKOFF_BASE": 60,
    "DELIVERY_BACKOFF_MAX": 4 * 60 * 60,
    # A delivery in `sending` longer than this belongs to a dead worker; must exceed every send timeout.
    "DELIVERY_SENDING_TIMEOUT": 600,
    "DELIVERY_POLL_INTERVAL": 2.0,
    # Most rows one claim takes (a worker never claims more than it has free threads for).
    "DELIVERY_BATCH_SIZE": 20,
    # Sends in flight at once in one worker process (threads), and per channel: in flight and started
    # per second (0: no limit beyond the worker's). From ADVOCACY_DELIVERY_* (config.py).
    "DELIVERY_CONCURRENCY": 32,
    "DELIVERY_CWC_MAX_IN_FLIGHT": 0,
    "DELIVERY_CWC_PER_SECOND": 0,
    "DELIVERY_SMTP_MAX_IN_FLIGHT": 8,
    "DELIVERY_SMTP_PER_SECOND": 0,
    # (connect, read) seconds for CWC calls.
    "DELIVERY_CWC_TIMEOUT": (5.0, 30.0),
    # How long a fetched CWC /offices list is trusted.
    "DELIVERY_CWC_OFFICES_TTL": 6 * 60 * 60,
    # Validate each message with /v2/validate before /v2/message (useful while certifying with CWC).
    "DELIVERY_CWC_VALIDATE_FIRST": False,
    # bioguide id -> MemberOffice code, for offices whose code the rules below get wrong.
    "CWC_OFFICE_CODES": {},
    # Who we are to CWC (DeliveryAgent comes from ADVOCACY_CWC_DELIVERY_AGENT).
    "CWC_AGENT_ACK_EMAIL": "",
    "CWC_AGENT_CONTACT_NAME": "",
    "CWC_AGENT_CONTACT_EMAIL": "",
    "CWC_AGENT_CONTACT_PHONE": "",
    "CWC_ORGANIZATION": "",
    "CWC_ORGANIZATION_ABOUT": "",
    # CWC requires a Prefix from its own list (cwc.CWC_PREFIXES), which has no gender-neutral one; used when
    # the constituent gave none or chose `Mx.`.
    "CWC_DEFAULT_PREFIX": "Ms.",
    # Bearer token for /metrics/deliveries (empty: only signed-in staff may read it).
    "DELIVERY_METRICS_TOKEN": "",
}


def option(name: str) -> Any:
    if name == "DELIVERY_INLINE":
        return inline_enabled()
    return current_app.config.get(name, DEFAULTS[name])


def settings() -> Settings:
    return current_app.config["ADVOCACY_SETTINGS"]


def inline_enabled() -> bool:
    """Run deliveries in the web process right after the commit: development without Redis, by default."""
    configured = current_app.config.get("DELIVERY_INLINE")
    if configured is not None:
        return bool(configured)
    s = settings()
    return s.env == "development" and not s.redis_url

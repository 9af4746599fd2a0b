"""The organization's settings: the environment's values (ADVOCACY_ORG_*, ADVOCACY_SITE_URL) as defaults, and
what an admin saved on /admin/organization over them, field by field.

Precedence, for each field: a value saved on the page wins; a field left blank on the page uses the environment's
value (and the built-in default "Advocacy" for the name). Every page reads them, so each process keeps the saved
row for ORGANIZATION_CACHE_SECONDS (default 5): a save reaches this process at once and every other within that
time. While the database cannot be read, the last copy read (or, with none, the environment alone) is used.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from advocacy.caching import bounded_cache
from advocacy.extensions import db
from advocacy.organization.models import ROW_ID, OrganizationSettings

log = logging.getLogger(__name__)

FIELDS = ("name", "logo_url", "contact_email", "privacy_text", "site_url")
LIMITS = {"name": 120, "logo_url": 500, "contact_email": 254, "privacy_text": 5000, "site_url": 500}
DEFAULT_TTL = 5.0
MAX_TTL = 300.0

_saved = bounded_cache("organization.saved", maxsize=8, ttl=MAX_TTL)


@dataclass(frozen=True)
class Saved:
    """The fields an admin saved (only those not blank)."""

    values: dict[str, str]


def _ttl() -> float:
    return min(float(current_app.config.get("ORGANIZATION_CACHE_SECONDS", DEFAULT_TTL)), MAX_TTL)


def _key() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


def _load() -> Saved:
    row = db.session.get(OrganizationSettings, ROW_ID)
    if row is None:
        return Saved({})
    return Saved({name: getattr(row, name) for name in FIELDS if getattr(row, name)})


def saved_settings() -> dict[str, str]:
    """The non-blank fields saved on the admin page, read at most once per ORGANIZATION_CACHE_SECONDS."""
    now = time.monotonic()
    found = _saved.get(_key())
    if found is not None and now - found[0] < _ttl():
        return found[1].values
    try:
        saved = _load()
    except SQLAlchemyError:
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.close()
        log.warning("organization settings unreadable; using %s", "the last copy" if found else "the environment")
        return found[1].values if found is not None else {}
    _saved[_key()] = (now, saved)
    return saved.values


def check(values: dict[str, str]) -> dict[str, str]:
    """Problems with what an admin typed, by field (empty: all good). Blank fields are always fine."""
    problems: dict[str, str] = {}
    for name in FIELDS:
        value = values.get(name, "")
        if len(value) > LIMITS[name]:
            problems[name] = f"Keep it under {LIMITS[name]:,} characters."
        elif any(ch in value for ch in "\x00\r") or (name != "privacy_text" and "\n" in value):
            problems[name] = "Write it on one line."
    logo = values.get("logo_url", "")
    if "logo_url" not in problems and logo and not _is_site_path(logo):
        # CSP img-src 'self': a logo at another site would not show, and would learn who reads the pages.
        problems["logo_url"] = "Give a path on this site, such as /static/logo.svg: pages load no image from elsewhere."
    site = values.get("site_url", "")
    if "site_url" not in problems and site and (not _is_url(site, ("https", "http")) or urlsplit(site).query):
        problems["site_url"] = "Give the site's public address, such as https://write.example.org."
    email = values.get("contact_email", "")
    if "contact_email" not in problems and email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            problems["contact_email"] = "Give an email address, such as help@example.org."
    return problems


def _is_url(value: str, schemes: tuple[str, ...]) -> bool:
    parts = urlsplit(value)
    return parts.scheme in schemes and bool(parts.hostname) and " " not in value


def _is_site_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith("//") and " " not in value and "\\" not in value


def save(values: dict[str, str], user_id: int | None) -> list[str]:
    """Store the checked values (blank: back to the environment's); returns the names of the fields changed.
    The caller records the audit event in the same transaction and commits."""
    row = db.session.get(OrganizationSettings, ROW_ID)
    if row is None:
        row = OrganizationSettings(id=ROW_ID)
        db.session.add(row)
    changed = []
    for name in FIELDS:
        new = values.get(name, "").strip() or None
        if getattr(row, name) != new:
            setattr(row, name, new)
            changed.append(name)
    row.updated_by_id = user_id
    return changed


def forget_saved() -> None:
    """Drop this process's copy (after a save, so the next page shows it)."""
    _saved.pop(_key())

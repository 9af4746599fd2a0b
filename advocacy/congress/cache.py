"""In-process caches of read-mostly congress data, one set per database.

Members, offices and ZIP answers change only when a sync runs. Each process keeps them in memory and, at most
every `CONGRESS_CACHE_SECONDS` (default 5), reads the two dataset version numbers (one primary-key query) to
see whether a sync elsewhere changed anything. A sync in this process drops its caches at once.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from advocacy import caching
from advocacy.caching import bounded_cache
from advocacy.congress.models import CongressDataset, CongressRelease
from advocacy.extensions import db

DEFAULT_CHECK_SECONDS = 5.0


class DataCache:
    """What one process knows about one database's congress data."""

    def __init__(self) -> None:
        self.versions: tuple[int, ...] | None = None
        self.checked_at = float("-inf")
        self.lock = threading.Lock()
        self.roster: Any = None  # advocacy.congress.offices.Roster, built on first use
        # The whole crosswalk, read in one query on first use: every lookup after that is a dict access.
        self.zip_table: dict[str, tuple[tuple[str, int], ...]] | None = None
        # Releases stored for a coming Congress and not applied yet, and what was built from one that is due
        # (advocacy.congress.effective): both forgotten with everything else when the data changes.
        self.pending: tuple | None = None
        self.ahead: dict[tuple, Any] = {}

    def reset(self, versions: tuple[int, ...] | None) -> None:
        self.versions = versions
        self.roster = None
        self.zip_table = None
        self.pending = None
        self.ahead = {}


# database URL -> what this process knows of it; rebuilt from the database at least hourly
_caches = bounded_cache("congress data", maxsize=8, ttl=3600)
_caches_lock = threading.Lock()


def _key() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


def read_versions() -> tuple[int, ...]:
    """The two dataset versions, and the newest stored release with how many wait to be applied (storing or
    applying one changes what a lookup may answer once it is due)."""
    rows = {name: v for name, v in db.session.execute(select(CongressDataset.name, CongressDataset.version))}
    newest, waiting = db.session.execute(
        select(
            func.max(CongressRelease.id), func.count(CongressRelease.id).filter(CongressRelease.applied_at.is_(None))
        )
    ).one()
    return rows.get("legislators", 0), rows.get("districts", 0), newest or 0, waiting or 0


def current() -> DataCache:
    """The cache for the app's database, emptied first if a sync has changed the data since it was filled."""
    key = _key()
    data = _caches.get(key)
    if data is None:
        with _caches_lock:
            data = _caches.get(key)
            if data is None:
                data = _caches[key] = DataCache()
    now = caching.now()
    if now - data.checked_at >= current_app.config.get("CONGRESS_CACHE_SECONDS", DEFAULT_CHECK_SECONDS):
        versions = read_versions()
        if versions != data.versions:
            data.reset(versions)
        data.checked_at = now
    return data


def invalidate() -> None:
    """Forget everything cached for the app's database (called after a sync commits a change)."""
    data = _caches.get(_key())
    if data is not None:
        data.reset(None)
        data.checked_at = float("-inf")

"""In-process caches of read-mostly congress data, one set per database.

Members, offices and ZIP answers change only when a sync runs. Each process keeps them in memory and, at most
every `CONGRESS_CACHE_SECONDS` (default 5), reads the two dataset version numbers (one primary-key query) to
see whether a sync elsewhere changed anything. A sync in this process drops its caches at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from flask import current_app
from sqlalchemy import select

from advocacy.congress.models import CongressDataset
from advocacy.extensions import db

DEFAULT_CHECK_SECONDS = 5.0
MISSING = object()


class LRUCache:
    """A bounded least-recently-used mapping with an optional time to live, safe across threads."""

    def __init__(self, maxsize: int, ttl: float | None = None):
        self.maxsize = maxsize
        self.ttl = ttl
        self._data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return MISSING
            stored_at, value = item
            if self.ttl is not None and time.monotonic() - stored_at > self.ttl:
                del self._data[key]
                return MISSING
            self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = (time.monotonic(), value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


class DataCache:
    """What one process knows about one database's congress data."""

    def __init__(self) -> None:
        self.versions: tuple[int, int] | None = None
        self.checked_at = float("-inf")
        self.lock = threading.Lock()
        self.roster: Any = None  # advocacy.congress.offices.Roster, built on first use
        self.zips = LRUCache(maxsize=65536)  # zip5 -> tuple of (state, district); 33,774 ZIPs today
        # The whole crosswalk, read in one query on first use: every lookup after that is a dict access.
        self.zip_table: dict[str, tuple[tuple[str, int], ...]] | None = None

    def reset(self, versions: tuple[int, int] | None) -> None:
        self.versions = versions
        self.roster = None
        self.zips.clear()
        self.zip_table = None


_caches: dict[str, DataCache] = {}
_caches_lock = threading.Lock()


def _key() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


def read_versions() -> tuple[int, int]:
    rows = {name: v for name, v in db.session.execute(select(CongressDataset.name, CongressDataset.version))}
    return rows.get("legislators", 0), rows.get("districts", 0)


def current() -> DataCache:
    """The cache for the app's database, emptied first if a sync has changed the data since it was filled."""
    key = _key()
    data = _caches.get(key)
    if data is None:
        with _caches_lock:
            data = _caches.setdefault(key, DataCache())
    now = time.monotonic()
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


def forget_all() -> None:
    """Forget everything cached for every database (for tests, which write congress rows directly)."""
    for data in list(_caches.values()):
        data.reset(None)
        data.checked_at = float("-inf")

"""The process's in-memory caches: each bounded in size, each entry expiring, all in one registry.

A cache keyed by anything a request chooses (a URL slug) must not grow with what strangers type, and no entry
may live forever. `bounded_cache(name, maxsize, ttl)` makes a thread-safe cache on `cachetools.TTLCache`:
least recently used entries go first when it is full, and every entry expires `ttl` seconds after it was
stored. `clear_all()` empties every cache made here (tests; a sync that changed everything).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from typing import Any

from cachetools import TTLCache

_MISSING = object()


class BoundedCache:
    """A TTLCache behind a lock, with the small dict-like surface the callers use."""

    def __init__(self, name: str, maxsize: int, ttl: float, timer: Callable[[], float] = time.monotonic):
        self.name = name
        self._data: TTLCache = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer)
        self._lock = threading.Lock()

    @property
    def maxsize(self) -> int:
        return int(self._data.maxsize)

    @property
    def ttl(self) -> float:
        return float(self._data.ttl)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            return self._data.get(key, default)

    def __setitem__(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value

    def pop(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            return self._data.pop(key, default)

    def keys(self) -> list[Hashable]:
        with self._lock:
            self._data.expire()
            return list(self._data.keys())

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.keys())

    def __len__(self) -> int:
        with self._lock:
            self._data.expire()
            return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_registry: dict[str, BoundedCache] = {}
_registry_lock = threading.Lock()


def bounded_cache(name: str, maxsize: int, ttl: float, timer: Callable[[], float] = time.monotonic) -> BoundedCache:
    """A new cache, registered under `name` (one per name: made at import time by the module that owns it)."""
    cache = BoundedCache(name, maxsize, ttl, timer)
    with _registry_lock:
        _registry[name] = cache
    return cache


def registered() -> dict[str, BoundedCache]:
    with _registry_lock:
        return dict(_registry)


def clear_all() -> None:
    for cache in registered().values():
        cache.clear()

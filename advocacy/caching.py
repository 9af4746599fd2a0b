"""The process's in-memory caches: each bounded in size, each entry expiring, all in one registry.

A cache keyed by anything a request chooses (a URL slug) must not grow with what strangers type, and no entry
may live forever. `bounded_cache(name, maxsize, ttl)` makes a thread-safe cache on `cachetools.TTLCache`:
least recently used entries go first when it is full, and every entry expires `ttl` seconds after it was
stored. `clear_all()` empties every cache made here (tests; a sync that changed everything).

Two ways of reading through a cache, for values that change in the database:
- `read_through`: fresh for a setting's number of seconds, then loaded again by whoever asks; while the
  database is unreachable, the last value still held is served.
- `refreshed`: once stale, one caller loads it again while every other caller is served the stale value
  (a count that takes a second must not make every visitor wait, nor start a thread per refresh).

Every cache reads time from `now()`, which tests replace with a clock of their own (`use_clock`) instead of
sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from cachetools import TTLCache

MISSING: Any = object()
T = TypeVar("T")

_clock: Callable[[], float] = time.monotonic


def now() -> float:
    """Seconds on the caches' clock: time.monotonic, unless a test set its own."""
    return _clock()


@contextmanager
def use_clock(clock: Callable[[], float]):
    """Every cache reads `clock` for the duration (tests: a clock they move by hand). The caches are emptied
    on the way in and out, so no entry is stamped by one clock and read by the other."""
    global _clock
    previous, _clock = _clock, clock
    clear_all()
    try:
        yield clock
    finally:
        _clock = previous
        clear_all()


class BoundedCache:
    """A TTLCache behind a lock, with the small dict-like surface the callers use."""

    def __init__(self, name: str, maxsize: int, ttl: float, timer: Callable[[], float] | None = None):
        self.name = name
        self._data: TTLCache = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer or now)
        self._lock = threading.Lock()
        self._refreshing: set[Hashable] = set()  # keys one caller is loading again (see `refreshed`)

    @property
    def maxsize(self) -> int:
        return int(self._data.maxsize)

    @property
    def ttl(self) -> float:
        return float(self._data.ttl)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            return self._data.get(key, default)

    def __getitem__(self, key: Hashable) -> Any:
        found = self.get(key, MISSING)
        if found is MISSING:
            raise KeyError(key)
        return found

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
        return self.get(key, MISSING) is not MISSING

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._refreshing.clear()

    def _claim_refresh(self, key: Hashable) -> bool:
        """True for the one caller that is to load `key` again; False while another is at it."""
        with self._lock:
            if key in self._refreshing:
                return False
            self._refreshing.add(key)
            return True

    def _end_refresh(self, key: Hashable) -> None:
        with self._lock:
            self._refreshing.discard(key)


_registry: dict[str, BoundedCache] = {}
_registry_lock = threading.Lock()


def bounded_cache(name: str, maxsize: int, ttl: float, timer: Callable[[], float] | None = None) -> BoundedCache:
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


def read_through(
    cache: BoundedCache,
    key: Hashable,
    load: Callable[[], T],
    *,
    fresh_for: float,
    misses: BoundedCache | None = None,
    keep_serving: tuple[type[BaseException], ...] = (),
) -> T:
    """`load()`, kept in `cache` under `key` and reused for `fresh_for` seconds; never stored when it is 0.

    A None answer goes to `misses` when given, so lookups of what does not exist cannot evict what does. When
    `load` raises one of `keep_serving` (the database is unreachable), the last value still held (at most the
    cache's ttl old) is served instead; with none held, the error is raised."""
    if fresh_for <= 0:
        return load()
    started = now()
    found = None
    for store in (cache,) if misses is None else (cache, misses):
        found = store.get(key)
        if found is not None and started - found[0] < fresh_for:
            return found[1]
        if found is not None:
            break
    try:
        value = load()
    except keep_serving:
        if found is None:
            raise
        return found[1]
    (misses if value is None and misses is not None else cache)[key] = (started, value)
    return value


def refreshed(cache: BoundedCache, key: Hashable, load: Callable[[], T], *, fresh_for: float) -> T:
    """`load()`, kept in `cache` under `key`. Once older than `fresh_for` seconds, the first caller loads it
    again while every other caller is served the value it replaces; no thread is started. With nothing held
    (first use, or past the cache's ttl), or with `fresh_for` 0, the caller loads it."""
    started = now()
    found = cache.get(key)
    if found is None or fresh_for <= 0:
        value = load()
        cache[key] = (started, value)
        return value
    if started - found[0] < fresh_for or not cache._claim_refresh(key):
        return found[1]
    try:
        value = load()
        cache[key] = (started, value)
        return value
    finally:
        cache._end_refresh(key)

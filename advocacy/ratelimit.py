"""Rate limits, all counted here with the `limits` library: views that carry one, logins, lookups, submissions.

Flask-Limiter ran its before_request, after_request and teardown hooks on every request, about a quarter of the
CPU of a cheap one, although only four views carry a limit. Here nothing runs on a request unless its view is
decorated with `limiter.limit` or calls `limiter.retry_after` / `limiter.retry_after_all`, and the storage is
only created on first use.

Counts are fixed windows (Flask-Limiter's default) in RATELIMIT_STORAGE_URI: Redis when ADVOCACY_REDIS_URL is
set, so a limit holds across workers and hosts, else this process's memory. There is one Redis client (the
storage's), one key scheme (the storage's: `advocacy:limits:LIMITER/<scope>/<key>/<amount>/<n>/<unit>`) and
one failure policy: when the storage fails, counting goes on in this process's memory and the storage is not
tried again for RETRY_STORAGE_AFTER seconds (a breaker), so while Redis is unreachable only one request in that
time waits for its timeout; a limit never turns a request into an error. An outage is logged once when it
starts and once when it ends. Keys may hold an IP address or an account's hash: they are never logged.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import ParamSpec, TypeVar

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

RETRY_STORAGE_AFTER = 30.0  # seconds counted in memory after the storage failed, before trying it again
# A Redis that is down or stuck costs one request at most a second, then the memory fallback takes over.
REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1, "retry": Retry(NoBackoff(), 0)}


# Counts several windows in one server-side call, as the storage counts one (INCRBY, and EXPIRE on a new key),
# returning each count and the seconds its window has left.
COUNT_WINDOWS = """
local answers = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCRBY', key, 1)
  if n == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  answers[2 * i - 1] = n
  answers[2 * i] = redis.call('TTL', key)
end
return answers
"""


@lru_cache(maxsize=64)
def rate_items(spec: str) -> tuple[RateLimitItem, ...]:
    """The windows of a spec such as "5 per minute;30 per hour"."""
    return tuple(parse_many(spec))


def client_ip() -> str:
    # Behind a proxy, ProxyFix (enabled by ADVOCACY_PROXY_COUNT via wsgi) sets remote_addr.
    return request.remote_addr or "unknown"


# Leased counting (high limits only): a process takes permits for a key from the storage in blocks, doubling
# from 1 while the key keeps asking, up to 1/LEASE_SHARE of the limit and MAX_LEASE, and grants them from
# memory for at most LEASE_SECONDS. A client asking now and then costs one storage call per request, as
# before; one asking hundreds of times a minute costs one call per block. Unused permits of a block still
# count, so with P processes a client may be refused up to P blocks early (2% of the limit each).
LEASE_SECONDS = 1.0
LEASE_SHARE = 50
MAX_LEASE = 64
MAX_LEASES = 10_000


@dataclass
class _Lease:
    left: int  # permits this process may still grant without asking the storage
    block: int  # the size of the last block taken; 0 when it was refused
    until: float  # time.monotonic() after which the lease is void


class _Counters:
    """One app's counters: its storage, made on first use, and the memory that stands in while it is down."""

    def __init__(self) -> None:
        self.storage: FixedWindowRateLimiter | None = None
        self.fallback: FixedWindowRateLimiter | None = None
        self.storage_down_until = 0.0
        self.storage_down = False  # logged when it turns, not on every retry
        self.lock = threading.Lock()
        self.leases: dict[str, _Lease] = {}
        self.count_windows = None  # COUNT_WINDOWS, registered on the storage's Redis client on first use
        self.clock: Callable[[], float] = time.monotonic  # the breaker's and the leases' (tests set their own)

    def _storage(self) -> FixedWindowRateLimiter:
        if self.storage is None:
            with self.lock:
                if self.storage is None:
                    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
                    options = dict(REDIS_OPTIONS, key_prefix="advocacy:limits") if uri.startswith("redis") else {}
                    self.storage = FixedWindowRateLimiter(storage_from_string(uri, wrap_exceptions=True, **options))
        return self.storage

    def _fallback(self) -> FixedWindowRateLimiter:
        if self.fallback is None:
            with self.lock:
                if self.fallback is None:
                    self.fallback = FixedWindowRateLimiter(MemoryStorage(wrap_exceptions=True))
        return self.fallback

    def hit(self, item: RateLimitItem, scope: str, key: str) -> float | None:
        """Counts one hit; None while within `item`, else the time its window ends."""
        return self._counted(lambda strategy: _hit(strategy, item, scope, key))

    def hit_all(self, checks: list[tuple[RateLimitItem, str, str]]) -> float | None:
        """Counts one hit in every window of `checks` ((item, scope, key) each), in one round trip when the
        storage is Redis; None while all are within their limit, else the latest end of those exceeded."""
        return self._counted(lambda strategy: self._hit_all(strategy, checks))

    def _hit_all(self, strategy: FixedWindowRateLimiter, checks: list[tuple[RateLimitItem, str, str]]) -> float | None:
        storage = strategy.storage
        if not isinstance(storage, RedisStorage):
            ends = [_hit(strategy, item, scope, key) for item, scope, key in checks]
            return max((end for end in ends if end is not None), default=None)
        keys = [storage.prefixed_key(item.key_for(scope, key)) for item, scope, key in checks]
        try:
            if self.count_windows is None:
                self.count_windows = storage.storage.register_script(COUNT_WINDOWS)
            answers = self.count_windows(keys=keys, args=[item.get_expiry() for item, _, _ in checks])
        except storage.base_exceptions as exc:
            raise StorageError(exc) from exc
        now = time.time()
        ends = [
            now + max(int(ttl), 0)
            for (item, _, _), count, ttl in zip(checks, answers[::2], answers[1::2], strict=True)
            if int(count) > item.amount
        ]
        return max(ends, default=None)

    def leased_hit(self, item: RateLimitItem, scope: str, key: str) -> float | None:
        """As `hit`, but taking permits from the storage in blocks (see `RateLimiter.retry_after`)."""
        name = item.key_for(scope, key)
        cap = max(1, min(MAX_LEASE, item.amount // LEASE_SHARE))
        now = self.clock()
        with self.lock:
            lease = self.leases.get(name)
            if lease is not None and lease.until > now:
                if lease.left > 0:
                    lease.left -= 1
                    return None
                block = min(cap, max(1, lease.block * 2))  # after a refusal (block 0), one at a time
            else:
                block = 1
            if len(self.leases) > MAX_LEASES:
                self.leases = {k: v for k, v in self.leases.items() if v.until > now}

        def take(strategy: FixedWindowRateLimiter) -> float | None:
            count = strategy.storage.incr(name, item.get_expiry(), amount=block)
            granted = min(block, item.amount - (count - block))  # what of this block is within the limit
            with self.lock:
                self.leases[name] = _Lease(
                    left=max(0, granted - 1), block=block if granted >= 1 else 0, until=now + LEASE_SECONDS
                )
            if granted >= 1:
                return None
            return strategy.get_window_stats(item, scope, key).reset_time

        return self._counted(take)

    def _counted(self, count: Callable[[FixedWindowRateLimiter], float | None]) -> float | None:
        """`count` in the storage, or in memory while the storage is down; None if both fail."""
        if self.clock() >= self.storage_down_until:
            try:
                result = count(self._storage())
            except StorageError as exc:
                self.storage_down_until = self.clock() + RETRY_STORAGE_AFTER
                log.log(
                    logging.DEBUG if self.storage_down else logging.WARNING,
                    "rate limit storage unavailable (%s); counting in this process until it is back",
                    type(exc.storage_error).__name__,
                )
                self.storage_down = True
            else:
                if self.storage_down:
                    self.storage_down = False
                    log.warning("rate limit storage is back; limits are shared again")
                return result
        try:
            return count(self._fallback())
        except StorageError as exc:  # answer rather than fail
            log.warning("rate limit memory storage failed (%s); not throttled", type(exc.storage_error).__name__)
            return None

    def reset(self) -> None:
        with self.lock:
            self.leases.clear()
        for strategy in (self._storage(), self.fallback):
            if strategy is not None:
                try:
                    strategy.storage.reset()
                except StorageError as exc:
                    log.warning("rate limit storage not reset (%s)", type(exc.storage_error).__name__)


def _hit(strategy: FixedWindowRateLimiter, item: RateLimitItem, scope: str, key: str) -> float | None:
    if strategy.hit(item, scope, key):
        return None
    return strategy.get_window_stats(item, scope, key).reset_time


class RateLimiter:
    """`limit` decorates a view; `retry_after` serves views that throttle on keys of their own."""

    def init_app(self, app: Flask) -> None:
        app.extensions["ratelimit"] = _Counters()  # no hooks, no I/O: the storage is made on first use

    def retry_after(self, scope: str, key: str, spec: str, *, leased: bool = False) -> int | None:
        """Counts a hit in every window of `spec` up to the first one exceeded, and returns the seconds until
        that one ends; None while `key` is within all of them, or when RATELIMIT_ENABLED is false.

        `leased` takes permits in blocks (see LEASE_SECONDS above): for high limits on cheap requests, where
        a storage call per request would cost more than the request."""
        if not current_app.config.get("RATELIMIT_ENABLED", True):
            return None
        counters: _Counters = current_app.extensions["ratelimit"]
        hit = counters.leased_hit if leased else counters.hit
        for item in rate_items(spec):
            ends = hit(item, scope, key)
            if ends is not None:
                return max(1, math.ceil(ends - time.time()))
        return None

    def retry_after_all(self, checks: list[tuple[str, str, str]]) -> int | None:
        """As `retry_after` for several (scope, key, spec) at once, every window counted (in one Redis call):
        the seconds until the last exceeded window ends, or None. For the keys a submission is throttled on."""
        if not current_app.config.get("RATELIMIT_ENABLED", True):
            return None
        counters: _Counters = current_app.extensions["ratelimit"]
        ends = counters.hit_all([(item, scope, key) for scope, key, spec in checks for item in rate_items(spec)])
        return None if ends is None else max(1, math.ceil(ends - time.time()))

    def limit(
        self,
        spec: str | Callable[[], str],
        *,
        key_func: Callable[[], str] | None = None,
        methods: list[str] | None = None,
        scope: str | None = None,
        leased: bool = False,
    ) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Answers 429 with Retry-After once the key (default: the client's IP) is over `spec` (a string, or
        a function returning one, read on each request) on this view; only `methods` count when given.
        `leased` as in `retry_after`: for high limits on cheap, busy pages."""
        counted = frozenset(method.upper() for method in methods) if methods else None
        key_of = key_func or client_ip

        def decorator(view: Callable[P, R]) -> Callable[P, R]:
            name = scope or f"{view.__module__}.{view.__qualname__}"

            @wraps(view)
            def limited(*args: P.args, **kwargs: P.kwargs) -> R:
                if counted is None or request.method in counted:
                    wait = self.retry_after(name, key_of(), spec() if callable(spec) else spec, leased=leased)
                    if wait is not None:
                        raise TooManyRequests(retry_after=wait)
                return view(*args, **kwargs)

            return limited

        return decorator

    def reset(self) -> None:
        """Forgets every count of the current app (tests)."""
        current_app.extensions["ratelimit"].reset()

"""The one outbound HTTP session: a User-Agent, connection reuse, and no call without a timeout."""

from __future__ import annotations

import threading

import requests
from requests.adapters import HTTPAdapter

USER_AGENT = "advocacy/0.1 (+https://github.com/; congressional advocacy toolkit)"
DEFAULT_TIMEOUT = (3.05, 10)

_local = threading.local()


class TimeoutSession(requests.Session):
    """A Session that refuses to send without a timeout."""

    def request(self, method, url, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = DEFAULT_TIMEOUT
        return super().request(method, url, **kwargs)


def session() -> requests.Session:
    """The per-thread shared session (requests.Session is not safe to share across threads)."""
    s = getattr(_local, "session", None)
    if s is None:
        s = TimeoutSession()
        s.headers["User-Agent"] = USER_AGENT
        adapter = HTTPAdapter(pool_connections=8, pool_maxsize=16, max_retries=0)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        _local.session = s
    return s

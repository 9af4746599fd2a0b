"""Outbound HTTP: the one `requests` session (a User-Agent, connection reuse, no call without a timeout), and a
lighter keep-alive client for the geocoder call every submission makes (`get`)."""

from __future__ import annotations

import http.client
import json
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

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


def new_session(adapter: HTTPAdapter | None = None) -> requests.Session:
    """A Session with our User-Agent and timeout rule, its connections pooled by `adapter` (default: a plain
    pool; the feed scanner passes one that refuses private addresses), and no retries of its own."""
    s = TimeoutSession()
    s.headers["User-Agent"] = USER_AGENT
    adapter = adapter or HTTPAdapter(pool_connections=8, pool_maxsize=16, max_retries=0)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def session() -> requests.Session:
    """The per-thread shared session (requests.Session is not safe to share across threads)."""
    s = getattr(_local, "session", None)
    if s is None:
        s = _local.session = new_session()
    return s


# --- a lighter client for the one call on the submission path --------------------------------------------------
#
# Every submission geocodes its street address, and through `requests` that GET cost 1.3-3.5 ms of CPU on this
# machine (reading the proxy settings from the environment alone was a third of it), against 0.8 ms for the
# standard library's http.client on a kept-alive connection: a quarter of a submission's CPU. So the geocoders
# use this small client: one kept-alive connection per thread and host, a connect and a read timeout that are
# always set, TLS verified with the system's certificates, one retry when a kept-alive connection turns out to
# have been closed by the server, a cap on the answer's size, and no proxy (it connects directly).

MAX_ANSWER_BYTES = 4 * 1024 * 1024
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class TransportError(Exception):
    """No answer could be had: refused, timed out, reset, not HTTP, or too large. `reason` names it without
    the URL (which may hold personal data, such as an address in its query)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self):
        return json.loads(self.body)


def _connection(scheme: str, host: str, port: int | None, connect_timeout: float) -> http.client.HTTPConnection:
    connections = getattr(_local, "connections", None)
    if connections is None:
        connections = _local.connections = {}
    key = (scheme, host, port)
    conn = connections.get(key)
    if conn is None:
        if scheme == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=connect_timeout, context=_tls_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=connect_timeout)
        connections[key] = conn
    return conn


_tls = None


def _tls_context() -> ssl.SSLContext:
    global _tls
    if _tls is None:
        _tls = ssl.create_default_context()
    return _tls


def get(url: str, params: dict[str, str], timeout: tuple[float, float]) -> Answer:
    """GET `url` with `params` in its query on this thread's kept-alive connection to its host.

    `timeout` is (connect, read) in seconds, as with requests; both are required. Raises TransportError
    when no HTTP answer could be had; any HTTP status is an Answer (the caller decides what it means)."""
    connect_timeout, read_timeout = timeout
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError("not an http(s) URL")
    query = urlencode(params)
    target = (parts.path or "/") + "?" + (f"{parts.query}&{query}" if parts.query else query)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "identity"}
    for attempt in (0, 1):
        conn = _connection(parts.scheme, parts.hostname, parts.port, connect_timeout)
        reused = conn.sock is not None
        try:
            if not reused:
                conn.timeout = connect_timeout
                conn.connect()
                conn.sock.settimeout(read_timeout)
            conn.request("GET", target, headers=headers)
            response = conn.getresponse()
            body = response.read(MAX_ANSWER_BYTES + 1)
        except _STALE as exc:
            conn.close()
            if reused and attempt == 0:
                continue  # the server closed the idle connection: once more on a new one (a GET is safe to repeat)
            raise TransportError(type(exc).__name__) from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise TransportError("Timeout" if isinstance(exc, TimeoutError) else type(exc).__name__) from None
        if len(body) > MAX_ANSWER_BYTES:
            conn.close()
            raise TransportError("the answer is too large")
        if response.will_close:
            conn.close()
        return Answer(response.status, body)
    raise TransportError("no attempt")  # not reached: the loop returns or raises


def close_connections() -> None:
    """Close this thread's kept-alive connections (tests, and a worker about to fork)."""
    for conn in getattr(_local, "connections", {}).values():
        conn.close()
    _local.connections = {}

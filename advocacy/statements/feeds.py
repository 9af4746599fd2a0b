"""Fetch RSS and Atom feeds politely (conditional GET, timeouts, a few at a time) and read their items.

feedparser only ever sees bytes we downloaded ourselves: it never opens a URL or a file.
"""

from __future__ import annotations

import calendar
import io
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from advocacy import http
from advocacy.statements.dates import parse_date
from advocacy.statements.matching import html_to_text
from advocacy.statements.pages import looks_like_html

DEFAULT_TIMEOUT = 15.0  # seconds, for connecting and between bytes; the whole download gets twice that
DEFAULT_WORKERS = 8
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
USER_AGENT = http.USER_AGENT.replace(")", "; statement monitor)", 1)


class FeedError(Exception):
    """A feed could not be read; the message is one short line an organizer understands."""


class NotAFeed(FeedError):
    """The address answered with a web page, not a feed: it can be watched as a page instead."""


@dataclass(frozen=True)
class Validators:
    """What the server told us last time, sent back so it can answer 304 Not Modified."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass
class FetchResult:
    url: str
    outcome: str  # "ok" | "not_modified" | "failed"
    content: bytes = b""
    content_type: str = ""
    final_url: str = ""
    validators: Validators = field(default_factory=Validators)
    error: str = ""


@dataclass(frozen=True)
class FeedItem:
    title: str
    url: str
    published: datetime | None
    body: str  # summary and content as plain text

    @property
    def text(self) -> str:
        """Everything a keyword may be found in."""
        return f"{self.title} — {self.body}" if self.body else self.title


def is_http_url(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


PRIVATE_REASON = "a private or local network address"
# Prefixes whose last 32 bits are an IPv4 address the packet ends up at (NAT64, RFC 6052 and RFC 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# An IPv4 address written as one number or with octal or hex parts: "2130706433", "0x7f.1", "0177.0.0.1".
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, Teredo, NAT64), if any."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    packed = address.packed
    if packed[:12] == bytes(12) or any(address in net for net in _NAT64):  # ::a.b.c.d, 64:ff9b::a.b.c.d
        return ipaddress.IPv4Address(packed[12:])
    return None


def address_refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is not on the public internet, including IPv4 hidden inside IPv6."""
    if not address.is_global or address.is_multicast:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and address_refused(inner):
            return True
        if any(address in net for net in _NAT64[1:]):  # local-use NAT64: a translator on our own network
            return True
    return False


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names by itself, in any of the forms a resolver accepts, or None for a name."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return ipaddress.IPv4Address(0)  # numeric but not an address: refuse it like 0.0.0.0
    return None


def blocked_address(url: str) -> str | None:
    """Why the monitor must not fetch this URL (an address inside our own network), or None.

    Organizers add feeds by URL, so without this a feed could point the monitor at internal services. The
    same check runs when a feed is added and before every request (each redirect hop included); IPv4
    addresses hidden in IPv6 forms (`[::127.0.0.1]`, `[::ffff:10.0.0.1]`, 6to4, NAT64) and in decimal,
    octal or hex spellings are unwrapped first, and a trailing dot changes nothing.
    """
    host = (urlsplit(url).hostname or "").rstrip(".")
    if not host:
        return None
    literal = _literal_address(host)
    if literal is not None:
        return PRIVATE_REASON if address_refused(literal) else None
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # unresolvable: the request itself will fail with "could not connect"
    for info in infos:
        if address_refused(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])):
            return PRIVATE_REASON
    return None


class _RefusedPeer(OSError):
    """The connection reached an address inside our network (the name resolved differently at connect time)."""


class _PeerGuard:
    """Checks the address a connection actually reached, whatever the name resolved to a moment before:
    the check before a request cannot be fooled by DNS that answers differently the second time."""

    def _new_conn(self):
        sock = super()._new_conn()
        try:
            peer = ipaddress.ip_address(str(sock.getpeername()[0]).split("%", 1)[0])
        except (OSError, ValueError):
            peer = None
        if peer is None or address_refused(peer):
            sock.close()
            raise _RefusedPeer(PRIVATE_REASON)
        return sock


class _GuardedHTTPConnection(_PeerGuard, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_PeerGuard, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


_local = threading.local()


def guarded_session() -> requests.Session:
    """The outbound session (advocacy.http's, with its timeout rule) whose connections refuse to reach an
    address inside our network; one per thread, like http.session()."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = http.new_session(_GuardedAdapter(pool_connections=8, pool_maxsize=16, max_retries=0))
    return session


def _refused_peer(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):  # requests wraps urllib3's ProtocolError, which holds ours as its context
        if seen is None:
            return False
        if isinstance(seen, _RefusedPeer) or any(isinstance(a, _RefusedPeer) for a in getattr(seen, "args", ())):
            return True
        seen = seen.__context__ or seen.__cause__
    return False


def fetch_feed(
    url: str,
    validators: Validators | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
    extra_headers: dict[str, str] | None = None,
) -> FetchResult:
    """Download one feed; never raises for network trouble, which comes back as outcome "failed".
    Redirects are followed by hand (at most MAX_REDIRECTS) so that every hop passes the address check.
    `extra_headers` (e.g. an API key, kept out of the URL and so out of logs) are sent on every hop."""
    validators = validators or Validators()
    headers = {"Accept": ACCEPT, "User-Agent": USER_AGENT, **validators.headers(), **(extra_headers or {})}
    deadline = time.monotonic() + 2 * timeout
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            if not is_http_url(current):
                return FetchResult(url, "failed", error="not an http(s) URL")
            reason = None if allow_private else blocked_address(current)
            if reason:
                return FetchResult(url, "failed", error=f"refused: {reason}")
            session = http.session() if allow_private else guarded_session()
            with session.get(
                current, headers=headers, timeout=(timeout, timeout), stream=True, allow_redirects=False
            ) as response:
                if response.is_redirect:
                    current = urljoin(current, response.headers.get("Location", ""))
                    continue
                return _result(url, response, validators, max_bytes, deadline)
        return FetchResult(url, "failed", error="too many redirects")
    except requests.Timeout:
        return FetchResult(url, "failed", error="timed out")
    except requests.ConnectionError as exc:
        if _refused_peer(exc):
            return FetchResult(url, "failed", error=f"refused: {PRIVATE_REASON}")
        return FetchResult(url, "failed", error="could not connect")
    except requests.RequestException as exc:
        return FetchResult(url, "failed", error=f"request failed ({type(exc).__name__})")


def _result(url: str, response, validators: Validators, max_bytes: int, deadline: float) -> FetchResult:
    if response.status_code == 304:
        return FetchResult(url, "not_modified", final_url=response.url, validators=validators)
    if response.status_code != 200:
        return FetchResult(url, "failed", error=f"HTTP {response.status_code}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > max_bytes:
            return FetchResult(url, "failed", error=f"larger than {max_bytes // (1024 * 1024)} MB")
        if time.monotonic() > deadline:
            return FetchResult(url, "failed", error="timed out")
        chunks.append(chunk)
    return FetchResult(
        url,
        "ok",
        content=b"".join(chunks),
        content_type=response.headers.get("Content-Type", ""),
        final_url=response.url,
        validators=Validators(response.headers.get("ETag"), response.headers.get("Last-Modified")),
    )


def fetch_all(
    targets: Iterable[tuple[str, Validators | None]],
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = DEFAULT_WORKERS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
    allow_private: bool = False,
) -> list[FetchResult]:
    """Fetch many feeds, at most `workers` at a time; results in the order given.
    `progress(done, total)` is called as each one finishes."""
    targets = list(targets)
    if not targets:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets))), thread_name_prefix="feeds") as pool:
        futures = [pool.submit(fetch_feed, url, v, timeout, max_bytes, allow_private) for url, v in targets]
        if progress is not None:
            for done, _future in enumerate(as_completed(futures), start=1):
                progress(done, len(futures))
        return [f.result() for f in futures]


def _published(entry) -> datetime | None:
    # dict.get: feedparser's own get maps a missing "updated" to "published", with a deprecation warning.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = dict.get(entry, key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError):
                continue
    # What feedparser could not read: House Drupal's "Monday, April 15, 2013 - 2:23pm" and the like.
    for key in ("published", "updated", "created", "date", "dc_date", "pubdate"):
        value = dict.get(entry, key)
        if isinstance(value, str):
            parsed = parse_date(value)
            if parsed is not None:
                return parsed
    return None


def normalize_url(url: str) -> str:
    """The form in which a candidate's URL is stored and compared: no fragment, no surrounding space."""
    return urldefrag((url or "").strip())[0]


def parse_feed(content: bytes, content_type: str = "", base_url: str = "") -> list[FeedItem]:
    """Items of an RSS or Atom document; FeedError when the bytes are not a feed."""
    headers = {"content-type": content_type} if content_type else {}
    if base_url:
        headers["content-location"] = base_url
    if looks_like_html(content, content_type):
        raise NotAFeed("this address is a web page, not an RSS or Atom feed")
    import feedparser  # imported here: only the monitor needs it, and it is large

    parsed = feedparser.parse(io.BytesIO(content), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        if not content.strip():
            raise FeedError("the address answered with an empty document")
        raise FeedError("the address answered with something that is neither a feed nor a web page")
    items = []
    for entry in parsed.entries:
        link = normalize_url(urljoin(base_url, entry.get("link") or "")) if entry.get("link") else ""
        if not is_http_url(link):
            continue
        title = html_to_text(entry.get("title", ""))
        parts = [html_to_text(entry.get("summary", ""))]
        for content_part in entry.get("content", []) or []:
            value = html_to_text(content_part.get("value", ""))
            if value and value not in parts:
                parts.append(value)
        body = " — ".join(p for p in parts if p)
        items.append(FeedItem(title=title[:500] or link, url=link, published=_published(entry), body=body))
    return items

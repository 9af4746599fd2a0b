"""What an address is, when an organizer adds it: a feed, a web page (and the feed it links to), or
neither; and whether it may be watched at all."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from advocacy.statements import feeds as feedlib
from advocacy.statements.feeds import FeedError, normalize_url
from advocacy.statements.monitor import Limits, plain_reason
from advocacy.statements.pages import charset_of, feed_links, headline_links, read_page

MAX_FEED_PROBES = 3  # feed links of a page tried when it is added


@dataclass
class Recognition:
    """What an address turned out to be: a feed, a web page (with the feed it links to, if any), or neither."""

    kind: str  # "feed" | "page" | "unreachable" | "unreadable"
    items: int = 0
    dated: int = 0
    title: str = ""
    feed_url: str = ""  # for a page: a feed it links to that really reads as one
    feed_items: int = 0
    reason: str = ""  # for unreachable and unreadable, in plain words


def refused_address(url: str) -> str | None:
    """Why an address may not be watched (inside our own network), in plain words; None when it may.
    The same guard that runs before every fetch, run when the address is added."""
    if current_app.config.get("STATEMENTS_FEED_ALLOW_PRIVATE"):
        return None
    if feedlib.blocked_address(url):
        return "This address is on a private or local network. The monitor only reads public web sites."
    return None


def recognize(url: str) -> Recognition:
    """Fetch an address once, under the scan's guards, and say what it is."""
    limits = Limits.from_config(current_app.config)
    timeout = min(limits.timeout, 5.0)  # an organizer is waiting for the page

    def fetch(address: str) -> feedlib.FetchResult:
        return feedlib.fetch_feed(
            address, timeout=timeout, max_bytes=limits.max_bytes, allow_private=limits.allow_private
        )

    result = fetch(url)
    if result.outcome != "ok":
        return Recognition("unreachable", reason=plain_reason(result.error, timeout))
    base = result.final_url or url
    try:
        items = feedlib.parse_feed(result.content, result.content_type, base)
    except feedlib.NotAFeed:
        pass
    except FeedError as exc:
        return Recognition("unreadable", reason=str(exc))
    else:
        return Recognition("feed", items=len(items), dated=sum(1 for i in items if i.published))
    page = read_page(result.content, base, charset_of(result.content_type))
    recognition = Recognition("page", items=len(headline_links(page, base)), title=page.title[:200])
    for candidate in feed_links(page)[:MAX_FEED_PROBES]:
        if candidate == base:
            continue
        probe = fetch(candidate)
        if probe.outcome != "ok":
            continue
        try:
            feed_items = feedlib.parse_feed(probe.content, probe.content_type, probe.final_url or candidate)
        except FeedError:
            continue
        recognition.feed_url, recognition.feed_items = normalize_url(candidate), len(feed_items)
        break
    return recognition

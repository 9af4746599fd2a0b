"""Fetching and parsing feeds from a real local HTTP server: RSS 2.0, Atom, broken, slow, 304."""

from datetime import UTC, datetime

import pytest
import requests

from advocacy.statements.feeds import (
    FeedError,
    Validators,
    blocked_address,
    fetch_all,
    fetch_feed,
    guarded_session,
    parse_feed,
)
from tests.fakes.feeds import ATOM_NEWS, BROKEN_FEED, RSS_PRESS_RELEASES, serve_feeds

SHORT = 0.5  # seconds; the slow route never answers, so only the client's timeout ends it


@pytest.fixture
def feed_server():
    with serve_feeds() as server:
        yield server


def test_fetches_rss_with_validators_and_a_clear_user_agent(feed_server):
    url = feed_server.add("/rss", RSS_PRESS_RELEASES, etag='"v1"', last_modified="Tue, 12 Aug 2025 18:30:00 GMT")
    result = fetch_feed(url, timeout=SHORT, allow_private=True)
    assert result.outcome == "ok", result.error
    assert result.validators == Validators('"v1"', "Tue, 12 Aug 2025 18:30:00 GMT")
    seen = feed_server.requests_to("/rss")[0]
    assert seen.headers["User-Agent"].startswith("advocacy/") and "statement monitor" in seen.headers["User-Agent"]
    assert "If-None-Match" not in seen.headers
    items = parse_feed(result.content, result.content_type, result.final_url)
    assert [i.url for i in items] == [
        "https://www.example.senate.gov/newsroom/press-releases/senator-example-urges-dhs-guan-heng",
        "https://www.example.senate.gov/newsroom/press-releases/broadband-grants",
        "https://www.example.senate.gov/newsroom/press-releases/zh-statement",
    ]
    first = items[0]
    assert first.title == "Senator Example Urges DHS to Halt Deportation of Gu\u00e1n H\u00e9ng"
    assert "GUAN HENG, who documented" in first.text and "<strong>" not in first.text
    assert first.published == datetime(2025, 8, 12, 18, 30, tzinfo=UTC)
    assert items[2].title == "关于关恒案的声明"


def test_conditional_get_gets_304(feed_server):
    url = feed_server.add("/rss", RSS_PRESS_RELEASES, etag='"v1"', last_modified="Tue, 12 Aug 2025 18:30:00 GMT")
    first = fetch_feed(url, timeout=SHORT, allow_private=True)
    second = fetch_feed(url, first.validators, timeout=SHORT, allow_private=True)
    assert second.outcome == "not_modified"
    assert second.content == b""
    sent = feed_server.requests_to("/rss")[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Tue, 12 Aug 2025 18:30:00 GMT"
    # A changed feed answers 200 again.
    feed_server.add("/rss", RSS_PRESS_RELEASES, etag='"v2"')
    assert fetch_feed(url, first.validators, timeout=SHORT, allow_private=True).outcome == "ok"


def test_last_modified_alone_gets_304(feed_server):
    url = feed_server.add(
        "/atom", ATOM_NEWS, content_type="application/atom+xml", last_modified="Wed, 13 Aug 2025 16:00:00 GMT"
    )
    first = fetch_feed(url, timeout=SHORT, allow_private=True)
    assert first.validators == Validators(None, "Wed, 13 Aug 2025 16:00:00 GMT")
    assert fetch_feed(url, first.validators, timeout=SHORT, allow_private=True).outcome == "not_modified"


def test_atom_relative_links_are_resolved(feed_server):
    url = feed_server.add("/atom", ATOM_NEWS, content_type="application/atom+xml")
    result = fetch_feed(url, timeout=SHORT, allow_private=True)
    items = parse_feed(result.content, result.content_type, result.final_url)
    # Relative links resolve against the feed's own address (the document URI).
    assert items[0].url == feed_server.url("/news/documentsingle.aspx?DocumentID=4242")
    assert items[0].title.startswith("Rep. Sample joins colleagues")
    assert items[0].published == datetime(2025, 8, 13, 15, 0, tzinfo=UTC)
    assert "Guanajuato Hall" in items[1].text


def test_broken_feed_is_an_error_not_a_crash(feed_server):
    url = feed_server.add("/broken", BROKEN_FEED, content_type="text/html")
    result = fetch_feed(url, timeout=SHORT, allow_private=True)
    assert result.outcome == "ok"
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(result.content, result.content_type, url)


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_fail(feed_server, status):
    url = feed_server.add("/gone", "nope", status=status, content_type="text/plain")
    result = fetch_feed(url, timeout=SHORT, allow_private=True)
    assert (result.outcome, result.error) == ("failed", f"HTTP {status}")


def test_slow_feed_times_out(feed_server):
    url = feed_server.add("/slow", hang=True)
    result = fetch_feed(url, timeout=SHORT, allow_private=True)
    assert (result.outcome, result.error) == ("failed", "timed out")


def test_unreachable_and_non_http(feed_server):
    assert fetch_feed("file:///etc/passwd").error == "not an http(s) URL"
    closed = feed_server.url("/x").replace(str(feed_server.httpd.server_address[1]), "1")
    assert fetch_feed(closed, timeout=SHORT, allow_private=True).error == "could not connect"


def test_oversized_feed_is_refused(feed_server):
    url = feed_server.add("/big", b"<rss>" + b" " * 300_000 + b"</rss>")
    result = fetch_feed(url, timeout=SHORT, max_bytes=100_000, allow_private=True)
    assert result.outcome == "failed" and "larger than" in result.error


def test_fetch_all_keeps_order_and_isolates_failures(feed_server):
    urls = [
        feed_server.add("/a", RSS_PRESS_RELEASES),
        feed_server.add("/slow", hang=True),
        feed_server.add("/b", ATOM_NEWS, content_type="application/atom+xml"),
    ]
    results = fetch_all([(u, None) for u in urls], timeout=SHORT, workers=2, allow_private=True)
    assert [r.url for r in results] == urls
    assert [r.outcome for r in results] == ["ok", "failed", "ok"]


def test_private_and_local_addresses_are_refused_unless_allowed(feed_server):
    url = feed_server.add("/rss", RSS_PRESS_RELEASES)
    refused = fetch_feed(url, timeout=SHORT)
    assert (refused.outcome, refused.error) == ("failed", "refused: a private or local network address")
    assert feed_server.requests_to("/rss") == []
    for address in ("http://10.0.0.8/feed", "http://169.254.169.254/latest/meta-data/", "http://[::1]/feed"):
        assert fetch_feed(address, timeout=SHORT).error == "refused: a private or local network address"


def test_redirects_are_followed_hop_by_hop(feed_server):
    feed_server.add("/rss", RSS_PRESS_RELEASES)
    moved = feed_server.add("/old-feed", location="/rss")
    result = fetch_feed(moved, timeout=SHORT, allow_private=True)
    assert result.outcome == "ok" and result.final_url == feed_server.url("/rss")
    loop = feed_server.add("/loop", location="/loop")
    assert fetch_feed(loop, timeout=SHORT, allow_private=True).error == "too many redirects"
    assert len(feed_server.requests_to("/loop")) == 6
    # Every hop is checked again: a redirect cannot lead somewhere the first URL could not go.
    elsewhere = feed_server.add("/to-file", location="file:///etc/passwd", status=302)
    assert fetch_feed(elsewhere, timeout=SHORT, allow_private=True).error == "not an http(s) URL"


@pytest.mark.parametrize(
    "address",
    [
        "http://[::127.0.0.1]/feed",  # IPv4-compatible IPv6
        "http://[::ffff:127.0.0.1]/feed",  # IPv4-mapped
        "http://[::ffff:a00:8]/feed",  # IPv4-mapped, in hex: 10.0.0.8
        "http://[2002:7f00:1::]/feed",  # 6to4 around 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/feed",  # NAT64 around 169.254.169.254
        "http://[64:ff9b:1::1]/feed",  # local-use NAT64
        "http://2130706433/feed",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/feed",  # hex parts
        "http://0177.0.0.1/feed",  # octal
        "http://127.1/feed",  # short form
        "http://127.0.0.1./feed",  # a trailing dot
        "http://localhost./feed",
        "http://[fe80::1%25eth0]/feed",  # link-local with a zone
        "http://0.0.0.0/feed",
    ],
)
def test_addresses_inside_our_network_are_refused_in_every_spelling(address):
    assert blocked_address(address) == "a private or local network address"
    assert fetch_feed(address, timeout=SHORT).error == "refused: a private or local network address"


@pytest.mark.parametrize(
    "address", ["http://8.8.8.8/feed", "http://[2001:4860:4860::8888]/feed", "http://[64:ff9b::808:808]/"]
)
def test_public_addresses_pass_the_check(address):
    assert blocked_address(address) is None


def test_the_address_a_connection_reaches_is_checked_as_well_as_the_name(feed_server):
    """DNS may answer differently when the request connects than when the name was checked: the monitor's
    session refuses the connection itself, before a byte is sent."""
    url = feed_server.add("/rss", RSS_PRESS_RELEASES)
    with pytest.raises(requests.ConnectionError, match="a private or local network address"):
        guarded_session().get(url, timeout=SHORT)
    assert feed_server.requests_to("/rss") == []

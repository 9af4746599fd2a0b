"""Read what the monitor needs from an HTML page: the feeds it links to, its headline links, and the date
it was published. Used for press pages without a feed and for the pages feed items link to.

Only the standard library's tolerant HTMLParser reads the markup: nothing is executed or fetched here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from advocacy.statements.dates import parse_date
from advocacy.statements.listing import ListingDates
from advocacy.statements.matching import is_cjk

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
# Plain links that usually lead to a site's feed: /rss.xml, /rss, /feed, atom.xml, Joomla's ?format=feed, ...
_FEEDISH_HREF = re.compile(r"(?:rss|atom|/feeds?/?$|/feeds?\.xml|format=feed|syndicat)", re.IGNORECASE)
_FEEDISH_TEXT = re.compile(r"\b(?:rss|atom|feed)\b", re.IGNORECASE)
# <meta> names and properties that carry the date a page was published, best first.
DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "pubdate",
    "publish-date",
    "publication_date",
    "sailthru.date",
    "article:modified_time",
)
_SKIPPED = {"script", "style", "noscript", "template", "svg"}
_SPACE = re.compile(r"\s+")
# Where members, committees and conferences publish: a page on one of them may list releases on another.
CONGRESSIONAL_DOMAINS = ("house.gov", "senate.gov")
MIN_HEADLINE = 12  # columns: shorter link texts are navigation ("Home", "Next ›", "Read more")


@dataclass(frozen=True)
class PageLink:
    url: str
    text: str
    published: datetime | None = None  # the date the listing prints beside it (listing.py), if any


@dataclass
class PageInfo:
    title: str = ""
    feeds: list[str] = field(default_factory=list)  # advertised with <link rel="alternate">
    feedish_links: list[str] = field(default_factory=list)  # plain <a> links that look like a feed
    links: list[PageLink] = field(default_factory=list)
    published: datetime | None = None
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self, base_url: str):
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.info = PageInfo()
        self.meta_dates: dict[str, str] = {}
        self.time_dates: list[str] = []
        self.skip = 0
        self.in_title = False
        self.title: list[str] = []
        self.anchor: tuple[str, list[str]] | None = None
        self.text: list[str] = []
        self.listing = ListingDates()
        self.link_indexes: list[int | None] = []  # per link the listing met, its place in info.links (None: not kept)

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        self.listing.open(tag)
        if tag in _SKIPPED:
            self.skip += 1
        elif tag == "base" and a.get("href"):
            self.base_url = urljoin(self.base_url, a["href"])
        elif tag == "title":
            self.in_title = True
        elif tag == "link" and "alternate" in a.get("rel", "").lower().split():
            if a.get("type", "").lower().split(";")[0].strip() in FEED_TYPES and a.get("href"):
                self.info.feeds.append(urljoin(self.base_url, a["href"].strip()))
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key in DATE_META and a.get("content"):
                self.meta_dates.setdefault(key, a["content"])
        elif tag == "time" and a.get("datetime"):
            self.time_dates.append(a["datetime"])
            self.listing.time(a["datetime"])
        elif tag == "a" and a.get("href"):
            self.anchor = (a["href"].strip(), [])
        if tag in ("p", "br", "div", "li", "td", "h1", "h2", "h3", "h4"):
            self.text.append(" ")

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skip = max(0, self.skip - 1)
        elif tag == "title":
            self.in_title = False
        elif tag == "a" and self.anchor is not None:
            href, parts = self.anchor
            self.anchor = None
            text = _SPACE.sub(" ", "".join(parts)).strip()
            self.listing.link(text)
            index = len(self.info.links)
            self.link_indexes.append(index if self._link(href, text) else None)
        self.listing.close(tag)

    def handle_data(self, data):
        if self.skip:
            return
        if self.in_title:
            self.title.append(data)
            return
        if self.anchor is not None:
            self.anchor[1].append(data)
        self.listing.text(data, in_anchor=self.anchor is not None)
        self.text.append(data)

    def _link(self, href: str, text: str) -> bool:
        url = urljoin(self.base_url, href)
        if urlsplit(url).scheme not in ("http", "https"):
            return False
        if _FEEDISH_HREF.search(href) or _FEEDISH_TEXT.search(text):
            self.info.feedish_links.append(url)
        self.info.links.append(PageLink(url, text))
        return True

    def finish(self) -> PageInfo:
        for index, published in zip(self.link_indexes, self.listing.resolve(), strict=True):
            if index is not None and published is not None:
                self.info.links[index] = replace(self.info.links[index], published=published)
        self.info.title = _SPACE.sub(" ", "".join(self.title)).strip()
        self.info.text = _SPACE.sub(" ", "".join(self.text)).strip()
        for key in DATE_META:
            if key in self.meta_dates:
                self.info.published = parse_date(self.meta_dates[key])
                if self.info.published:
                    break
        if self.info.published is None:
            for value in self.time_dates[:1]:  # the first <time> is the article's own, not a sidebar's
                self.info.published = parse_date(value)
        return self.info


def read_page(content: bytes, base_url: str, encoding: str = "") -> PageInfo:
    text = content.decode(encoding or "utf-8", errors="replace") if content else ""
    reader = _Reader(base_url)
    reader.feed(text)
    reader.close()
    return reader.finish()


def looks_like_html(content: bytes, content_type: str = "") -> bool:
    """An HTML page rather than a feed: by its Content-Type, else by its opening markup."""
    media = content_type.split(";")[0].strip().lower()
    head = content[:2048].lstrip().lower()
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        return False
    if media in ("text/html", "application/xhtml+xml"):
        return True
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def headline_links(page: PageInfo, page_url: str) -> list[PageLink]:
    """Links a press page lists as its items: on the same site or another congressional one (a conference's
    page lists its members' releases on their own house.gov sites), not the page itself, with headline-like
    text. Each address once, with the longest text it was given and the date the listing gives it."""
    site = (urlsplit(page_url).hostname or "").removeprefix("www.")
    own = page_url.split("#", 1)[0]
    best: dict[str, PageLink] = {}
    for link in page.links:
        url = link.url.split("#", 1)[0]
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        if url == own or _width(link.text) < MIN_HEADLINE or not _same_or_congressional(host, site):
            continue
        if url in page.feedish_links:
            continue
        kept = best.get(url)
        if kept is None or len(link.text) > len(kept.text):
            best[url] = PageLink(url, link.text[:500], link.published or (kept.published if kept else None))
        elif kept.published is None and link.published is not None:
            best[url] = replace(kept, published=link.published)
    return list(best.values())


def _same_or_congressional(host: str, site: str) -> bool:
    if host == site or host.endswith("." + site):
        return True
    return any(host.endswith("." + domain) for domain in CONGRESSIONAL_DOMAINS)


def _width(text: str) -> int:
    """Length in columns: a Chinese headline of six characters says as much as a Latin one of twelve."""
    return sum(2 if is_cjk(char) else 1 for char in text)


def feed_links(page: PageInfo) -> list[str]:
    """Where the page says its feed is: advertised feeds first, then plain links that look like one."""
    seen: list[str] = []
    for url in [*page.feeds, *page.feedish_links]:
        if url not in seen:
            seen.append(url)
    return seen


def charset_of(content_type: str) -> str:
    """The charset a Content-Type header names, or "" (then the page is read as UTF-8)."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"')
    return ""

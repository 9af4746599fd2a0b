"""The Congressional Record as a statement source: GovInfo's API, collection CREC.

Each scan asks GovInfo for the CREC packages (one per day's Record) modified since the last successful read,
lists each package's granules (one per floor speech or extension of remarks), and for the House, Senate and
Extensions granules reads the summary (which names the members in it by bioguide id) and the text. A granule
whose text mentions a campaign's keyword is queued for review like a feed item, attributed to the member the
summary names as speaking (else the first member named; else nobody, for the organizer to choose).

The API key (ADVOCACY_GOVINFO_API_KEY) goes in the X-Api-Key header, never in a URL, so it is in no log. The
source's last success is a FeedState row under the address SOURCE_URL, shown on the feeds page like any feed.
Every request goes through the monitor's guarded fetch (timeouts, size limit, address checks).

Endpoints and fields (GovInfo API documentation, https://api.govinfo.gov/docs and github.com/usgpo/api):
- GET /collections/CREC/{lastModifiedStartDate}?offsetMark=*&pageSize=100 → {"packages": [{"packageId",
  "lastModified", "dateIssued", ...}], "nextPage": url|null}
- GET /packages/{packageId}/granules?offsetMark=*&pageSize=100 → {"granules": [{"granuleId", "granuleClass",
  "title", ...}], "nextPage": url|null}
- GET /packages/{packageId}/granules/{granuleId}/summary → {"title", "dateIssued", "granuleClass", "members":
  [{"bioGuideId", "memberName", "role"}], "download": {"txtLink"}, "detailsLink"}

What recorded responses showed (tests/fixtures/govinfo/recorded, SOURCES.md there says where each is from):
- a granule listing may carry no granuleClass at all (only granuleId, title, granuleLink), so the class is read
  from the page prefix in the granule id when it is missing (…-PgH…, -PgS…, -PgE…, -PgD…);
- a granule summary may have no txtLink and no members; the text is then asked for at the granule's documented
  /htm address, and the granule is attributed to nobody;
- a day can have more than one package (at the start of a Congress: CREC-2025-01-03-v171) whose granules are named
  after the day only (CREC-2025-01-03-pt1-PgH2-2).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from advocacy.statements import feeds as feedlib
from advocacy.statements.feeds import FeedItem

SOURCE_URL = "govinfo:CREC"
FLOOR_CLASSES = frozenset({"HOUSE", "SENATE", "EXTENSIONS"})
PAGE_SIZE = 100
DEFAULT_MAX_GRANULES = 1000  # per scan: the rest wait for the next (their package is read again)
FIRST_LOOKBACK = timedelta(days=3)
_TAGS = re.compile(r"<[^>]+>")
_PACKAGE_ID = re.compile(r"(CREC-\d{4}-\d{2}-\d{2})(?:-v\d+)?")
_PAGE_PREFIX = re.compile(r"-Pg([A-Z])")
_CLASS_BY_PAGE = {"H": "HOUSE", "S": "SENATE", "E": "EXTENSIONS", "D": "DAILYDIGEST"}


class GovInfoError(Exception):
    """GovInfo could not be read; the message is for the organizer and names no key."""


@dataclass
class CrecItem:
    item: FeedItem
    bioguide_id: str | None


@dataclass
class CrecRead:
    items: list[CrecItem] = field(default_factory=list)
    packages: int = 0
    granules: int = 0
    complete: bool = True  # False when the granule budget ran out before the last package
    newest: datetime | None = None  # the latest day of the Record among the packages read


@dataclass(frozen=True)
class GovInfoClient:
    base_url: str
    api_key: str
    timeout: float
    max_bytes: int
    allow_private: bool = False

    def get(self, url: str) -> bytes:
        result = feedlib.fetch_feed(
            url,
            timeout=self.timeout,
            max_bytes=self.max_bytes,
            allow_private=self.allow_private,
            extra_headers={"X-Api-Key": self.api_key, "Accept": "application/json, text/html;q=0.5"},
        )
        if result.outcome != "ok":
            raise GovInfoError(f"GovInfo: {result.error or result.outcome}")
        return result.content

    def json(self, url: str) -> dict:
        try:
            value = json.loads(self.get(url))
        except (ValueError, UnicodeDecodeError):
            raise GovInfoError("GovInfo answered with something other than JSON") from None
        if not isinstance(value, dict):
            raise GovInfoError("GovInfo answered with an unexpected JSON shape")
        return value

    def pages(self, first_url: str, key: str):
        """Every element of `key` over the result pages (following nextPage on the same host)."""
        url: str | None = first_url
        seen = 0
        while url and seen < 50:
            page = self.json(url)
            seen += 1
            yield from (x for x in page.get(key) or [] if isinstance(x, dict))
            url = page.get("nextPage") or None
            if url and not url.startswith(self.base_url):
                raise GovInfoError("GovInfo pointed to another host for its next page")

    def packages_since(self, since: datetime) -> list[dict]:
        stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return list(
            self.pages(f"{self.base_url}/collections/CREC/{stamp}?offsetMark=*&pageSize={PAGE_SIZE}", "packages")
        )

    def granules(self, package_id: str) -> list[dict]:
        return list(
            self.pages(f"{self.base_url}/packages/{package_id}/granules?offsetMark=*&pageSize={PAGE_SIZE}", "granules")
        )

    def summary(self, package_id: str, granule_id: str) -> dict:
        return self.json(f"{self.base_url}/packages/{package_id}/granules/{granule_id}/summary")


def granule_class(granule: dict) -> str:
    """The granule's class as GovInfo states it, else as its page prefix says (H, S, E or D pages)."""
    stated = str(granule.get("granuleClass") or "").upper()
    if stated:
        return stated
    page = _PAGE_PREFIX.search(str(granule.get("granuleId") or ""))
    return _CLASS_BY_PAGE.get(page.group(1), "") if page else ""


def floor_granules(client: GovInfoClient, package_id: str) -> list[dict]:
    """The package's House, Senate and Extensions granules (the Daily Digest and anything unnamed left out)."""
    day = _PACKAGE_ID.fullmatch(package_id)
    if not day:
        return []
    prefix = day.group(1) + "-"
    return [
        g
        for g in client.granules(package_id)
        if granule_class(g) in FLOOR_CLASSES and str(g.get("granuleId") or "").startswith(prefix)
    ]


def text_link(client: GovInfoClient, summary: dict, package_id: str, granule_id: str) -> str | None:
    """Where the granule's text is: the summary's txtLink, else the documented /htm address; None if the
    summary points off GovInfo's API host."""
    download = summary.get("download") if isinstance(summary.get("download"), dict) else {}
    link = str(download.get("txtLink") or f"{client.base_url}/packages/{package_id}/granules/{granule_id}/htm")
    return link if link.startswith(client.base_url + "/") else None


def plain_text(content: bytes) -> str:
    """The granule's text: GovInfo serves it as HTML around a <pre>."""
    return " ".join(html.unescape(_TAGS.sub(" ", content.decode("utf-8", errors="replace"))).split())


def speaker(summary: dict) -> str | None:
    """The bioguide id of the member speaking (else the first named), as the summary gives it."""
    members = [m for m in summary.get("members") or [] if isinstance(m, dict)]
    ids = [(m.get("role") or "", m.get("bioGuideId") or m.get("bioguideId") or "") for m in members]
    for role, bioguide in ids:
        if bioguide and role.upper() == "SPEAKING":
            return bioguide[:10]
    return next((b[:10] for _, b in ids if b), None)


def _date(value: object) -> datetime | None:
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def read_record(client: GovInfoClient, since: datetime, mentions, max_granules: int = DEFAULT_MAX_GRANULES) -> CrecRead:
    """The floor granules of the Record published since `since` whose text `mentions(text)` is true.
    Raises GovInfoError when GovInfo cannot be read."""
    read = CrecRead()
    for package in client.packages_since(since):
        package_id = str(package.get("packageId") or "")
        if not _PACKAGE_ID.fullmatch(package_id):
            continue
        read.packages += 1
        day = _date(package.get("dateIssued") or package_id[5:15])
        if day and (read.newest is None or day > read.newest):
            read.newest = day
        for granule in floor_granules(client, package_id):
            granule_id = str(granule["granuleId"])
            if read.granules >= max_granules:
                read.complete = False
                return read
            read.granules += 1
            summary = client.summary(package_id, granule_id)
            link = text_link(client, summary, package_id, granule_id)
            if not link:
                continue
            text = plain_text(client.get(link))
            if not mentions(text):
                continue
            details = summary.get("detailsLink") or f"https://www.govinfo.gov/app/details/{package_id}/{granule_id}"
            item = FeedItem(
                title=str(summary.get("title") or granule.get("title") or granule_id)[:500],
                url=feedlib.normalize_url(str(details)),
                published=_date(summary.get("dateIssued") or package.get("dateIssued")),
                body=text[:20_000],
            )
            read.items.append(CrecItem(item, speaker(summary)))
    return read

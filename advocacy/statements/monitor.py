"""The statement monitor: read members' press-release feeds and organizers' feeds, find items that
mention a campaign, and queue them for review.

Each feed URL is fetched once per scan, whichever campaigns read it. A conditional GET (ETag,
Last-Modified) is only sent when every campaign reading the feed has already matched the content those
validators stand for with its current keywords; otherwise a 304 would hide items from a new campaign.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from advocacy.congress.models import CommitteeMembership, Member
from advocacy.congress.offices import current_offices
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.folding import fold_text
from advocacy.statements import alerts, govinfo
from advocacy.statements import feeds as feedlib
from advocacy.statements.feeds import FeedError, FeedItem, Validators, normalize_url
from advocacy.statements.matching import SNIPPET_RADIUS, KeywordMatch, KeywordMatcher
from advocacy.statements.models import (
    MAX_URL,
    FeedRead,
    FeedState,
    MonitoredFeed,
    SourceKind,
    Statement,
    StatementCandidate,
)
from advocacy.statements.pages import PageInfo, charset_of, headline_links, looks_like_html, read_page

MAX_SNIPPET = 600
MAX_BODY = 20_000  # characters of a linked page's text kept for matching
MAX_PAGE_LINKS = 500  # headline links remembered per watched page
SLOW_DOWN = ("HTTP 429", "HTTP 503")  # a site asking us to come back later
DEFAULT_MAX_NEW_PER_FEED = 50
DEFAULT_DATE_LOOKUPS = 10
DEFAULT_PAGE_FOLLOWS = 10
_UNDATED = datetime.min.replace(tzinfo=UTC)
RECORD_KIND = "record"  # the Congressional Record (govinfo.py), reported beside the feeds


@dataclass
class FeedSource:
    url: str
    campaign_ids: set[int] = field(default_factory=set)
    bioguide_id: str | None = None  # the member the feed speaks for, if any
    kind: str = SourceKind.FEED.value  # what the organizer added it as; a "feed" that is a web page is read as one


@dataclass
class FeedReport:
    """What one address gave in one scan, for the summary and the organizer's feeds page."""

    url: str
    kind: str = SourceKind.FEED.value
    outcome: str = ""  # ok | not_modified | failed
    items: int = 0
    dated: int = 0
    matches: int = 0
    new: int = 0
    held_back: int = 0
    undated_waiting: int = 0  # matches held until their own page is read for a date (a few pages per scan)
    unread_links: int = 0  # a watched page's new links left to read in the next scan
    slowed_down: bool = False  # the site answered 429 or 503 to a linked page: no more of its pages this scan
    reason: str = ""

    def line(self) -> str:
        if self.outcome == "failed":
            return f"  failed: {self.url} ({self.reason})"
        if self.outcome == "not_modified":
            return f"  {self.url}: not changed since the last scan"
        what = {SourceKind.FEED: "feed", RECORD_KIND: "Congressional Record (GovInfo)"}.get(
            self.kind, "web page without a feed"
        )
        noun = {SourceKind.FEED: "item", RECORD_KIND: "floor granule"}.get(self.kind, "headline link")
        text = (
            f"  {self.url}: {what}, {_count(self.items, noun)}, {self.dated} dated, "
            f"{_count(self.matches, 'match', 'matches')}, {self.new} new"
        )
        if self.held_back:
            text += f"; {self.held_back} more matching left for the next scan (at most {self.new} queued per scan)"
        if self.undated_waiting:
            text += (
                f"; {self.undated_waiting} more matching without a date in the feed left for the next scan, "
                "which reads their pages for the date (a few pages per scan)"
            )
        if self.unread_links:
            why = "the site asked us to slow down" if self.slowed_down else "a few are read per scan"
            text += f"; {_count(self.unread_links, 'new link')} left to read in the next scan ({why})"
        return text


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


@dataclass
class ScanSummary:
    campaigns: list[str] = field(default_factory=list)
    feeds: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    items: int = 0
    new_candidates: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    reports: list[FeedReport] = field(default_factory=list)

    def lines(self, per_feed: bool = True) -> list[str]:
        """The totals, then one line per address (or, when not `per_feed`, only the failed ones)."""
        head = (
            f"Scanned {self.feeds} feed{'s' if self.feeds != 1 else ''} for {', '.join(self.campaigns) or 'no campaign'}: "
            f"{self.fetched} fetched, {self.not_modified} not modified, {self.failed} failed; "
            f"{self.items} item{'s' if self.items != 1 else ''} read; "
            f"{self.new_candidates} new candidate{'s' if self.new_candidates != 1 else ''} for review."
        )
        shown = self.reports if per_feed else [r for r in self.reports if r.outcome == "failed"]
        return [head] + [r.line() for r in shown]


@dataclass(frozen=True)
class Limits:
    """How far one scan may go, from the app's settings."""

    timeout: float
    workers: int
    max_bytes: int
    allow_private: bool
    max_new_per_feed: int  # candidates queued per feed per campaign in one scan; the rest wait for the next
    date_lookups: int  # undated matches per feed whose own page is read for a date, per scan
    page_follows: int  # new links per watched page whose target is read for a keyword, per scan

    @classmethod
    def from_config(cls, config, timeout: float | None = None, workers: int | None = None) -> Limits:
        return cls(
            timeout=timeout or float(config.get("STATEMENTS_FEED_TIMEOUT", feedlib.DEFAULT_TIMEOUT)),
            workers=workers or int(config.get("STATEMENTS_FEED_WORKERS", feedlib.DEFAULT_WORKERS)),
            max_bytes=int(config.get("STATEMENTS_FEED_MAX_BYTES", feedlib.DEFAULT_MAX_BYTES)),
            # Development and tests only (feeds served from 127.0.0.1); production refuses to start with it.
            allow_private=bool(config.get("STATEMENTS_FEED_ALLOW_PRIVATE", False)),
            max_new_per_feed=int(config.get("STATEMENTS_MAX_NEW_PER_FEED", DEFAULT_MAX_NEW_PER_FEED)),
            date_lookups=int(config.get("STATEMENTS_DATE_LOOKUPS", DEFAULT_DATE_LOOKUPS)),
            page_follows=int(config.get("STATEMENTS_PAGE_FOLLOWS", DEFAULT_PAGE_FOLLOWS)),
        )


def plain_reason(error: str, timeout: float) -> str:
    """A fetch error in words an organizer understands."""
    if error.startswith("HTTP "):
        code = error[5:]
        meaning = {
            "404": "page not found: the feed may have moved",
            "410": "gone: the feed was removed",
            "403": "access refused",
            "401": "a login is required",
            "429": "too many requests: the site asks us to slow down",
        }.get(code, "an error on the site's side" if code.startswith("5") else "an unexpected answer")
        return f"the site answered {code} ({meaning})"
    if error == "timed out":
        return f"no answer within {timeout:g} seconds"
    if error == "could not connect":
        return "could not connect to the site (it may be down, or the address is wrong)"
    if error.startswith("refused: "):
        return "refused: the address is on a private or local network, which the monitor never reads"
    if error.startswith("larger than"):
        return f"the document is {error} (too large to read)"
    if error == "too many redirects":
        return "the address redirects too many times"
    if error == "not an http(s) URL":
        return "the address does not start with http:// or https://"
    return error


STALE_SOURCE_DAYS = 60


def source_flag(state: FeedState | None, now: datetime) -> str | None:
    """Why a source needs attention (failing, or silent, for STALE_SOURCE_DAYS), in words; None when it is fine
    or has not been read yet."""
    if state is None or state.last_checked_at is None:
        return None
    limit = timedelta(days=STALE_SOURCE_DAYS)
    if state.last_outcome == "failed" and (state.last_ok_at is None or now - state.last_ok_at >= limit):
        if state.last_ok_at is None:
            return "never read successfully"
        return f"no successful read since {state.last_ok_at:%Y-%m-%d} ({STALE_SOURCE_DAYS}+ days)"
    if state.newest_item_at is not None and now - state.newest_item_at >= limit:
        return f"silent: its newest item is from {state.newest_item_at:%Y-%m-%d} ({STALE_SOURCE_DAYS}+ days)"
    return None


def keywords_of(campaign) -> list[str]:
    return [k for k in [*(campaign.keywords or []), *(campaign.aliases or [])] if k and k.strip()]


def keywords_hash(keywords: Iterable[str]) -> str:
    folded = sorted({fold_text(k).strip() for k in keywords})
    return hashlib.sha256(json.dumps(folded, ensure_ascii=False).encode()).hexdigest()


def feed_sources(campaigns: list) -> list[FeedSource]:
    """Members' own feeds (read for every campaign) and each campaign's added feeds."""
    ids = {c.id for c in campaigns}
    sources: dict[str, FeedSource] = {}
    for office in current_offices():
        url = (office.rss_url or "").strip()
        if url and feedlib.is_http_url(url) and url not in sources:
            sources[url] = FeedSource(url, set(ids), office.bioguide_id)
    added = db.session.scalars(
        select(MonitoredFeed).where(MonitoredFeed.campaign_id.in_(ids)).order_by(MonitoredFeed.id)
    )
    for feed in added:
        speaks_for = feed.bioguide_id or (committee_chair(feed.committee_id) if feed.committee_id else None)
        source = sources.setdefault(feed.url, FeedSource(feed.url, set(), speaks_for, feed.kind))
        source.campaign_ids.add(feed.campaign_id)
        source.bioguide_id = source.bioguide_id or speaks_for
    return list(sources.values())


def committee_chair(committee_id: str) -> str | None:
    """Who a committee's statements are attributed to: its chair (the majority member titled Chair or
    Chairman), else the majority's first-ranked member; None for a committee we do not know (a caucus), whose
    candidates then name no office until the organizer picks one."""
    rows = db.session.execute(
        select(CommitteeMembership.bioguide_id, CommitteeMembership.title, CommitteeMembership.rank).where(
            CommitteeMembership.committee_id == committee_id, CommitteeMembership.party == "majority"
        )
    ).all()
    for bioguide_id, title, _rank in rows:
        if (title or "").lower() in ("chair", "chairman", "chairwoman"):
            return bioguide_id
    ranked = sorted((rank, bioguide_id) for bioguide_id, _title, rank in rows if rank is not None)
    return ranked[0][1] if ranked else None


def _feed_states(urls: list[str]) -> dict[str, FeedState]:
    states: dict[str, FeedState] = {}
    for start in range(0, len(urls), 500):
        chunk = urls[start : start + 500]
        for state in db.session.scalars(select(FeedState).where(FeedState.url.in_(chunk))):
            states[state.url] = state
    for url in urls:
        if url not in states:
            states[url] = FeedState(url=url, version=0, items=0, last_outcome="", last_error="")
            db.session.add(states[url])
    db.session.flush()
    return states


def _reads(campaign_ids: set[int]) -> dict[tuple[int, int], FeedRead]:
    rows = db.session.scalars(select(FeedRead).where(FeedRead.campaign_id.in_(campaign_ids)))
    return {(r.campaign_id, r.feed_state_id): r for r in rows}


def _known_urls(campaign_ids: set[int]) -> dict[int, set[str]]:
    """URLs already queued or recorded as a statement's source, per campaign: never queued again."""
    known: dict[int, set[str]] = {cid: set() for cid in campaign_ids}
    rows = db.session.execute(
        select(StatementCandidate.campaign_id, StatementCandidate.url).where(
            StatementCandidate.campaign_id.in_(campaign_ids)
        )
    )
    for campaign_id, url in rows:
        known[campaign_id].add(url)
    rows = db.session.execute(
        select(Statement.campaign_id, Statement.source_url).where(Statement.campaign_id.in_(campaign_ids))
    )
    for campaign_id, url in rows:
        known[campaign_id].add(normalize_url(url))
    return known


def _insert_candidate(values: dict) -> bool:
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    # RETURNING, not rowcount: psycopg reports no rowcount for an ON CONFLICT insert run through the ORM session.
    statement = insert(StatementCandidate).values(**values).on_conflict_do_nothing().returning(StatementCandidate.id)
    return db.session.execute(statement).scalar_one_or_none() is not None


def match_items(items: list[FeedItem], matcher: KeywordMatcher) -> list[tuple[FeedItem, str, str]]:
    """(item, keyword, snippet) for every item that mentions a keyword. The snippet comes from the body
    (the title is shown beside it anyway): around the body's own match, else its opening words."""
    found = []
    for item in items:
        match = matcher.search(item.title) or matcher.search(item.body)
        if match is None:
            continue
        in_body = matcher.search(item.body)
        if in_body is not None:
            snippet = in_body.snippet(item.body)
        else:
            snippet = KeywordMatch(match.keyword, 0, 0).snippet(item.body, radius=2 * SNIPPET_RADIUS)
        found.append((item, match.keyword, snippet[:MAX_SNIPPET]))
    return found


def scan(
    campaigns: list,
    timeout: float | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScanSummary:
    """Fetch every feed the campaigns read (and the Congressional Record), queue new matching items, record each
    source's outcome, and queue the "new candidates" email to the organizers who asked for it."""
    started = utcnow()
    summary = _scan_sources(campaigns, timeout, workers, progress)
    if summary.new_candidates:
        alerts.queue_candidate_alerts(started)
    return summary


def _scan_sources(
    campaigns: list,
    timeout: float | None,
    workers: int | None,
    progress: Callable[[int, int], None] | None,
) -> ScanSummary:
    limits = Limits.from_config(current_app.config, timeout, workers)
    summary = ScanSummary(campaigns=[c.slug for c in campaigns])
    matchers = {c.id: KeywordMatcher(keywords_of(c)) for c in campaigns}
    hashes = {c.id: keywords_hash(keywords_of(c)) for c in campaigns}
    sources = feed_sources(campaigns)
    summary.feeds = len(sources)
    ids = {c.id for c in campaigns}
    known = _known_urls(ids) if ids else {}
    if not sources:
        _scan_record(limits, matchers, known, summary)
        return summary
    states = _feed_states([s.url for s in sources])
    reads = _reads(ids)
    db.session.commit()

    def validators_for(source: FeedSource) -> Validators | None:
        state = states[source.url]
        if not (state.etag or state.last_modified):
            return None
        for cid in source.campaign_ids:
            read = reads.get((cid, state.id))
            if read is None or read.version != state.version or read.keywords_hash != hashes[cid]:
                return None
        return Validators(state.etag, state.last_modified)

    targets = [(s.url, validators_for(s)) for s in sources]
    results = feedlib.fetch_all(
        targets,
        timeout=limits.timeout,
        workers=limits.workers,
        max_bytes=limits.max_bytes,
        progress=progress,
        allow_private=limits.allow_private,
    )
    scan_ctx = _Scan(limits, matchers, hashes, reads, known)
    for source, result in zip(sources, results, strict=True):
        report = scan_ctx.record(source, states[source.url], result)
        summary.reports.append(report)
        if report.outcome == "not_modified":
            summary.not_modified += 1
        elif report.outcome == "ok":
            summary.fetched += 1
            summary.items += report.items
            summary.new_candidates += report.new
        else:
            summary.failed += 1
            summary.failures.append((source.url, report.reason))
        db.session.commit()
    _scan_record(limits, matchers, known, summary)
    return summary


def _scan_record(limits: Limits, matchers: dict[int, KeywordMatcher], known: dict[int, set[str]], summary) -> None:
    """Read the Congressional Record since its last successful read (when a GovInfo key is set), queue the
    granules that mention a campaign, attributed to their speaker, and record the outcome as the source's."""
    settings = current_app.config["ADVOCACY_SETTINGS"]
    if not settings.govinfo_api_key or not matchers:
        return
    client = govinfo.GovInfoClient(
        settings.govinfo_url.rstrip("/"),
        settings.govinfo_api_key,
        limits.timeout,
        limits.max_bytes,
        limits.allow_private,
    )
    state = _feed_states([govinfo.SOURCE_URL])[govinfo.SOURCE_URL]
    state.kind = RECORD_KIND
    started = utcnow()
    since = state.last_changed_at - timedelta(hours=1) if state.last_changed_at else started - govinfo.FIRST_LOOKBACK
    report = FeedReport(govinfo.SOURCE_URL, kind=RECORD_KIND)
    summary.feeds += 1
    state.last_checked_at = started

    def mentions(text: str) -> bool:
        return any(m and m.search(text) for m in matchers.values())

    try:
        read = govinfo.read_record(
            client, since, mentions, int(current_app.config.get("STATEMENTS_GOVINFO_MAX_GRANULES", 1000))
        )
    except govinfo.GovInfoError as exc:
        state.last_outcome, state.last_error = "failed", str(exc)[:300]
        report.outcome, report.reason = "failed", state.last_error
        summary.failed += 1
        summary.failures.append((govinfo.SOURCE_URL, report.reason))
        summary.reports.append(report)
        db.session.commit()
        return
    speakers = {found.item.url: found.bioguide_id for found in read.items}
    items = [found.item for found in read.items]
    report.outcome, report.items, report.dated = "ok", read.granules, read.granules
    for cid, matcher in matchers.items():
        found = [f for f in match_items(items, matcher) if f[0].url not in known[cid]] if matcher else []
        report.matches = max(report.matches, len(found))
        report.held_back = max(report.held_back, len(found) - limits.max_new_per_feed)
        for item, keyword, snippet in found[: limits.max_new_per_feed]:
            known[cid].add(item.url)
            report.new += _insert_candidate(
                {
                    "campaign_id": cid,
                    "bioguide_id": _known_member(speakers.get(item.url)),
                    "feed_url": govinfo.SOURCE_URL,
                    "title": item.title[:500],
                    "url": item.url,
                    "published": item.published,
                    "snippet": snippet,
                    "matched_keyword": keyword[:100],
                    "status": "pending",
                    "created_at": utcnow(),
                }
            )
    state.last_outcome, state.last_error, state.last_ok_at = "ok", "", started
    state.items, state.dated = read.granules, read.granules
    if read.newest and (state.newest_item_at is None or read.newest > state.newest_item_at):
        state.newest_item_at = read.newest  # so a Record silent for 60 days is flagged like any source
    if read.complete and report.held_back <= 0:  # otherwise the same window is read again next time
        state.last_changed_at = started
        state.version += 1
    report.held_back = max(0, report.held_back)
    summary.fetched += 1
    summary.items += read.granules
    summary.new_candidates += report.new
    summary.reports.append(report)
    db.session.commit()


def _known_member(bioguide_id: str | None) -> str | None:
    """The speaker, if we know the member (the candidate's office is a foreign key); else none."""
    if not bioguide_id:
        return None
    return bioguide_id if db.session.get(Member, bioguide_id) is not None else None


@dataclass
class _Scan:
    limits: Limits
    matchers: dict[int, KeywordMatcher]
    hashes: dict[int, str]
    reads: dict[tuple[int, int], FeedRead]
    known: dict[int, set[str]]
    slowed: set[str] = field(default_factory=set)  # sites that answered 429 or 503 to a linked page in this scan
    pages: dict[str, PageInfo | None] = field(default_factory=dict)  # linked pages read in this scan

    def record(self, source: FeedSource, state: FeedState, result: feedlib.FetchResult) -> FeedReport:
        report = FeedReport(source.url, kind=state.kind or source.kind, outcome=result.outcome)
        state.last_checked_at = utcnow()
        state.last_outcome = result.outcome
        if result.outcome in ("ok", "not_modified"):
            state.last_ok_at = state.last_checked_at
        state.last_error = plain_reason(result.error, self.limits.timeout)[:300] if result.error else ""
        if result.outcome == "ok":
            base = result.final_url or source.url
            try:
                items = self.items_of(source, state, result, base, report)
            except FeedError as exc:
                state.last_outcome, state.last_error = "failed", str(exc)[:300]
            else:
                report.kind = state.kind
                report.items, report.dated = len(items), sum(1 for i in items if i.published)
                newest = max((i.published for i in items if i.published), default=None)
                if newest is not None:
                    state.newest_item_at = max(newest, state.newest_item_at or newest)
                report.matches, report.new, report.held_back, report.undated_waiting = self.queue(source, state, items)
                if not (report.held_back or report.undated_waiting or report.unread_links):
                    # nothing left for the next scan: a 304 may answer it
                    state.etag, state.last_modified = result.validators.etag, result.validators.last_modified
                else:
                    state.etag = state.last_modified = None
                state.items, state.dated = report.items, report.dated
        report.outcome, report.reason = state.last_outcome, state.last_error
        return report

    def items_of(
        self, source: FeedSource, state: FeedState, result: feedlib.FetchResult, base: str, report: FeedReport
    ) -> list[FeedItem]:
        """The feed's items; for a web page (added as one, or a "feed" address that answers with a page),
        its headline links with the dates the listing gives them, and the target pages of new links read for a
        keyword and a date: a few per scan, the rest (and those of a site that asks us to slow down) left new for
        the next scan."""
        if source.kind != SourceKind.PAGE:
            try:
                items = feedlib.parse_feed(result.content, result.content_type, base)
            except feedlib.NotAFeed:
                pass
            else:
                state.kind = SourceKind.FEED.value
                return items
        page = read_page(result.content, base, charset_of(result.content_type))
        links = headline_links(page, base)
        previous = set(state.page_links or [])
        state.kind = SourceKind.PAGE.value
        items = [
            FeedItem(title=link.text, url=normalize_url(link.url), published=link.published, body="") for link in links
        ]
        unread: set[str] = set()
        follows = 0
        # The first read (nothing previous): every link is old news, read only by its text.
        for n, item in enumerate(items if previous else []):
            if item.url in previous or any(m.search(item.title) for m in self.matchers.values()):
                continue
            if follows >= self.limits.page_follows or not self.may_read(item.url):
                unread.add(links[n].url)
                continue
            follows += 1
            target = self.read_linked_page(item.url)
            if target is not None:
                items[n] = replace(item, published=item.published or target.published, body=target.text[:MAX_BODY])
            elif not self.may_read(item.url):  # this very read was told to wait
                unread.add(links[n].url)
        state.page_links = [link.url for link in links if link.url not in unread][:MAX_PAGE_LINKS]
        report.unread_links = len(unread)
        report.slowed_down = any(not self.may_read(url) for url in unread)
        return items

    def may_read(self, url: str) -> bool:
        return urlsplit(url).hostname not in self.slowed

    def read_linked_page(self, url: str) -> PageInfo | None:
        """The page a feed item or a headline links to, under the same guards as a feed; None if unreadable.
        Each page is read once per scan (followed for a keyword, then not again for its date); a site that
        answers 429 or 503 is not asked again in this scan."""
        if url in self.pages or not self.may_read(url):
            return self.pages.get(url)
        result = feedlib.fetch_feed(
            url, timeout=self.limits.timeout, max_bytes=self.limits.max_bytes, allow_private=self.limits.allow_private
        )
        if result.error in SLOW_DOWN:
            self.slowed.add(urlsplit(url).hostname)
            return None
        page = None
        if result.outcome == "ok" and looks_like_html(result.content, result.content_type):
            page = read_page(result.content, result.final_url or url, charset_of(result.content_type))
        self.pages[url] = page
        return page

    def queue(self, source: FeedSource, state: FeedState, items: list[FeedItem]) -> tuple[int, int, int, int]:
        """Queue each campaign's new matches (newest first, at most `max_new_per_feed`); (matches, new, held back
        by that limit, held back for a date).
        An undated match is queued once its own page was read for a date; those beyond this scan's reads wait for
        the next scan, so that a date the page carries is never missed."""
        state.version += 1
        state.last_changed_at = utcnow()
        matched = new = held_back = undated_waiting = 0
        per_campaign: dict[int, list[tuple[FeedItem, str, str]]] = {}
        for cid in sorted(source.campaign_ids):
            found = match_items(items, self.matchers[cid]) if self.matchers[cid] else []
            matched = max(matched, len(found))
            fresh = [f for f in found if f[0].url not in self.known[cid] and len(f[0].url) <= MAX_URL]
            fresh.sort(key=lambda f: f[0].published or _UNDATED, reverse=True)
            held_back = max(held_back, len(fresh) - self.limits.max_new_per_feed)
            per_campaign[cid] = fresh[: self.limits.max_new_per_feed]
        undated = [f[0].url for chosen in per_campaign.values() for f in chosen if not f[0].published]
        dates, read = self.dates_from_pages(list(dict.fromkeys(undated)))
        for cid, chosen in per_campaign.items():
            waiting = [f for f in chosen if not f[0].published and f[0].url not in read]
            if waiting:
                chosen = [f for f in chosen if f not in waiting]
                undated_waiting = max(undated_waiting, len(waiting))
            for item, keyword, snippet in chosen:
                self.known[cid].add(item.url)
                new += _insert_candidate(
                    {
                        "campaign_id": cid,
                        "bioguide_id": source.bioguide_id,
                        "feed_url": source.url,
                        "title": item.title[:500],
                        "url": item.url,
                        "published": item.published or dates.get(item.url),
                        "snippet": snippet,
                        "matched_keyword": keyword[:100],
                        "status": "pending",
                        "created_at": utcnow(),
                    }
                )
            read = self.reads.get((cid, state.id))
            if read is None:
                read = self.reads[(cid, state.id)] = FeedRead(campaign_id=cid, feed_state_id=state.id)
                db.session.add(read)
            read.version, read.keywords_hash = state.version, self.hashes[cid]
        return matched, new, max(0, held_back), undated_waiting

    def dates_from_pages(self, urls: list[str]) -> tuple[dict[str, datetime], set[str]]:
        """Dates read from the pages of undated matches (a few per feed per scan, one at a time, newest
        first), and which pages were read (or answered that they cannot be: a 404 will not carry a date later)."""
        dates, read = {}, set()
        for url in urls[: self.limits.date_lookups]:
            page = self.read_linked_page(url)
            if not self.may_read(url):  # the site asked us to slow down: this page waits for the next scan
                continue
            read.add(url)
            if page is not None and page.published is not None:
                dates[url] = page.published
        return dates, read

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
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.statements import feeds as feedlib
from advocacy.statements.feeds import FeedError, FeedItem, Validators, normalize_url
from advocacy.statements.matching import SNIPPET_RADIUS, KeywordMatch, KeywordMatcher, fold_text
from advocacy.statements.models import MAX_URL, FeedRead, FeedState, MonitoredFeed, Statement, StatementCandidate

MAX_SNIPPET = 600


@dataclass
class FeedSource:
    url: str
    campaign_ids: set[int] = field(default_factory=set)
    bioguide_id: str | None = None  # the member the feed speaks for, if any


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

    def lines(self) -> list[str]:
        head = (
            f"Scanned {self.feeds} feed{'s' if self.feeds != 1 else ''} for {', '.join(self.campaigns) or 'no campaign'}: "
            f"{self.fetched} fetched, {self.not_modified} not modified, {self.failed} failed; "
            f"{self.items} item{'s' if self.items != 1 else ''} read; "
            f"{self.new_candidates} new candidate{'s' if self.new_candidates != 1 else ''} for review."
        )
        return [head] + [f"  failed: {url} ({reason})" for url, reason in self.failures]


def keywords_of(campaign) -> list[str]:
    return [k for k in [*(campaign.keywords or []), *(campaign.aliases or [])] if k and k.strip()]


def keywords_hash(keywords: Iterable[str]) -> str:
    folded = sorted({fold_text(k).strip() for k in keywords})
    return hashlib.sha256(json.dumps(folded, ensure_ascii=False).encode()).hexdigest()


def feed_sources(campaigns: list) -> list[FeedSource]:
    """Members' own feeds (read for every campaign) and each campaign's added feeds."""
    from advocacy.congress.offices import current_offices

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
        source = sources.setdefault(feed.url, FeedSource(feed.url, set(), feed.bioguide_id))
        source.campaign_ids.add(feed.campaign_id)
        source.bioguide_id = source.bioguide_id or feed.bioguide_id
    return list(sources.values())


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
    """Fetch every feed the campaigns read, queue new matching items, and record each feed's outcome."""
    config = current_app.config
    timeout = timeout or float(config.get("STATEMENTS_FEED_TIMEOUT", feedlib.DEFAULT_TIMEOUT))
    workers = workers or int(config.get("STATEMENTS_FEED_WORKERS", feedlib.DEFAULT_WORKERS))
    max_bytes = int(config.get("STATEMENTS_FEED_MAX_BYTES", feedlib.DEFAULT_MAX_BYTES))
    # Tests serve feeds from 127.0.0.1; nothing else should read feeds from our own network.
    allow_private = bool(config.get("STATEMENTS_FEED_ALLOW_PRIVATE", False))

    summary = ScanSummary(campaigns=[c.slug for c in campaigns])
    matchers = {c.id: KeywordMatcher(keywords_of(c)) for c in campaigns}
    hashes = {c.id: keywords_hash(keywords_of(c)) for c in campaigns}
    sources = feed_sources(campaigns)
    summary.feeds = len(sources)
    if not sources:
        return summary
    ids = {c.id for c in campaigns}
    states = _feed_states([s.url for s in sources])
    reads = _reads(ids)
    known = _known_urls(ids)
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
        targets, timeout=timeout, workers=workers, max_bytes=max_bytes, progress=progress, allow_private=allow_private
    )

    for source, result in zip(sources, results, strict=True):
        state = states[source.url]
        state.last_checked_at = utcnow()
        state.last_outcome = result.outcome
        state.last_error = result.error[:300]
        if result.outcome == "not_modified":
            summary.not_modified += 1
        elif result.outcome == "ok":
            try:
                items = feedlib.parse_feed(result.content, result.content_type, result.final_url or source.url)
            except FeedError as exc:
                state.last_outcome, state.last_error = "failed", str(exc)[:300]
            else:
                summary.fetched += 1
                summary.items += len(items)
                summary.new_candidates += _record_items(source, state, items, matchers, hashes, reads, known)
                state.etag, state.last_modified = result.validators.etag, result.validators.last_modified
                state.items = len(items)
        if state.last_outcome == "failed":
            summary.failed += 1
            summary.failures.append((source.url, state.last_error))
        db.session.commit()
    return summary


def _record_items(source, state, items, matchers, hashes, reads, known) -> int:
    state.version += 1
    state.last_changed_at = utcnow()
    new = 0
    for cid in sorted(source.campaign_ids):
        if matchers[cid]:
            for item, keyword, snippet in match_items(items, matchers[cid]):
                if item.url in known[cid] or len(item.url) > MAX_URL:
                    continue
                known[cid].add(item.url)
                new += _insert_candidate(
                    {
                        "campaign_id": cid,
                        "bioguide_id": source.bioguide_id,
                        "feed_url": source.url,
                        "title": item.title[:500],
                        "url": item.url,
                        "published": item.published,
                        "snippet": snippet,
                        "matched_keyword": keyword[:100],
                        "status": "pending",
                        "created_at": utcnow(),
                    }
                )
        read = reads.get((cid, state.id))
        if read is None:
            read = reads[(cid, state.id)] = FeedRead(campaign_id=cid, feed_state_id=state.id)
            db.session.add(read)
        read.version, read.keywords_hash = state.version, hashes[cid]
    return new

"""What the feeds page says about members' own feeds: each one's last read, outcome and item count, read from
the state the scan keeps per address (FeedState), with the ones that need attention first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from advocacy.congress.offices import Office, current_offices
from advocacy.extensions import db
from advocacy.statements import feeds as feedlib
from advocacy.statements.models import FeedState
from advocacy.statements.monitor import source_flag


@dataclass(frozen=True)
class MemberFeed:
    office: Office
    url: str
    state: FeedState | None  # None: the scan has not read it yet
    flag: str | None  # why it needs attention (monitor.source_flag), in words

    @property
    def outcome(self) -> str:
        """ok | not_modified | failed | "" (not read yet)."""
        return self.state.last_outcome if self.state is not None and self.state.last_checked_at else ""


@dataclass(frozen=True)
class MemberFeeds:
    feeds: list[MemberFeed]

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.feeds if f.outcome == outcome)

    @property
    def needing_attention(self) -> int:
        return sum(1 for f in self.feeds if f.flag)

    @property
    def last_read(self) -> datetime | None:
        return max((f.state.last_checked_at for f in self.feeds if f.outcome), default=None)


def member_feeds(now: datetime) -> MemberFeeds:
    """Every sitting member's feed the scan reads (as `monitor.feed_sources` picks them), with its state."""
    urls: dict[str, Office] = {}
    for office in current_offices():
        url = (office.rss_url or "").strip()
        if url and feedlib.is_http_url(url) and url not in urls:
            urls[url] = office
    states: dict[str, FeedState] = {}
    addresses = list(urls)
    for start in range(0, len(addresses), 500):
        chunk = addresses[start : start + 500]
        states.update({s.url: s for s in db.session.scalars(select(FeedState).where(FeedState.url.in_(chunk)))})
    feeds = [
        MemberFeed(office, url, states.get(url), source_flag(states.get(url), now)) for url, office in urls.items()
    ]
    order = {"failed": 0, "": 1}  # failing first, then not read yet, then read
    feeds.sort(key=lambda f: (not f.flag, order.get(f.outcome, 2), f.office.state, f.office.last_name))
    return MemberFeeds(feeds)

"""Sources an organizer adds beyond members' own feeds: committee and caucus sites (a feed, or a page watched
for new links), read by the same monitor under the same guards.

Attribution (decided here, see monitor.committee_chair): a committee source's candidates name the committee's
chair as the office, since a committee's statements and letters go out over the chair's name; an unknown
committee (a caucus) names no office. Either way the organizer picks the office when accepting a candidate.
"""

from __future__ import annotations

from sqlalchemy import select

from advocacy.congress.models import Committee
from advocacy.extensions import db
from advocacy.statements.discovery import refused_address
from advocacy.statements.feeds import is_http_url, normalize_url
from advocacy.statements.models import MAX_URL, MonitoredFeed, SourceKind


class SourceRefused(ValueError):
    """The source cannot be added; the message says why."""


def add_source(
    campaign_id: int,
    url: str,
    *,
    committee_id: str | None = None,
    as_page: bool = False,
    label: str = "",
    user_id: int | None = None,
) -> MonitoredFeed:
    """Add a feed (or, with as_page, a watched page) for a campaign, optionally for a committee; commits."""
    url = normalize_url((url or "").strip())
    if not is_http_url(url) or len(url) > MAX_URL:
        raise SourceRefused("The address must start with http:// or https://.")
    refused = refused_address(url)
    if refused:
        raise SourceRefused(refused)
    committee_id = (committee_id or "").strip().upper() or None
    if committee_id and len(committee_id) > 20:
        raise SourceRefused("A committee id is a short code such as SSJU or HSJU.")
    if committee_id and db.session.get(Committee, committee_id) is None and not committee_id.startswith("CAUCUS"):
        raise SourceRefused(f"No committee has the id {committee_id}; for a caucus, write CAUCUS-<name>.")
    exists = db.session.scalar(
        select(MonitoredFeed.id).where(MonitoredFeed.campaign_id == campaign_id, MonitoredFeed.url == url)
    )
    if exists:
        raise SourceRefused("That address is already monitored for this campaign.")
    feed = MonitoredFeed(
        campaign_id=campaign_id,
        url=url,
        label=label.strip()[:200],
        kind=SourceKind.PAGE.value if as_page else SourceKind.FEED.value,
        committee_id=committee_id,
        added_by_id=user_id,
    )
    db.session.add(feed)
    db.session.commit()
    return feed

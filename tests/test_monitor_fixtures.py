"""The monitor on real published congressional feeds and press pages (tests/fixtures/feeds, see SOURCES.md).

Each fixture is served from a real HTTP server on 127.0.0.1 with its site's address rewritten to the
server's, and mention variants are written into real items by the test (the stored files are untouched).
Per fixture the test reports items parsed, dates read, matches expected and found and false positives, and
fails on any change in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.statements.models import FeedState, MonitoredFeed, StatementCandidate
from tests.factories import make_campaign
from tests.fakes.feeds import serve_feeds

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"

# Written into real items: each must be found...
MENTIONS = [
    "Guan Heng",
    "关恒",
    "關恆",  # traditional
    "GUĀN HÉNG",
    "关 恒",  # a space between the characters
    "Guan\u200bHeng",  # a zero-width space
    "Guan-Heng",
]
# ...and none of these.
DECOYS = ["海关恒定汇率", "相关恒星", "Guangzhou Heng Seng", "freeguanheng.org"]
SEPARATOR = {"feed": ": ", "page": " — "}


@dataclass(frozen=True)
class Fixture:
    name: str
    site: str  # the address the file's links use, replaced by the test server's
    content_type: str
    kind: str  # what the organizer adds it as: "feed" or "page"
    items: int  # items (or headline links) parsed
    dated: int  # of them with a date read from the feed
    mentions: int  # mention variants written into it by the test
    decoys: int


FEEDS = [
    # House Drupal 7: "Monday, April 15, 2013 - 2:23pm" dates; descriptions are escaped HTML.
    Fixture("ruiz_rss.xml", "http://ruiz.house.gov", "application/rss+xml; charset=utf-8", "feed", 10, 10, 6, 4),
    # WordPress (RSS 0.92): no dates at all.
    Fixture("culberson_rss.xml", "http://culberson.house.gov", "text/xml", "feed", 10, 0, 6, 4),
    # Senate ColdFusion (SiteDirector): relative links, `EST` dates, lower-case <pubdate>.
    Fixture("richard_burr.xml", "http://www.burr.senate.gov", "text/xml", "feed", 25, 25, 7, 4),
]
PAGES = [
    # Press pages without a feed the monitor reads; their headline links are the items.
    Fixture("drupal_press.html", "http://walz.house.gov", "text/html; charset=utf-8", "page", 60, 0, 3, 2),
    Fixture("keating_press.html", "http://keating.house.gov", "text/html", "page", 168, 0, 3, 2),  # Joomla
    Fixture("house_gop_releases.html", "http://www.gop.gov", "text/html", "page", 18, 0, 2, 2),  # ASP.NET
    Fixture("vitter_press.html", "http://www.vitter.senate.gov", "text/html", "page", 52, 0, 3, 2),  # ColdFusion
]


@pytest.fixture
def app_config():
    return {"STATEMENTS_FEED_TIMEOUT": 2, "STATEMENTS_FEED_ALLOW_PRIVATE": True}


@pytest.fixture
def feed_server():
    with serve_feeds() as server:
        yield server


def with_mentions(text: str, fixture: Fixture) -> tuple[str, list[str]]:
    """The fixture with each mention, then each decoy, appended to the text of one item (or headline link);
    returns the text and the variants in the order they were written."""
    variants = [*MENTIONS[: fixture.mentions], *DECOYS[: fixture.decoys]]
    if fixture.kind == "feed":
        # Item titles only (the channel's own <title> comes before the first <item>).
        head, _, items = text.partition("<item>")
        parts = items.split("<item>")
        for n, variant in enumerate(variants):
            parts[n] = re.sub(r"\s*</title>", f"{SEPARATOR['feed']}{variant}</title>", parts[n], count=1)
        return head + "<item>" + "<item>".join(parts), variants
    # Headline links: the first links whose text is long enough to be one and that lead within the site.
    anchors = list(
        re.finditer(
            r"(<a\s[^>]*href=\"(?:/|http://[^\"]*?(?:house|senate|gop)\.gov)[^\"]*\"[^>]*>)([^<]{20,})(</a>)", text
        )
    )
    chosen = anchors[-len(variants) :]  # from the end: the list of releases, not the site's menu
    for match, variant in zip(reversed(chosen), reversed(variants), strict=True):
        text = text[: match.end(2)].rstrip() + f"{SEPARATOR['page']}{variant}" + text[match.end(2) :]
    return text, variants


def serve(feed_server, fixture: Fixture) -> tuple[str, list[str]]:
    raw = (FIXTURES / fixture.name).read_bytes().decode("utf-8", errors="replace")
    text, variants = with_mentions(raw, fixture)
    text = text.replace(fixture.site, feed_server.base_url)
    return feed_server.add(f"/{fixture.name}", text.encode("utf-8"), content_type=fixture.content_type), variants


@pytest.mark.parametrize("fixture", FEEDS + PAGES, ids=lambda f: f.name)
def test_real_feeds_and_pages_give_their_items_dates_and_every_mention(fixture, runner, db, feed_server):
    campaign = make_campaign(keywords=["Guan Heng"], aliases=["关恒"])
    url, variants = serve(feed_server, fixture)
    db.session.add(MonitoredFeed(campaign_id=campaign.id, url=url, kind=fixture.kind))
    db.session.commit()

    result = runner.invoke(args=["statements", "scan"])
    assert result.exit_code == 0, result.output
    state = db.session.scalars(select(FeedState).where(FeedState.url == url)).one()
    found = db.session.scalars(select(StatementCandidate)).all()
    # Each variant ends the title it was written into; a decoy containing a mention's characters
    # (海关恒定汇率 holds 关恒) is told apart by the whole ending.
    endings = [f"{SEPARATOR[fixture.kind]}{v}".strip() for v in variants[: fixture.mentions]]
    titles = [c.title for c in found]
    report = {
        "items": state.items,
        "dated": state.dated,
        "mentions expected": fixture.mentions,
        "mentions found": sum(any(t.endswith(e) for t in titles) for e in endings),
        "false positives": sum(1 for t in titles if not any(t.endswith(e) for e in endings)),
    }
    print(f"{fixture.name}: {report}")
    assert report == {
        "items": fixture.items,
        "dated": fixture.dated,
        "mentions expected": fixture.mentions,
        "mentions found": fixture.mentions,
        "false positives": 0,
    }
    # The summary says the same, per feed.
    noun = "items" if fixture.kind == "feed" else "headline links"
    what = "feed" if fixture.kind == "feed" else "web page without a feed"
    assert (
        f"  {url}: {what}, {fixture.items} {noun}, {fixture.dated} dated, {fixture.mentions} matches, "
        f"{fixture.mentions} new"
    ) in result.stdout.splitlines()
    assert all(c.published is not None for c in found) == (fixture.dated == fixture.items)

"""The monitor on real published congressional feeds and press pages (tests/fixtures/feeds, see SOURCES.md).

Each fixture is served from a real HTTP server on 127.0.0.1 with its site's address rewritten to the
server's, and mention variants are written into real items by the test (the stored files are untouched).
Per fixture the test reports items parsed, dates read (and how many dates the file itself gives, counted
apart), matches expected and found, false positives and how many found items carry a date, and fails on any
change in them. Run with `-s` to see the report lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.statements.models import FeedState, MonitoredFeed, StatementCandidate
from advocacy.statements.pages import headline_links, read_page
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
    dated: int  # of them with a date read from the feed or the page's listing
    date_marker: str  # what marks a date the file itself gives an item: the count of dated items, counted apart
    mentions: int  # mention variants written into it by the test
    decoys: int
    release: str = ""  # for a page: the href of its own releases, into whose headlines the variants are written
    queued_dated: bool = True  # whether the feed or page carries the dates of the items that mention him


FEEDS = [
    # House Drupal 7: "Monday, April 15, 2013 - 2:23pm" dates; descriptions are escaped HTML.
    Fixture(
        "ruiz_rss.xml", "http://ruiz.house.gov", "application/rss+xml; charset=utf-8", "feed",
        items=10, dated=10, date_marker=r"<pubDate>", mentions=6, decoys=4,
    ),
    # WordPress (RSS 0.92): no dates at all, and the fixture has none of the pages its items link to.
    Fixture(
        "culberson_rss.xml", "http://culberson.house.gov", "text/xml", "feed",
        items=10, dated=0, date_marker=r"<pubDate>", mentions=6, decoys=4, queued_dated=False,
    ),
    # Senate ColdFusion (SiteDirector): relative links, `EST` dates, lower-case <pubdate>.
    Fixture(
        "richard_burr.xml", "http://www.burr.senate.gov", "text/xml", "feed",
        items=25, dated=25, date_marker=r"<pubdate>", mentions=7, decoys=4,
    ),
]  # fmt: skip
PAGES = [
    # Press pages without a feed the monitor reads: their headline links are the items (menus included, and the
    # link to the real page itself, since the test serves it at another address), and
    # the dates printed in the listing are read: after each title (Drupal), in a cell beside it (Joomla), in a
    # <time> before it (ColdFusion), or once above a day's list of members' releases (House GOP, ASP.NET).
    Fixture(
        "drupal_press.html", "http://walz.house.gov", "text/html; charset=utf-8", "page",
        items=60, dated=10, date_marker=r"views-field-created", mentions=6, decoys=4,
        release=r"/media-center/press-releases/[^\"]+",
    ),
    Fixture(
        "keating_press.html", "http://keating.house.gov", "text/html", "page",
        items=169, dated=161, date_marker=r"list-date", mentions=7, decoys=4,
        release=r"/index\.php\?option=com_content&amp;view=article&amp;id=\d+:[^\"]*",
    ),
    Fixture(
        "house_gop_releases.html", "http://www.gop.gov", "text/html", "page",
        items=27, dated=8, date_marker=r"<li>\s*<a href=\"(?:http://\w+\.house\.gov/|republicans/)", mentions=4, decoys=4,
        release=r"http://\w+\.house\.gov/[^\"]+|republicans/other/[^\"]+",
    ),
    Fixture(
        "vitter_press.html", "http://www.vitter.senate.gov", "text/html", "page",
        items=52, dated=20, date_marker=r"<td class=\"date\">", mentions=7, decoys=4,
        release=r"\s*http://www\.vitter\.senate\.gov/newsroom/press/[^\"]+",
    ),
]  # fmt: skip


@pytest.fixture
def app_config():
    return {"STATEMENTS_FEED_TIMEOUT": 2, "STATEMENTS_FEED_ALLOW_PRIVATE": True}


@pytest.fixture
def feed_server():
    with serve_feeds() as server:
        yield server


def with_mentions(text: str, fixture: Fixture) -> tuple[str, list[str]]:
    """The fixture with each mention, then each decoy, appended to the title of one item, or to the headline
    of one of the page's own releases, newest first; returns the text and the variants in the order written."""
    variants = [*MENTIONS[: fixture.mentions], *DECOYS[: fixture.decoys]]
    if fixture.kind == "feed":
        # Item titles only (the channel's own <title> comes before the first <item>).
        head, _, items = text.partition("<item>")
        parts = items.split("<item>")
        for n, variant in enumerate(variants):
            parts[n] = re.sub(r"\s*</title>", f"{SEPARATOR['feed']}{variant}</title>", parts[n], count=1)
        return head + "<item>" + "<item>".join(parts), variants
    anchors = list(re.finditer(rf'<a\s[^>]*href="(?:{fixture.release})"[^>]*>(.*?)</a>', text, re.DOTALL))
    assert len(anchors) >= len(variants), f"{fixture.name}: {len(anchors)} release headlines"
    chosen = anchors[: len(variants)]
    for match, variant in zip(reversed(chosen), reversed(variants), strict=True):
        text = text[: match.end(1)].rstrip() + f"{SEPARATOR['page']}{variant}" + text[match.end(1) :]
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
        "dates the file gives": len(
            re.findall(fixture.date_marker, (FIXTURES / fixture.name).read_bytes().decode("utf-8", "replace"))
        ),
        "mentions expected": fixture.mentions,
        "mentions found": sum(any(t.endswith(e) for t in titles) for e in endings),
        "false positives": sum(1 for t in titles if not any(t.endswith(e) for e in endings)),
        "found and dated": sum(1 for c in found if c.published is not None),
    }
    print(f"{fixture.name}: {report}")
    assert report == {
        "items": fixture.items,
        "dated": fixture.dated,
        "dates the file gives": fixture.dated,  # every item dated where the file carries a date
        "mentions expected": fixture.mentions,
        "mentions found": fixture.mentions,
        "false positives": 0,
        "found and dated": fixture.mentions if fixture.queued_dated else 0,
    }, f"{fixture.name}: {report}"
    # The summary says the same, per feed.
    noun = "items" if fixture.kind == "feed" else "headline links"
    what = "feed" if fixture.kind == "feed" else "web page without a feed"
    assert (
        f"  {url}: {what}, {fixture.items} {noun}, {fixture.dated} dated, {fixture.mentions} matches, "
        f"{fixture.mentions} new"
    ) in result.stdout.splitlines()


def test_a_listing_gives_each_release_the_date_printed_beside_it():
    """Spot checks against the files: the date goes to the release in its row, not to its neighbour's."""
    expected = {
        ("drupal_press.html", "http://walz.house.gov/media-center/press-releases"): {
            "Walz Calls for Passage of the Paycheck Fairness Act on Equal Pay Day": "2015-04-14",
            "Rep. Walz Statement on H.J. Res. 35": "2015-02-27",
            "Civil Rights and Social Issues": None,  # a topic link beside a release is not dated by it
        },
        ("keating_press.html", "http://keating.house.gov/press"): {
            "Keating Announces EPA Grant for New Bedford": "2015-03-13",  # as dwillis/statement's own test has it
            "Keating Statement on New Cyber Agency": "2015-02-10",
        },
        ("vitter_press.html", "http://www.vitter.senate.gov/newsroom/press"): {
            "Vitter: BP to Pay $340 Million of $1 Billion in Early Restoration Fines": "2013-04-30",
            "Vitter Amendment Would End Obamacare Exemption for Obama Appointees": "2013-04-25",
            "Constituent Services": None,
        },
        ("house_gop_releases.html", "http://www.gop.gov/news"): {
            "Posey: Cocoa Post Office to be Named in Honor of Local Civil Rights Leaders": "2013-03-29",
            "Hastings: America Deserves a Balanced Budget": "2013-03-29",
            "Republicans in Congress": None,
        },
    }
    for (name, address), dates in expected.items():
        page = read_page((FIXTURES / name).read_bytes(), address)
        given = {link.text: link.published for link in headline_links(page, address)}
        assert {text: given[text] and given[text].date().isoformat() for text in dates} == dates, name

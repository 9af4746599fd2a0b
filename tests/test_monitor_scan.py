"""`flask statements scan`: members' feeds and organizers' feeds served by a real local HTTP server."""

import pytest
from sqlalchemy import select, update

from advocacy.statements.models import FeedState, MonitoredFeed, StatementCandidate
from tests.factories import make_campaign, make_statement
from tests.fakes.feeds import ATOM_NEWS, BROKEN_FEED, RSS_PRESS_RELEASES, serve_feeds

pytestmark = pytest.mark.usefixtures("congress_data")

GILLIBRAND, PELOSI, NADLER, NORTON, GOLDMAN = "G000555", "P000197", "N000002", "N000147", "G000599"
RSS_ITEM = "https://www.example.senate.gov/newsroom/press-releases/senator-example-urges-dhs-guan-heng"
ZH_ITEM = "https://www.example.senate.gov/newsroom/press-releases/zh-statement"


@pytest.fixture
def app_config():
    return {"STATEMENTS_FEED_TIMEOUT": 0.5, "STATEMENTS_FEED_ALLOW_PRIVATE": True}


@pytest.fixture
def feed_server():
    with serve_feeds() as server:
        yield server


@pytest.fixture
def member_feeds(app, db):
    """Point some members' rss_url at the local server (and every other member's at nothing) for one test."""
    from advocacy.congress import cache
    from advocacy.congress.models import Member

    saved = dict(db.session.execute(select(Member.bioguide_id, Member.rss_url)).all())

    def point(feeds: dict[str, str]) -> None:
        db.session.execute(update(Member).values(rss_url=None))
        for bioguide_id, url in feeds.items():
            db.session.execute(update(Member).where(Member.bioguide_id == bioguide_id).values(rss_url=url))
        db.session.commit()
        cache.invalidate()

    yield point
    db.session.rollback()
    for bioguide_id, url in saved.items():
        db.session.execute(update(Member).where(Member.bioguide_id == bioguide_id).values(rss_url=url))
    db.session.commit()
    cache.invalidate()


def candidates(db, campaign=None):
    query = select(StatementCandidate).order_by(StatementCandidate.url)
    if campaign is not None:
        query = query.where(StatementCandidate.campaign_id == campaign.id)
    return db.session.scalars(query).all()


def scan(runner, *args):
    return runner.invoke(args=["statements", "scan", "--quiet", *args])


def test_scan_reads_member_feeds_and_queues_matching_items(runner, db, feed_server, member_feeds):
    campaign = make_campaign(keywords=["Guan Heng"], aliases=["关恒"])
    member_feeds(
        {
            GILLIBRAND: feed_server.add("/gillibrand/rss", RSS_PRESS_RELEASES, etag='"r1"'),
            PELOSI: feed_server.add("/pelosi/atom.xml", ATOM_NEWS, content_type="application/atom+xml"),
            NADLER: feed_server.add("/nadler/rss.xml", BROKEN_FEED, content_type="text/html"),
            NORTON: feed_server.add("/norton/feed", hang=True),
            GOLDMAN: feed_server.add("/goldman/feed", "gone", status=404, content_type="text/plain"),
        }
    )
    result = scan(runner)
    assert result.exit_code == 0, result.output
    # standard output only: a thread's stray message on stderr is not the command's summary
    lines = result.stdout.splitlines()
    # A "feed" that answers with a web page is read as one (it has no headline links here), not failed.
    assert lines[0] == (
        "Scanned 5 feeds for guan-heng: 3 fetched, 0 not modified, 2 failed; 5 items read; 3 new candidates for review."
    )
    assert sorted(lines[1:]) == [
        f"  failed: {feed_server.url('/goldman/feed')} (the site answered 404 (page not found: the feed may have moved))",
        f"  failed: {feed_server.url('/norton/feed')} (no answer within 0.5 seconds)",
    ]
    found = {c.url: c for c in candidates(db)}
    atom_item = feed_server.url("/news/documentsingle.aspx?DocumentID=4242")
    assert set(found) == {RSS_ITEM, ZH_ITEM, atom_item}
    rss = found[RSS_ITEM]
    assert (rss.campaign_id, rss.bioguide_id, rss.status, rss.matched_keyword) == (
        campaign.id,
        GILLIBRAND,
        "pending",
        "Guan Heng",
    )
    assert rss.title == "Senator Example Urges DHS to Halt Deportation of Gu\u00e1n H\u00e9ng"
    assert "GUAN HENG, who documented detention camps" in rss.snippet
    assert rss.published.isoformat() == "2025-08-12T18:30:00+00:00"
    assert found[ZH_ITEM].matched_keyword == "关恒"
    assert found[atom_item].bioguide_id == PELOSI
    user_agent = feed_server.requests_to("/gillibrand/rss")[0].headers["User-Agent"]
    assert user_agent.startswith("advocacy/") and "statement monitor" in user_agent
    states = {s.url: s for s in db.session.scalars(select(FeedState))}
    assert states[feed_server.url("/gillibrand/rss")].etag == '"r1"'
    assert states[feed_server.url("/norton/feed")].last_error == "no answer within 0.5 seconds"
    assert states[feed_server.url("/nadler/rss.xml")].kind == "page"


def test_a_second_scan_uses_conditional_get_and_never_queues_twice(runner, db, feed_server, member_feeds):
    make_campaign(keywords=["Guan Heng"], aliases=["关恒"])
    url = feed_server.add("/rss", RSS_PRESS_RELEASES, etag='"r1"', last_modified="Tue, 12 Aug 2025 18:30:00 GMT")
    member_feeds({GILLIBRAND: url})
    assert scan(runner).exit_code == 0
    assert len(candidates(db)) == 2
    second = scan(runner)
    assert second.exit_code == 0, second.output
    assert "1 feed for guan-heng: 0 fetched, 1 not modified, 0 failed; 0 items read; 0 new candidates" in second.output
    sent = feed_server.requests_to("/rss")[1].headers
    assert (sent["If-None-Match"], sent["If-Modified-Since"]) == ('"r1"', "Tue, 12 Aug 2025 18:30:00 GMT")
    # The feed changes: a new item is queued, the old ones are not queued again.
    changed = RSS_PRESS_RELEASES.replace(
        "<item>",
        "<item><title>Senator Example meets Guan Heng's family</title>"
        "<link>https://www.example.senate.gov/newsroom/press-releases/family</link></item><item>",
        1,
    )
    feed_server.add("/rss", changed, etag='"r2"')
    third = scan(runner)
    assert "1 fetched, 0 not modified" in third.output and "1 new candidate for review" in third.output
    assert len(candidates(db)) == 3


def test_dismissed_items_and_recorded_statements_are_not_queued_again(runner, db, feed_server, member_feeds):
    campaign = make_campaign(keywords=["Guan Heng"], aliases=["关恒"])
    make_statement(campaign, GILLIBRAND, source_url=ZH_ITEM + "#top")
    member_feeds({GILLIBRAND: feed_server.add("/rss", RSS_PRESS_RELEASES)})
    scan(runner)
    (only,) = candidates(db)
    assert only.url == RSS_ITEM
    only.status = "dismissed"
    db.session.commit()
    assert "0 new candidates" in scan(runner).output
    assert [c.status for c in candidates(db)] == ["dismissed"]


def test_changed_keywords_and_new_campaigns_read_the_feed_again(runner, db, feed_server, member_feeds):
    first = make_campaign(keywords=["Guan Heng"])
    member_feeds({GILLIBRAND: feed_server.add("/rss", RSS_PRESS_RELEASES, etag='"r1"')})
    scan(runner)
    assert [c.url for c in candidates(db, first)] == [RSS_ITEM]
    # Without the new alias's matches ever having been looked for, a 304 must not be trusted.
    first.aliases = ["关恒"]
    db.session.commit()
    again = scan(runner)
    assert "1 fetched, 0 not modified" in again.output, again.output
    assert "If-None-Match" not in feed_server.requests_to("/rss")[1].headers
    assert [c.url for c in candidates(db, first)] == [RSS_ITEM, ZH_ITEM]
    # A campaign that has never read the feed gets its full content too.
    second = make_campaign(slug="second", title="Second", keywords=["Hengshan"])
    assert "1 fetched" in scan(runner).output
    assert [c.url for c in candidates(db, second)] == [
        "https://www.example.senate.gov/newsroom/press-releases/broadband-grants"
    ]
    assert "1 not modified" in scan(runner).output


def test_organizer_feeds_are_read_only_for_their_campaign(runner, db, feed_server, member_feeds):
    member_feeds({})
    mine = make_campaign(keywords=["Guan Heng"])
    other = make_campaign(slug="other", title="Other", keywords=["Guan Heng"])
    db.session.add(MonitoredFeed(campaign_id=mine.id, url=feed_server.add("/news.atom", ATOM_NEWS)))
    db.session.add(MonitoredFeed(campaign_id=other.id, url=feed_server.add("/other.rss", RSS_PRESS_RELEASES)))
    db.session.commit()
    result = scan(runner, "--campaign", "guan-heng")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Scanned 1 feed for guan-heng: 1 fetched")
    (item,) = candidates(db)
    assert (item.campaign_id, item.bioguide_id) == (mine.id, None)
    assert feed_server.requests_to("/other.rss") == []


def test_failures_of_the_command_exit_non_zero_with_one_line(runner, db, feed_server, member_feeds):
    member_feeds({GILLIBRAND: feed_server.add("/slow", hang=True), PELOSI: feed_server.url("/missing")})
    unknown = scan(runner, "--campaign", "nope")
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "Error: no campaign has the slug 'nope'"
    make_campaign(keywords=["Guan Heng"])
    everything_failed = scan(runner)
    assert everything_failed.exit_code == 1
    assert everything_failed.output.splitlines()[-1] == "Error: every one of the 2 feeds failed; is the network down?"


def test_campaigns_without_keywords_are_skipped(runner, member_feeds):
    member_feeds({})
    make_campaign(keywords=[], aliases=[])
    result = scan(runner)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Skipping guan-heng: it has no keywords or aliases to look for.",
        "No live campaign with keywords to scan for.",
    ]
    named = scan(runner, "--campaign", "guan-heng")
    assert named.exit_code == 1 and "has no keywords" in named.output


def test_feeds_on_our_own_network_are_refused_by_default(app, runner, db, feed_server, member_feeds):
    app.config["STATEMENTS_FEED_ALLOW_PRIVATE"] = False
    make_campaign(keywords=["Guan Heng"])
    member_feeds({GILLIBRAND: feed_server.add("/rss", RSS_PRESS_RELEASES)})
    result = scan(runner)
    assert (
        f"  failed: {feed_server.url('/rss')} (refused: the address is on a private or local network, "
        "which the monitor never reads)"
    ) in result.output
    assert feed_server.requests_to("/rss") == []


def many_items(count: int) -> str:
    items = "".join(
        f"<item><title>Update {n} on Guan Heng</title><link>https://www.example.senate.gov/news/{n}</link>"
        f"<pubDate>{(1 + n % 28):02d} Aug 2025 {n % 24:02d}:00:00 GMT</pubDate></item>"
        for n in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'


def test_a_huge_feed_queues_at_most_the_limit_per_scan_and_the_rest_later(app, runner, db, feed_server, member_feeds):
    app.config["STATEMENTS_MAX_NEW_PER_FEED"] = 50
    # 120 items: the 0.5 s of this file's hung-feed tests is short on a busy machine
    app.config["STATEMENTS_FEED_TIMEOUT"] = 10
    make_campaign(keywords=["Guan Heng"])
    url = feed_server.add("/big", many_items(120), etag='"big"')
    member_feeds({GILLIBRAND: url})
    first = runner.invoke(args=["statements", "scan"])
    assert first.exit_code == 0, first.output
    assert (
        f"  {url}: feed, 120 items, 120 dated, 120 matches, 50 new; "
        "70 more matching left for the next scan (at most 50 queued per scan)"
    ) in first.stdout.splitlines()
    queued = candidates(db)
    assert len(queued) == 50
    # The newest first: every queued item is at least as recent as every one held back.
    assert min(c.published for c in queued).day >= 15
    # Held-back items must be read again: the next scan does not send the validators that would get a 304.
    second = runner.invoke(args=["statements", "scan"])
    assert "If-None-Match" not in feed_server.requests_to("/big")[1].headers
    assert "50 new; 20 more matching left for the next scan" in second.stdout
    third = runner.invoke(args=["statements", "scan"])
    assert f"  {url}: feed, 120 items, 120 dated, 120 matches, 20 new" in third.stdout.splitlines()
    assert len(candidates(db)) == 120
    fourth = runner.invoke(args=["statements", "scan"])
    assert f"  {url}: not changed since the last scan" in fourth.stdout.splitlines()


def test_production_refuses_to_start_with_private_feeds_allowed():
    from advocacy import create_app
    from advocacy.config import ConfigError

    production = {"ADVOCACY_ENV": "production", "ADVOCACY_SECRET_KEY": "k" * 40}
    with pytest.raises(ConfigError, match="STATEMENTS_FEED_ALLOW_PRIVATE is for development and tests only"):
        create_app({"ENVIRON": production, "STATEMENTS_FEED_ALLOW_PRIVATE": True})
    assert create_app({"ENVIRON": {**production, "ADVOCACY_ENV": "development"}, "STATEMENTS_FEED_ALLOW_PRIVATE": True})

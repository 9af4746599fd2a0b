"""Press pages without a feed: recognized when an organizer adds them, their own feed offered, otherwise the
page itself watched for new headlines. Real pages (tests/fixtures/feeds) served from 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.statements.models import FeedState, MonitoredFeed, StatementCandidate
from tests.factories import make_campaign
from tests.fakes.feeds import serve_feeds

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
BASE = "/organizer/campaigns/guan-heng/statements"


@pytest.fixture
def app_config():
    return {"STATEMENTS_FEED_TIMEOUT": 2, "STATEMENTS_FEED_ALLOW_PRIVATE": True}


@pytest.fixture
def feed_server():
    with serve_feeds() as server:
        yield server


def real(name: str, site: str, server) -> str:
    """A fixture with its site's address replaced by the local server's."""
    return (FIXTURES / name).read_bytes().decode("utf-8", errors="replace").replace(site, server.base_url)


def feeds(db) -> list[tuple[str, str]]:
    return [(f.url, f.kind) for f in db.session.scalars(select(MonitoredFeed).order_by(MonitoredFeed.id))]


def test_a_page_that_links_to_its_feed_offers_the_feed_or_the_page(organizer_client, db, feed_server):
    make_campaign(keywords=["Guan Heng"])
    page = feed_server.add(
        "/media-center/press-releases",
        real("drupal_press.html", "http://walz.house.gov", feed_server),
        content_type="text/html",
    )
    feed = feed_server.add("/rss.xml", real("ruiz_rss.xml", "http://ruiz.house.gov", feed_server))
    offered = organizer_client.post(f"{BASE}/feeds", data={"url": page, "label": "Walz"})
    html = offered.get_data(as_text=True)
    assert offered.status_code == 200
    assert "This address is a web page, not a feed" in html and "Press Releases | Honorable Tim Walz" in html
    assert f'name="url" value="{feed}"' in html and "holds 10 items now" in html
    assert feeds(db) == []  # nothing is stored until the organizer chooses

    chose_feed = organizer_client.post(f"{BASE}/feeds", data={"url": feed, "label": "Walz", "watch": "feed"})
    assert chose_feed.status_code == 302
    chose_page = organizer_client.post(f"{BASE}/feeds", data={"url": page, "label": "Walz", "watch": "page"})
    assert chose_page.status_code == 302
    assert feeds(db) == [(feed, "feed"), (page, "page")]
    listing = organizer_client.get(f"{BASE}/feeds").get_data(as_text=True)
    assert "Web page (its headline links are watched)" in listing


def test_a_page_without_a_feed_is_watched_as_a_page(organizer_client, db, feed_server):
    make_campaign(keywords=["Guan Heng"])
    page = feed_server.add(
        "/newsroom/press",
        real("vitter_press.html", "http://www.vitter.senate.gov", feed_server),
        content_type="text/html",
    )
    response = organizer_client.post(f"{BASE}/feeds", data={"url": page}, follow_redirects=True)
    assert response.status_code == 200
    assert "This address is a web page without a feed, so the monitor will watch the page itself" in response.get_data(
        as_text=True
    )
    assert feeds(db) == [(page, "page")]


def test_a_feed_is_added_as_a_feed_and_says_what_it_holds(organizer_client, db, feed_server):
    make_campaign(keywords=["Guan Heng"])
    feed = feed_server.add("/rss.xml", real("ruiz_rss.xml", "http://ruiz.house.gov", feed_server))
    response = organizer_client.post(f"{BASE}/feeds", data={"url": feed}, follow_redirects=True)
    assert "Feed added: 10 items in it now, 10 of them dated." in response.get_data(as_text=True)
    assert feeds(db) == [(feed, "feed")]


def test_an_address_that_is_neither_a_feed_nor_a_page_is_refused_in_words(organizer_client, db, feed_server):
    make_campaign(keywords=["Guan Heng"])
    url = feed_server.add("/api", '{"items": []}', content_type="application/json")
    response = organizer_client.post(f"{BASE}/feeds", data={"url": url})
    assert response.status_code == 400
    assert (
        "The monitor cannot read this address: the address answered with something that is neither a feed nor a web page."
        in (response.get_data(as_text=True))
    )
    assert feeds(db) == []


@pytest.mark.parametrize(
    "address",
    [
        "{server}/rss",
        "http://[::127.0.0.1]/rss",
        "http://[::ffff:127.0.0.1]/rss",
        "http://2130706433/rss",
        "http://10.0.0.8/feed",
    ],
)
def test_private_addresses_are_refused_when_added_and_nothing_is_fetched(
    app, organizer_client, db, feed_server, address
):
    app.config["STATEMENTS_FEED_ALLOW_PRIVATE"] = False
    make_campaign(keywords=["Guan Heng"])
    feed_server.add("/rss", real("ruiz_rss.xml", "http://ruiz.house.gov", feed_server))
    response = organizer_client.post(f"{BASE}/feeds", data={"url": address.format(server=feed_server.base_url)})
    assert response.status_code == 400
    assert "This address is on a private or local network. The monitor only reads public web sites." in (
        response.get_data(as_text=True)
    )
    assert feeds(db) == []
    assert feed_server.requests == []


def test_a_new_headline_on_a_watched_page_lands_in_the_review_queue(runner, db, feed_server):
    campaign = make_campaign(keywords=["Guan Heng"], aliases=["关恒"])
    original = real("keating_press.html", "http://keating.house.gov", feed_server)
    url = feed_server.add("/press", original, content_type="text/html")
    db.session.add(MonitoredFeed(campaign_id=campaign.id, url=url, kind="page"))
    db.session.commit()
    first = runner.invoke(args=["statements", "scan"])
    assert first.exit_code == 0, first.output
    # 161 releases dated from the listing; the menus' links (and the House contact form) are not.
    assert f"  {url}: web page without a feed, 169 headline links, 161 dated, 0 matches, 0 new" in first.stdout
    assert "not an RSS or Atom feed" not in first.output and "<unknown>" not in first.output
    assert db.session.scalars(select(StatementCandidate)).all() == []
    state = db.session.scalars(select(FeedState)).one()
    assert (state.kind, len(state.page_links)) == ("page", 169)

    # The office publishes two releases: one names him in its headline, the other only in its text.
    marker = '<tr class="cat-list-row0" >'  # the first row of the releases table
    assert marker in original
    changed = original.replace(
        marker,
        '<tr class="cat-list-row1"><td class="list-title">'
        '<a href="/index.php?option=com_content&amp;view=article&amp;id=401">呼吁释放关恒</a></td></tr>'
        '<tr class="cat-list-row0"><td class="list-title">'
        '<a href="/index.php?option=com_content&amp;view=article&amp;id=402">Keating Writes to Secretary of '
        "Homeland Security</a></td></tr>" + marker,
        1,
    )
    feed_server.add("/press", changed, content_type="text/html")
    feed_server.add(
        "/index.php?option=com_content&view=article&id=402",
        '<html><head><meta property="article:published_time" content="2025-08-20T15:00:00-04:00"></head>'
        "<body><p>Congressman Keating asked DHS to release Guan Heng, who documented Xinjiang's camps.</p></body></html>",
        content_type="text/html; charset=utf-8",
    )
    feed_server.add(
        "/index.php?option=com_content&view=article&id=401",
        '<html><head><meta name="date" content="2025-08-21"></head><body><p>…</p></body></html>',
        content_type="text/html",
    )
    second = runner.invoke(args=["statements", "scan"])
    assert second.exit_code == 0, second.output
    found = {c.title: c for c in db.session.scalars(select(StatementCandidate))}
    assert set(found) == {"呼吁释放关恒", "Keating Writes to Secretary of Homeland Security"}
    by_text = found["Keating Writes to Secretary of Homeland Security"]
    assert (by_text.matched_keyword, by_text.published.date().isoformat()) == ("Guan Heng", "2025-08-20")
    assert "release Guan Heng" in by_text.snippet
    by_headline = found["呼吁释放关恒"]
    assert (by_headline.matched_keyword, by_headline.published.date().isoformat()) == ("关恒", "2025-08-21")
    # Only the two new links were read; the 169 old ones never are.
    read = [r.path for r in feed_server.requests if r.path.startswith("/index.php")]
    assert sorted(read) == [
        "/index.php?option=com_content&view=article&id=401",
        "/index.php?option=com_content&view=article&id=402",
    ]


KEATING_FIRST_ROW = '<tr class="cat-list-row0" >'


def keating_with(feed_server, releases: list[tuple[int, str]], date: str = "") -> str:
    """Keating's real press page with new releases (article id, headline) above its first row, newest first;
    each row carries `date` in its date cell when given, as the real rows do."""
    original = real("keating_press.html", "http://keating.house.gov", feed_server)
    cell = f'<td headers="categorylist_header_date" class="list-date small">{date}</td>' if date else ""
    rows = "".join(
        f'<tr class="cat-list-row1"><td class="list-title"><a href="/index.php?option=com_content&amp;view=article'
        f'&amp;id={article}">{headline}</a></td>{cell}</tr>'
        for article, headline in releases
    )
    return original.replace(KEATING_FIRST_ROW, rows + KEATING_FIRST_ROW, 1)


def article(n: int) -> str:
    return f"/index.php?option=com_content&view=article&id={n}"


def test_a_watched_page_is_read_with_a_conditional_get(runner, db, feed_server):
    campaign = make_campaign(keywords=["Guan Heng"])
    url = feed_server.add("/press", keating_with(feed_server, []), content_type="text/html", etag='"k1"')
    db.session.add(MonitoredFeed(campaign_id=campaign.id, url=url, kind="page"))
    db.session.commit()
    assert runner.invoke(args=["statements", "scan"]).exit_code == 0
    second = runner.invoke(args=["statements", "scan"])
    assert second.exit_code == 0, second.output
    assert f"  {url}: not changed since the last scan" in second.stdout.splitlines()
    assert feed_server.requests_to("/press")[1].headers["If-None-Match"] == '"k1"'
    # The office publishes: the page changes, and only the new release is read.
    feed_server.add(
        "/press",
        keating_with(feed_server, [(401, "Keating Writes to the Secretary of Homeland Security")], "August 20, 2025"),
        content_type="text/html",
        etag='"k2"',
    )
    feed_server.add(
        article(401), "<html><body><p>He asked DHS to release Guan Heng.</p></body></html>", content_type="text/html"
    )
    third = runner.invoke(args=["statements", "scan"])
    assert (
        f"  {url}: web page without a feed, 170 headline links, 162 dated, 1 match, 1 new" in third.stdout.splitlines()
    )
    (found,) = db.session.scalars(select(StatementCandidate)).all()
    # The date printed in the listing, read without another request for it.
    assert (found.url, found.published.date().isoformat()) == (feed_server.url(article(401)), "2025-08-20")
    assert [r.path for r in feed_server.requests if r.path != "/press"] == [article(401)]


def test_new_links_beyond_the_per_scan_reads_wait_for_the_next_scan(app, runner, db, feed_server):
    """A few new links are read per scan; the others stay new until a later scan reads them, never lost."""
    app.config["STATEMENTS_PAGE_FOLLOWS"] = 1
    campaign = make_campaign(keywords=["Guan Heng"])
    url = feed_server.add("/press", keating_with(feed_server, []), content_type="text/html", etag='"k1"')
    db.session.add(MonitoredFeed(campaign_id=campaign.id, url=url, kind="page"))
    db.session.commit()
    assert runner.invoke(args=["statements", "scan"]).exit_code == 0
    releases = [
        (403, "Keating on Fishing Quotas for New Bedford"),
        (402, "Keating Visits the Cape Cod Canal"),
        (401, "Keating Writes to the Secretary of Homeland Security"),
    ]
    feed_server.add("/press", keating_with(feed_server, releases), content_type="text/html", etag='"k2"')
    for n, _headline in releases:
        text = "He asked DHS to release Guan Heng." if n == 401 else "Nothing about the campaign."
        feed_server.add(article(n), f"<html><body><p>{text}</p></body></html>", content_type="text/html")

    second = runner.invoke(args=["statements", "scan"])
    assert (
        f"  {url}: web page without a feed, 172 headline links, 161 dated, 0 matches, 0 new; "
        "2 new links left to read in the next scan (a few are read per scan)"
    ) in second.stdout.splitlines()
    # Links are waiting: the page is fetched in full next time, not answered 304.
    third = runner.invoke(args=["statements", "scan"])
    assert "If-None-Match" not in feed_server.requests_to("/press")[2].headers
    assert "1 new link left to read in the next scan" in third.stdout
    fourth = runner.invoke(args=["statements", "scan"])
    assert (
        f"  {url}: web page without a feed, 172 headline links, 161 dated, 1 match, 1 new" in fourth.stdout.splitlines()
    )
    (found,) = db.session.scalars(select(StatementCandidate)).all()
    assert found.url == feed_server.url(article(401))
    # Each new link was read once, one per scan.
    assert [r.path for r in feed_server.requests if r.path != "/press"] == [article(403), article(402), article(401)]
    fifth = runner.invoke(args=["statements", "scan"])
    assert f"  {url}: not changed since the last scan" in fifth.stdout.splitlines()


def test_a_site_that_asks_to_slow_down_is_not_asked_again_in_the_same_scan(runner, db, feed_server):
    campaign = make_campaign(keywords=["Guan Heng"])
    url = feed_server.add("/press", keating_with(feed_server, []), content_type="text/html")
    db.session.add(MonitoredFeed(campaign_id=campaign.id, url=url, kind="page"))
    db.session.commit()
    assert runner.invoke(args=["statements", "scan"]).exit_code == 0
    releases = [
        (402, "Keating Visits the Cape Cod Canal"),
        (401, "Keating Writes to the Secretary of Homeland Security"),
    ]
    feed_server.add("/press", keating_with(feed_server, releases), content_type="text/html")
    feed_server.add(article(402), "slow down", status=429, content_type="text/plain")
    feed_server.add(article(401), "<html><body><p>Release Guan Heng.</p></body></html>", content_type="text/html")

    second = runner.invoke(args=["statements", "scan"])
    assert "2 new links left to read in the next scan (the site asked us to slow down)" in second.stdout, second.stdout
    assert [r.path for r in feed_server.requests if r.path != "/press"] == [article(402)]
    assert db.session.scalars(select(StatementCandidate)).all() == []

    feed_server.add(article(402), "<html><body><p>A canal.</p></body></html>", content_type="text/html")
    third = runner.invoke(args=["statements", "scan"])
    assert "1 match, 1 new" in third.stdout, third.stdout
    (found,) = db.session.scalars(select(StatementCandidate)).all()
    assert found.url == feed_server.url(article(401))

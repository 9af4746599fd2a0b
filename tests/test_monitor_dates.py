"""Dates of detected statements: the formats real feeds write, the linked page when the feed has none, the
review queue's order, and an accept form that never says "today" on its own."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.statements.dates import parse_date
from advocacy.statements.models import MonitoredFeed, Statement, StatementCandidate
from advocacy.statements.pages import headline_links, read_page
from tests.factories import make_campaign
from tests.fakes.feeds import serve_feeds

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
BASE = "/organizer/campaigns/guan-heng/statements"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # an injected clock for "not in the future"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Monday, April 15, 2013 - 2:23pm", datetime(2013, 4, 15, 14, 23, tzinfo=UTC)),  # House Drupal
        ("Wednesday, April 10, 2013 - 5:55pm", datetime(2013, 4, 10, 17, 55, tzinfo=UTC)),
        ("Thu, 113 Apr 2026", datetime(2026, 4, 13, tzinfo=UTC)),  # a stray digit in the day
        ("Thu, 116 Apr 2026 09:00:00 GMT", datetime(2026, 4, 16, 9, 0, tzinfo=UTC)),  # the weekday says 16
        ("Thu, 02 May 2013 11:27:00 EST", datetime(2013, 5, 2, 16, 27, tzinfo=UTC)),  # Senate ColdFusion
        ("Tue, 12 Aug 2025 14:30:00 -0400", datetime(2025, 8, 12, 18, 30, tzinfo=UTC)),
        ("2025-08-20T15:00:00-04:00", datetime(2025, 8, 20, 19, 0, tzinfo=UTC)),  # <meta> / <time>
        ("2015-04-14", datetime(2015, 4, 14, tzinfo=UTC)),
        ("April 14, 2015", datetime(2015, 4, 14, tzinfo=UTC)),
        ("04/15/2013", datetime(2013, 4, 15, tzinfo=UTC)),
    ],
)
def test_dates_real_feeds_write_are_read(text, expected):
    assert parse_date(text, now=NOW) == expected


@pytest.mark.parametrize(
    "text",
    ["", "Press Release", "2013 Annual Report", "Sat, 2 Jan 2027 00:00:00 GMT", "Jan 1, 1970", "Thu, 99 Foo 2026"],
)
def test_texts_without_a_plausible_date_give_none(text):
    assert parse_date(text, now=NOW) is None


@pytest.fixture
def feed_server():
    with serve_feeds() as server:
        yield server


@pytest.fixture
def app_config():
    return {"STATEMENTS_FEED_TIMEOUT": 2, "STATEMENTS_FEED_ALLOW_PRIVATE": True}


def test_an_undated_item_takes_the_date_of_its_own_page(runner, db, feed_server):
    """Culberson's WordPress feed has no dates; the pages of matching items do."""
    campaign = make_campaign(keywords=["Guan Heng"])
    text = (FIXTURES / "culberson_rss.xml").read_text()
    text = text.replace(
        "<title>Culberson Statement on The REAL Space Act</title>", "<title>Culberson on Guan Heng</title>"
    )
    text = text.replace("http://culberson.house.gov", feed_server.base_url)
    url = feed_server.add("/feed", text, content_type="text/xml")
    feed_server.add(
        "/culberson-statement-on-the-real-space-act/",
        '<html><head><meta property="article:published_time" content="2013-04-16T18:33:46+00:00"></head><body></body></html>',
        content_type="text/html",
    )
    db.session.add(MonitoredFeed(campaign_id=campaign.id, url=url))
    db.session.commit()
    result = runner.invoke(args=["statements", "scan"])
    assert result.exit_code == 0, result.output
    (found,) = db.session.scalars(select(StatementCandidate)).all()
    assert found.published.replace(tzinfo=UTC) == datetime(2013, 4, 16, 18, 33, 46, tzinfo=UTC)
    # Only the matching item's page was read, not the other nine.
    pages = [r.path for r in feed_server.requests if r.path != "/feed"]
    assert pages == ["/culberson-statement-on-the-real-space-act/"]


def test_undated_matches_beyond_the_pages_read_per_scan_wait_for_their_date(app, runner, db, feed_server):
    """Pages are read for a date a few per scan; an undated match whose page was not read yet is queued by a
    later scan, with its date, rather than now without one."""
    app.config["STATEMENTS_DATE_LOOKUPS"] = 1
    campaign = make_campaign(keywords=["Guan Heng"])
    text = (FIXTURES / "culberson_rss.xml").read_text()
    for title in (
        "Culberson Statement on The REAL Space Act",
        "President Obama&#8217;s Budget: More of the Same Failed Policies",
    ):
        text = text.replace(f"<title>{title}</title>", f"<title>{title} — Guan Heng</title>")
    text = text.replace("http://culberson.house.gov", feed_server.base_url)
    url = feed_server.add("/feed", text, content_type="text/xml", etag='"c1"')
    pages = {
        "/culberson-statement-on-the-real-space-act/": "2013-04-16T18:33:46+00:00",
        "/president-obamas-budget-more-of-the-same-failed-policies/": "2013-04-10T15:00:00+00:00",
    }
    for path, published in pages.items():
        feed_server.add(
            path,
            f'<html><head><meta property="article:published_time" content="{published}"></head><body></body></html>',
            content_type="text/html",
        )
    db.session.add(MonitoredFeed(campaign_id=campaign.id, url=url))
    db.session.commit()

    first = runner.invoke(args=["statements", "scan"])
    assert first.exit_code == 0, first.output
    assert (
        f"  {url}: feed, 10 items, 0 dated, 2 matches, 1 new; 1 more matching without a date in the feed left for "
        "the next scan, which reads their pages for the date (a few pages per scan)"
    ) in first.stdout.splitlines()
    second = runner.invoke(args=["statements", "scan"])
    assert "If-None-Match" not in feed_server.requests_to("/feed")[1].headers  # one waits: no 304 this time
    assert f"  {url}: feed, 10 items, 0 dated, 2 matches, 1 new" in second.stdout.splitlines()
    found = db.session.scalars(select(StatementCandidate).order_by(StatementCandidate.id)).all()
    assert [(c.url, c.published.replace(tzinfo=UTC).isoformat()) for c in found] == [
        (feed_server.url(path), datetime.fromisoformat(published).isoformat()) for path, published in pages.items()
    ]
    assert [r.path for r in feed_server.requests if r.path != "/feed"] == list(pages)  # each page read once
    third = runner.invoke(args=["statements", "scan"])
    assert f"  {url}: not changed since the last scan" in third.stdout.splitlines()


def candidate(db, campaign, n: int, published: datetime | None, found: datetime) -> StatementCandidate:
    row = StatementCandidate(
        campaign_id=campaign.id,
        feed_url="https://example.org/feed",
        title=f"Item {n}",
        url=f"https://example.org/{n}",
        published=published,
        matched_keyword="Guan Heng",
        created_at=found,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_undated_items_sort_by_when_they_were_found_not_at_the_bottom(organizer_client, db):
    campaign = make_campaign()
    candidate(db, campaign, 1, datetime(2025, 8, 1, tzinfo=UTC), datetime(2025, 8, 1, tzinfo=UTC))
    candidate(db, campaign, 2, None, datetime(2025, 8, 15, tzinfo=UTC))
    candidate(db, campaign, 3, datetime(2025, 8, 10, tzinfo=UTC), datetime(2025, 8, 16, tzinfo=UTC))
    page = organizer_client.get(f"{BASE}/review").get_data(as_text=True)
    order = sorted(("Item 1", "Item 2", "Item 3"), key=page.index)
    assert order == ["Item 2", "Item 3", "Item 1"]


def test_accepting_an_undated_item_asks_for_the_date_and_never_assumes_today(organizer_client, db):
    campaign = make_campaign()
    item = candidate(db, campaign, 1, None, datetime(2025, 8, 15, tzinfo=UTC))
    page = organizer_client.get(f"{BASE}/review/{item.id}").get_data(as_text=True)
    assert "No date was found in the feed or on the linked page" in page
    assert '<input id="date" name="date" required type="date" value="">' in page
    assert dt.date.today().isoformat() not in page
    data = {"bioguide_id": "", "kind": "press_release", "stance": "supports", "source_url": item.url}
    response = organizer_client.post(f"{BASE}/review/{item.id}", data={**data, "date": ""})
    assert response.status_code == 400
    assert "Give the date." in response.get_data(as_text=True)
    assert db.session.scalars(select(Statement)).all() == []
    db.session.refresh(item)
    assert item.status == "pending"


def test_a_found_date_is_shown_for_the_organizer_to_check(organizer_client, db):
    campaign = make_campaign()
    item = candidate(db, campaign, 1, datetime(2013, 4, 15, 14, 23, tzinfo=UTC), datetime(2025, 8, 15, tzinfo=UTC))
    page = organizer_client.get(f"{BASE}/review/{item.id}").get_data(as_text=True)
    assert 'value="2013-04-15"' in page and "The date below was read from the feed or the linked page" in page


def listing(html: str) -> dict[str, str | None]:
    page = read_page(html.encode(), "https://example.house.gov/news")
    return {
        link.text: link.published and link.published.date().isoformat()
        for link in headline_links(page, "https://example.house.gov/news")
    }


def test_dates_in_a_listing_go_to_the_headline_of_their_own_row_or_group():
    html = """<html><body>
      <ul class="menu"><li><a href="/about/biography">Full Biography Page</a></li>
        <li><a href="/services/passports">Passport Assistance</a></li></ul>
      <p>Last updated March 3, 2015</p>
      <h2>April 2013</h2>
      <table>
        <tr><td><a href="/news/a">Release A about veterans</a><td>Apr 14, 2015
        <tr><td><a href="/news/b">Release B about farms</a> <a href="/issues/agriculture">Agriculture Issues</a><td>Apr 12, 2015
        <tr><td><a href="/news/c">Release C without a date</a>
      </table>
      <div><h2>Friday, March 29, 2013</h2>
        <ul><li><a href="https://posey.house.gov/news/1">Posey: a post office named</a>
            <li><a href="https://upton.house.gov/news/2">Upton asks the FAA why</a></ul>
        <h2>Members' news</h2>
        <ul><li><a href="https://latta.house.gov/news/3">Latta on the rules for gasoline sold at the pump</a></ul>
      </div>
    </body></html>"""
    assert listing(html) == {
        "Full Biography Page": None,  # menus carry no date; "Last updated" is no release's date
        "Passport Assistance": None,
        "Release A about veterans": "2015-04-14",  # unclosed <tr> and <td>, as real pages write them
        "Release B about farms": "2015-04-12",
        "Agriculture Issues": None,  # a topic link in the row is not the release
        "Release C without a date": None,  # never the neighbour's date
        "Posey: a post office named": "2013-03-29",  # the day heading above the group
        "Upton asks the FAA why": "2013-03-29",
        "Latta on the rules for gasoline sold at the pump": None,  # under a heading that names no day
    }

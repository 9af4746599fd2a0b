"""Sources beyond members' own feeds, behind the same monitor: a committee's press page (watched for new links,
attributed to the committee's chair) and the Congressional Record through GovInfo (attributed to the member the
granule names as speaking). Both land in the review queue, and accepting one moves the scoreboard.
Served from 127.0.0.1; the GovInfo payloads are synthetic (tests/fixtures/govinfo/SOURCES.md)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select, update

from advocacy.statements.models import FeedState, MonitoredFeed, Statement, StatementCandidate
from tests.delivery_support import run_batch
from tests.factories import make_campaign
from tests.fakes.feeds import serve_feeds

pytestmark = pytest.mark.usefixtures("congress_data")

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
GOVINFO = Path(__file__).resolve().parent / "fixtures" / "govinfo"
GRASSLEY, SCHUMER = "G000386", "S000148"  # chair of Senate Judiciary (SSJU); a senator for New York
PACKAGE, GRANULE = "CREC-2025-09-10", "CREC-2025-09-10-pt1-PgS6500-3"
KEY = "test-govinfo-key-123"


@pytest.fixture
def feed_server():
    with serve_feeds() as server:
        yield server


@pytest.fixture(autouse=True)
def no_member_feeds(app, db):
    """Members' own feeds point at nothing for these tests: no request leaves the machine."""
    from advocacy.congress import cache
    from advocacy.congress.models import Member

    saved = dict(db.session.execute(select(Member.bioguide_id, Member.rss_url)).all())
    db.session.execute(update(Member).values(rss_url=None))
    db.session.commit()
    cache.invalidate()
    yield
    db.session.rollback()
    for bioguide_id, url in saved.items():
        db.session.execute(update(Member).where(Member.bioguide_id == bioguide_id).values(rss_url=url))
    db.session.commit()
    cache.invalidate()


@pytest.fixture
def app_config(feed_server, smtp_server):
    return {
        "STATEMENTS_FEED_TIMEOUT": 2,
        "STATEMENTS_FEED_ALLOW_PRIVATE": True,
        "ENVIRON": {
            "ADVOCACY_GOVINFO_API_KEY": KEY,
            "ADVOCACY_GOVINFO_URL": feed_server.base_url,
            "ADVOCACY_SITE_URL": "https://act.example.org",
            **smtp_server.environ(),
        },
    }


def govinfo(name: str, server) -> bytes:
    return (GOVINFO / name).read_bytes().replace(b"https://api.govinfo.gov", server.base_url.encode())


def serve_record(server, since: str) -> None:
    server.add(f"/collections/CREC/{since}?offsetMark=*&pageSize=100", govinfo("collections-CREC.json", server))
    server.add(f"/packages/{PACKAGE}/granules?offsetMark=*&pageSize=100", govinfo(f"granules-{PACKAGE}.json", server))
    for page in ("PgS6498", "PgS6500-3"):
        granule = f"{PACKAGE}-pt1-{page}"
        server.add(f"/packages/{PACKAGE}/granules/{granule}/summary", govinfo(f"summary-{page}.json", server))
        server.add(
            f"/packages/{PACKAGE}/granules/{granule}/htm", govinfo(f"text-{page}.htm", server), content_type="text/html"
        )


def test_a_committee_page_and_the_congressional_record_both_reach_the_review_queue(
    runner, db, feed_server, organizer_client, smtp_server
):
    campaign = make_campaign(keywords=["Guan Heng"])
    # The organizer asks to be emailed when candidates arrive.
    organizer_client.post("/organizer/campaigns/guan-heng/statements/alerts", data={"alerts": "on"})
    # The committee's press page (markup of a real House press page, tests/fixtures/feeds/keating_press.html).
    original = (
        (FEEDS / "keating_press.html")
        .read_text("utf-8", errors="replace")
        .replace("http://keating.house.gov", feed_server.base_url)
    )
    page_url = feed_server.add("/judiciary/press", original, content_type="text/html")
    added = runner.invoke(args=["statements", "add-source", "guan-heng", page_url, "--committee", "SSJU", "--page"])
    assert added.exit_code == 0, added.output
    assert db.session.scalars(select(MonitoredFeed)).one().committee_id == "SSJU"
    # The Record was last read on 9 September: this scan asks for what changed since (an hour of overlap).
    db.session.add(
        FeedState(
            url="govinfo:CREC",
            version=1,
            items=0,
            last_outcome="ok",
            last_error="",
            last_changed_at=dt.datetime(2025, 9, 9, 12, tzinfo=dt.UTC),
        )
    )
    db.session.commit()
    serve_record(feed_server, "2025-09-09T11:00:00Z")

    first = runner.invoke(args=["statements", "scan", "--campaign", "guan-heng"])
    assert first.exit_code == 0, first.output
    assert "govinfo:CREC: Congressional Record (GovInfo), 2 floor granules, 2 dated, 1 match, 1 new" in first.output
    state = db.session.scalars(select(FeedState).where(FeedState.url == "govinfo:CREC")).one()
    assert state.last_outcome == "ok" and state.last_changed_at > dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    row = record_row(organizer_client)
    assert "2 floor granules read" in row and "newest Record read: 2025-09-10" in row
    assert "1 item sent to review" in row
    assert "Needs attention: silent: its newest item is from 2025-09-10 (60+ days)" in row  # the fixture is old
    assert [r.outcome for r in run_batch("test-worker")] == ["sent"]
    alert = smtp_server.messages[-1]
    assert alert["To"] == organizer_client.user.email
    assert alert["Subject"] == "1 new item to review: Free Guan Heng"
    assert "https://act.example.org/organizer/campaigns/guan-heng/statements/review" in alert.get_content()

    marker = '<tr class="cat-list-row0" >'
    feed_server.add(
        "/judiciary/press",
        original.replace(
            marker,
            '<tr class="cat-list-row1"><td class="list-title"><a href="/judiciary/letter-dhs">'
            "Chairman and Ranking Member write to DHS about Guan Heng</a></td></tr>" + marker,
            1,
        ),
        content_type="text/html",
    )
    second = runner.invoke(args=["statements", "scan", "--campaign", "guan-heng"])
    assert second.exit_code == 0, second.output

    found = {c.feed_url: c for c in db.session.scalars(select(StatementCandidate))}
    assert set(found) == {page_url, "govinfo:CREC"}
    record = found["govinfo:CREC"]
    assert (record.bioguide_id, record.title, record.published.date()) == (SCHUMER, "GUAN HENG", dt.date(2025, 9, 10))
    assert record.url == f"https://www.govinfo.gov/app/details/{PACKAGE}/{GRANULE}"
    assert "speak about Guan Heng" in record.snippet
    assert found[page_url].bioguide_id == GRASSLEY
    # The key went in a header, never in an address.
    govinfo_requests = [r for r in feed_server.requests if not r.path.startswith("/judiciary")]
    assert govinfo_requests and all(KEY not in r.path for r in govinfo_requests)
    assert all(r.headers.get("X-Api-Key") == KEY for r in govinfo_requests)

    # Accepting the Record's candidate records the statement and moves the public scoreboard.
    response = organizer_client.post(
        f"/organizer/campaigns/guan-heng/statements/review/{record.id}",
        data={
            "bioguide_id": SCHUMER,
            "date": "2025-09-10",
            "kind": "floor_remarks",
            "stance": "supports",
            "source_url": record.url,
            "quote_or_summary": "I urge the Department of Homeland Security to release him.",
        },
    )
    assert response.status_code == 302
    statement = db.session.scalars(select(Statement)).one()
    assert (statement.bioguide_id, statement.kind, statement.campaign_id) == (SCHUMER, "floor_remarks", campaign.id)
    board = organizer_client.get("/api/v1/campaigns/guan-heng/scoreboard").get_json()
    schumer = next(o for o in board["offices"] if o["bioguide_id"] == SCHUMER)
    assert schumer["stance"] == "supports"


def test_govinfo_down_is_reported_and_the_window_is_read_again(runner, db, feed_server):
    make_campaign(keywords=["Guan Heng"])
    db.session.add(
        FeedState(
            url="govinfo:CREC",
            version=1,
            items=0,
            last_outcome="ok",
            last_error="",
            last_changed_at=dt.datetime(2025, 9, 9, 12, tzinfo=dt.UTC),
        )
    )
    db.session.commit()
    result = runner.invoke(args=["statements", "scan", "--campaign", "guan-heng"])
    assert "failed: govinfo:CREC (GovInfo: HTTP 404)" in result.output
    assert KEY not in result.output
    state = db.session.scalars(select(FeedState).where(FeedState.url == "govinfo:CREC")).one()
    assert state.last_outcome == "failed" and state.last_changed_at == dt.datetime(2025, 9, 9, 12, tzinfo=dt.UTC)
    assert db.session.scalars(select(StatementCandidate)).all() == []


def record_row(client) -> str:
    page = client.get("/organizer/campaigns/guan-heng/statements/feeds").get_data(as_text=True)
    return re.search(r'<tr id="source-record">(.*?)</tr>', page, re.S).group(1)


def test_the_feeds_page_shows_the_congressional_record_failing_with_its_error_and_flag(organizer_client, db):
    make_campaign(keywords=["Guan Heng"])
    assert "not yet" in record_row(organizer_client)
    now = dt.datetime.now(dt.UTC)
    db.session.add(
        FeedState(
            url="govinfo:CREC",
            version=4,
            items=12,
            last_outcome="failed",
            last_error="GovInfo: HTTP 503",
            last_checked_at=now,
            last_ok_at=now - dt.timedelta(days=61),
            kind="record",
        )
    )
    db.session.commit()
    row = record_row(organizer_client)
    assert "failed (GovInfo: HTTP 503)" in row
    assert re.search(r"Needs attention: no successful read since \d{4}-\d{2}-\d{2} \(60\+ days\)", row)
    assert "0 items sent to review" in row and "ADVOCACY_GOVINFO_API_KEY" not in row


def test_a_source_failing_or_silent_for_sixty_days_is_flagged_on_the_feeds_page(organizer_client, db):
    campaign = make_campaign(keywords=["Guan Heng"])
    now = dt.datetime.now(dt.UTC)
    for path in ("failing", "silent", "fine"):
        db.session.add(MonitoredFeed(campaign_id=campaign.id, url=f"https://example.gov/{path}.xml", kind="feed"))
    db.session.add_all(
        [
            FeedState(
                url="https://example.gov/failing.xml",
                version=3,
                items=0,
                last_outcome="failed",
                last_error="the site answered 404",
                last_checked_at=now,
                last_ok_at=now - dt.timedelta(days=61),
            ),
            FeedState(
                url="https://example.gov/silent.xml",
                version=3,
                items=5,
                last_outcome="ok",
                last_error="",
                last_checked_at=now,
                last_ok_at=now,
                newest_item_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
            ),
            FeedState(
                url="https://example.gov/fine.xml",
                version=3,
                items=5,
                last_outcome="failed",
                last_error="x",
                last_checked_at=now,
                last_ok_at=now - dt.timedelta(days=2),
                newest_item_at=now,
            ),
        ]
    )
    db.session.commit()
    page = organizer_client.get("/organizer/campaigns/guan-heng/statements/feeds").get_data(as_text=True)
    flags = re.findall(r"Needs attention: ([^<]+)\.</strong>", page)
    assert len(flags) == 2
    assert flags[0].startswith("no successful read since ") and flags[1] == (
        "silent: its newest item is from 2025-01-02 (60+ days)"
    )

"""'Scan now' on the monitored-feeds page: the statement scan runs as a background job of the delivery workers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.delivery.jobs import Job
from advocacy.delivery.worker import Worker
from advocacy.statements.models import FeedState
from tests.factories import make_campaign, make_member
from tests.fakes.feeds import serve_feeds

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
BASE = "/organizer/campaigns/guan-heng/statements"


@pytest.fixture
def app_config(tmp_path):
    return {
        "STATEMENTS_FEED_TIMEOUT": 2,
        "STATEMENTS_FEED_ALLOW_PRIVATE": True,
        "JOB_POLL_INTERVAL": 0.05,
        "JOB_FILES_DIR": str(tmp_path / "jobs"),
    }


@pytest.fixture
def feed_server():
    with serve_feeds() as server:
        yield server


def test_scan_now_runs_the_scan_as_a_job_and_the_page_shows_its_summary(organizer_client, db, feed_server):
    make_campaign(keywords=["Guan Heng"])
    body = (FIXTURES / "ruiz_rss.xml").read_bytes().decode("utf-8", errors="replace")
    feed = feed_server.add("/rss.xml", body.replace("http://ruiz.house.gov", feed_server.base_url))
    assert (
        organizer_client.post(f"{BASE}/feeds", data={"url": feed, "label": "Ruiz", "watch": "feed"}).status_code == 302
    )

    assert organizer_client.post(f"{BASE}/feeds/scan").status_code == 303
    waiting = organizer_client.get(f"{BASE}/feeds").get_data(as_text=True)
    assert "Waiting for a worker" in waiting and 'http-equiv="refresh"' in waiting
    assert db.session.scalar(select(FeedState).where(FeedState.url == feed)) is None  # nothing read in the request

    Worker(burst=True).run()
    job = db.session.scalars(select(Job).where(Job.kind == "scan")).one()
    assert (job.status, job.done_count, job.total_count, job.result_file) == ("done", 1, 1, None)
    state = db.session.scalar(select(FeedState).where(FeedState.url == feed))
    assert (state.last_outcome, state.items) == ("ok", 10)
    page = organizer_client.get(f"{BASE}/feeds").get_data(as_text=True)
    assert "Scanned 1 feed for guan-heng: 1 fetched, 0 not modified, 0 failed; 10 items read" in page
    assert "10 items, " in page  # the feed's own row: last read, outcome, items
    assert 'http-equiv="refresh"' not in page


def test_scan_now_without_keywords_fails_with_a_reason(organizer_client, db):
    make_campaign()
    organizer_client.post(f"{BASE}/feeds/scan")
    Worker(burst=True).run()
    page = organizer_client.get(f"{BASE}/feeds").get_data(as_text=True)
    assert "The last scan failed: The campaign has no keywords to look for" in page


def test_the_feeds_page_shows_each_members_feed_with_its_last_read_outcome_and_items(organizer_client, db, feed_server):
    make_campaign(keywords=["Guan Heng"])
    body = (FIXTURES / "ruiz_rss.xml").read_bytes().decode("utf-8", errors="replace")
    good = feed_server.add("/ruiz.xml", body.replace("http://ruiz.house.gov", feed_server.base_url))
    broken = feed_server.url("/gone.xml")  # the feed server answers 404
    make_member("R000599", "Raul", "Ruiz", "house", "CA", 25, rss_url=good)
    make_member(rss_url=broken)  # Kirsten Gillibrand's
    make_member("P000145", "Alex", "Padilla", state="CA")  # no feed: not listed

    before = organizer_client.get(f"{BASE}/feeds").get_data(as_text=True)
    assert "2 feeds, read for every campaign: 0 read, 0 unchanged since the read before, 0 failed, 2 not read yet." in (
        " ".join(before.split())
    )

    organizer_client.post(f"{BASE}/feeds/scan")
    Worker(burst=True).run()

    page = organizer_client.get(f"{BASE}/feeds").get_data(as_text=True)
    summary = " ".join(page[page.index('id="member-feeds-summary"') :].split("</p>")[0].split())
    assert "2 feeds, read for every campaign: 1 read, 0 unchanged since the read before, 1 failed, 0 not read yet" in (
        summary
    )
    assert "; last read 20" in summary
    table = page[page.index('<table id="member-feeds">') : page.index("</table>", page.index('id="member-feeds"'))]
    rows = [" ".join(r.split()) for r in table.split("<tr>")[2:]]
    assert len(rows) == 2 and "Padilla" not in table
    assert rows[0].startswith("<td>Senator Kirsten Gillibrand (NY)") and "failed (" in rows[0]  # failing first
    assert rows[1].startswith("<td>Representative Raul Ruiz (CA-25)") and "10 items, 10 dated" in rows[1]

"""The stale-campaign guard: a live campaign whose story and timeline are untouched for
ADVOCACY_STALE_CAMPAIGN_DAYS is flagged to its organizers, on their pages and once per period by email.
The clock is injected (`now`), never waited for."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.campaigns.stale import check_stale, is_stale
from advocacy.config import ConfigError, load_settings
from advocacy.db import utcnow
from advocacy.extensions import db as _db
from tests.factories import make_campaign

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def day(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


@pytest.fixture
def app_config(smtp_server):
    return {"ENVIRON": {**smtp_server.environ(), "ADVOCACY_SITE_URL": "https://act.example.org"}}


@pytest.fixture
def organizers(make_user):
    make_user("org@example.org", role="organizer")
    make_user("boss@example.org", role="admin")
    make_user("staff@example.org", role="staff")
    make_user("gone@example.org", role="organizer", active=False)


def live(slug: str = "free-ana", touched: dt.datetime = T0, **kw):
    campaign = make_campaign(
        slug=slug, title="Free Ana", detainee_name="Ana Example", story_markdown="Ana is held.", **kw
    )
    campaign.content_updated_at = touched
    _db.session.commit()
    return campaign


def recipients(smtp_server) -> list[str]:
    return sorted(to for _, [to] in smtp_server.recorder.envelopes)


def test_organizers_are_told_once_per_period(db, smtp_server, organizers):
    campaign = live()
    assert check_stale(day(29), days=30).stale == 0 and smtp_server.messages == []
    summary = check_stale(day(30), days=30)
    assert (summary.stale, summary.notified) == (1, 1)
    assert recipients(smtp_server) == ["boss@example.org", "org@example.org"]  # active organizers and admins
    message = smtp_server.messages[0]
    assert message["Subject"] == "Is this still true? Free Ana has not been updated for 30 days"
    assert "since 2026-03-01" in message.get_content() and "https://act.example.org/c/free-ana" in message.get_content()
    assert db.session.get(type(campaign), campaign.id).stale_notified_at == day(30)

    assert check_stale(day(59), days=30).notified == 0  # the same period: not again
    assert len(smtp_server.messages) == 2
    assert check_stale(day(60), days=30).notified == 1  # still untouched a period later: reminded
    assert len(smtp_server.messages) == 4


def test_editing_the_story_or_timeline_restarts_the_clock(db, smtp_server, organizers):
    campaign = live()
    check_stale(day(30), days=30)
    campaign.timeline = [{"date": "2026-04", "event": "A hearing.", "source": "A paper", "source_url": ""}]
    db.session.commit()
    assert campaign.stale_notified_at is None and campaign.content_updated_at > day(30)
    assert not is_stale(campaign, campaign.content_updated_at + dt.timedelta(days=29), 30)
    campaign.story_markdown = "Ana is held, still."
    touched = campaign.content_updated_at
    campaign.ask = "Something else"  # not the story or timeline: the clock does not move
    db.session.commit()
    assert campaign.content_updated_at == touched


def test_only_live_campaigns_about_real_people_are_stale(db, smtp_server, organizers):
    live("closed-one", status="closed")
    live("draft-one", status="draft")
    live("sample-one", sample=True)
    assert check_stale(day(400), days=30).stale == 0 and smtp_server.messages == []


def test_the_organizer_pages_flag_a_stale_campaign(organizer_client, db):
    campaign = live(touched=utcnow() - dt.timedelta(days=31))
    fresh = live("fresh-one")
    fresh.content_updated_at = utcnow()
    db.session.commit()
    index = organizer_client.get("/organizer/campaigns").get_data(as_text=True)
    assert "1 live campaign may be out of date" in index and index.count("Stale: check the story") == 1
    show = organizer_client.get(f"/organizer/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'id="stale-warning"' in show
    assert 'id="stale-warning"' not in organizer_client.get(f"/organizer/campaigns/{fresh.id}").get_data(as_text=True)


def test_check_stale_command_reports(runner, db, smtp_server, organizers):
    live(touched=utcnow() - dt.timedelta(days=45))
    result = runner.invoke(args=["campaigns", "check-stale"])
    assert result.exit_code == 0
    assert result.output.strip() == "stale campaigns: 1, organizers told about 1, failed 0"


def test_the_period_is_a_setting_checked_at_start():
    assert load_settings({}).stale_campaign_days == 30
    assert load_settings({"ADVOCACY_STALE_CAMPAIGN_DAYS": "14"}).stale_campaign_days == 14
    for bad in ("0", "366", "soon"):
        with pytest.raises(ConfigError, match="ADVOCACY_STALE_CAMPAIGN_DAYS"):
            load_settings({"ADVOCACY_STALE_CAMPAIGN_DAYS": bad})

"""The stale-campaign guard: a live campaign whose story and timeline are untouched for
ADVOCACY_STALE_CAMPAIGN_DAYS is flagged to its organizers, on their dashboard and pages and once per period by
email (outbox rows the delivery workers send through a real SMTP server). The clock is injected (`now`, or the
app's CLOCK setting for the pages and the command), never waited for."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.campaigns.stale import STALE_NOTICE, check_stale, is_stale
from advocacy.config import ConfigError, load_settings
from advocacy.delivery.models import Delivery
from advocacy.extensions import db as _db
from tests.delivery_support import run_batch
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


def send_due() -> dict[str, int]:
    """What a delivery worker does with the rows that are due: their outcomes, counted."""
    outcomes: dict[str, int] = {}
    for result in run_batch("test-worker"):
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    return outcomes


def notices(db) -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(Delivery).where(Delivery.kind == STALE_NOTICE)))


class Clock:
    """The app's CLOCK setting (seconds since the epoch, as time.time), moved by the test."""

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def __call__(self) -> float:
        return self.moment.timestamp()


def test_organizers_are_told_once_per_period(db, smtp_server, organizers):
    campaign = live()
    assert check_stale(day(29), days=30).stale == 0 and notices(db) == []
    summary = check_stale(day(30), days=30)
    assert (summary.stale, summary.notified, summary.queued) == (1, 1, 2)
    assert smtp_server.messages == []  # queued in the outbox; the delivery workers send them
    assert send_due() == {"sent": 2}
    assert recipients(smtp_server) == ["boss@example.org", "org@example.org"]  # active organizers and admins
    message = smtp_server.messages[0]
    assert message["Subject"] == "Is this still true? Free Ana has not been updated for 30 days"
    assert "since 2026-03-01" in message.get_content() and "https://act.example.org/c/free-ana" in message.get_content()
    assert message["Auto-Submitted"] == "auto-generated"
    assert db.session.get(type(campaign), campaign.id).stale_notified_at == day(30)

    assert check_stale(day(59), days=30).notified == 0  # the same period: not again
    assert check_stale(day(30), days=30).queued == 0  # the same run twice: nothing more
    assert send_due() == {} and len(smtp_server.messages) == 2
    assert check_stale(day(60), days=30).notified == 1  # still untouched a period later: reminded
    assert send_due() == {"sent": 2} and len(smtp_server.messages) == 4
    assert len(notices(db)) == 4


def test_a_notice_is_not_sent_once_the_story_is_updated_or_the_organizer_has_left(db, smtp_server, organizers):
    from advocacy.auth.models import User

    campaign = live()
    check_stale(day(30), days=30)
    boss = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    boss.active = False
    db.session.commit()
    assert send_due() == {"sent": 1, "skipped": 1}  # the admin who left gets nothing
    assert recipients(smtp_server) == ["org@example.org"]

    check_stale(day(60), days=30)
    db.session.get(Campaign, campaign.id).story_markdown = "Ana was moved to another facility."
    db.session.commit()
    assert send_due() == {"skipped": 1}  # updated before the worker got to it: no "is this still true?"
    assert len(smtp_server.messages) == 1


def test_without_mail_settings_the_guard_only_counts(app, db, organizers):
    app.config["ADVOCACY_SETTINGS"] = app.config["ADVOCACY_SETTINGS"].__class__(env="testing")
    live()
    summary = check_stale(day(30), days=30)
    assert (summary.stale, summary.notified, summary.queued) == (1, 0, 0) and notices(db) == []


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


def test_the_dashboard_and_organizer_pages_flag_a_stale_campaign_by_the_injected_clock(app, organizer_client, db):
    campaign = live()  # story and timeline last touched at T0
    fresh = live("fresh-one", touched=day(20))
    clock = Clock(day(29))
    app.config["CLOCK"] = clock

    def pages() -> tuple[str, str, str]:
        return (
            organizer_client.get("/dashboard").get_data(as_text=True),
            organizer_client.get("/organizer/campaigns").get_data(as_text=True),
            organizer_client.get(f"/organizer/campaigns/{campaign.id}").get_data(as_text=True),
        )

    dashboard, index, show = pages()
    assert '<p class="card-title">0</p><p>live campaigns gone stale</p>' in dashboard
    assert "Stale: update the story" not in dashboard and "Stale: check the story" not in index
    assert 'id="stale-warning"' not in index and 'id="stale-warning"' not in show

    clock.moment = day(30)  # 30 days untouched: flagged, with no waiting
    dashboard, index, show = pages()
    assert '<p class="card-title">1</p><p>live campaigns gone stale</p>' in dashboard
    assert dashboard.count("Stale: update the story") == 1
    row = dashboard.split(f'/organizer/campaigns/{campaign.id}"')[1].split("</tr>")[0]
    assert "Stale: update the story" in row
    assert "1 live campaign may be out of date" in index and index.count("Stale: check the story") == 1
    assert 'id="stale-warning"' in show
    fresh_page = organizer_client.get(f"/organizer/campaigns/{fresh.id}").get_data(as_text=True)
    assert 'id="stale-warning"' not in fresh_page


def test_check_stale_command_reads_the_injected_clock(app, runner, db, smtp_server, organizers):
    live()
    app.config["CLOCK"] = Clock(day(29))
    assert runner.invoke(args=["campaigns", "check-stale"]).output.strip() == (
        "stale campaigns: 0, organizers told about 0 (0 emails queued for the delivery workers)"
    )
    app.config["CLOCK"] = Clock(day(45))
    result = runner.invoke(args=["campaigns", "check-stale"])
    assert result.exit_code == 0
    assert result.output.strip() == (
        "stale campaigns: 1, organizers told about 1 (2 emails queued for the delivery workers)"
    )
    assert len(notices(db)) == 2


def test_the_period_is_a_setting_checked_at_start():
    assert load_settings({}).stale_campaign_days == 30
    assert load_settings({"ADVOCACY_STALE_CAMPAIGN_DAYS": "14"}).stale_campaign_days == 14
    for bad in ("0", "366", "soon"):
        with pytest.raises(ConfigError, match="ADVOCACY_STALE_CAMPAIGN_DAYS"):
            load_settings({"ADVOCACY_STALE_CAMPAIGN_DAYS": bad})

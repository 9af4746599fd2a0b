"""The weekly summary to staff: opt-in per account, queued by `flask reports weekly-summary` as an outbox row,
sent by the delivery workers with letters by office, new statements and delivery problems, and no constituent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from advocacy.db import utcnow
from advocacy.delivery.models import Delivery
from advocacy.reports.weekly import TOP_OFFICES, compose
from tests.factories import (
    PADILLA,
    REPRESENTATIVE,
    SENATOR,
    make_action,
    make_campaign,
    make_letter,
    make_member,
    make_statement,
)


@pytest.fixture
def app_config(smtp_server):
    return {"ENVIRON": {**smtp_server.environ(), "ADVOCACY_SITE_URL": "https://act.example.org"}}


def test_an_opted_in_account_gets_the_weeks_summary_once(runner, db, smtp_server, login_as):
    reader = login_as("staff")
    login_as("organizer")  # did not ask: gets nothing
    assert reader.post("/account/weekly-summary", data={"active": "y"}).status_code == 302
    campaign = make_campaign()
    make_member()
    yesterday = utcnow() - timedelta(days=1)
    ana = make_action(campaign, "Ana", "Lopez", "ana@example.org", created_at=yesterday)
    make_letter(ana)
    make_letter(ana, REPRESENTATIVE, status="dead")
    make_letter(make_action(campaign, "Bo", "Chen", "bo@example.org", created_at=yesterday), PADILLA)
    make_letter(make_action(campaign, "Old", "Letter", "old@example.org", created_at=utcnow() - timedelta(days=30)))
    make_statement(campaign, day=yesterday.date(), created_at=yesterday)

    assert runner.invoke(args=["reports", "weekly-summary"]).output.strip() == "weekly summaries queued: 1"
    assert runner.invoke(args=["reports", "weekly-summary"]).output.strip() == "weekly summaries queued: 0"
    assert "1 sent" in runner.invoke(args=["deliveries", "work", "--burst"]).output

    (message,) = smtp_server.messages
    assert message["To"] == reader.user.email
    assert message["Subject"] == "Weekly summary: 3 letters, 1 statement"
    body = message.get_content()
    assert "Letters: 3" in body and "Free Guan Heng:" in body
    assert "Kirsten E. Gillibrand: 1" in body and "Alex Padilla: 1" in body and "Adriano Espaillat: 1" in body
    assert "Kirsten Gillibrand: Press release, supports (Free Guan Heng)" in body
    assert "Delivery problems: 1" in body and "Failed, needs attention: 1" in body
    assert "https://act.example.org/dashboard" in body
    for private in ("Ana", "Lopez", "ana@example.org", "Bo Chen", "500 W 120th"):
        assert private not in body


def test_an_account_that_opts_out_before_sending_gets_nothing(runner, db, smtp_server, login_as):
    reader = login_as("staff")
    reader.post("/account/weekly-summary", data={"active": "y"})
    runner.invoke(args=["reports", "weekly-summary"])
    reader.post("/account/weekly-summary", data={})
    runner.invoke(args=["deliveries", "work", "--burst"])
    assert smtp_server.messages == []
    db.session.expire_all()
    assert db.session.scalar(select(Delivery.status).where(Delivery.kind == "weekly_summary")) == "cancelled"


def test_past_the_top_offices_the_summary_says_how_many_more_and_their_letters(db):
    campaign = make_campaign()
    now = utcnow()
    ana = make_action(campaign, "Ana", "Lopez", "ana@example.org", created_at=now - timedelta(days=1))
    bo = make_action(campaign, "Bo", "Chen", "bo@example.org", created_at=now - timedelta(days=1))
    offices = [
        {**SENATOR, "office_key": f"custom:{n}", "bioguide_id": None, "office_name": f"Office {n:02d}"}
        for n in range(TOP_OFFICES + 3)
    ]
    for office in offices:
        make_letter(ana, office)
    make_letter(bo, offices[0])  # Office 00 has the most letters, so it comes first

    subject, body = compose(now - timedelta(days=7), now)

    assert subject == f"Weekly summary: {TOP_OFFICES + 4} letters, 0 statements"
    listed = [line.strip() for line in body.splitlines() if line.startswith("    ")]
    assert listed[0] == "Office 00: 2" and len(listed) == TOP_OFFICES + 1
    assert listed[-1] == "and 3 more offices: 3 letters"

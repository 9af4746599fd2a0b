"""Follow-up emails: when an office first speaks up, consenting constituents who wrote to it get one email."""

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from advocacy.statements.followups import MAX_ATTEMPTS, send_pending_followups
from advocacy.statements.models import FollowupSent
from advocacy.statements.services import StatementInput, record_statement, update_statement
from tests.factories import REPRESENTATIVE, SENATOR, make_action, make_campaign, make_letter

pytestmark = pytest.mark.usefixtures("congress_data")

GILLIBRAND, ESPAILLAT = SENATOR["bioguide_id"], REPRESENTATIVE["bioguide_id"]
BASE = "/organizer/campaigns/guan-heng/statements"


@pytest.fixture
def smtp(smtp_server):
    return smtp_server


@pytest.fixture
def app_config(smtp):
    return {"ENVIRON": {**smtp.environ(), "ADVOCACY_SITE_URL": "https://act.example.org"}}


@pytest.fixture
def campaign(app):
    """Ana (consented) and Bo (did not) wrote to Gillibrand and Espaillat; Cy (consented) only to Espaillat;
    Dee consented but has since been purged."""
    campaign = make_campaign(keywords=["Guan Heng"])
    ana = make_action(campaign, "Ana", "Lopez", "ana@example.org")
    bo = make_action(campaign, "Bo", "Chen", "bo@example.org", consent=False)
    cy = make_action(campaign, "Cy", "Ortiz", "cy@example.org")
    dee = make_action(campaign, "Dee", "Park", "dee@example.org", purged_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    for action in (ana, bo, dee):
        make_letter(action, SENATOR)
    for action in (ana, bo, cy):
        make_letter(action, REPRESENTATIVE)
    return campaign


def said(bioguide_id=GILLIBRAND, stance="supports", day=dt.date(2025, 8, 12), n=1):
    return StatementInput(
        bioguide_id,
        day,
        "press_release",
        stance,
        f"https://www.gillibrand.senate.gov/news/guan-heng-{n}",
        "Release him.",
    )


def queued(db):
    return db.session.scalars(select(FollowupSent).order_by(FollowupSent.id)).all()


def test_first_supportive_statement_mails_consenting_writers_once(runner, db, smtp, campaign, organizer_client):
    response = organizer_client.post(
        f"{BASE}/new",
        data={
            "bioguide_id": GILLIBRAND,
            "date": "2025-08-12",
            "kind": "press_release",
            "stance": "supports",
            "source_url": "https://www.gillibrand.senate.gov/news/guan-heng",
            "quote_or_summary": "DHS must not deport Guan Heng.",
        },
    )
    assert response.status_code == 302
    (row,) = queued(db)
    assert (row.bioguide_id, row.status) == (GILLIBRAND, "pending")
    assert smtp.messages == []  # nothing is sent inside the web request

    result = runner.invoke(args=["statements", "followups"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "follow-up emails: 1 sent, 0 failed, 0 skipped"
    (message,) = smtp.messages
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Senator Gillibrand has spoken up for Guan Heng"
    body = message.get_content()
    assert body.startswith("Hello Ana,")
    assert "You wrote to Senator Kirsten E. Gillibrand about Guan Heng. On August 12, 2025" in body
    assert "“DHS must not deport Guan Heng.”" in body
    assert "Read it: https://www.gillibrand.senate.gov/news/guan-heng" in body
    assert "https://act.example.org/c/guan-heng/scoreboard" in body
    assert (
        message["Message-ID"].strip() == f"<followup-{row.id}.{row.action_id}@advocacy.example.org>"
    )  # unique anywhere
    assert message["Auto-Submitted"] == "auto-generated"

    # Running again sends nothing more.
    assert (
        runner.invoke(args=["statements", "followups"]).output.strip()
        == "follow-up emails: 0 sent, 0 failed, 0 skipped"
    )
    assert len(smtp.messages) == 1
    db.session.refresh(row)
    assert row.status == "sent" and row.sent_at is not None


def test_later_statements_by_the_same_office_send_nothing_more(db, smtp, campaign):
    record_statement(campaign.id, said(n=1), None)
    record_statement(campaign.id, said(n=2, day=dt.date(2025, 9, 1)), None)
    assert len(queued(db)) == 1
    send_pending_followups()
    record_statement(campaign.id, said(n=3, stance="neutral", day=dt.date(2025, 9, 2)), None)
    record_statement(campaign.id, said(n=4, day=dt.date(2025, 9, 3)), None)
    assert send_pending_followups().sent == 0
    assert [m["To"] for m in smtp.messages] == ["ana@example.org"]


def test_a_neutral_statement_is_not_speaking_up_but_a_later_supportive_one_is(db, smtp, campaign):
    record_statement(campaign.id, said(ESPAILLAT, stance="neutral"), None)
    assert queued(db) == []
    record_statement(campaign.id, said(ESPAILLAT, n=2, day=dt.date(2025, 8, 20)), None)
    assert send_pending_followups().sent == 2
    assert sorted(m["To"] for m in smtp.messages) == ["ana@example.org", "cy@example.org"]
    assert all(m["Subject"] == "Representative Espaillat has spoken up for Guan Heng" for m in smtp.messages)


def test_an_edit_to_supportive_counts_as_speaking_up(db, smtp, campaign):
    statement = record_statement(campaign.id, said(stance="neutral"), None)
    update_statement(statement, said(stance="supports"), None)
    assert send_pending_followups().sent == 1


def test_other_campaigns_writers_are_not_mailed(db, smtp, campaign):
    other = make_campaign(slug="other", title="Other", detainee_name="Someone Else")
    record_statement(other.id, said(), None)
    assert queued(db) == []
    assert send_pending_followups().sent == 0


def test_refused_addresses_are_not_retried_and_outages_are(db, smtp, campaign, caplog):
    caplog.set_level(logging.INFO)
    smtp.refuse("ana@example.org")
    record_statement(campaign.id, said(ESPAILLAT), None)
    summary = send_pending_followups()
    assert (summary.sent, summary.failed) == (1, 1)
    refused = next(r for r in queued(db) if r.status == "failed")
    assert refused.attempts == MAX_ATTEMPTS
    assert "ana@example.org" not in refused.last_error
    assert send_pending_followups().failed == 0  # a permanent refusal is not tried again

    smtp.recorder.refuse_recipients.clear()
    smtp.stop()
    record_statement(campaign.id, said(GILLIBRAND), None)
    assert send_pending_followups().failed == 1
    smtp.start()
    assert send_pending_followups().sent == 1
    assert "ana@example.org" not in caplog.text and "cy@example.org" not in caplog.text


def test_without_mail_nothing_is_queued(app, db, campaign, runner):
    app.config["ADVOCACY_SETTINGS"] = type(app.config["ADVOCACY_SETTINGS"])(env="testing")
    record_statement(campaign.id, said(), None)
    assert queued(db) == []
    result = runner.invoke(args=["statements", "followups"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: mail is not configured (set ADVOCACY_MAIL_SERVER)"


def test_scan_sends_pending_followups(runner, db, smtp, campaign):
    campaign.keywords = []
    db.session.commit()
    record_statement(campaign.id, said(), None)
    result = runner.invoke(args=["statements", "scan", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "follow-up emails: 1 sent, 0 failed, 0 skipped"

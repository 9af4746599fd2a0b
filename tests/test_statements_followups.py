"""Follow-up emails: when an office first speaks up, consenting constituents who wrote to it get one email. They
are outbox rows (kind "followup") sent by the delivery workers with the letters' claim, retries and dead state."""

import datetime as dt
import logging
from collections import Counter

import pytest
from sqlalchemy import select

from advocacy.delivery.models import Delivery
from advocacy.statements.services import StatementInput, record_statement, update_statement
from tests.delivery_support import run_batch
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
    db.session.expire_all()
    return db.session.scalars(select(Delivery).where(Delivery.kind == "followup").order_by(Delivery.created_at)).all()


def send_pending(now=None) -> Counter:
    """What the delivery worker does with the follow-ups that are due: their outcomes."""
    return Counter(result.outcome for result in run_batch("test-worker", now=now))


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
    assert (row.dedupe_key.endswith(f":{GILLIBRAND}"), row.status, row.channel) == (True, "pending", "email")
    assert smtp.messages == []  # nothing is sent inside the web request

    result = runner.invoke(args=["statements", "followups"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "follow-up emails: 1 waiting for the delivery workers (`deliveries work`)"
    assert "1 sent" in runner.invoke(args=["deliveries", "work", "--burst"]).output
    (message,) = smtp.messages
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Senator Gillibrand has spoken up for Guan Heng"
    body = message.get_content()
    assert body.startswith("Hello Ana,")
    assert "You wrote to Senator Kirsten E. Gillibrand about Guan Heng. On August 12, 2025" in body
    assert "“DHS must not deport Guan Heng.”" in body
    assert "Read it: https://www.gillibrand.senate.gov/news/guan-heng" in body
    assert "https://act.example.org/c/guan-heng/scoreboard" in body
    assert message["Message-ID"] == f"<{row.id.replace('-', '')}.followup@advocacy.example.org>"
    assert message["Auto-Submitted"] == "auto-generated"

    # Running again sends nothing more.
    assert "nothing due" in runner.invoke(args=["deliveries", "work", "--burst"]).output
    assert len(smtp.messages) == 1
    (row,) = queued(db)
    assert row.status == "sent" and row.sent_at is not None


def test_later_statements_by_the_same_office_send_nothing_more(db, smtp, campaign):
    record_statement(campaign.id, said(n=1), None)
    record_statement(campaign.id, said(n=2, day=dt.date(2025, 9, 1)), None)
    assert len(queued(db)) == 1
    send_pending()
    record_statement(campaign.id, said(n=3, stance="neutral", day=dt.date(2025, 9, 2)), None)
    record_statement(campaign.id, said(n=4, day=dt.date(2025, 9, 3)), None)
    assert send_pending()["sent"] == 0
    assert [m["To"] for m in smtp.messages] == ["ana@example.org"]


def test_a_neutral_statement_is_not_speaking_up_but_a_later_supportive_one_is(db, smtp, campaign):
    record_statement(campaign.id, said(ESPAILLAT, stance="neutral"), None)
    assert queued(db) == []
    record_statement(campaign.id, said(ESPAILLAT, n=2, day=dt.date(2025, 8, 20)), None)
    assert send_pending()["sent"] == 2
    assert sorted(m["To"] for m in smtp.messages) == ["ana@example.org", "cy@example.org"]
    assert all(m["Subject"] == "Representative Espaillat has spoken up for Guan Heng" for m in smtp.messages)


def test_an_edit_to_supportive_counts_as_speaking_up(db, smtp, campaign):
    statement = record_statement(campaign.id, said(stance="neutral"), None)
    update_statement(statement, said(stance="supports"), None)
    assert send_pending()["sent"] == 1


def test_other_campaigns_writers_are_not_mailed(db, smtp, campaign):
    other = make_campaign(slug="other", title="Other", detainee_name="Someone Else")
    record_statement(other.id, said(), None)
    assert queued(db) == []
    assert send_pending()["sent"] == 0


def test_refused_addresses_are_not_retried_and_outages_are(db, smtp, campaign, caplog):
    caplog.set_level(logging.INFO)
    smtp.refuse("ana@example.org")
    record_statement(campaign.id, said(ESPAILLAT), None)
    assert send_pending() == {"sent": 1, "dead": 1}
    refused = next(r for r in queued(db) if r.status == "dead")  # the one dead state of the outbox
    assert "ana@example.org" not in refused.last_error
    assert send_pending() == {}  # a permanent refusal is not tried again

    smtp.recorder.refuse_recipients.clear()
    smtp.stop()
    record_statement(campaign.id, said(GILLIBRAND), None)
    assert send_pending() == {"failed": 1}
    smtp.start()
    waiting = next(r for r in queued(db) if r.status == "failed")
    assert send_pending(now=waiting.next_attempt_at) == {"sent": 1}  # after the letters' backoff
    assert "ana@example.org" not in caplog.text and "cy@example.org" not in caplog.text


def test_without_mail_nothing_is_queued(app, db, campaign, runner):
    app.config["ADVOCACY_SETTINGS"] = type(app.config["ADVOCACY_SETTINGS"])(env="testing")
    record_statement(campaign.id, said(), None)
    assert queued(db) == []
    result = runner.invoke(args=["statements", "followups"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: mail is not configured (set ADVOCACY_MAIL_SERVER)"


def test_scan_says_how_many_followups_wait_for_the_workers(runner, db, smtp, campaign):
    campaign.keywords = []
    db.session.commit()
    record_statement(campaign.id, said(), None)
    result = runner.invoke(args=["statements", "scan", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "follow-up emails: 1 waiting for the delivery workers"


def test_a_followup_to_someone_purged_before_it_went_is_cancelled(db, smtp, campaign):
    from advocacy.letters.models import Action

    record_statement(campaign.id, said(ESPAILLAT), None)
    db.session.execute(Action.__table__.update().where(Action.first_name == "Cy").values(consent=False))
    db.session.commit()
    assert send_pending() == {"sent": 1, "skipped": 1}
    assert [m["To"] for m in smtp.messages] == ["ana@example.org"]

"""Updates to supporters: an organizer writes news about the case, tests it on themselves, and sends it to the
consenting supporters of one state, through the outbox and a real SMTP server; every email carries a working
one-click unsubscribe (RFC 8058), and an unsubscribe stops every later email: updates, follow-ups, outcome."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.delivery.models import Delivery
from advocacy.delivery.suppression import ALL_CAMPAIGNS, Suppression, make_token
from advocacy.identity import email_key
from advocacy.letters.models import Action
from advocacy.reports.models import AuditEvent
from advocacy.updates.models import CampaignUpdate
from tests.delivery_support import run_batch
from tests.factories import SENATOR, make_action, make_campaign, make_letter

SITE = "https://act.example.org"
UPDATE = {
    "title": "Transferred to Batavia",
    "body": "He was moved **last night**.\n\n<script>alert(1)</script>",
    "ask": "Call your senator before Tuesday's hearing.",
    "states": "NY",
    "districts": "",
}


@pytest.fixture
def app_config(smtp_server):
    return {"ENVIRON": {**smtp_server.environ(), "ADVOCACY_SITE_URL": SITE}}


@pytest.fixture
def campaign(app):
    """In New York: Ana (consented, wrote twice), Bo (did not consent), Dee (consented, purged), Fay (consented,
    unsubscribed from everything before). In New Jersey: Cy (consented)."""
    campaign = make_campaign(slug="free-ana", title="Free Ana", detainee_name="Ana Example")
    ana = make_action(campaign, "Ana", "Lopez", "ana@example.org")
    make_action(campaign, "Ana", "Lopez", "ana@example.org")
    make_action(campaign, "Bo", "Chen", "bo@example.org", consent=False)
    make_action(campaign, "Dee", "Park", "dee@example.org", purged_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    make_action(campaign, "Fay", "Wu", "fay@example.org")
    make_action(campaign, "Cy", "Ortiz", "cy@example.org", state="NJ", district_state="NJ", district=8, zip="07030")
    make_letter(ana, SENATOR)
    return campaign


def send_due(now=None) -> Counter:
    return Counter(result.outcome for result in run_batch("test-worker", now=now))


def far_future():
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=2)


def write_update(client, campaign, **changes):
    response = client.post(f"/organizer/campaigns/{campaign.id}/updates", data={**UPDATE, **changes, "intent": "save"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def recipients(smtp_server) -> list[str]:
    return sorted(to for _, [to] in smtp_server.recorder.envelopes)


def test_an_update_reaches_each_consenting_unsuppressed_supporter_in_the_state_once(
    app, organizer_client, client, db, smtp_server, campaign
):
    with app.test_request_context():
        from advocacy.delivery.suppression import suppress

        suppress(email_key("fay@example.org"), ALL_CAMPAIGNS)
        db.session.commit()

    # The preview shows the Markdown rendered and sanitized, and stores nothing.
    preview = organizer_client.post(f"/organizer/campaigns/{campaign.id}/updates", data={**UPDATE, "intent": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<strong>last night</strong>" in html and "<script>alert" not in html
    assert db.session.scalars(select(CampaignUpdate)).all() == []

    update_id = write_update(organizer_client, campaign)
    base = f"/organizer/campaigns/{campaign.id}/updates/{update_id}"

    # Sending before the test copy is refused and queues nothing.
    organizer_client.post(f"{base}/send")
    assert db.session.scalars(select(Delivery).where(Delivery.kind == "update")).all() == []
    assert "Send yourself the test copy first" in organizer_client.get(base).get_data(as_text=True)

    organizer_client.post(f"{base}/test")
    assert send_due() == {"sent": 1}
    assert recipients(smtp_server) == [organizer_client.user.email]
    assert smtp_server.messages[0]["Subject"] == "[Test] Ana Example: Transferred to Batavia"

    organizer_client.post(f"{base}/send")
    organizer_client.post(f"{base}/send")  # a second click queues nothing more
    rows = db.session.scalars(select(Delivery).where(Delivery.kind == "update", Delivery.action_id.is_not(None))).all()
    assert len(rows) == 1  # Ana only: once, though she wrote twice
    assert send_due(now=far_future()) == {"sent": 1}
    assert recipients(smtp_server) == sorted([organizer_client.user.email, "ana@example.org"])

    message = smtp_server.messages[-1]
    assert message.is_multipart() and message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello Ana," in text and "Call your senator before Tuesday's hearing." in text
    assert "<strong>last night</strong>" in html and "<script>" not in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https://[^>]+)>", message["List-Unsubscribe"]).group(1)
    assert url.startswith(f"{SITE}/unsubscribe/") and "ana" not in url.lower()

    # RFC 8058: the mail client POSTs to the URL from the header, with no cookie and no CSRF token.
    one_click = client.post(urlsplit(url).path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    stored = db.session.scalars(select(Suppression)).all()
    assert {(s.email_key, s.campaign_id) for s in stored} == {
        (email_key("fay@example.org"), ALL_CAMPAIGNS),
        (email_key("ana@example.org"), campaign.id),
    }
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "supporters.unsubscribe")).one()
    assert event.campaign == "free-ana" and "ana@" not in str(event.filters)

    page = organizer_client.get(base).get_data(as_text=True)
    counts = re.findall(r'<div class="count">(\d+)</div>(\w+)', page)
    assert dict((label, int(n)) for n, label in counts) == {"emails": 1, "sent": 1, "failed": 0, "unsubscribed": 1}

    # The update is public: on the campaign page and in the Atom feed.
    assert "Transferred to Batavia" in client.get("/c/free-ana").get_data(as_text=True)
    feed = client.get("/c/free-ana/updates.atom")
    assert feed.status_code == 200 and b"Transferred to Batavia" in feed.data and b"<script>" not in feed.data


@pytest.mark.usefixtures("congress_data")
def test_an_unsubscribe_stops_every_later_email(app, organizer_client, client, db, smtp_server, campaign):
    from advocacy.letters.outcome_emails import queue_outcome_emails
    from advocacy.statements.services import StatementInput, record_statement

    cy = db.session.scalars(select(Action).where(Action.first_name == "Cy")).first()
    make_letter(cy, SENATOR)
    token = make_token(email_key("ana@example.org"), campaign.id)
    assert client.post(f"/unsubscribe/{token}").status_code == 200

    # A later update, follow-up and outcome email: Ana gets none of them, Cy gets each.
    update_id = write_update(organizer_client, campaign, states="")
    organizer_client.post(f"/organizer/campaigns/{campaign.id}/updates/{update_id}/test")
    organizer_client.post(f"/organizer/campaigns/{campaign.id}/updates/{update_id}/send")
    record_statement(
        campaign.id,
        StatementInput(
            SENATOR["bioguide_id"], dt.date(2025, 8, 12), "press_release", "supports", "https://example.gov/1", "Free."
        ),
        None,
    )
    stored = db.session.get(Campaign, campaign.id)
    stored.status, stored.outcome, stored.outcome_date = "closed", "released", dt.date(2026, 2, 3)
    queue_outcome_emails(campaign.id)
    db.session.commit()
    send_due(now=far_future())
    assert [m["Subject"] for m in smtp_server.messages if m["To"] == "ana@example.org"] == []
    to_cy = [m for m in smtp_server.messages if m["To"] == "cy@example.org"]
    assert len(to_cy) == 3 and all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in to_cy)
    statuses = Counter(
        (d.kind, d.status) for d in db.session.scalars(select(Delivery).where(Delivery.action_id.in_(campaign_ana(db))))
    )
    assert statuses == {("followup", "cancelled"): 1, ("outcome", "cancelled"): 1}


def campaign_ana(db) -> list[str]:
    return db.session.scalars(select(Action.id).where(Action.first_name == "Ana").order_by(Action.id)).all()


def test_the_preferences_page_stops_all_campaigns_and_a_forged_token_changes_nothing(app, client, db, campaign):
    token = make_token(email_key("cy@example.org"), campaign.id)
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "Free Ana" in page.get_data(as_text=True)
    done = client.post(f"/unsubscribe/{token}/choose", data={"scope": "all"})
    assert done.status_code == 200 and "any campaign" in done.get_data(as_text=True)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/unsubscribe/{forged}").status_code == 404
    assert client.get("/unsubscribe/not-a-token").status_code == 404
    assert [(s.email_key, s.campaign_id) for s in db.session.scalars(select(Suppression))] == [
        (email_key("cy@example.org"), ALL_CAMPAIGNS)
    ]


def test_update_emails_are_spaced_by_the_hourly_limits(app, db, campaign):
    from advocacy.updates.services import schedule

    app.config.update(UPDATES_MAX_PER_HOUR_PER_CAMPAIGN=60, UPDATES_MAX_PER_HOUR=120)
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    slots = schedule(campaign.id, 3, now)
    assert slots == [now, now + dt.timedelta(minutes=1), now + dt.timedelta(minutes=2)]

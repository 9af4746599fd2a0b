"""The organizer's delivery dashboard, its retry and cancel buttons, and the monitoring metric."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from advocacy.db import utcnow
from advocacy.delivery import engine
from advocacy.delivery.models import Delivery
from advocacy.extensions import db as _db
from tests.conftest import csrf_token_from
from tests.delivery_support import run_batch
from tests.fakes.submissions import CUSTOM, HOUSE, delivery_config, make_campaign, submit

TOKEN = "metrics-token-" + "m" * 24


@pytest.fixture
def app_config(fake_cwc, smtp_server):
    return delivery_config(cwc=fake_cwc, smtp=smtp_server, DELIVERY_METRICS_TOKEN=TOKEN)


@pytest.fixture
def organizer_client(organizer_client, app):
    """Logged in first; then CSRF is checked as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return organizer_client


def reload(delivery: Delivery) -> Delivery:
    return _db.session.get(Delivery, delivery.id, populate_existing=True)


def age(delivery: Delivery, hours: float) -> None:
    _db.session.execute(
        update(Delivery).where(Delivery.id == delivery.id).values(created_at=utcnow() - timedelta(hours=hours))
    )
    _db.session.commit()


@pytest.fixture
def scene(app, db, fake_cwc, smtp_server):
    """One of each: sent, failed (SMTP down), dead (rejected), waiting, and a contact-form handoff."""
    campaign = make_campaign()
    other = make_campaign(slug="other-campaign", title="Another campaign")
    sent, rejected, waiting = (submit(campaign, [HOUSE])[0] for _ in range(3))
    failed = submit(campaign, [CUSTOM], target_email="director@ice.example.gov")[0]
    handoff = submit(other, [dict(HOUSE, chamber="custom", bioguide_id=None, office_key="custom:9")])[0]
    worker = engine.worker_name()
    assert engine.process(engine.claim_one(sent.id, worker)).outcome == "sent"
    fake_cwc.reject_next("MemberOffice is closed for the recess")
    assert engine.process(engine.claim_one(rejected.id, worker)).outcome == "dead"
    smtp_server.stop()
    assert engine.process(engine.claim_one(failed.id, worker)).outcome == "failed"
    age(waiting, 5)
    return {
        "campaign": campaign,
        "other": other,
        "sent": sent,
        "rejected": rejected,
        "waiting": waiting,
        "failed": failed,
        "handoff": handoff,
    }


def cell(html: str, table: str, row: str, column: int) -> str:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    match = re.search(rf"<th scope=\"row\">{re.escape(row)}</th>(.*?)</tr>", body, re.S)
    assert match, row
    return re.findall(r"<td>(.*?)</td>", match.group(1), re.S)[column].strip()


def test_the_dashboard_shows_counts_age_and_failures_with_reasons(scene, organizer_client):
    response = organizer_client.get("/organizer/deliveries")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Columns follow Status: pending, sending, sent, failed, dead, handoff, handoff_sent, cancelled, unknown.
    assert [cell(html, "delivery-counts", "Communicating with Congress (CWC)", i) for i in range(5)] == [
        "1",
        "0",
        "1",
        "0",
        "1",
    ]
    assert cell(html, "delivery-counts", "Email", 3) == "1"
    assert cell(html, "delivery-counts", "Office contact form", 5) == "1"
    assert cell(html, "delivery-counts", "Total", 9) == "5"
    oldest = html.split('id="oldest-undelivered"', 1)[1].split("</p>", 1)[0]
    assert "5.0 hours old" in oldest
    assert '<th scope="col">Sent by the constituent (contact form)</th>' in html  # labels, not codes
    failures = html.split('id="delivery-failures"', 1)[1].split("</table>", 1)[0]
    assert "MemberOffice is closed for the recess" in failures
    assert "could not reach the SMTP server" in failures
    assert "ICE New York Field Office Director" in failures
    assert "director@ice.example.gov" not in html and "ana" not in html.lower()  # no personal data


def test_the_dashboard_filters_by_campaign(scene, organizer_client):
    html = organizer_client.get(f"/organizer/deliveries?campaign={scene['other'].id}").get_data(as_text=True)
    assert cell(html, "delivery-counts", "Total", 9) == "1"
    assert "No failed deliveries." in html
    assert "none waiting" in html


def test_staff_cannot_see_or_use_the_dashboard(scene, staff_client):
    assert staff_client.get("/organizer/deliveries").status_code == 403
    assert staff_client.post(f"/organizer/deliveries/{scene['failed'].id}/retry").status_code == 403


def test_retry_and_cancel_are_posts_with_a_csrf_token(scene, organizer_client, smtp_server):
    html = organizer_client.get("/organizer/deliveries").get_data(as_text=True)
    token = csrf_token_from(html)
    failed, rejected = scene["failed"], scene["rejected"]

    assert organizer_client.post(f"/organizer/deliveries/{failed.id}/retry").status_code == 400  # no token
    assert organizer_client.get(f"/organizer/deliveries/{failed.id}/retry").status_code == 405
    assert reload(failed).status == "failed"

    smtp_server.start()
    response = organizer_client.post(f"/organizer/deliveries/{failed.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    failed = reload(failed)
    assert failed.status == "pending" and failed.next_attempt_at <= utcnow()
    assert engine.deliver_now(failed.id).outcome == "sent"
    assert len(smtp_server.messages) == 1

    response = organizer_client.post(f"/organizer/deliveries/{rejected.id}/cancel", data={"csrf_token": token})
    assert response.status_code == 302
    assert reload(rejected).status == "cancelled"
    page = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The delivery was cancelled." in page

    # Neither button can touch a letter that went out.
    sent = scene["sent"]
    organizer_client.post(f"/organizer/deliveries/{sent.id}/cancel", data={"csrf_token": token})
    organizer_client.post(f"/organizer/deliveries/{sent.id}/retry", data={"csrf_token": token})
    assert reload(sent).status == "sent"


def test_retrying_a_dead_delivery_gives_it_fresh_attempts(scene, organizer_client, fake_cwc):
    token = csrf_token_from(organizer_client.get("/organizer/deliveries").get_data(as_text=True))
    rejected = scene["rejected"]
    organizer_client.post(f"/organizer/deliveries/{rejected.id}/retry", data={"csrf_token": token})
    rejected = reload(rejected)
    assert (rejected.status, rejected.attempts) == ("pending", 0)
    run_batch(engine.worker_name())
    assert reload(rejected).status == "sent"
    assert rejected.cwc_delivery_id in fake_cwc.accepted


def test_retry_every_failed_delivery(scene, organizer_client, smtp_server):
    token = csrf_token_from(organizer_client.get("/organizer/deliveries").get_data(as_text=True))
    smtp_server.start()
    response = organizer_client.post("/organizer/deliveries/retry-failed", data={"csrf_token": token})
    assert response.status_code == 302
    assert reload(scene["failed"]).status == "pending"
    assert reload(scene["rejected"]).status == "dead"  # dead ones are retried one by one, on purpose


# --- the metric ---------------------------------------------------------------------------------------


def test_the_metric_needs_a_token_or_a_staff_login(scene, client, staff_client):
    response = client.get("/metrics/deliveries")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics/deliveries", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert staff_client.get("/metrics/deliveries").status_code == 200


def test_the_metric_reports_the_oldest_undelivered_age(scene, client):
    response = client.get("/metrics/deliveries", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    age_line = next(line for line in text.splitlines() if line.startswith("advocacy_delivery_oldest_undelivered_age"))
    assert 5 * 3600 - 60 < float(age_line.split()[1]) < 5 * 3600 + 60
    assert 'advocacy_deliveries{channel="cwc",status="dead"} 1' in text
    assert 'advocacy_deliveries{channel="email",status="failed"} 1' in text

    data = client.get("/metrics/deliveries?format=json", headers={"Authorization": f"Bearer {TOKEN}"}).get_json()
    assert 5 * 3600 - 60 < data["oldest_undelivered_age_seconds"] < 5 * 3600 + 60
    assert data["undelivered"] == 2  # the waiting one and the failed one
    assert data["by_status"]["handoff"] == 1


def test_the_metric_is_zero_when_nothing_waits(app, db, client):
    data = client.get("/metrics/deliveries?format=json", headers={"Authorization": f"Bearer {TOKEN}"}).get_json()
    assert data == {
        "oldest_undelivered_age_seconds": 0.0,
        "undelivered": 0,
        "by_status": {},
        "by_channel": {},
        "by_kind": {},
    }


def test_status_command_prints_the_numbers(scene, runner):
    result = runner.invoke(args=["deliveries", "status"])
    assert result.exit_code == 0
    assert "dead          1" in result.output
    assert "oldest undelivered: 18" in result.output  # about 18,000 seconds

"""The constituent's receipt: owed at commit, sent once by the worker (or inline in development), retried."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.letters.models import Action
from advocacy.letters.receipts import send_pending_receipts
from tests.letters_support import GOOD

URL = "/api/v1/campaigns/sample-campaign/actions"


@pytest.fixture
def app_config(smtp_server):
    return {"ENVIRON": smtp_server.environ(), "DELIVERY_INLINE": False}


def test_receipt_is_owed_then_sent_once(client, db, live_campaign, smtp_server):
    assert client.post(URL, json=GOOD).status_code == 201
    action = db.session.scalar(select(Action))
    assert action.receipt_status == "pending"
    assert smtp_server.messages == []
    assert send_pending_receipts() == {"sent": 1}
    assert send_pending_receipts() == {}
    [message] = smtp_server.messages
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Your letters for Sample campaign: Free Sample Q. Person"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dear Ana," in text and "Senator" in text and "Representative" in text
    assert "contact form" in text  # the handoff offices, with the letter to paste
    assert "Dear Senator" in text
    assert "<img" not in html and "track" not in html.lower().replace("do not track", "")
    db.session.expire_all()
    assert db.session.scalar(select(Action)).receipt_status == "sent"


def test_the_worker_sends_receipts(client, db, live_campaign, smtp_server):
    from advocacy.delivery.worker import Poller

    client.post(URL, json=GOOD)
    Poller(burst=True).run()
    assert len(smtp_server.messages) == 1


def test_smtp_down_keeps_the_receipt_owed(client, db, live_campaign, smtp_server):
    client.post(URL, json=GOOD)
    smtp_server.stop()
    assert send_pending_receipts() == {"retry": 1}
    db.session.expire_all()
    action = db.session.scalar(select(Action))
    assert (action.receipt_status, action.receipt_attempts) == ("pending", 1)
    smtp_server.start()
    assert send_pending_receipts() == {"sent": 1}
    assert len(smtp_server.messages) == 1


def test_markup_in_names_is_escaped_in_the_html_receipt(client, db, live_campaign, smtp_server):
    client.post(URL, json={**GOOD, "first_name": "<b>Ana</b>"})
    send_pending_receipts()
    html = smtp_server.messages[0].get_body(("html",)).get_content()
    assert "<b>Ana</b>" not in html and "&lt;b&gt;Ana&lt;/b&gt;" in html


class TestInline:
    @pytest.fixture
    def app_config(self, smtp_server):
        return {"ENVIRON": smtp_server.environ(), "DELIVERY_INLINE": True}

    def test_sent_right_after_the_commit_in_development(self, client, db, live_campaign, smtp_server):
        client.post(URL, json=GOOD)
        assert len(smtp_server.messages) == 1
        assert db.session.scalar(select(Action)).receipt_status == "sent"


class TestNoMail:
    @pytest.fixture
    def app_config(self):
        return {}

    def test_no_receipt_without_mail(self, client, db, live_campaign):
        client.post(URL, json=GOOD)
        assert db.session.scalar(select(Action)).receipt_status == "none"
        assert send_pending_receipts() == {}


def test_the_receipt_message_id_is_globally_unique_and_ends_in_a_real_domain(client, db, live_campaign, smtp_server):
    client.post(URL, json=GOOD)
    send_pending_receipts()
    [message] = smtp_server.messages
    action = db.session.scalar(select(Action))
    assert message["Message-ID"].strip() == f"<receipt-{action.id}@advocacy.example.org>"  # long: may be folded


def test_the_receipt_tells_each_letter_apart_as_delivered_on_its_way_or_needing_a_step(
    client, db, live_campaign, smtp_server
):
    client.post(URL, json=GOOD)
    send_pending_receipts()
    [message] = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    # the sample campaign's offices are all contact-form handoffs: none is delivered yet, each needs a step
    assert "Needs your step" in text and "Needs your step" in html
    assert "Delivered" not in text and "On its way" not in text
    assert "1 letter needs your step" not in text and "3 letters need your step" in text

"""The constituent's receipt: owed at commit, sent once by the worker (or inline in development), retried."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.letters.models import Action
from advocacy.letters.receipts import send_pending_receipts
from tests.letters_support import GOOD

URL = "/api/v1/campaigns/guan-heng/actions"


@pytest.fixture
def app_config(smtp_server):
    return {"ENVIRON": smtp_server.environ(), "DELIVERY_INLINE": False}


def test_receipt_is_owed_then_sent_once(client, db, guan_heng, smtp_server):
    assert client.post(URL, json=GOOD).status_code == 201
    action = db.session.scalar(select(Action))
    assert action.receipt_status == "pending"
    assert smtp_server.messages == []
    assert send_pending_receipts() == {"sent": 1}
    assert send_pending_receipts() == {}
    [message] = smtp_server.messages
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Your letters for Free Guan Heng"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dear Ana," in text and "Senator" in text and "Representative" in text
    assert "contact form" in text  # the handoff offices, with the letter to paste
    assert "Dear Senator" in text
    assert "<img" not in html and "track" not in html.lower().replace("do not track", "")
    db.session.expire_all()
    assert db.session.scalar(select(Action)).receipt_status == "sent"


def test_the_worker_sends_receipts(client, db, guan_heng, smtp_server):
    from advocacy.delivery.worker import Worker

    client.post(URL, json=GOOD)
    Worker(burst=True).run()
    assert len(smtp_server.messages) == 1


def test_smtp_down_keeps_the_receipt_owed(client, db, guan_heng, smtp_server):
    client.post(URL, json=GOOD)
    smtp_server.stop()
    assert send_pending_receipts() == {"retry": 1}
    db.session.expire_all()
    action = db.session.scalar(select(Action))
    assert (action.receipt_status, action.receipt_attempts) == ("pending", 1)
    smtp_server.start()
    assert send_pending_receipts() == {"sent": 1}
    assert len(smtp_server.messages) == 1


def test_markup_in_names_is_escaped_in_the_html_receipt(client, db, guan_heng, smtp_server):
    client.post(URL, json={**GOOD, "first_name": "<b>Ana</b>"})
    send_pending_receipts()
    html = smtp_server.messages[0].get_body(("html",)).get_content()
    assert "<b>Ana</b>" not in html and "&lt;b&gt;Ana&lt;/b&gt;" in html


class TestInline:
    @pytest.fixture
    def app_config(self, smtp_server):
        return {"ENVIRON": smtp_server.environ(), "DELIVERY_INLINE": True}

    def test_sent_right_after_the_commit_in_development(self, client, db, guan_heng, smtp_server):
        client.post(URL, json=GOOD)
        assert len(smtp_server.messages) == 1
        assert db.session.scalar(select(Action)).receipt_status == "sent"


class TestNoMail:
    @pytest.fixture
    def app_config(self):
        return {}

    def test_no_receipt_without_mail(self, client, db, guan_heng):
        client.post(URL, json=GOOD)
        assert db.session.scalar(select(Action)).receipt_status == "none"
        assert send_pending_receipts() == {}

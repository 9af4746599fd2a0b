"""The constituent's receipt: an outbox row written with the submission, sent once by the delivery worker (or
inline in development), retried with the letters' backoff, cancelled if the constituent is purged first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.delivery.models import Delivery
from advocacy.delivery.worker import Worker
from advocacy.letters.models import Action
from tests.delivery_support import run_batch
from tests.letters_support import GOOD

URL = "/api/v1/campaigns/sample-campaign/actions"


@pytest.fixture
def app_config(smtp_server):
    return {"ENVIRON": smtp_server.environ(), "DELIVERY_INLINE": False}


def receipts(db) -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(Delivery).where(Delivery.kind == "receipt")))


def test_the_receipt_is_an_outbox_row_of_the_submission_and_is_sent_once(client, db, live_campaign, smtp_server):
    assert client.post(URL, json=GOOD).status_code == 201
    action = db.session.scalar(select(Action))
    (receipt,) = receipts(db)
    assert (receipt.action_id, receipt.status, receipt.channel, receipt.letter_id) == (
        action.id,
        "pending",
        "email",
        None,
    )
    assert smtp_server.messages == []
    Worker(burst=True).run()
    Worker(burst=True).run()  # nothing more to send
    [message] = smtp_server.messages
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Your letters for Sample campaign: Free Sample Q. Person"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dear Ana," in text and "Senator" in text and "Representative" in text
    assert "contact form" in text  # the handoff offices, with the letter to paste
    assert "Dear Senator" in text
    assert "<img" not in html and "track" not in html.lower().replace("do not track", "")
    assert [r.status for r in receipts(db)] == ["sent"]


def test_smtp_down_keeps_the_receipt_owed_with_the_letters_backoff(client, db, live_campaign, smtp_server):
    client.post(URL, json=GOOD)
    smtp_server.stop()
    assert [r.outcome for r in run_batch("w")] == ["failed"]
    (receipt,) = receipts(db)
    assert (receipt.status, receipt.attempts) == ("failed", 1)
    assert "could not reach the SMTP server" in receipt.last_error
    smtp_server.start()
    assert [r.outcome for r in run_batch("w", now=receipt.next_attempt_at)] == ["sent"]
    assert len(smtp_server.messages) == 1


def test_a_receipt_owed_to_someone_purged_meanwhile_is_cancelled_not_sent(client, db, live_campaign, smtp_server):
    client.post(URL, json=GOOD)
    db.session.execute(Action.__table__.update().values(email="", purged_at=db.func.now()))
    db.session.commit()
    assert [r.outcome for r in run_batch("w")] == ["skipped"]
    assert [r.status for r in receipts(db)] == ["cancelled"]
    assert smtp_server.messages == []


def test_markup_in_names_is_escaped_in_the_html_receipt(client, db, live_campaign, smtp_server):
    client.post(URL, json={**GOOD, "first_name": "<b>Ana</b>"})
    Worker(burst=True).run()
    html = smtp_server.messages[0].get_body(("html",)).get_content()
    assert "<b>Ana</b>" not in html and "&lt;b&gt;Ana&lt;/b&gt;" in html


class TestInline:
    @pytest.fixture
    def app_config(self, smtp_server):
        return {"ENVIRON": smtp_server.environ(), "DELIVERY_INLINE": True}

    def test_sent_right_after_the_commit_in_development(self, client, db, live_campaign, smtp_server):
        client.post(URL, json=GOOD)
        assert len(smtp_server.messages) == 1
        assert [r.status for r in receipts(db)] == ["sent"]


class TestNoMail:
    @pytest.fixture
    def app_config(self):
        return {}

    def test_no_receipt_without_mail(self, client, db, live_campaign):
        client.post(URL, json=GOOD)
        assert receipts(db) == []


def test_the_receipt_message_id_is_globally_unique_and_ends_in_a_real_domain(client, db, live_campaign, smtp_server):
    client.post(URL, json=GOOD)
    run_batch("test-worker")
    [message] = smtp_server.messages
    [receipt] = receipts(db)
    # the outbox row's uuid4 (unique beyond this database) under the sender's real domain; long: may be folded
    assert message["Message-ID"].strip() == f"<{receipt.id.replace('-', '')}.receipt@advocacy.example.org>"


def test_the_receipt_tells_each_letter_apart_as_delivered_on_its_way_or_needing_a_step(
    client, db, live_campaign, smtp_server
):
    client.post(URL, json=GOOD)
    run_batch("test-worker")
    [message] = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    # the sample campaign's offices are all contact-form handoffs: none is delivered yet, each needs a step
    assert "Needs your step" in text and "Needs your step" in html
    assert "Delivered" not in text and "On its way" not in text
    assert "1 letter needs your step" not in text and "3 letters need your step" in text

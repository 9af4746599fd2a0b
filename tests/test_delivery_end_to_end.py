"""From a constituent's submission (the real API, the shipped sample campaign and congress data) to the
office, through CWC: each letter arrives once, and a submission succeeds even when Redis is down."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.delivery.models import Delivery
from tests.fakes.smtp import free_port
from tests.fakes.submissions import delivery_config
from tests.letters_support import GOOD

URL = "/api/v1/campaigns/sample-campaign/actions"


@pytest.fixture
def app_config(fake_cwc, smtp_server):
    return delivery_config(cwc=fake_cwc, smtp=smtp_server)


@pytest.fixture
def network(no_network, fake_cwc):
    """Nothing leaves the machine except requests to the fake CWC server."""
    no_network.add_passthru(fake_cwc.url)
    return no_network


def work(runner) -> str:
    result = runner.invoke(args=["deliveries", "work", "--burst"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_submission_reaches_each_office_through_cwc_exactly_once(
    client, db, live_campaign, network, runner, fake_cwc, smtp_server
):
    response = client.post(URL, json=GOOD)
    assert response.status_code == 201, response.json
    letters = response.json["letters"]
    assert [letter["delivery"] for letter in letters] == [{"channel": "cwc", "status": "pending"}] * 3

    assert "4 sent" in work(runner)  # three letters and the constituent's receipt, from the one outbox
    deliveries = db.session.scalars(select(Delivery)).all()
    assert {d.status for d in deliveries} == {"sent"}
    assert sorted(d.kind for d in deliveries) == ["letter", "letter", "letter", "receipt"]
    (receipt,) = smtp_server.messages
    assert (
        receipt["To"] == "ana@example.org"
        and receipt["Subject"] == "Your letters for Sample campaign: Free Sample Q. Person"
    )
    offices = sorted(fields["member_office"] for fields in fake_cwc.accepted.values())
    assert offices == ["HNY20", "SNY00", "SNY02"]  # Albany: NY-20, Gillibrand (class 1), Schumer (class 3)
    for fields in fake_cwc.accepted.values():
        assert fields["campaign_id"] == "sample-campaign"
        assert fields["topics"] == ["Immigration"]
        assert fields["email"] == "ana@example.org"
        assert "Sample Q. Person" in fields["subject"]

    again = client.post(URL, json=GOOD)  # the same constituent again: no second letter, no second delivery
    assert again.status_code == 200
    assert "nothing due" in work(runner)
    assert len(fake_cwc.message_posts()) == 3


class TestRedisDown:
    @pytest.fixture
    def app_config(self, fake_cwc, smtp_server):
        closed = f"redis://127.0.0.1:{free_port()}/0"
        return delivery_config(cwc=fake_cwc, smtp=smtp_server, environ={"ADVOCACY_REDIS_URL": closed})

    def test_the_submission_succeeds_and_the_letters_go_out_later(
        self, client, db, live_campaign, network, runner, fake_cwc, smtp_server
    ):
        response = client.post(URL, json=GOOD)
        assert response.status_code == 201, response.json
        assert {d.status for d in db.session.scalars(select(Delivery))} == {"pending"}

        assert "4 sent" in work(runner)  # the outbox is the queue: Redis plays no part in delivery
        db.session.expire_all()
        assert {d.status for d in db.session.scalars(select(Delivery))} == {"sent"}
        assert len(fake_cwc.accepted) == 3 == len(fake_cwc.message_posts())
        assert len(smtp_server.messages) == 1  # the receipt

"""The worker: many sends in flight at once within each channel's limits, and woken at once by a submission's
NOTIFY on PostgreSQL. Against the fake CWC (a real HTTP server) and the real database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from advocacy.delivery.models import Delivery
from advocacy.delivery.throttle import ChannelGate
from advocacy.delivery.worker import Worker
from tests.fakes.submissions import HOUSE, delivery_config, make_campaign, submit
from tests.letters_support import GOOD

BOUND = 30  # seconds: a bound on a wait that normally ends at once, never a measurement


@pytest.fixture
def app_config(fake_cwc):
    return delivery_config(cwc=fake_cwc)


def offices(n: int) -> list[dict]:
    return [dict(HOUSE, office_key=f"X{i}") for i in range(n)]


class InFlight:
    """Counts the messages CWC holds at once; each waits at a barrier until `together` are in flight."""

    def __init__(self, together: int):
        self.barrier = threading.Barrier(together, timeout=BOUND)
        self.lock = threading.Lock()
        self.now = self.most = 0

    def __call__(self, _fields) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            self.barrier.wait()
        finally:
            with self.lock:
                self.now -= 1


def test_one_worker_has_many_letters_in_flight_at_once(app, db, fake_cwc):
    deliveries = submit(make_campaign(), offices(8))
    fake_cwc.on_message = in_flight = InFlight(8)  # the barrier only opens with all 8 at CWC together
    worker = Worker(burst=True, concurrency=8)
    worker.run()
    assert worker.outcomes == {"sent": 8}
    assert in_flight.most == 8
    assert len(fake_cwc.accepted) == 8 == len({d.cwc_delivery_id for d in deliveries})


def test_a_channel_limit_caps_the_requests_in_flight_to_that_channel(app, db, fake_cwc):
    app.config["DELIVERY_CWC_MAX_IN_FLIGHT"] = 2
    submit(make_campaign(), offices(6))
    fake_cwc.on_message = in_flight = InFlight(2)
    worker = Worker(burst=True, concurrency=6)
    worker.run()
    assert worker.outcomes == {"sent": 6}
    assert in_flight.most == 2  # six threads, two at CWC at a time
    assert len(fake_cwc.accepted) == 6


def test_a_worker_claims_only_what_it_can_start(app, db, fake_cwc):
    submit(make_campaign(), offices(10))
    engine = db.engine
    seen: list[int] = []

    def count_sending(_fields):
        with engine.connect() as conn:
            seen.append(len(conn.execute(select(Delivery.id).where(Delivery.status == "sending")).all()))

    fake_cwc.on_message = count_sending
    worker = Worker(burst=True, concurrency=3)
    worker.run()
    assert worker.outcomes == {"sent": 10}
    assert len(seen) == 10 and max(seen) <= 3  # never more claimed (in `sending`) than threads to send them


def test_the_gate_paces_starts_per_second_with_an_injected_clock():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))

    gate = ChannelGate(per_second=4, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        with gate.passage():
            pass
    assert slept == [0.25, 0.5, 0.75, 1.0]  # the first goes at once, then one every quarter second
    now[0] += 10  # a quiet spell: no debt is carried over
    slept.clear()
    with gate.passage():
        pass
    assert slept == []


def test_a_submission_wakes_a_listening_worker_at_once(client, db, live_campaign, no_network, fake_cwc, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: LISTEN/NOTIFY (SQLite workers poll)")
    no_network.add_passthru(fake_cwc.url)
    arrived = threading.Event()
    fake_cwc.on_message = lambda _fields: len(fake_cwc.accepted) >= 2 and arrived.set()
    worker = Worker(poll_interval=3600)  # polling alone would not look again for an hour
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        assert worker.listener.listening.wait(BOUND)  # then it looks at the (empty) outbox once and waits
        response = client.post("/api/v1/campaigns/sample-campaign/actions", json=GOOD)
        assert response.status_code == 201, response.json
        assert arrived.wait(BOUND), "the worker was not woken by the submission"
    finally:
        worker.stop.set()
        worker.wake.set()
        thread.join(BOUND)
    assert len(fake_cwc.accepted) >= 2

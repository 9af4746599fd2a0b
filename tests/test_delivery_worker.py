"""The worker: many sends in flight at once within each channel's limits (from the ADVOCACY_DELIVERY_* settings),
a backlog shared fairly between workers, a pooled database connection per thread, woken at once by a
submission's NOTIFY on PostgreSQL and polling elsewhere. Against the fake CWC (a real HTTP server) and the real
database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from advocacy.config import ConfigError, load_settings
from advocacy.delivery.models import Delivery
from advocacy.delivery.throttle import ChannelGate
from advocacy.delivery.worker import OWN_CONNECTIONS, Worker
from tests.conftest import make_app
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


def test_workers_share_the_backlog_each_claiming_only_what_it_can_start(app, db, fake_cwc):
    # Eight letters at CWC together, from two workers of four threads each: the barrier opens only when both
    # hold four, so neither may claim the other's share of the backlog and leave it idle.
    submit(make_campaign(), offices(16))
    fake_cwc.on_message = in_flight = InFlight(8)
    workers = [Worker(burst=True, worker=name, concurrency=4, run_jobs=False) for name in ("host-a:1", "host-b:1")]
    threads = [threading.Thread(target=worker.run) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND * 2)
    assert [worker.outcomes for worker in workers] == [{"sent": 8}, {"sent": 8}]
    assert in_flight.most == 8
    assert len(fake_cwc.accepted) == 16


def test_a_worker_keeps_a_database_connection_for_each_thread_that_may_use_one(app, db, fake_cwc):
    # A pool smaller than the threads opens and closes connections per letter under load (docs/performance.md).
    old_pool = db.engine.pool
    listeners = {name: list(getattr(old_pool.dispatch, name)) for name in ("connect", "checkout", "checkin")}
    worker = Worker(burst=True, concurrency=40)
    assert worker.connections == 40 + OWN_CONNECTIONS + worker.jobs.concurrency
    assert db.engine.pool.size() == worker.connections
    # The same pool otherwise: its set-up on connect and its checks on checkout and checkin are still there.
    assert {name: list(getattr(db.engine.pool.dispatch, name)) for name in listeners} == listeners
    submit(make_campaign(), offices(3))
    worker.run()
    assert worker.outcomes == {"sent": 3}
    assert Worker(burst=True, concurrency=4).connections < db.engine.pool.size()  # it never shrinks


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


def test_the_worker_s_limits_are_the_advocacy_delivery_settings(database_url):
    app = make_app(
        database_url,
        ENVIRON={
            "ADVOCACY_DELIVERY_CONCURRENCY": "12",
            "ADVOCACY_DELIVERY_CWC_MAX_IN_FLIGHT": "3",
            "ADVOCACY_DELIVERY_CWC_PER_SECOND": "4",
            "ADVOCACY_DELIVERY_SMTP_PER_SECOND": "2",
        },
    )
    with app.app_context():
        worker = Worker(burst=True, run_jobs=False)
    assert worker.concurrency == 12
    assert worker.gates["cwc"].interval == 0.25 and worker.gates["email"].interval == 0.5
    cwc_slots = worker.gates["cwc"].slots
    assert [cwc_slots.acquire(blocking=False) for _ in range(4)] == [True, True, True, False]
    assert worker.gates["email"].slots.acquire(blocking=False)  # SMTP's default: 8 in flight
    with pytest.raises(ConfigError, match="ADVOCACY_DELIVERY_SMTP_PER_SECOND"):
        load_settings({"ADVOCACY_DELIVERY_SMTP_PER_SECOND": "-1"})


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


def test_without_listen_notify_an_idle_worker_polls_and_finds_new_work(app, db, fake_cwc, database_url):
    if database_url.startswith("postgresql"):
        pytest.skip("SQLite: it has no LISTEN/NOTIFY, so workers poll (PostgreSQL's wake-up is tested above)")
    campaign = make_campaign()
    submit(campaign, offices(1))
    arrived = threading.Semaphore(0)
    fake_cwc.on_message = lambda _fields: arrived.release()
    worker = Worker(poll_interval=0.05, run_jobs=False)
    assert worker.listener is None and worker._mode() == "polling"
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        assert arrived.acquire(timeout=BOUND)  # what was due when it started
        submit(campaign, [dict(HOUSE, office_key="later")])  # written while it waits: no one wakes it
        assert arrived.acquire(timeout=BOUND), "the polling worker did not find the new letter"
    finally:
        worker.stop.set()
        worker.wake.set()
        thread.join(BOUND)
    assert worker.outcomes == {"sent": 2}
    assert len(fake_cwc.accepted) == 2

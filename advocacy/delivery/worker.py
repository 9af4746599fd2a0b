"""The long-running workers behind `flask deliveries work`: a database poller, or an RQ worker."""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from advocacy.delivery import engine
from advocacy.delivery.options import option
from advocacy.extensions import db

log = logging.getLogger(__name__)

RECOVER_EVERY = 60.0
MAX_DB_FAILURES_IN_BURST = 5


@contextmanager
def stop_on_signals(stop: threading.Event):
    """While inside, SIGTERM/SIGINT set `stop`; the previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, lambda *_: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def send_side_mail() -> None:
    """Mail that rides along with deliveries: constituents' receipts and statement follow-ups. Never raises."""
    from advocacy.letters.receipts import send_pending_receipts
    from advocacy.statements.followups import send_pending_followups

    for job in (send_pending_receipts, send_pending_followups):
        try:
            job()
        except Exception:  # noqa: BLE001 - side mail must not stop letters from going out
            log.exception("delivery worker: %s failed", job.__name__)
            db.session.rollback()


class Poller:
    """Claims due deliveries from the database in batches and sends them, until asked to stop.

    Safe to run any number of times on any number of hosts: claims never overlap. Also recovers
    deliveries stuck in `sending` (a killed worker) once a minute, so `deliveries retry` in cron
    is a second line rather than the only one.
    """

    def __init__(self, *, burst: bool = False, worker: str | None = None, poll_interval: float | None = None):
        self.burst = burst
        self.worker = worker or engine.worker_name()
        self.poll_interval = float(option("DELIVERY_POLL_INTERVAL") if poll_interval is None else poll_interval)
        self.stop = threading.Event()
        self.processed = 0
        self.outcomes: dict[str, int] = {}

    def run_until_signalled(self) -> int:
        """`run()`, with SIGTERM and SIGINT asking for a clean stop (claims in hand are given back)."""
        with stop_on_signals(self.stop):
            return self.run()

    def run(self) -> int:
        log.info("delivery worker %s started (%s)", self.worker, "burst" if self.burst else "polling")
        failures, pause, last_recovery = 0, 1.0, 0.0
        while not self.stop.is_set():
            try:
                if not self.burst and time.monotonic() - last_recovery > RECOVER_EVERY:
                    engine.recover_stuck()
                    last_recovery = time.monotonic()
                claims = engine.claim_due(self.worker, int(option("DELIVERY_BATCH_SIZE")))
            except SQLAlchemyError as exc:
                failures += 1
                log.warning("delivery worker: database unavailable (%s); waiting %.0f s", type(exc).__name__, pause)
                if self.burst and failures >= MAX_DB_FAILURES_IN_BURST:
                    raise
                self.stop.wait(pause)
                pause = min(pause * 2, 30.0)
                continue
            failures, pause = 0, 1.0
            for n, claim in enumerate(claims):
                if self.stop.is_set():
                    engine.release(claims[n:])
                    break
                result = engine.process(claim)
                self.processed += 1
                self.outcomes[result.outcome] = self.outcomes.get(result.outcome, 0) + 1
            if not claims:
                send_side_mail()
                if self.burst:
                    break
                self.stop.wait(self.poll_interval)
        log.info("delivery worker %s stopped after %d deliveries", self.worker, self.processed)
        return self.processed


def run_rq_worker(*, burst: bool, stop: threading.Event | None = None) -> bool:
    """An RQ worker on the delivery queue, in this process (SimpleWorker: no fork, so the app context
    and its connection pool stay valid). The scheduler brings failed deliveries back at their
    `next_attempt_at`. Returns True when it stopped because it was asked to (or ran out of work in
    burst mode); raises RedisError/OSError when Redis is unreachable.

    `stop` is set by our own signal handlers, which are in charge until RQ installs its own: a signal
    that lands in between still stops the worker."""
    from rq import SimpleWorker

    from advocacy.delivery.queue import delivery_queue, redis_connection

    class DeliveryWorker(SimpleWorker):
        def _install_signal_handlers(self):
            super()._install_signal_handlers()
            if stop is not None and stop.is_set():
                self._stop_requested = True  # checked at the top of RQ's work loop

    connection = redis_connection()
    name = "delivery-" + engine.worker_name().replace(":", "-")
    worker = DeliveryWorker([delivery_queue(connection)], connection=connection, name=name)
    worker.work(burst=burst, with_scheduler=True, logging_level=_log_level())
    # Asked to stop (SIGTERM/SIGINT) while idle or busy; anything else means Redis went away.
    asked = getattr(worker, "_shutdown_requested_date", None) is not None or getattr(worker, "_stop_requested", False)
    return burst or bool(asked) or bool(stop is not None and stop.is_set())


def run_queue_worker(*, burst: bool) -> None:
    """The RQ worker, falling back to polling the database while Redis is unreachable, so letters
    keep going out during a Redis outage (claims make the two safe to mix)."""
    from redis.exceptions import RedisError

    stop = threading.Event()
    with stop_on_signals(stop):
        while not stop.is_set():
            try:
                if run_rq_worker(burst=burst, stop=stop):
                    return
                log.warning("delivery worker: the queue worker stopped unexpectedly; polling the database meanwhile")
            except (RedisError, OSError) as exc:
                log.warning(
                    "delivery worker: Redis unavailable (%s); polling the database meanwhile", type(exc).__name__
                )
            with stop_on_signals(stop):  # RQ left its own handlers behind
                poller = Poller(burst=True)
                poller.stop = stop
                poller.run()
                if burst:
                    return
                stop.wait(max(5.0, float(option("DELIVERY_POLL_INTERVAL")) * 5))


def _log_level() -> str:
    from flask import current_app

    return current_app.config["ADVOCACY_SETTINGS"].log_level.upper()

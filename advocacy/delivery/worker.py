"""The long-running worker behind `flask deliveries work`: claims from the outbox, many sends in flight.

The outbox in the database is the queue. A worker claims only what it can start at once (free threads),
sends each claim on a thread of its own pool within the channel's gate (throttle.py), and wakes at once
when a submission commits (LISTEN/NOTIFY on PostgreSQL, see wakeup.py), else every poll interval.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from advocacy.dbsetup import keep_connections
from advocacy.delivery import engine, jobrunner, throttle, wakeup
from advocacy.delivery.options import option
from advocacy.extensions import db

log = logging.getLogger(__name__)

RECOVER_EVERY = 60.0
MAX_DB_FAILURES_IN_BURST = 5
# Database connections a worker uses besides one per sending thread and one per job thread: the claiming loop's,
# and one spare (a NOTIFY, a recovery).
OWN_CONNECTIONS = 2


@contextmanager
def stop_on_signals(stop: threading.Event, wake: threading.Event | None = None):
    """While inside, SIGTERM/SIGINT set `stop` (and `wake`); the previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handler(*_):
        stop.set()
        if wake is not None:
            wake.set()

    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class _Wakes:
    """One wake-up (a NOTIFY) for both loops: the sends' and the jobs'."""

    def __init__(self, *events: threading.Event):
        self.events = events

    def set(self) -> None:
        for event in self.events:
            event.set()


class Worker:
    """Claims due deliveries and sends up to `concurrency` of them at once, until asked to stop.

    Safe to run any number of times on any number of hosts: claims never overlap, and each takes at most
    what this worker can start. Also recovers deliveries stuck in `sending` (a killed worker) once a
    minute, so `deliveries retry` in cron is a second line rather than the only one. On a stop, it claims
    nothing more and lets the sends in flight finish (each is bounded by its channel's timeout).
    """

    def __init__(
        self,
        *,
        burst: bool = False,
        worker: str | None = None,
        poll_interval: float | None = None,
        concurrency: int | None = None,
        run_jobs: bool = True,
    ):
        self.app = current_app._get_current_object()
        self.burst = burst
        self.worker = worker or engine.worker_name()
        self.poll_interval = float(option("DELIVERY_POLL_INTERVAL") if poll_interval is None else poll_interval)
        self.concurrency = max(1, int(option("DELIVERY_CONCURRENCY") if concurrency is None else concurrency))
        self.batch = max(1, int(option("DELIVERY_BATCH_SIZE")))
        # Claim again once this many threads are free (or all are): fewer, fuller claims under load.
        self.refill = max(1, min(self.batch, self.concurrency // 4))
        # Look for sends a dead worker left behind at least twice per DELIVERY_SENDING_TIMEOUT.
        self.recover_every = min(RECOVER_EVERY, float(option("DELIVERY_SENDING_TIMEOUT")) / 2)
        self.gates = throttle.gates_from_options(option)
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.backlogged = False
        self.processed = 0
        self.outcomes: dict[str, int] = {}
        # Background jobs (large exports, "scan now") run beside the sends, on threads of their own.
        self.job_wake = threading.Event()
        self.jobs = (
            jobrunner.JobLoop(self.app, self.worker, self.stop, self.job_wake, burst=burst) if run_jobs else None
        )
        conninfo = None if burst else wakeup.libpq_url(self.app)
        self.listener = wakeup.Listener(conninfo, _Wakes(self.wake, self.job_wake), self.stop) if conninfo else None
        # The pool keeps a connection for every thread that may use one at once, so none is opened and closed
        # per letter (the listener holds its own connection, outside the pool).
        self.connections = self.concurrency + OWN_CONNECTIONS + (self.jobs.concurrency if self.jobs else 0)
        keep_connections(db.engine, self.connections)

    def run_until_signalled(self) -> int:
        """`run()`, with SIGTERM and SIGINT asking for a clean stop."""
        with stop_on_signals(self.stop, self.wake):
            return self.run()

    def run(self) -> int:
        log.info(
            "delivery worker %s started (%s, %d at once, %d database connections kept)",
            self.worker,
            self._mode(),
            self.concurrency,
            self.connections,
        )
        if self.listener is not None:
            self.listener.start()
        pool = ThreadPoolExecutor(self.concurrency, "delivery", initializer=self._thread_started)
        if self.jobs is not None:
            self.jobs.start()
        try:
            with self.app.app_context():  # the claiming loop's own session (run() may be on any thread)
                self._loop(pool)
            if self.burst and self.jobs is not None:
                self.jobs.join()  # a burst also runs the queued jobs to the end
        finally:
            self.stop.set()  # also ends the listener and the job loop (after the job it is running)
            self.job_wake.set()
            pool.shutdown(wait=True)  # the sends in flight finish and record their outcomes
            if self.jobs is not None:
                self.jobs.join()
        log.info("delivery worker %s stopped after %d deliveries", self.worker, self.processed)
        return self.processed

    def _mode(self) -> str:
        return "burst" if self.burst else "listening" if self.listener else "polling"

    def _loop(self, pool: ThreadPoolExecutor) -> None:
        failures, pause, last_recovery = 0, 1.0, 0.0
        while not self.stop.is_set():
            self.wake.clear()
            free = self.concurrency - self.in_flight
            if free < self.refill and self.in_flight:
                self.wake.wait(self.poll_interval)  # a send finishing sets it
                continue
            try:
                if not self.burst and time.monotonic() - last_recovery > self.recover_every:
                    engine.recover_stuck()
                    last_recovery = time.monotonic()
                wanted = min(free, self.batch)
                claims = engine.claim_due(self.worker, wanted)
            except SQLAlchemyError as exc:
                failures += 1
                log.warning("delivery worker: database unavailable (%s); waiting %.0f s", type(exc).__name__, pause)
                if self.burst and failures >= MAX_DB_FAILURES_IN_BURST and not self.in_flight:
                    raise
                self.stop.wait(pause)
                pause = min(pause * 2, 30.0)
                continue
            failures, pause = 0, 1.0
            self.backlogged = len(claims) == wanted
            for claim in claims:
                self._start(pool, claim)
            if self.backlogged:
                continue
            if self.in_flight:
                self.wake.wait(self.poll_interval)
                continue
            if self.burst:
                if self.wake.is_set():
                    continue  # a send finished while we claimed: it may have left work due now (a reroute to email)
                return
            self.wake.wait(self.poll_interval)

    def _thread_started(self) -> None:
        # Each sending thread keeps an app context (and so a database session) of its own for its life.
        self.app.app_context().push()

    def _start(self, pool: ThreadPoolExecutor, claim: engine.Claim) -> None:
        with self.lock:
            self.in_flight += 1
        pool.submit(self._send, claim).add_done_callback(self._finished)

    def _send(self, claim: engine.Claim) -> str:
        try:
            return engine.process(claim, self.gates).outcome
        except Exception:  # noqa: BLE001 - the claim stays in `sending` and is recovered after the timeout
            log.exception("delivery %s: unexpected error in the worker", claim.delivery_id)
            engine._rollback()
            return "error"

    def _finished(self, future: Future) -> None:
        outcome = future.result() if not future.cancelled() else "cancelled"
        with self.lock:
            self.in_flight -= 1
            self.processed += 1
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        self.wake.set()

"""Waking idle workers at once when work arrives: LISTEN/NOTIFY on PostgreSQL (polling covers the rest).

A submission's own statement notifies `CHANNEL` when it writes a delivery to send (letters/store.py), so the
notice goes out when, and only if, the submission commits. Other code that makes work due (a retry from the
dashboard or from cron) calls `notify_workers()` after its commit. A notice carries nothing: workers claim
from the outbox as always, so a lost notice only costs a poll interval.
"""

from __future__ import annotations

import logging
import threading

import psycopg
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from advocacy.extensions import db

log = logging.getLogger(__name__)

CHANNEL = "advocacy_outbox"
NOTIFY_SQL = f"SELECT pg_notify('{CHANNEL}', '')"


def notify_workers() -> None:
    """Tell listening workers that something became due (PostgreSQL only). Never raises."""
    if db.engine.dialect.name != "postgresql":
        return
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(NOTIFY_SQL))
    except SQLAlchemyError as exc:
        log.warning("could not notify delivery workers (%s); they find the work on their next poll", type(exc).__name__)


def libpq_url(app: Flask) -> str | None:
    """The database URL in libpq's form, or None when the database is not PostgreSQL."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """A thread that holds one connection LISTENing on CHANNEL and sets `wake` on every notice (and after
    each (re)connection, when notices may have been missed). Reconnects with backoff through an outage."""

    def __init__(self, conninfo: str, wake: threading.Event, stop: threading.Event):
        self.conninfo = conninfo
        self.wake = wake
        self.stop = stop
        self.listening = threading.Event()  # set while LISTENing (tests wait on it)
        self.thread = threading.Thread(target=self._run, name="delivery-listener", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        pause = 1.0
        while not self.stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    pause = 1.0
                    self.listening.set()
                    self.wake.set()
                    while not self.stop.is_set():
                        for _notice in conn.notifies(timeout=1.0):
                            self.wake.set()
            except psycopg.Error as exc:
                self.listening.clear()
                log.warning("delivery worker: not listening for new work (%s); polling", type(exc).__name__)
                self.stop.wait(pause)
                pause = min(pause * 2, 30.0)

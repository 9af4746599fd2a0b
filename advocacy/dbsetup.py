"""Per-connection database settings."""

from __future__ import annotations

import select
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import QueuePool


def configure_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers, enforced foreign keys, and waiting on a busy lock."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


# A connection idle this long is pinged before use even when nothing says it is dead (e.g. a firewall that
# drops idle flows without a word).
PING_AFTER_IDLE_SECONDS = 30.0


def configure_postgres(engine: Engine) -> None:
    """Check a pooled connection before use only when it may be dead, not with a round trip every time.

    SQLAlchemy's pool_pre_ping sends `SELECT 1` on every checkout: one extra round trip per request, a third of
    a letter submission's. A server that ends a connection (a restart, pg_terminate_backend, an idle timeout)
    first sends an error and closes the socket, so a socket with something to read is a connection to ping;
    so is one idle for PING_AFTER_IDLE_SECONDS. A failed ping makes the pool replace the connection
    (DisconnectionError), as pool_pre_ping does.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None:  # connected just now
            return
        if time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS and not _has_input(dbapi_connection):
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - any failure means the connection cannot be used
            raise DisconnectionError("connection failed its ping") from exc
        if not alive:
            raise DisconnectionError("connection failed its ping")


def _has_input(dbapi_connection) -> bool:
    """Whether the server has sent something unasked (an error before closing, or end of file)."""
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except Exception:  # noqa: BLE001 - a closed connection has no socket
        return True
    return bool(readable)


def keep_connections(engine: Engine, size: int) -> None:
    """Let this process's pool keep at least `size` connections open between uses (a delivery worker: one per
    thread that may talk to the database at once).

    A pool smaller than the threads that share it opens an overflow connection whenever more are busy and closes
    it when it comes back: under a drain, PostgreSQL backends started and ended many times a second. The new pool
    is made as SQLAlchemy's own `QueuePool.recreate` (what `Engine.dispose` uses) makes one, with the same
    connection factory, settings and event listeners (this module's checks, the dialect's set-up), but this size.
    Only grows; a pool of another kind (SQLite in memory) is left as it is.
    """
    pool = engine.pool
    if not isinstance(pool, QueuePool) or pool.size() >= size:
        return
    engine.pool = QueuePool(
        pool._creator,
        pool_size=size,
        max_overflow=pool._max_overflow,
        pre_ping=pool._pre_ping,
        use_lifo=pool._pool.use_lifo,
        timeout=pool._timeout,
        recycle=pool._recycle,
        echo=pool.echo,
        logging_name=pool._orig_logging_name,
        reset_on_return=pool._reset_on_return,
        _dispatch=pool.dispatch,
        dialect=pool._dialect,
    )
    pool.dispose()  # closes its idle connections; one still in use goes with the old pool, as after Engine.dispose()

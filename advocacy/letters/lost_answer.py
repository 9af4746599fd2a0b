"""Whether a submission whose write lost its answer was stored, asked again on a fresh connection.

The write (store.py) is one autocommit statement on PostgreSQL. When the connection fails after the statement
went out (the server restarts, the network drops), the server may have committed it although no answer came
back. The action's id is made by the app before the write, so the question has an exact answer once the
statement is over: the action row is there (and with it every letter and delivery: one statement) or it is
not. It is over when the server process that ran it is gone or idle: a statement whose client has vanished
runs to its end, commit included, so a look while it still runs could miss a row committed a moment later.
Hence, on a connection of its own (never one from the app's pool, which may hold more dead ones): first
whether that process (its pid, read before the write) still runs something, then, in a later snapshot,
whether the action is there. Retried while the database comes back, within a bound; past it the outcome is
unknown. The SQLite write has no such window: its commit is a call into a library on the same machine, and an
error from it means the transaction did not commit.
"""

from __future__ import annotations

import logging
import threading
import time
from enum import Enum

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

log = logging.getLogger(__name__)

# libpq's smallest useful connect timeout (it reads a value under 2 as 2).
CONNECT_TIMEOUT_SECONDS = 2
PAUSES = (0.05, 0.1, 0.2, 0.4)  # between attempts, then the last one again

# Two statements, in this order, each its own snapshot (autocommit): is the writer still busy, then is the row
# there. Read the other way round, a commit between the two would be missed. `state` is 'idle' once the
# statement and its implicit transaction are over; anything else (active, idle in transaction, disabled, or a
# pid taken by another process) counts as still busy, which can only make the answer wait.
STILL_RUNNING = "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s AND state IS DISTINCT FROM 'idle')"
ACTION_STORED = "SELECT EXISTS (SELECT 1 FROM actions WHERE id = %s)"


class Outcome(Enum):
    STORED = "stored"
    NOT_STORED = "not stored"
    UNKNOWN = "unknown"


def answer_lost(exc: BaseException) -> bool:
    """Whether a failed write may have committed: the connection failed under it (not a refusal the server sent
    back, such as a unique violation, which means nothing was written)."""
    if isinstance(exc, IntegrityError) or not isinstance(exc, DBAPIError):
        return False
    return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)


def backend_pid(dbapi_connection) -> int | None:
    """The server process behind a psycopg connection, as the server told it at connect (no round trip)."""
    try:
        return dbapi_connection.info.backend_pid or None
    except Exception:  # noqa: BLE001 - another driver, or a closed connection: the pid is not known
        return None


def _ask_once(engine: Engine, action_id: str, pid: int | None) -> Outcome | None:
    """One attempt on a fresh connection: the outcome, or None while the writer still runs."""
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    cparams = {**cparams, "connect_timeout": CONNECT_TIMEOUT_SECONDS}
    connection = engine.dialect.connect(*cargs, **cparams)
    try:
        connection.autocommit = True
        cursor = connection.cursor()
        if pid is not None:
            cursor.execute(STILL_RUNNING, (pid,))
            running = cursor.fetchone()[0]
        cursor.execute(ACTION_STORED, (action_id,))
        if cursor.fetchone()[0]:
            return Outcome.STORED  # committed rows stay: the answer is final whatever the writer does now
        if pid is None or running:
            return None  # not there yet, and it may still come (without a pid, it always may)
        return Outcome.NOT_STORED
    finally:
        connection.close()


def _settle(engine: Engine, action_id: str, pid: int | None, deadline: float, found: list) -> None:
    pauses = iter(PAUSES)
    while True:
        try:
            outcome = _ask_once(engine, action_id, pid)
        except Exception as exc:  # noqa: BLE001 - the database is not back yet (or the driver failed): ask again
            log.info("submission outcome: database still unavailable (%s)", type(exc).__name__)
            outcome = None
        if outcome is not None:
            found.append(outcome)
            return
        pause = next(pauses, PAUSES[-1])
        if time.monotonic() + pause >= deadline:
            return
        time.sleep(pause)


def stored_after_lost_answer(engine: Engine, action_id: str, pid: int | None, wait_seconds: float) -> Outcome:
    """Whether the submission whose action is `action_id`, written by server process `pid`, was stored.

    Asks on fresh connections, retrying while the database comes back, for at most `wait_seconds` (a thread
    does the asking, so a connection that hangs cannot hold the request past the bound); UNKNOWN past it.
    """
    deadline = time.monotonic() + wait_seconds
    found: list[Outcome] = []
    asking = threading.Thread(
        target=_settle, args=(engine, action_id, pid, deadline, found), name="advocacy-lost-answer", daemon=True
    )
    asking.start()
    asking.join(max(0.0, deadline - time.monotonic()) + 0.1)
    outcome = found[0] if found else Outcome.UNKNOWN
    log.warning("submission write lost its answer; the submission was found %s", outcome.value)
    return outcome

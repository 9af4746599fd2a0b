"""Claiming, sending and recording deliveries, so that no delivery is lost or sent twice.

A claim is one atomic UPDATE (pending/failed and due -> sending, attempts + 1), with
`FOR UPDATE SKIP LOCKED` on PostgreSQL so concurrent workers take different rows. A claim is
identified by (worker, attempt); the outcome is recorded only if the row still carries it, so a
worker whose claim was recovered after a timeout cannot overwrite the newer attempt. No database
connection is held while a channel talks to CWC or SMTP.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from advocacy.db import utcnow
from advocacy.delivery import channels, kinds, throttle
from advocacy.delivery.models import CLAIMABLE, Channel, Delivery, DeliveryAttempt, Status
from advocacy.delivery.options import option
from advocacy.delivery.throttle import ChannelGate
from advocacy.extensions import db
from advocacy.send_errors import (
    DeliveryError,
    HandOverAborted,
    NotAccepted,
    OutcomeUnknown,
    PermanentError,
    TransientError,
    scrub,
)

log = logging.getLogger(__name__)

RECORD_TRIES = 4
# What recovery says, per channel (see SECURITY.md, "Delivery guarantees per channel").
RECOVERED_REASON = (
    "worker stopped while sending; retried (CWC's DeliveryId makes a repeat a duplicate, not a second letter)"
)
RECOVERED_NOT_HANDED = "worker stopped before the email was handed to the SMTP server; retried"
RECOVERED_UNKNOWN = (
    "worker stopped during the SMTP send: the office may have the email; not resent (email is sent at most "
    "once); check with the office, then retry or cancel"
)
NO_ANSWER_UNKNOWN = (
    "the SMTP server gave no answer after the email was handed over: the office may have the email; not resent "
    "(email is sent at most once); check with the office, then retry or cancel"
)
# Channels that cannot recognize a repeat: a marker is committed before the hand-over (at most once).
AT_MOST_ONCE = (Channel.EMAIL.value,)


@dataclass(frozen=True)
class Claim:
    delivery_id: str
    attempt: int
    worker: str
    claimed_at: datetime


@dataclass(frozen=True)
class Result:
    delivery_id: str
    outcome: str  # sent | duplicate | failed | dead | unknown | rerouted | lost | unrecorded
    next_attempt_at: datetime | None = None


_worker_name: tuple[int, str] | None = None


def worker_name() -> str:
    """This process's worker id: host, pid and a random suffix (pids repeat across hosts and restarts)."""
    global _worker_name
    if _worker_name is None or _worker_name[0] != os.getpid():
        _worker_name = (os.getpid(), f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}")
    return _worker_name[1]


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def backoff(attempt: int) -> timedelta:
    """Exponential in the attempt number, capped, with jitter so retries from an outage spread out."""
    base, cap = float(option("DELIVERY_BACKOFF_BASE")), float(option("DELIVERY_BACKOFF_MAX"))
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not a secret


# --- Claiming -------------------------------------------------------------------------------------


def _claim(where, worker: str, now: datetime, limit: int | None) -> list[Claim]:
    """Claim the rows `where` selects, oldest first, at most `limit` of them, in one statement.

    The ids are chosen once, in a CTE that PostgreSQL must materialize, and the UPDATE joins them. The
    older form, `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`, leaves the planner free
    to run the subquery again (a rescan, or a recheck of a row another worker just changed), and each run
    skips different locked rows: one claim then took thousands of rows while the other workers sat idle.
    """
    ids = select(Delivery.id).where(*where).order_by(Delivery.next_attempt_at)
    if limit is not None:
        ids = ids.limit(limit)
    if is_postgres():
        ids = ids.with_for_update(skip_locked=True)
    picked = ids.cte("picked")
    if is_postgres():
        picked = picked.prefix_with("MATERIALIZED")
    stmt = (
        update(Delivery)
        .where(Delivery.id == picked.c.id, Delivery.status.in_(CLAIMABLE))
        .values(
            status=Status.SENDING.value,
            claimed_by=worker,
            claimed_at=now,
            attempts=Delivery.attempts + 1,
            handed_over_at=None,
            updated_at=now,
        )
        .returning(Delivery.id, Delivery.attempts)
        .execution_options(synchronize_session=False)
    )
    try:
        rows = db.session.execute(stmt).all()
        db.session.commit()
    except SQLAlchemyError:
        _rollback()
        raise
    return [Claim(row.id, row.attempts, worker, now) for row in rows]


def claim_due(worker: str, limit: int, now: datetime | None = None) -> list[Claim]:
    """Claim up to `limit` due deliveries, oldest first."""
    now = now or utcnow()
    return _claim((Delivery.status.in_(CLAIMABLE), Delivery.next_attempt_at <= now), worker, now, limit)


def claim_one(delivery_id: str, worker: str, now: datetime | None = None) -> Claim | None:
    """Claim this delivery if it is due; None when it is not (sent, being sent, not yet due...)."""
    now = now or utcnow()
    where = (Delivery.id == delivery_id, Delivery.status.in_(CLAIMABLE), Delivery.next_attempt_at <= now)
    claims = _claim(where, worker, now, None)
    return claims[0] if claims else None


def _still_ours(claim: Claim):
    return (
        Delivery.id == claim.delivery_id,
        Delivery.status == Status.SENDING.value,
        Delivery.claimed_by == claim.worker,
        Delivery.attempts == claim.attempt,
    )


# --- Sending --------------------------------------------------------------------------------------


def _letter_action():
    """The letter's own relationship to its writer, reached through the delivery's relationship to the letter:
    delivery sits below letters and does not import its models (the import contracts in pyproject.toml)."""
    return Delivery.letter.property.mapper.class_.action


def process(claim: Claim, gates: Mapping[str, ChannelGate] | None = None) -> Result:
    """Send a claimed delivery through its channel (within that channel's gate) and record the outcome."""
    started = utcnow()
    try:
        # The delivery with its letter and the letter's action in one query: what every channel reads.
        delivery = db.session.scalar(
            select(Delivery)
            .options(joinedload(Delivery.letter).joinedload(_letter_action()), joinedload(Delivery.action))
            .where(Delivery.id == claim.delivery_id)
            .execution_options(populate_existing=True)
        )
        if delivery is None or not _holds(delivery, claim):
            _rollback()
            log.info("delivery %s: claim no longer held; skipped", claim.delivery_id)
            return Result(claim.delivery_id, "lost")
        try:
            send = channels.prepare(delivery)
        except NotAccepted as exc:
            return _reroute(claim, delivery, exc.reason, started)
        except kinds.Skip as exc:
            _rollback()
            return _finish(claim, Status.CANCELLED, "skipped", str(exc), started)
        except PermanentError as exc:
            return _finish(claim, Status.DEAD, "rejected", exc.reason, started)
        except TransientError as exc:
            return _fail(claim, exc.reason, started)
        except SQLAlchemyError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug while preparing must not leave the claim dangling
            log.exception("delivery %s: unexpected error while preparing", claim.delivery_id)
            _rollback()
            return _fail(claim, f"unexpected error ({type(exc).__name__})", started)
        db.session.commit()  # end the read: no connection or lock is held while we send
    except SQLAlchemyError as exc:
        _rollback()
        log.warning("delivery %s: database error before sending (%s)", claim.delivery_id, type(exc).__name__)
        return _fail(claim, f"database unavailable ({type(exc).__name__})", started)

    before_handover = (lambda: _mark_handed_over(claim)) if send.channel in AT_MOST_ONCE else None
    try:
        with (gates or {}).get(send.channel, throttle.OPEN).passage():
            outcome = send.run(before_handover)
    except HandOverAborted as exc:
        if exc.lost:
            log.warning("delivery %s: claim was taken over before the hand-over; not sent", claim.delivery_id)
            return Result(claim.delivery_id, "lost")
        return _fail(claim, exc.reason, started)
    except PermanentError as exc:
        return _finish(claim, Status.DEAD, "rejected", exc.reason, started)
    except OutcomeUnknown as exc:
        if send.channel in AT_MOST_ONCE:  # the server may have it: a retry could be a second copy
            log.warning("delivery %s: %s; marked unknown, not resent", claim.delivery_id, exc.reason)
            return _finish(claim, Status.UNKNOWN, "unknown", NO_ANSWER_UNKNOWN, started)
        return _fail(claim, exc.reason, started)
    except DeliveryError as exc:
        return _fail(claim, exc.reason, started)
    except Exception as exc:  # noqa: BLE001 - a bug in a channel must not lose the delivery
        log.exception("delivery %s: unexpected error while sending", claim.delivery_id)
        return _fail(claim, f"unexpected error ({type(exc).__name__})", started)
    log.info("delivery %s: %s via %s (attempt %d)", claim.delivery_id, outcome, send.channel, claim.attempt)
    return _finish(claim, Status.SENT, outcome, None, started, cwc_office=send.corrected_office)


def _mark_handed_over(claim: Claim) -> None:
    """Commit that this attempt hands its message over now (called just before SMTP DATA). Raises HandOverAborted,
    and then nothing is sent, when the claim is no longer ours or the marker cannot be written."""
    stmt = (
        update(Delivery)
        .where(*_still_ours(claim))
        .values(handed_over_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    try:
        held = db.session.execute(stmt).rowcount == 1
        db.session.commit()
    except SQLAlchemyError as exc:
        _rollback()
        raise HandOverAborted(f"database unavailable before the hand-over ({type(exc).__name__}); not sent") from None
    if not held:
        raise HandOverAborted("claim taken over before the hand-over", lost=True)


def _holds(delivery: Delivery, claim: Claim) -> bool:
    return (
        delivery.status == Status.SENDING.value
        and delivery.claimed_by == claim.worker
        and delivery.attempts == claim.attempt
    )


def _fail(claim: Claim, reason: str, started: datetime) -> Result:
    if claim.attempt >= int(option("DELIVERY_MAX_ATTEMPTS")):
        return _finish(claim, Status.DEAD, "failed", f"gave up after {claim.attempt} attempts: {reason}", started)
    next_at = utcnow() + backoff(claim.attempt)
    return _finish(claim, Status.FAILED, "failed", reason, started, next_attempt_at=next_at)


def _reroute(claim: Claim, delivery: Delivery, reason: str, started: datetime) -> Result:
    """The office does not take CWC: email it if we have an address, else hand off to its form."""
    now = utcnow()
    values: dict = {}
    if delivery.recipient_email:
        values.update(channel=Channel.EMAIL.value, next_attempt_at=now)
        status = Status.PENDING
    else:
        values.update(channel=Channel.CONTACT_FORM.value, next_attempt_at=None)
        status = Status.HANDOFF
    _rollback()
    return _finish(claim, status, "rerouted", reason, started, **values)


def _finish(
    claim: Claim,
    status: Status,
    outcome: str,
    reason: str | None,
    started: datetime,
    next_attempt_at: datetime | None = None,
    **extra,
) -> Result:
    """Record the outcome if the claim is still ours; retried through a dropped connection."""
    now = utcnow()
    values = {"status": status.value, "updated_at": now, "next_attempt_at": next_attempt_at}
    values["last_error"] = scrub(reason) if reason else None
    if status == Status.SENT:
        values["sent_at"] = now
    values.update({k: v for k, v in extra.items() if v is not None})
    stmt = update(Delivery).where(*_still_ours(claim)).values(**values).execution_options(synchronize_session=False)
    attempt = {
        "delivery_id": claim.delivery_id,
        "attempt": claim.attempt,
        "worker": claim.worker[:100],
        "outcome": outcome,
        "detail": scrub(reason) if reason else None,
        "started_at": started,
        "finished_at": now,
    }

    def write():
        if db.session.execute(stmt).rowcount != 1:
            return False
        db.session.execute(insert(DeliveryAttempt), [attempt])
        return True

    recorded = _record(write)
    if recorded is None:
        log.error(
            "delivery %s: outcome %s could not be recorded; recovery will retry it if it never left (CWC's "
            "DeliveryId turns a repeat into a duplicate), or mark an email whose fate is unknown `unknown`",
            claim.delivery_id,
            outcome,
        )
        return Result(claim.delivery_id, "unrecorded")
    if not recorded:
        log.warning(
            "delivery %s: claim was taken over before the outcome (%s) was recorded", claim.delivery_id, outcome
        )
        return Result(claim.delivery_id, "lost")
    name = status.value if status in (Status.FAILED, Status.DEAD) else outcome
    return Result(claim.delivery_id, name, next_attempt_at)


def _record(write):
    """Run `write` and commit, reconnecting through a database restart; None if it never succeeds."""
    for n in range(RECORD_TRIES):
        try:
            result = write()
            db.session.commit()
            return result
        except SQLAlchemyError as exc:
            _rollback()
            log.warning("database error while recording (%s); try %d of %d", type(exc).__name__, n + 1, RECORD_TRIES)
            time.sleep(0.2 * 2**n)
    return None


def _rollback() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()


# --- Whole operations -------------------------------------------------------------------------------


def deliver_now(delivery_id: str, worker: str | None = None) -> Result | None:
    """Claim and send one delivery if it is due (inline after a submission, in development)."""
    claim = claim_one(delivery_id, worker or worker_name())
    if claim is None:
        return None
    return process(claim)


def recover_stuck(now: datetime | None = None, timeout: float | None = None) -> list[str]:
    """Deliveries left in `sending` longer than the timeout (their worker died): due again now, except an
    email already handed to the SMTP server, which becomes `unknown` (email is sent at most once)."""
    now = now or utcnow()
    timeout = float(option("DELIVERY_SENDING_TIMEOUT") if timeout is None else timeout)
    cutoff = now - timedelta(seconds=timeout)
    max_attempts = int(option("DELIVERY_MAX_ATTEMPTS"))
    unknown = Delivery.channel.in_(AT_MOST_ONCE) & Delivery.handed_over_at.is_not(None)
    stmt = (
        update(Delivery)
        .where(Delivery.status == Status.SENDING.value, Delivery.claimed_at <= cutoff)
        .values(
            status=case(
                (unknown, Status.UNKNOWN.value),
                (Delivery.attempts >= max_attempts, Status.DEAD.value),
                else_=Status.FAILED.value,
            ),
            next_attempt_at=case((unknown, None), else_=now),
            last_error=case(
                (unknown, RECOVERED_UNKNOWN),
                (Delivery.channel.in_(AT_MOST_ONCE), RECOVERED_NOT_HANDED),
                else_=RECOVERED_REASON,
            ),
            updated_at=now,
        )
        .returning(Delivery.id, Delivery.attempts, Delivery.claimed_by, Delivery.claimed_at, Delivery.status)
        .execution_options(synchronize_session=False)
    )

    def write():
        rows = db.session.execute(stmt).all()
        for row in rows:
            is_unknown = row.status == Status.UNKNOWN.value
            db.session.add(
                DeliveryAttempt(
                    delivery_id=row.id,
                    attempt=row.attempts,
                    worker=(row.claimed_by or "?")[:100],
                    outcome="unknown" if is_unknown else "abandoned",
                    detail=RECOVERED_UNKNOWN if is_unknown else "worker stopped while sending; retried",
                    started_at=row.claimed_at or now,
                    finished_at=now,
                )
            )
        return [row.id for row in rows]

    recovered = _record(write) or []
    if recovered:
        log.warning("recovered %d deliveries stuck in sending", len(recovered))
    return recovered


def due_ids(now: datetime | None = None, limit: int = 10_000) -> list[tuple[str, int]]:
    """(id, attempts) of deliveries a worker could claim now, oldest first."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Delivery.id, Delivery.attempts)
        .where(Delivery.status.in_(CLAIMABLE), Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
    ).all()
    db.session.commit()
    return [(row.id, row.attempts) for row in rows]

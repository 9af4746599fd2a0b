"""Delivery operations for views, the API and commands: handoffs, retry, cancel, and the numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import selectinload

from advocacy.db import utcnow
from advocacy.delivery.models import UNDELIVERED, Delivery, Status
from advocacy.extensions import db

# `unknown` (an email that may have arrived) is retried only by an organizer's decision.
RETRYABLE = (Status.FAILED.value, Status.DEAD.value, Status.PENDING.value, Status.UNKNOWN.value)
CANCELLABLE = (Status.PENDING.value, Status.FAILED.value, Status.DEAD.value, Status.HANDOFF.value, Status.UNKNOWN.value)


def mark_handoff_sent(delivery_id: str) -> Delivery | None:
    """The constituent says they sent the letter through the office's form ("I sent it"). Commits.

    Idempotent: a second press changes nothing. Only a delivery in `handoff` moves; the caller
    is responsible for checking that the person pressing owns the letter. None if no such delivery.
    """
    now = utcnow()
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == Status.HANDOFF.value)
        .values(status=Status.HANDOFF_SENT.value, sent_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return db.session.get(Delivery, delivery_id, populate_existing=True)


def retry_delivery(delivery_id: str) -> bool:
    """Make a failed, dead or waiting delivery due now; a dead one gets a fresh set of attempts. Commits."""
    now = utcnow()
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status.in_(RETRYABLE))
        .values(
            status=Status.PENDING.value,
            next_attempt_at=now,
            attempts=_fresh_attempts(),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def retry_all_failed() -> list[str]:
    """Every failed delivery due now (after an outage is fixed, instead of waiting out the backoff). Commits."""
    now = utcnow()
    rows = db.session.execute(
        update(Delivery)
        .where(Delivery.status == Status.FAILED.value)
        .values(status=Status.PENDING.value, next_attempt_at=now, updated_at=now)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return [row.id for row in rows]


def _fresh_attempts():
    return case((Delivery.status.in_((Status.DEAD.value, Status.UNKNOWN.value)), 0), else_=Delivery.attempts)


def cancel_delivery(delivery_id: str) -> bool:
    """Stop a delivery that has not gone out (not one being sent right now). Commits."""
    now = utcnow()
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status.in_(CANCELLABLE))
        .values(status=Status.CANCELLED.value, next_attempt_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


# --- The numbers ----------------------------------------------------------------------------------


@dataclass
class Stats:
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_channel_status: dict[tuple[str, str], int] = field(default_factory=dict)
    # Everything that leaves is in the one outbox: letters, receipts, follow-ups... by kind and status.
    by_kind_status: dict[tuple[str, str], int] = field(default_factory=dict)
    oldest_undelivered_at: datetime | None = None
    now: datetime = field(default_factory=utcnow)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def undelivered(self) -> int:
        return sum(self.by_status.get(s, 0) for s in UNDELIVERED)

    @property
    def oldest_undelivered_age(self) -> float:
        """Seconds since the oldest letter still waiting on us was accepted (0 when none)."""
        if self.oldest_undelivered_at is None:
            return 0.0
        return max(0.0, (self.now - self.oldest_undelivered_at).total_seconds())


def _campaign_filter(stmt, campaign_id: int | None):
    if campaign_id is None:
        return stmt
    return stmt.where(Delivery.letter.has(campaign_id=campaign_id))  # letters of the campaign (by relationship)


def delivery_stats(campaign_id: int | None = None) -> Stats:
    stats = Stats()
    stmt = _campaign_filter(
        select(Delivery.kind, Delivery.channel, Delivery.status, func.count()).group_by(
            Delivery.kind, Delivery.channel, Delivery.status
        ),
        campaign_id,
    )
    for kind, channel, status, count in db.session.execute(stmt):
        stats.by_kind_status[(kind, status)] = stats.by_kind_status.get((kind, status), 0) + count
        stats.by_channel_status[(channel, status)] = stats.by_channel_status.get((channel, status), 0) + count
        stats.by_status[status] = stats.by_status.get(status, 0) + count
        stats.by_channel[channel] = stats.by_channel.get(channel, 0) + count
    oldest = _campaign_filter(
        select(func.min(Delivery.created_at)).where(Delivery.status.in_(UNDELIVERED)), campaign_id
    )
    stats.oldest_undelivered_at = _aware(db.session.scalar(oldest))
    return stats


def _aware(value):
    # func.min() bypasses the column type on SQLite, which returns a naive string or datetime.
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def problem_deliveries(campaign_id: int | None = None, limit: int = 100) -> list[Delivery]:
    """Failed, dead and unknown deliveries with their reasons, most recent first."""
    stmt = _campaign_filter(
        select(Delivery)
        .options(selectinload(Delivery.letter))
        .where(Delivery.status.in_((Status.FAILED.value, Status.DEAD.value, Status.UNKNOWN.value)))
        .order_by(Delivery.updated_at.desc())
        .limit(limit),
        campaign_id,
    )
    return list(db.session.scalars(stmt))

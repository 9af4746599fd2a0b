"""The outbox: everything that leaves (one delivery per letter, and mail to constituents), and its attempt log."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from advocacy.db import utcnow
from advocacy.extensions import db

if TYPE_CHECKING:  # the letters sit a layer above; the mapper finds them by name
    from advocacy.letters.models import Action, Letter

# The kind of a letter's delivery; other kinds (receipt, followup...) are registered in kinds.py.
LETTER = "letter"


class Channel(StrEnum):
    CWC = "cwc"
    EMAIL = "email"
    CONTACT_FORM = "contact_form"
    PRINT = "print"


class Status(StrEnum):
    PENDING = "pending"  # waiting for a worker (due at next_attempt_at)
    SENDING = "sending"  # claimed by a worker; recovered by `deliveries retry` if the worker dies
    SENT = "sent"
    FAILED = "failed"  # a transient failure; retried at next_attempt_at
    DEAD = "dead"  # rejected for good, or out of attempts; an organizer may retry it
    HANDOFF = "handoff"  # the constituent finishes on the office's own contact form
    HANDOFF_SENT = "handoff_sent"  # ...and told us they did
    CANCELLED = "cancelled"
    # The worker stopped during an SMTP send, after handing the message over: the office may have it. Email
    # has no idempotency, so it is not resent on its own (at most once); an organizer checks and may retry.
    UNKNOWN = "unknown"


# A worker may claim these when due.
CLAIMABLE = (Status.PENDING.value, Status.FAILED.value)
# Accepted but not yet at the office, and still ours to deliver.
UNDELIVERED = (Status.PENDING.value, Status.SENDING.value, Status.FAILED.value)
FINAL = (Status.SENT.value, Status.HANDOFF_SENT.value, Status.CANCELLED.value)


def new_id() -> str:
    return str(uuid.uuid4())


class Delivery(db.Model):
    """One thing that leaves: a letter to its office (kind "letter"), or mail to a constituent (kinds.py).
    `id` is the idempotency key (the CWC DeliveryId and the email's Message-ID, hex form)."""

    __tablename__ = "deliveries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20), default=LETTER)
    letter_id: Mapped[str | None] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), unique=True)
    # The constituent a non-letter row is for (read when it is sent, so a purge in between is respected).
    action_id: Mapped[str | None] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    # What it is about, for the kind's renderer (e.g. the statement of a follow-up).
    ref: Mapped[str | None] = mapped_column(String(64))
    # At most one row per key, e.g. one follow-up per constituent per office: a constraint, not a read.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    # CWC MemberOffice code (HNY12, SNY00...) chosen when the delivery was created.
    cwc_office: Mapped[str | None] = mapped_column(String(8))
    # An office or official's address (never the constituent's): the email channel's recipient.
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    attempts: Mapped[int] = mapped_column(default=0)
    # When a worker may next claim it (indexed with status). Defaults to "now" so that a pending row
    # written by any code path is picked up.
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # Why the last attempt failed; scrubbed of anything shaped like an email or phone number.
    last_error: Mapped[str | None] = mapped_column(String(500))
    claimed_at: Mapped[datetime | None]
    # Committed just before a message goes to a channel that cannot recognize a repeat (SMTP): if the worker
    # then dies, recovery marks the delivery `unknown` instead of sending it again.
    handed_over_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    letter: Mapped[Letter | None] = relationship(
        "Letter", backref=backref("delivery", uselist=False, passive_deletes=True)
    )
    action: Mapped[Action | None] = relationship("Action", foreign_keys=[action_id])

    __table_args__ = (
        # The workers' query: what is claimable and due, oldest first.
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_deliveries_status_created_at", "status", "created_at"),
    )

    @property
    def cwc_delivery_id(self) -> str:
        """CWC wants 32 letters and digits: the UUID without its hyphens."""
        return self.id.replace("-", "")

    @property
    def undelivered(self) -> bool:
        return self.status in UNDELIVERED


class DeliveryAttempt(db.Model):
    """One try at sending a delivery: who tried, when, and what came of it (no personal data)."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int]
    worker: Mapped[str] = mapped_column(String(100))
    # sent | duplicate | failed | rejected | rerouted | skipped | abandoned | unknown
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(String(500))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)

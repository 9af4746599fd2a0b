"""The audit log: every export, every view of a list of people, every privacy action."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import utcnow
from advocacy.extensions import db


class AuditEvent(db.Model):
    """Who did what, when, to which campaign, with which filters and how many rows.

    Never holds a constituent's personal data: filters are report filters, the IP is a keyed hash.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Null for the command line; `source` says which.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(10))  # web | cli
    action: Mapped[str] = mapped_column(String(40))  # export.contacts, view.contacts, privacy.purge, ...
    # The slug as text, so the log outlives a deleted campaign.
    campaign: Mapped[str | None] = mapped_column(String(100))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    row_count: Mapped[int | None]
    ip_hash: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_audit_events_created_at", "created_at"),
        Index("ix_audit_events_action_created_at", "action", "created_at"),
    )

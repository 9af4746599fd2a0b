"""An action is one constituent's submission; it produces one letter per office."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import utcnow
from advocacy.extensions import db


def new_id() -> str:
    return str(uuid.uuid4())


class Action(db.Model):
    """A constituent's submission for a campaign. Personal fields are emptied by `privacy purge`."""

    __tablename__ = "actions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    # HMAC of the normalized email (validation.email_key): rate limits, privacy requests; nulled by purge.
    email_key: Mapped[str | None] = mapped_column(String(64))
    # Who wrote what (validation.writer_key): the same person sending the same words again; nulled by purge.
    writer_key: Mapped[str | None] = mapped_column(String(64))
    # The client's Idempotency-Key scoped to the writer (services.scoped_idempotency_key), never the raw header.
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(10), default="")
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text, default="")
    consent: Mapped[bool] = mapped_column(default=False)
    # The language the writer used (advocacy.i18n code: "en", "zh-Hans", "zh-Hant", "es", "ug"): their receipt
    # and later emails are written in it; the letters to offices are always English.
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    # Where the letters were addressed: kept after a purge so reports keep their counts.
    district_state: Mapped[str] = mapped_column(String(2))
    district: Mapped[int | None]
    congress: Mapped[int]
    lookup_source: Mapped[str] = mapped_column(String(20))
    purged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    letters: Mapped[list[Letter]] = relationship(
        back_populates="action", order_by="(Letter.created_at, Letter.position)"
    )

    __table_args__ = (
        Index("ix_actions_campaign_id_email_key", "campaign_id", "email_key"),
        UniqueConstraint("campaign_id", "idempotency_key"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Letter(db.Model):
    """One letter to one office. `office_key` is the bioguide id, or `custom:<id>` for a custom target."""

    __tablename__ = "letters"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    email_key: Mapped[str | None] = mapped_column(String(64))
    writer_key: Mapped[str | None] = mapped_column(String(64))
    office_key: Mapped[str] = mapped_column(String(40))
    bioguide_id: Mapped[str | None] = mapped_column(String(10), index=True)
    custom_target_id: Mapped[int | None]
    office_name: Mapped[str] = mapped_column(String(200))
    office_title: Mapped[str] = mapped_column(String(40))
    chamber: Mapped[str] = mapped_column(String(10))  # senate | house | custom
    state: Mapped[str] = mapped_column(String(2), default="")
    district: Mapped[int | None]
    party: Mapped[str] = mapped_column(String(30), default="")
    congress: Mapped[int]
    stance_at_send: Mapped[str | None] = mapped_column(String(20))
    template_variant: Mapped[str] = mapped_column(String(100), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Order among the letters of one submission (delegation first: senators, then the House office).
    position: Mapped[int] = mapped_column(default=0)
    # The letter without the constituent's own words: CWC's OrganizationStatement.
    statement_text: Mapped[str] = mapped_column(Text, default="")
    # The constituent's own words for this office (CWC ConstituentMessage); emptied by purge.
    personal_message: Mapped[str] = mapped_column(Text, default="")
    # "campaign": the campaign's own letter; "thanks": a thank-you after a won campaign (counted apart).
    purpose: Mapped[str] = mapped_column(String(10), default="campaign", server_default="campaign")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the writer told us they called this office too ("I called" on the confirmation page).
    called_at: Mapped[datetime | None]

    action: Mapped[Action] = relationship(back_populates="letters")

    __table_args__ = (
        # Never a second letter from the same writer (same email and same words) to the same office in one
        # campaign and purpose. Keyed by the writer, not the email alone, so that someone who types another
        # person's email writes letters of their own and is never answered with that person's (SECURITY.md).
        UniqueConstraint("campaign_id", "writer_key", "office_key", "purpose"),
        CheckConstraint("purpose IN ('campaign', 'thanks')", name="purpose"),
        Index("ix_letters_campaign_id_email_key", "campaign_id", "email_key"),
        Index("ix_letters_campaign_id_created_at", "campaign_id", "created_at"),
        Index("ix_letters_campaign_id_office_key", "campaign_id", "office_key"),
    )

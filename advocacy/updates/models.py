"""An update: an organizer's news about the case (Markdown), optionally with a new ask, for some supporters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.ext.mutable import MutableList
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import utcnow
from advocacy.extensions import db


class CampaignUpdate(db.Model):
    """One update. Draft until sent: `test_sent_at` once the organizer has had the test copy, `sent_at` once
    the supporters' emails are queued (then it is public, on the campaign page and in its Atom feed)."""

    __tablename__ = "campaign_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered with campaigns.markdown (nh3)
    ask: Mapped[str] = mapped_column(String(500), default="")
    # Who gets it: empty lists mean every consenting supporter of the campaign.
    states: Mapped[list[str]] = mapped_column(MutableList.as_mutable(JSON), default=list)
    districts: Mapped[list[str]] = mapped_column(MutableList.as_mutable(JSON), default=list)  # "NY-12"
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    test_sent_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(default=0)  # emails queued when sent
    # The organizer's own words in other languages, by language code: {"es": {"title", "body", "ask"}}. A
    # supporter reads the update in the language they wrote in, the English where a translation is missing.
    translations: Mapped[dict] = mapped_column(JSON(), default=dict)

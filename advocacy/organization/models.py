"""The organization's settings as an admin saved them on /admin/organization (one row; each blank column means
"use the environment's ADVOCACY_ORG_* value")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import utcnow
from advocacy.extensions import db

ROW_ID = 1


class OrganizationSettings(db.Model):
    __tablename__ = "organization_settings"

    id: Mapped[int] = mapped_column(primary_key=True)  # always ROW_ID: the site has one organization
    name: Mapped[str | None] = mapped_column(String(120))
    logo_url: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    privacy_text: Mapped[str | None] = mapped_column(Text)
    site_url: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

"""Casework tables: the private case facts and files (encrypted), timeline history, office actions and
and office actions (priority targets live on the campaign, like its timeline)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_babel import lazy_gettext
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.campaigns import models as _campaigns  # noqa: F401 - the tables below refer to campaigns
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.labels import LABELS, LabeledCode

MAX_URL = 2000


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class CaseFacts(db.Model):
    """The detainee's private facts for one campaign, one Fernet token of JSON (A-number, birth date, lawyer's
    contact, privacy release status). Nothing here is readable without ADVOCACY_CASE_KEYS."""

    __tablename__ = "case_facts"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), unique=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FileKind(StrEnum):
    RELEASE = "release"  # the signed privacy release (and ICE's own waiver form)
    EVIDENCE = "evidence"  # proof of an office's action


class CaseFile(db.Model):
    """An uploaded file, stored encrypted under CASE_FILES_DIR (outside the web root) by a random name; its
    original name is encrypted too (it may name the person)."""

    __tablename__ = "case_files"
    __table_args__ = (CheckConstraint(_in("kind", FileKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    sealed_name: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TimelineRevision(db.Model):
    """One change to a public timeline event (added, edited, retired): the event before and after, who, when."""

    __tablename__ = "timeline_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str] = mapped_column(String(32))
    change: Mapped[str] = mapped_column(String(10))  # added | edited | retired
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ActionKind(LabeledCode):
    __labels__ = "office_action"

    LETTER_TO_DHS_ICE = "letter_to_dhs_ice"
    INQUIRY_OPENED = "inquiry_opened"
    REMARKS = "remarks"  # floor or hearing remarks
    JOINT_LETTER = "joint_letter"
    MEETING_HELD = "meeting_held"
    DECLINED = "declined"

    @property
    def implied_stance(self) -> str:
        return IMPLIED_STANCES[self.value]


ACTION_LABELS = LABELS["office_action"]
# The same actions in the reader's language, for the public scoreboard; the labels above stay English for staff
# pages, exports, the casework packet and the JSON API's `label`.
ACTION_WORDS = {
    "letter_to_dhs_ice": lazy_gettext("Letter to DHS / ICE"),
    "inquiry_opened": lazy_gettext("Congressional inquiry opened"),
    "remarks": lazy_gettext("Floor or hearing remarks"),
    "joint_letter": lazy_gettext("Joint letter signed"),
    "meeting_held": lazy_gettext("Meeting held"),
    "declined": lazy_gettext("Declined to act"),
}
# What each action says about the office's stance. A meeting alone commits the office to nothing.
IMPLIED_STANCES = {
    "letter_to_dhs_ice": "supports",
    "inquiry_opened": "supports",
    "remarks": "supports",
    "joint_letter": "supports",
    "meeting_held": "neutral",
    "declined": "opposes",
}


class OfficeAction(db.Model):
    """Something an office did for the case beyond a public statement, with its evidence and who recorded it."""

    __tablename__ = "office_actions"
    __table_args__ = (
        CheckConstraint(_in("kind", ActionKind), name="kind"),
        Index("ix_office_actions_campaign_id_bioguide_id", "campaign_id", "bioguide_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    bioguide_id: Mapped[str] = mapped_column(ForeignKey("members.bioguide_id"))
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    evidence_url: Mapped[str] = mapped_column(String(MAX_URL), default="")
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("case_files.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

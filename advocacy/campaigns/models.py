"""Campaign, its letter templates (variants by chamber and stance) and its custom targets."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.ext.mutable import MutableList
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from advocacy.db import utcnow
from advocacy.extensions import db


class Status(StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    CLOSED = "closed"


class Chamber(StrEnum):
    SENATE = "senate"
    HOUSE = "house"
    ANY = "any"


class Stance(StrEnum):
    """The office's stance as far as letters are concerned: has it publicly spoken up yet?"""

    SPOKEN = "spoken"
    NOT_SPOKEN = "not_spoken"
    ANY = "any"


# The Library of Congress policy areas: the only values CWC accepts in <LibraryOfCongressTopic>.
LOC_TOPICS = (
    "Agriculture and Food",
    "Animals",
    "Armed Forces and National Security",
    "Arts, Culture, Religion",
    "Civil Rights and Liberties, Minority Issues",
    "Commerce",
    "Congress",
    "Crime and Law Enforcement",
    "Economics and Public Finance",
    "Education",
    "Emergency Management",
    "Energy",
    "Environmental Protection",
    "Families",
    "Finance and Financial Sector",
    "Foreign Trade and International Finance",
    "Government Operations and Politics",
    "Health",
    "Housing and Community Development",
    "Immigration",
    "International Affairs",
    "Labor and Employment",
    "Law",
    "Native Americans",
    "Public Lands and Natural Resources",
    "Science, Technology, Communications",
    "Social Sciences and History",
    "Social Welfare",
    "Sports and Recreation",
    "Taxation",
    "Transportation and Public Works",
    "Water Resources Development",
)

# Field lengths, shared by the forms, the file loader and the columns.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
MAX_SLUG = 63
MAX_TITLE = 200
MAX_NAME = 200
MAX_URL = 2000
MAX_STORY = 20_000
MAX_ASK = 2_000
MAX_SHARE_TEXT = 280
MAX_KEYWORD = 100
MAX_KEYWORDS = 50
MAX_TARGET_IDS = 100
MAX_SUBJECT_SOURCE = 500
MAX_VARIANT_NAME = 100
MAX_EMAIL = 254


def _json_list():
    return mapped_column(MutableList.as_mutable(JSON()), default=list)


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint("status IN ('draft', 'live', 'closed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(MAX_SLUG), unique=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    detainee_name: Mapped[str] = mapped_column(String(MAX_NAME))
    photo_url: Mapped[str] = mapped_column(String(MAX_URL), default="")
    story_markdown: Mapped[str] = mapped_column(Text, default="")
    # Sanitized HTML, rendered whenever story_markdown is set (see `_render_story`).
    story_html: Mapped[str] = mapped_column(Text, default="")
    ask: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT.value, index=True)
    keywords: Mapped[list[str]] = _json_list()
    aliases: Mapped[list[str]] = _json_list()
    include_delegation: Mapped[bool] = mapped_column(default=True)
    target_members: Mapped[list[str]] = _json_list()  # bioguide ids
    target_committees: Mapped[list[str]] = _json_list()  # thomas ids (committees or subcommittees)
    cwc_topic: Mapped[str] = mapped_column(String(100), default="Immigration")
    share_text: Mapped[str] = mapped_column(String(MAX_SHARE_TEXT), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    letters: Mapped[list[LetterTemplate]] = relationship(
        back_populates="campaign",
        cascade="all, delete-orphan",
        order_by="LetterTemplate.id",
        lazy="selectin",
    )
    custom_targets: Mapped[list[CustomTarget]] = relationship(
        back_populates="campaign",
        cascade="all, delete-orphan",
        order_by="CustomTarget.id",
        lazy="selectin",
    )

    @validates("story_markdown")
    def _render_story(self, key: str, value: str | None) -> str:
        from advocacy.campaigns.markdown import render_story

        value = value or ""
        self.story_html = render_story(value)
        return value

    @property
    def is_live(self) -> bool:
        return self.status == Status.LIVE.value

    def __repr__(self) -> str:
        return f"<Campaign {self.slug} {self.status}>"


class CustomTarget(db.Model):
    """Someone outside Congress who gets the letter by email, e.g. an ICE field office director."""

    __tablename__ = "campaign_custom_targets"
    __table_args__ = (UniqueConstraint("campaign_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    title: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    email: Mapped[str] = mapped_column(String(MAX_EMAIL))
    salutation: Mapped[str] = mapped_column(String(MAX_NAME), default="")

    campaign: Mapped[Campaign] = relationship(back_populates="custom_targets")

    @property
    def key(self) -> str:
        return f"custom:{self.id}"


class LetterTemplate(db.Model):
    """One letter variant; the variant for an office is picked by `rendering.choose_variant`."""

    __tablename__ = "letter_templates"
    __table_args__ = (
        UniqueConstraint("campaign_id", "chamber", "stance"),
        CheckConstraint("chamber IN ('senate', 'house', 'any')", name="chamber"),
        CheckConstraint("stance IN ('spoken', 'not_spoken', 'any')", name="stance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_VARIANT_NAME))
    chamber: Mapped[str] = mapped_column(String(10), default=Chamber.ANY.value)
    stance: Mapped[str] = mapped_column(String(12), default=Stance.ANY.value)
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT_SOURCE))
    body: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="letters")

    def __repr__(self) -> str:
        return f"<LetterTemplate {self.name!r} {self.chamber}/{self.stance}>"

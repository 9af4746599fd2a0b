"""Campaign, its letter templates (variants by chamber and stance) and its custom targets."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.ext.mutable import MutableList
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from advocacy.campaigns.markdown import render_story
from advocacy.db import utcnow
from advocacy.extensions import db


class Status(StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    CLOSED = "closed"


class Outcome(StrEnum):
    """How a closed campaign ended: won (released, relief granted), lost (deported, denied), or ended otherwise."""

    RELEASED = "released"
    RELIEF_GRANTED = "relief_granted"
    DEPORTED = "deported"
    DENIED = "denied"
    ENDED = "ended"

    @property
    def result(self) -> str:
        return OUTCOME_RESULTS[self.value]

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.value]


OUTCOME_RESULTS = {"released": "won", "relief_granted": "won", "deported": "lost", "denied": "lost", "ended": "ended"}
OUTCOME_LABELS = {
    "released": "Released",
    "relief_granted": "Relief granted",
    "deported": "Deported",
    "denied": "Relief denied",
    "ended": "Campaign ended",
}
# The same outcomes in the reader's language, for public pages and constituents' emails (issue 21); the labels
# above stay English for staff pages, exports and the API.
OUTCOME_WORDS = {
    "released": lazy_gettext("Released"),
    "relief_granted": lazy_gettext("Relief granted"),
    "deported": lazy_gettext("Deported"),
    "denied": lazy_gettext("Relief denied"),
    "ended": lazy_gettext("Campaign ended"),
}


class Chamber(StrEnum):
    SENATE = "senate"
    HOUSE = "house"
    ANY = "any"


class Stance(StrEnum):
    """The office's stance as far as letters are concerned: has it publicly spoken up yet?"""

    SPOKEN = "spoken"
    NOT_SPOKEN = "not_spoken"
    ANY = "any"


# Field lengths, shared by the forms, the file loader and the columns.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
MAX_SLUG = 63
MAX_TITLE = 200
MAX_NAME = 200
MAX_URL = 2000
MAX_PHOTO_ALT = 300
MAX_PHOTO_CREDIT = 200
MAX_STORY = 20_000
MAX_ASK = 2_000
MAX_SHARE_TEXT = 280
MAX_KEYWORD = 100
MAX_KEYWORDS = 50
MAX_TARGET_IDS = 100
MAX_SUBJECT_SOURCE = 500
MAX_VARIANT_NAME = 100
MAX_EMAIL = 254
MAX_OUTCOME_MESSAGE = 1_000
MAX_TIMELINE = 100
MAX_TIMELINE_EVENT = 500
MAX_SOURCE = 300
MAX_PRIORITY_TARGETS = 50
MAX_REASON = 300
# Timeline events may say where the person is held and in what custody (all from the public record).
TIMELINE_KINDS = ("custody", "transfer", "hearing", "decision", "release", "other")


class OutcomeFields:
    """What a campaign's outcome means; shared by the model and the letter flow's cached snapshot."""

    status: str
    outcome: str | None
    thanks_open: bool

    @property
    def outcome_result(self) -> str | None:
        """ "won", "lost" or "ended" for a campaign closed with an outcome; None otherwise."""
        return OUTCOME_RESULTS.get(self.outcome or "")

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome or "", "")

    @property
    def outcome_words(self) -> str:
        return str(OUTCOME_WORDS.get(self.outcome or "", ""))

    @property
    def accepts_thanks(self) -> bool:
        """Closed, won, and still taking thank-you letters to the offices that acted."""
        return self.status == Status.CLOSED.value and self.outcome_result == "won" and bool(self.thanks_open)

    @property
    def letter_purpose(self) -> str | None:
        """The letters the campaign takes now: "campaign" while live, "thanks" while its thank-you action is
        open, else None (a draft, or closed)."""
        if self.status == Status.LIVE.value:
            return "campaign"
        return "thanks" if self.accepts_thanks else None


def _json_list():
    return mapped_column(MutableList.as_mutable(JSON()), default=list)


class Campaign(OutcomeFields, db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'live', 'closed')", name="status"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('released', 'relief_granted', 'deported', 'denied', 'ended')",
            name="outcome",
        ),
        # An outcome belongs to a closed campaign; only a won campaign keeps its thank-you action open.
        CheckConstraint("outcome IS NULL OR status = 'closed'", name="outcome_closed"),
        CheckConstraint("NOT thanks_open OR outcome IN ('released', 'relief_granted')", name="thanks_won"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(MAX_SLUG), unique=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    detainee_name: Mapped[str] = mapped_column(String(MAX_NAME))
    photo_url: Mapped[str] = mapped_column(String(MAX_URL), default="")
    # What the photo shows, for people who cannot see it (required with an uploaded photo), and whose it is.
    photo_alt: Mapped[str] = mapped_column(String(MAX_PHOTO_ALT), default="")
    photo_credit: Mapped[str] = mapped_column(String(MAX_PHOTO_CREDIT), default="")
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
    # A sample for trying the site ("Sample campaign: not a real person" on every page); never live in production.
    sample: Mapped[bool] = mapped_column(default=False)
    # How it ended (see Outcome), when, and a short public message; set when the campaign is closed.
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_date: Mapped[date | None] = mapped_column(Date)
    outcome_message: Mapped[str] = mapped_column(Text, default="")
    # A closed-won campaign may keep one action open: thanking each writer's own members who acted.
    thanks_open: Mapped[bool] = mapped_column(default=False)
    # Public events, each {"date": "2026-01-28" (or "2026-01", "2026"), "event", "source", "source_url"}.
    timeline: Mapped[list[dict]] = _json_list()
    # Where a letter matters most, each {"kind": "committee"|"office"|"caucus", "id": thomas or bioguide id
    # (a caucus: its name), "members": [bioguide ids] (a caucus only), "reason"}; see advocacy.casework.priority.
    priority_targets: Mapped[list[dict]] = _json_list()
    # The campaign in other languages (issue 21), by advocacy.i18n code: {"zh-Hans": {"title", "story" (Markdown),
    # "ask", "share_text", "letters": {variant name: a short gloss}}}. Letters to offices stay English.
    translations: Mapped[dict] = mapped_column(JSON(), default=dict)
    # When the story or timeline last changed, and when organizers were last told it has gone stale.
    content_updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    stale_notified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # One owner per campaign: a campaign loaded from a file is managed from that file (`loaded_from`, the file
    # it came from). `loaded_state` keeps a hash per field as of the last load, so the next load can tell the
    # fields edited in the web since then and refuse to overwrite them (campaigns/loading.py). None: managed
    # in the web pages.
    loaded_from: Mapped[str | None] = mapped_column(String(MAX_URL))
    loaded_at: Mapped[datetime | None]
    loaded_state: Mapped[dict | None] = mapped_column(JSON())

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
        value = value or ""
        self.story_html = render_story(value)
        if value != (self.story_markdown or ""):
            self._touch_content()
        return value

    @validates("timeline")
    def _timeline_changed(self, key: str, value: list | None) -> list:
        value = list(value or [])
        if value != list(self.timeline or []):
            self._touch_content()
        return value

    def _touch_content(self) -> None:
        """The story or timeline changed: the stale-campaign clock starts again."""
        self.content_updated_at = utcnow()
        self.stale_notified_at = None

    @property
    def managed_by(self) -> str:
        """ "file" when loaded from a campaign file, "web" when made in the organizer pages."""
        return "file" if self.loaded_from else "web"

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


class CampaignPhoto(db.Model):
    """A photo an organizer uploaded, as we re-encoded it (JPEG, no metadata), served from this site at
    /photos/<id>.jpg: public pages load no image from another origin (CSP img-src 'self')."""

    __tablename__ = "campaign_photos"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int]
    height: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

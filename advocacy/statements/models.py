"""Statements by congressional offices, their edit history, the monitor's feeds and review queue,
and the follow-up emails sent when an office first speaks."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.stances import Kind, Stance

MAX_URL = 2000


def latest_order():
    """Newest first: by the statement's date, then by when it was entered."""
    return (Statement.date.desc(), Statement.created_at.desc(), Statement.id.desc())


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Statement(db.Model):
    """One public statement by one office about one campaign. The latest (by date, then entry) sets
    the office's stance."""

    __tablename__ = "statements"
    __table_args__ = (
        CheckConstraint(_in("stance", Stance), name="stance"),
        CheckConstraint(_in("kind", Kind), name="kind"),
        Index("ix_statements_campaign_id_bioguide_id", "campaign_id", "bioguide_id"),
        Index("ix_statements_campaign_id_date", "campaign_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    bioguide_id: Mapped[str] = mapped_column(ForeignKey("members.bioguide_id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30))
    stance: Mapped[str] = mapped_column(String(10))
    source_url: Mapped[str] = mapped_column(String(MAX_URL))
    quote_or_summary: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    revisions: Mapped[list[StatementRevision]] = relationship(
        back_populates="statement",
        cascade="all, delete-orphan",
        order_by="StatementRevision.id.desc()",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Statement {self.id} {self.bioguide_id} {self.stance} {self.date}>"


class StatementRevision(db.Model):
    """The values a statement had before an edit, who changed them and when."""

    __tablename__ = "statement_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    bioguide_id: Mapped[str] = mapped_column(String(10))
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30))
    stance: Mapped[str] = mapped_column(String(10))
    source_url: Mapped[str] = mapped_column(String(MAX_URL))
    quote_or_summary: Mapped[str] = mapped_column(Text, default="")

    statement: Mapped[Statement] = relationship(back_populates="revisions")


class SourceKind(StrEnum):
    FEED = "feed"  # RSS or Atom: each item is a candidate
    PAGE = "page"  # a press page without a feed: each headline link is a candidate


class MonitoredFeed(db.Model):
    """A feed or press page an organizer asked the monitor to read for one campaign (members' own feeds
    need no row)."""

    __tablename__ = "monitored_feeds"
    __table_args__ = (UniqueConstraint("campaign_id", "url"), CheckConstraint(_in("kind", SourceKind), name="kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(MAX_URL))
    label: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(10), default=SourceKind.FEED.value, server_default="feed")
    # The office this feed speaks for, when the organizer knows it (e.g. a member's second site).
    bioguide_id: Mapped[str | None] = mapped_column(ForeignKey("members.bioguide_id"))
    # A committee's or caucus's site: candidates are attributed to the committee's chair (committee_chair), unless
    # bioguide_id names an office; the organizer chooses the office when accepting anyway.
    committee_id: Mapped[str | None] = mapped_column(String(20))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FeedState(db.Model):
    """What we know about one feed URL across campaigns: conditional-GET validators and the last outcome.

    `version` goes up each time the feed answers with new content, so a campaign can tell whether it
    has already matched the content the validators stand for (see `FeedRead`).
    """

    __tablename__ = "feed_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(MAX_URL), unique=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=0)
    last_outcome: Mapped[str] = mapped_column(String(20), default="")  # ok | not_modified | failed
    last_error: Mapped[str] = mapped_column(String(300), default="")
    last_checked_at: Mapped[dt.datetime | None]
    last_changed_at: Mapped[dt.datetime | None]
    items: Mapped[int] = mapped_column(Integer, default=0)
    dated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # items with a date
    # What the address turned out to be at the last read ("feed" or "page"), and for a page the headline
    # links it listed then, so that the next read knows which are new.
    kind: Mapped[str] = mapped_column(String(10), default="", server_default="")
    page_links: Mapped[list] = mapped_column(JSON, default=list)
    # The source's last successful read (ok or not modified), and the date of the newest item it held: the
    # feeds page flags a source failing or silent for STALE_SOURCE_DAYS (monitor.source_flag).
    last_ok_at: Mapped[dt.datetime | None]
    newest_item_at: Mapped[dt.datetime | None]


class FeedRead(db.Model):
    """Which version of a feed a campaign last matched, and with which keywords: a 304 is only trusted
    when the campaign has already read that content with the keywords it has now."""

    __tablename__ = "feed_reads"
    __table_args__ = (UniqueConstraint("campaign_id", "feed_state_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    feed_state_id: Mapped[int] = mapped_column(ForeignKey("feed_states.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    keywords_hash: Mapped[str] = mapped_column(String(64))


class CandidateStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class StatementCandidate(db.Model):
    """A feed item that mentions the campaign, waiting for an organizer to accept or dismiss it."""

    __tablename__ = "statement_candidates"
    __table_args__ = (
        UniqueConstraint("campaign_id", "url"),
        CheckConstraint(_in("status", CandidateStatus), name="status"),
        Index("ix_statement_candidates_campaign_id_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    bioguide_id: Mapped[str | None] = mapped_column(ForeignKey("members.bioguide_id"))
    feed_url: Mapped[str] = mapped_column(String(MAX_URL))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(MAX_URL))
    published: Mapped[dt.datetime | None]
    snippet: Mapped[str] = mapped_column(Text, default="")
    matched_keyword: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default=CandidateStatus.PENDING.value)
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CandidateAlert(db.Model):
    """An organizer who asked to be emailed when the monitor queues new candidates for a campaign (alerts.py)."""

    __tablename__ = "candidate_alerts"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

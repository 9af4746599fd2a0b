"""Read-mostly campaign data for the submission path, cached briefly in each process.

A viral campaign takes hundreds of letters a second; reading the campaign, its letter variants and the
offices' stances (cached apart, read only when a letter is rendered) from the database for each one would cost more than everything else together. Each
process keeps a frozen copy for `CAMPAIGN_CACHE_SECONDS` (default 5): an organizer's edit reaches every
process within that time. Tests set it to 0, and then nothing is stored.

The caches are bounded (`advocacy.caching`): at most MAX_CAMPAIGNS campaigns, and slugs that name no campaign
in a cache of their own, so requests for made-up slugs neither grow memory nor push real campaigns out. Every
entry also expires after MAX_TTL, whatever the setting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from advocacy import caching
from advocacy.caching import BoundedCache, bounded_cache
from advocacy.campaigns.markdown import render_story
from advocacy.campaigns.models import Campaign, OutcomeFields
from advocacy.extensions import db
from advocacy.i18n import translated_languages

log = logging.getLogger(__name__)
DEFAULT_TTL = 5.0
MAX_TTL = 300.0  # no entry outlives this, even if CAMPAIGN_CACHE_SECONDS is set higher
MAX_CAMPAIGNS = 256
MAX_MISSES = 1024
T = TypeVar("T")


@dataclass(frozen=True)
class VariantSnapshot:
    id: int
    name: str
    chamber: str
    stance: str
    subject: str
    body: str
    priority: int


@dataclass(frozen=True)
class CustomTargetSnapshot:
    id: int
    name: str
    title: str
    email: str
    salutation: str

    @property
    def key(self) -> str:
        return f"custom:{self.id}"


def rendered_translations(translations: dict | None) -> dict:
    """The campaign's translations with each story rendered to sanitized HTML, as the English one is."""
    out = {}
    for code, entry in (translations or {}).items():
        entry = dict(entry)
        if entry.get("story"):
            entry["story_html"] = render_story(entry["story"])
        out[code] = entry
    return out


@dataclass(frozen=True)
class CampaignSnapshot(OutcomeFields):
    """What the letter flow reads of a campaign; duck-compatible with the Campaign model for rendering."""

    id: int
    slug: str
    title: str
    detainee_name: str
    ask: str
    status: str
    cwc_topic: str
    photo_url: str
    story_html: str
    share_text: str
    include_delegation: bool
    target_members: tuple[str, ...]
    target_committees: tuple[str, ...]
    letters: tuple[VariantSnapshot, ...]
    custom_targets: tuple[CustomTargetSnapshot, ...]
    sample: bool = False
    outcome: str | None = None
    outcome_date: dt.date | None = None
    outcome_message: str = ""
    thanks_open: bool = False
    timeline: tuple[dict, ...] = field(default=(), hash=False)  # dicts do not hash
    photo_alt: str = ""
    photo_credit: str = ""
    priority_targets: tuple[dict, ...] = field(default=(), hash=False)
    # By language code: the campaign's text in that language, the story already rendered ("story_html").
    translations: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def languages(self) -> tuple[str, ...]:
        return translated_languages(self)

    @cached_property
    def version(self) -> str:
        """A digest of everything this copy holds (its timeline, priority targets, translations, ...): a page kept
        whole between requests is keyed by it, so an organizer's edit is never answered with the page before it.
        Worked out once per copy, that is once per CAMPAIGN_CACHE_SECONDS in each process."""
        return hashlib.blake2b(repr(self).encode(), digest_size=16).hexdigest()

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignSnapshot:
        return cls(
            id=campaign.id,
            slug=campaign.slug,
            title=campaign.title,
            detainee_name=campaign.detainee_name,
            ask=campaign.ask,
            status=campaign.status,
            cwc_topic=campaign.cwc_topic,
            photo_url=campaign.photo_url or "",
            photo_alt=campaign.photo_alt or "",
            photo_credit=campaign.photo_credit or "",
            story_html=campaign.story_html or "",
            share_text=campaign.share_text or "",
            include_delegation=campaign.include_delegation,
            target_members=tuple(campaign.target_members or ()),
            target_committees=tuple(campaign.target_committees or ()),
            letters=tuple(
                VariantSnapshot(v.id, v.name, v.chamber, v.stance, v.subject, v.body, v.priority or 0)
                for v in campaign.letters
            ),
            custom_targets=tuple(
                CustomTargetSnapshot(t.id, t.name, t.title or "", t.email, t.salutation or "")
                for t in campaign.custom_targets
            ),
            sample=bool(campaign.sample),
            outcome=campaign.outcome,
            outcome_date=campaign.outcome_date,
            outcome_message=campaign.outcome_message or "",
            thanks_open=bool(campaign.thanks_open),
            timeline=tuple(dict(event) for event in campaign.timeline or ()),
            priority_targets=tuple(dict(target) for target in campaign.priority_targets or ()),
            translations=rendered_translations(campaign.translations),
        )


_cache = bounded_cache("campaign snapshots", maxsize=MAX_CAMPAIGNS, ttl=MAX_TTL)
_misses = bounded_cache("campaign slugs not found", maxsize=MAX_MISSES, ttl=MAX_TTL)
UNREACHABLE = (OperationalError, InterfaceError, PoolTimeout)


def read_through(cache: BoundedCache, name: Hashable, load: Callable[[], T], misses: BoundedCache | None = None) -> T:
    """`load()`, kept in `cache` under (database, name) for CAMPAIGN_CACHE_SECONDS in this process.

    While the database is unreachable, the last value loaded is served as long as the bounded cache still holds
    it (at most MAX_TTL): a campaign page stays up during an outage."""
    return caching.read_through(
        cache,
        (current_app.config["SQLALCHEMY_DATABASE_URI"], name),
        lambda: _rolled_back_on_outage(name, load),
        fresh_for=current_app.config.get("CAMPAIGN_CACHE_SECONDS", DEFAULT_TTL),
        misses=misses,
        keep_serving=UNREACHABLE,
    )


def _rolled_back_on_outage(name: Hashable, load: Callable[[], T]) -> T:
    try:
        return load()
    except UNREACHABLE:
        # The session is unusable until rolled back; the caller serves this process's last copy meanwhile.
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.close()
        log.debug("database unavailable; serving %s from this process's last copy", name)
        raise


def campaign_snapshot(slug: str) -> CampaignSnapshot | None:
    """The campaign (any status) with its variants, custom targets and stances; None if there is none."""

    def load() -> CampaignSnapshot | None:
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        return CampaignSnapshot.of(campaign) if campaign is not None else None

    return read_through(_cache, slug, load, misses=_misses)


def campaign_changed(slug: str) -> None:
    """An organizer changed the campaign in this request: this process reads it again on the next one (other
    processes within CAMPAIGN_CACHE_SECONDS)."""
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], slug)
    _cache.pop(key)
    _misses.pop(key)

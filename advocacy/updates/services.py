"""Writing an update, choosing who gets it, and queuing its emails in the outbox at a bounded rate.

Rate limit (one mechanism, at enqueue time): each supporter's row gets its own `next_attempt_at`, spaced so that
at most UPDATES_MAX_PER_HOUR_PER_CAMPAIGN emails of kind "update" fall due per hour for a campaign and at most
UPDATES_MAX_PER_HOUR over all campaigns; a new send starts after the last slot already taken. The delivery
workers then claim rows as they fall due, like any other outbox row (retries and backoff included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from advocacy.campaigns.markdown import render_story
from advocacy.db import utcnow
from advocacy.delivery.kinds import queue_rows, row
from advocacy.delivery.models import Delivery, Status
from advocacy.delivery.suppression import ALL_CAMPAIGNS, Suppression
from advocacy.extensions import db
from advocacy.i18n import CODES, DEFAULT
from advocacy.letters.models import Action
from advocacy.places import STATE_FIPS
from advocacy.updates.models import CampaignUpdate

UPDATE = "update"
BATCH = 500
DEFAULT_MAX_PER_HOUR_PER_CAMPAIGN = 2000
DEFAULT_MAX_PER_HOUR = 5000
_DISTRICT = re.compile(r"^([A-Z]{2})-(\d{1,2})$")


class UpdateRefused(Exception):
    """The update cannot be sent now; the message says why, for the organizer."""


@dataclass(frozen=True)
class Audience:
    states: list[str]
    districts: list[str]


def parse_audience(states_text: str, districts_text: str) -> tuple[Audience | None, dict[str, str]]:
    """States ("NY, NJ") and districts ("NY-12 CA-0") as an organizer types them; errors by field."""
    errors: dict[str, str] = {}
    states = [s for s in re.split(r"[\s,;]+", (states_text or "").upper()) if s]
    bad = [s for s in states if s not in STATE_FIPS]
    if bad:
        errors["states"] = f"Not a state or territory code: {', '.join(bad[:5])[:60]}."
    districts = [d for d in re.split(r"[\s,;]+", (districts_text or "").upper()) if d]
    bad = [d for d in districts if not (_DISTRICT.match(d) and _DISTRICT.match(d).group(1) in STATE_FIPS)]
    if bad:
        errors["districts"] = f"Write districts as state-number, e.g. NY-12 or WY-0: {', '.join(bad[:5])[:60]}."
    if errors:
        return None, errors
    canonical = [f"{d.split('-')[0]}-{int(d.split('-')[1])}" for d in districts]
    return Audience(sorted(set(states)), sorted(set(canonical))), {}


def render_body(update: CampaignUpdate, body: str | None = None) -> str:
    """The update's Markdown (or `body`, a translation of it) as safe HTML (the same renderer and nh3 fence as a
    campaign's story)."""
    return render_story(update.body if body is None else body)


# An update in other languages: what an organizer may translate, with the English limits.
TRANSLATED_FIELDS = (("title", 200), ("body", 20_000), ("ask", 500))


def clean_translations(update: CampaignUpdate, posted: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The translations form (`<code>.title`, `<code>.body`, `<code>.ask`) checked field by field: the cleaned
    translations and every problem at once, by field name. An ask is translated only when the English has one."""
    cleaned: dict[str, dict[str, str]] = {}
    problems: dict[str, str] = {}
    limits = dict(TRANSLATED_FIELDS)
    for key, value in posted.items():
        code, _, name = key.partition(".")
        value = value.strip()
        if not value:
            continue
        if code not in CODES or code == DEFAULT or name not in limits:
            problems[key] = f"{key}: not a field of this form."
        elif name == "ask" and not update.ask:
            problems[key] = f"{key}: the English update has no ask to translate."
        elif len(value) > limits[name]:
            problems[key] = f"{key}: use at most {limits[name]:,} characters (this has {len(value):,})."
        else:
            cleaned.setdefault(code, {})[name] = value
    return cleaned, problems


def create_update(campaign_id: int, title: str, body: str, ask: str, audience: Audience, user_id: int | None):
    update = CampaignUpdate(
        campaign_id=campaign_id,
        title=title,
        body=body,
        ask=ask,
        states=list(audience.states),
        districts=list(audience.districts),
        created_by=user_id,
    )
    db.session.add(update)
    db.session.commit()
    return update


def _not_suppressed(campaign_id: int):
    return ~(
        select(Suppression.id)
        .where(Suppression.email_key == Action.email_key, Suppression.campaign_id.in_((ALL_CAMPAIGNS, campaign_id)))
        .exists()
    )


def recipients(update: CampaignUpdate) -> list[tuple[str, str]]:
    """(email key, action id) of each consenting, unpurged, unsuppressed supporter in the update's audience:
    one per person (their latest action), whatever they wrote more than once."""
    where = [
        Action.campaign_id == update.campaign_id,
        Action.email_key.is_not(None),
        Action.consent.is_(True),
        Action.purged_at.is_(None),
        _not_suppressed(update.campaign_id),
    ]
    places = []
    if update.states:
        places.append(Action.district_state.in_(update.states))
    for code in update.districts:
        state, number = code.split("-")
        places.append((Action.district_state == state) & (Action.district == int(number)))
    if places:
        where.append(db.or_(*places))
    latest = func.max(Action.id)
    return [
        (key, action_id)
        for key, action_id in db.session.execute(
            select(Action.email_key, latest).where(*where).group_by(Action.email_key).order_by(Action.email_key)
        ).all()
    ]


def audience_size(update: CampaignUpdate) -> int:
    return len(recipients(update))


def _limits() -> tuple[int, int]:
    config = current_app.config
    per_campaign = int(config.get("UPDATES_MAX_PER_HOUR_PER_CAMPAIGN", DEFAULT_MAX_PER_HOUR_PER_CAMPAIGN))
    overall = int(config.get("UPDATES_MAX_PER_HOUR", DEFAULT_MAX_PER_HOUR))
    return max(per_campaign, 1), max(overall, 1)


def schedule(campaign_id: int, count: int, now: datetime) -> list[datetime]:
    """When each of `count` new update emails may be sent: after the slots already taken, spaced by the
    stricter of the two hourly limits."""
    per_campaign, overall = _limits()
    campaign_gap = timedelta(seconds=3600 / per_campaign)
    overall_gap = timedelta(seconds=3600 / overall)
    waiting = select(func.max(Delivery.next_attempt_at)).where(
        Delivery.kind == UPDATE, Delivery.action_id.is_not(None), Delivery.status == Status.PENDING.value
    )
    last_overall = db.session.scalar(waiting)
    last_campaign = db.session.scalar(
        waiting.join(Action, Action.id == Delivery.action_id).where(Action.campaign_id == campaign_id)
    )
    start = now
    if last_overall is not None:
        start = max(start, _aware(last_overall) + overall_gap)
    if last_campaign is not None:
        start = max(start, _aware(last_campaign) + campaign_gap)
    gap = max(campaign_gap, overall_gap)
    return [start + gap * i for i in range(count)]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def send_test(update: CampaignUpdate, organizer_email: str) -> None:
    """Queue the test copy to the organizer (the outbox row holds the organizer's address, not a supporter's)."""
    _check_can_mail()
    values = row(UPDATE, action_id=None, ref=str(update.id))
    values["recipient_email"] = organizer_email
    db.session.add(Delivery(**values))
    update.test_sent_at = utcnow()
    db.session.commit()


def _check_can_mail() -> None:
    settings = current_app.config["ADVOCACY_SETTINGS"]
    if not settings.mail_enabled:
        raise UpdateRefused("Mail is not configured (ADVOCACY_MAIL_SERVER), so no update can be sent.")
    if not settings.site_url:
        raise UpdateRefused("Set ADVOCACY_SITE_URL to the site's address: every email needs an unsubscribe link.")


def send_to_supporters(update: CampaignUpdate, now: datetime | None = None) -> int:
    """Queue one email per supporter in the audience, once each ever (the dedupe key), spaced by the hourly
    limits, in batches; marks the update sent (public). Returns how many were queued."""
    _check_can_mail()
    if update.sent_at is not None:
        raise UpdateRefused("This update was already sent.")
    if update.test_sent_at is None:
        raise UpdateRefused("Send yourself the test copy first, and check it.")
    now = now or utcnow()
    people = recipients(update)
    slots = schedule(update.campaign_id, len(people), now)
    queued = 0
    for start in range(0, len(people), BATCH):
        rows = []
        for (email_key, action_id), due in zip(
            people[start : start + BATCH], slots[start : start + BATCH], strict=True
        ):
            values = row(
                UPDATE, action_id=action_id, ref=str(update.id), dedupe_key=f"{UPDATE}:{update.id}:{email_key}"
            )
            values["next_attempt_at"] = due
            values["created_at"] = values["updated_at"] = now
            rows.append(values)
        if rows:
            queued += queue_rows(rows)
    update.sent_at = now
    update.recipients = queued
    db.session.commit()
    return queued


@dataclass(frozen=True)
class UpdateCounts:
    queued: int
    sent: int
    failed: int
    skipped: int
    unsubscribed: int


def counts(update: CampaignUpdate) -> UpdateCounts:
    """What became of the update's emails (the organizer's test copy not included)."""
    by_status = dict(
        db.session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.kind == UPDATE, Delivery.ref == str(update.id), Delivery.action_id.is_not(None))
            .group_by(Delivery.status)
        ).all()
    )
    unsubscribed = 0
    if update.sent_at is not None:
        unsubscribed = (
            db.session.scalar(
                select(func.count(func.distinct(Suppression.email_key)))
                .join(Action, Action.email_key == Suppression.email_key)
                .join(Delivery, Delivery.action_id == Action.id)
                .where(
                    Delivery.kind == UPDATE,
                    Delivery.ref == str(update.id),
                    Suppression.campaign_id.in_((ALL_CAMPAIGNS, update.campaign_id)),
                    Suppression.created_at >= update.sent_at,
                )
            )
            or 0
        )
    return UpdateCounts(
        queued=sum(by_status.values()),
        sent=by_status.get(Status.SENT.value, 0),
        failed=sum(by_status.get(s, 0) for s in (Status.FAILED.value, Status.DEAD.value, Status.UNKNOWN.value)),
        skipped=by_status.get(Status.CANCELLED.value, 0),
        unsubscribed=unsubscribed,
    )


def published(campaign_id: int, limit: int = 20) -> list[CampaignUpdate]:
    """The campaign's sent updates, newest first (the campaign page and the Atom feed)."""
    return list(
        db.session.scalars(
            select(CampaignUpdate)
            .where(CampaignUpdate.campaign_id == campaign_id, CampaignUpdate.sent_at.is_not(None))
            .order_by(CampaignUpdate.sent_at.desc(), CampaignUpdate.id.desc())
            .limit(limit)
        )
    )

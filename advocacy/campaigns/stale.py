"""Stale-campaign guard: a live campaign whose story and timeline have not changed for
ADVOCACY_STALE_CAMPAIGN_DAYS (default 30) is flagged on the organizer pages and the dashboard, and emailed to
the organizers once per such period (`flask campaigns check-stale`, from cron), so a site never goes on asking
for the release of someone already free.

The emails are outbox rows of kind "stale_notice" (one per organizer, campaign and period: the dedupe key),
sent by the delivery workers like everything else that leaves; a campaign updated or closed in between is
not reported (kinds.Skip). Pages and the command pass `advocacy.db.app_now()`: tests inject the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from advocacy.auth.models import Role, User
from advocacy.campaigns.models import Campaign, Status
from advocacy.db import utcnow
from advocacy.delivery import wakeup
from advocacy.delivery.kinds import Email, Skip, renderer, row
from advocacy.delivery.models import Delivery
from advocacy.extensions import db
from advocacy.mail import mail_enabled

STALE_NOTICE = "stale_notice"
ORGANIZER_ROLES = tuple(r.value for r in Role if r.rank >= Role.ORGANIZER.rank)


def stale_days() -> int:
    return current_app.config["ADVOCACY_SETTINGS"].stale_campaign_days


def is_stale(campaign: Campaign, now: dt.datetime, days: int) -> bool:
    """Live, about a real person (not a sample), and its story and timeline untouched for `days` days or more."""
    touched = campaign.content_updated_at
    if campaign.status != Status.LIVE.value or campaign.sample or touched is None:
        return False
    return now - touched >= dt.timedelta(days=days)


def stale_campaigns(now: dt.datetime, days: int) -> list[Campaign]:
    cutoff = now - dt.timedelta(days=days)
    return list(
        db.session.scalars(
            select(Campaign)
            .where(
                Campaign.status == Status.LIVE.value,
                Campaign.sample.is_(False),
                Campaign.content_updated_at <= cutoff,
            )
            .order_by(Campaign.content_updated_at, Campaign.id)
        )
    )


def organizer_ids() -> list[int]:
    """Everyone who runs campaigns: active organizers and admins."""
    return list(
        db.session.scalars(
            select(User.id).where(User.active.is_(True), User.role.in_(ORGANIZER_ROLES)).order_by(User.id)
        )
    )


def compose(campaign: Campaign, now: dt.datetime, days: int) -> tuple[str, str]:
    settings = current_app.config["ADVOCACY_SETTINGS"]
    age = (now - campaign.content_updated_at).days
    subject = f"Is this still true? {campaign.title} has not been updated for {age} days"
    lines = [
        f"The live campaign “{campaign.title}” still asks supporters to write for {campaign.detainee_name}, but its "
        f"story and timeline have not changed for {age} days (since {campaign.content_updated_at:%Y-%m-%d}).",
        "",
        "Please check the story against the public record. If the case has moved on, update the story or the "
        "timeline; if it has ended, close the campaign with its outcome.",
    ]
    if settings.site_url:
        lines += ["", f"The public page: {settings.site_url.rstrip('/')}/c/{campaign.slug}"]
    lines += ["", f"You will be reminded again in {days} days while nothing changes."]
    return subject, "\n".join(lines)


def _dedupe_key(campaign: Campaign, user_id: int, now: dt.datetime, days: int) -> str:
    """One notice per organizer, campaign and stale period (counted from the story's last change)."""
    period = (now - campaign.content_updated_at) // dt.timedelta(days=days)
    return f"{STALE_NOTICE}:{campaign.id}:{user_id}:{campaign.content_updated_at:%Y%m%dT%H%M%S}:{period}"


@dataclass
class StaleSummary:
    stale: int = 0  # live campaigns found stale
    notified: int = 0  # of them, reported to the organizers this time
    queued: int = 0  # emails queued for the delivery workers

    def __str__(self) -> str:
        return (
            f"stale campaigns: {self.stale}, organizers told about {self.notified}"
            f" ({self.queued} emails queued for the delivery workers)"
        )


def check_stale(now: dt.datetime, days: int | None = None) -> StaleSummary:
    """Queue a notice to each organizer about each stale live campaign not already reported in the last `days`
    days, in one transaction with the campaign's `stale_notified_at`; then wake the delivery workers. Without
    mail settings it only counts."""
    days = stale_days() if days is None else days
    summary = StaleSummary()
    found = stale_campaigns(now, days)
    summary.stale = len(found)
    if not found or not mail_enabled():
        return summary
    recipients = organizer_ids()
    due = [c for c in found if c.stale_notified_at is None or now - c.stale_notified_at >= dt.timedelta(days=days)]
    keys = {(c.id, user_id): _dedupe_key(c, user_id, now, days) for c in due for user_id in recipients}
    have = set(db.session.scalars(select(Delivery.dedupe_key).where(Delivery.dedupe_key.in_(keys.values()))))
    queued_at = utcnow()  # due at once, whatever clock decided they are owed
    for campaign in due:
        for user_id in recipients:
            key = keys[(campaign.id, user_id)]
            if key not in have:
                ref = f"{campaign.id}:{user_id}"
                db.session.add(Delivery(**row(STALE_NOTICE, action_id=None, ref=ref, dedupe_key=key, now=queued_at)))
                summary.queued += 1
        campaign.stale_notified_at = now
        summary.notified += 1
    db.session.commit()
    if summary.queued:
        wakeup.notify_workers()
    return summary


@renderer(STALE_NOTICE)
def render_stale_notice(delivery: Delivery) -> Email:
    """The notice as it stands when sent: nothing if the organizer left, or the campaign was closed, deleted or
    updated since it was queued (an update clears `stale_notified_at`)."""
    campaign_id, _, user_id = (delivery.ref or "").partition(":")
    if not (campaign_id.isdigit() and user_id.isdigit()):
        raise Skip("malformed reference")
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.role not in ORGANIZER_ROLES:
        raise Skip("the organizer left or no longer runs campaigns")
    campaign = db.session.get(Campaign, int(campaign_id))
    if campaign is None or campaign.status != Status.LIVE.value or campaign.stale_notified_at is None:
        raise Skip("the campaign was updated, closed or deleted since")
    subject, text = compose(campaign, campaign.stale_notified_at, stale_days())
    return Email(to=user.email, subject=subject, text=text, headers={"Auto-Submitted": "auto-generated"})

"""Stale-campaign guard: a live campaign whose story and timeline have not changed for
ADVOCACY_STALE_CAMPAIGN_DAYS (default 30) is flagged on the organizer pages and emailed to the organizers,
once per such period (`flask campaigns check-stale`, from cron), so a site never goes on asking for the
release of someone already free.

Every function takes `now`: the clock is the caller's (the command passes the real time, tests their own).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from advocacy.auth.models import Role, User
from advocacy.campaigns.models import Campaign, Status
from advocacy.extensions import db
from advocacy.mail import send_email
from advocacy.send_errors import DeliveryError

log = logging.getLogger(__name__)


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


def organizer_emails() -> list[str]:
    """Everyone who runs campaigns: active organizers and admins."""
    roles = [r.value for r in Role if r.rank >= Role.ORGANIZER.rank]
    return list(db.session.scalars(select(User.email).where(User.active.is_(True), User.role.in_(roles))))


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


@dataclass
class StaleSummary:
    stale: int = 0
    notified: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"stale campaigns: {self.stale}, organizers told about {self.notified}, failed {self.failed}"


def check_stale(now: dt.datetime, days: int | None = None) -> StaleSummary:
    """Email the organizers about each stale live campaign not already reported in the last `days` days."""
    days = stale_days() if days is None else days
    summary = StaleSummary()
    found = stale_campaigns(now, days)
    summary.stale = len(found)
    if not found or not current_app.config["ADVOCACY_SETTINGS"].mail_enabled:
        return summary
    recipients = organizer_emails()
    for campaign in found:
        notified = campaign.stale_notified_at
        if notified is not None and now - notified < dt.timedelta(days=days):
            continue  # once per staleness period
        subject, body = compose(campaign, now, days)
        try:
            for address in recipients:  # one message each: organizers do not see each other's addresses
                send_email(address, subject, body, headers={"Auto-Submitted": "auto-generated"})
        except DeliveryError as exc:
            summary.failed += 1
            log.warning("stale-campaign notice for %s failed (%s)", campaign.slug, type(exc).__name__)
            continue
        campaign.stale_notified_at = now
        db.session.commit()
        summary.notified += 1
    return summary

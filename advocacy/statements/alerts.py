"""Telling organizers that the monitor queued new candidates: outbox kind "candidates", for the organizers who
opted in (CandidateAlert) on the review page.

At most one email per organizer, campaign and hour (the row's dedupe key), however many scans run; the email
counts what is pending when it is sent, so a late email is still right. The recipient is read from the user
row then: an organizer who left or opted out since gets nothing (kinds.Skip).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from advocacy.auth.models import User
from advocacy.campaigns.models import Campaign
from advocacy.db import utcnow
from advocacy.delivery.kinds import Email, Skip, queue_rows, renderer, row
from advocacy.delivery.models import Delivery
from advocacy.extensions import db
from advocacy.statements.models import CandidateAlert, CandidateStatus, StatementCandidate

CANDIDATES = "candidates"


def set_alert(campaign_id: int, user_id: int, on: bool) -> None:
    existing = db.session.scalar(
        select(CandidateAlert).where(CandidateAlert.campaign_id == campaign_id, CandidateAlert.user_id == user_id)
    )
    if on and existing is None:
        db.session.add(CandidateAlert(campaign_id=campaign_id, user_id=user_id))
    elif not on and existing is not None:
        db.session.delete(existing)
    db.session.commit()


def has_alert(campaign_id: int, user_id: int) -> bool:
    return (
        db.session.scalar(
            select(CandidateAlert.id).where(
                CandidateAlert.campaign_id == campaign_id, CandidateAlert.user_id == user_id
            )
        )
        is not None
    )


def queue_candidate_alerts(since: datetime, now: datetime | None = None) -> int:
    """Queue an email to each opted-in organizer of each campaign that got candidates created since `since`;
    at most one per organizer, campaign and hour. Commits. Returns how many were queued."""
    if not current_app.config["ADVOCACY_SETTINGS"].mail_enabled:
        return 0
    now = now or utcnow()
    fresh = select(StatementCandidate.campaign_id).where(StatementCandidate.created_at >= since).distinct()
    pairs = db.session.execute(
        select(CandidateAlert.campaign_id, CandidateAlert.user_id).where(CandidateAlert.campaign_id.in_(fresh))
    ).all()
    if not pairs:
        return 0
    rows = []
    for campaign_id, user_id in pairs:
        values = row(
            CANDIDATES,
            action_id=None,
            ref=f"{campaign_id}:{user_id}",
            dedupe_key=f"{CANDIDATES}:{campaign_id}:{user_id}:{now:%Y-%m-%dT%H}",
            now=now,
        )
        rows.append(values)
    queued = queue_rows(rows)
    db.session.commit()
    return queued


@renderer(CANDIDATES)
def render_candidates(delivery: Delivery) -> Email:
    campaign_id, _, user_id = (delivery.ref or "").partition(":")
    if not (campaign_id.isdigit() and user_id.isdigit()):
        raise Skip("malformed reference")
    user = db.session.get(User, int(user_id))
    campaign = db.session.get(Campaign, int(campaign_id))
    if user is None or not user.active or campaign is None or not has_alert(campaign.id, user.id):
        raise Skip("the organizer left or opted out")
    pending = db.session.scalar(
        select(func.count()).where(
            StatementCandidate.campaign_id == campaign.id, StatementCandidate.status == CandidateStatus.PENDING.value
        )
    )
    if not pending:
        raise Skip("nothing is waiting for review any more")
    site = current_app.config["ADVOCACY_SETTINGS"].site_url.rstrip("/")
    link = f"{site}/organizer/campaigns/{campaign.slug}/statements/review"
    text = (
        f"The statement monitor found items that mention {campaign.detainee_name}.\n\n"
        f"{pending} waiting for review: {link}\n\n"
        "You get this because you asked to be told when candidates arrive; turn it off on the review page.\n"
    )
    return Email(
        to=user.email,
        subject=f"{pending} new item{'s' if pending != 1 else ''} to review: {campaign.title}",
        text=text,
        headers={"Auto-Submitted": "auto-generated"},
    )

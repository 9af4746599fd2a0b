"""What each role sees first after login: the organizer's day, the staff's campaigns, the admin's people.

Counts only, never a constituent's details. Every function takes `now` (the view passes the real time, tests
their own) so "today" and "this week" are testable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from advocacy.auth.models import User
from advocacy.campaigns.models import Campaign, Status
from advocacy.campaigns.stale import stale_campaigns, stale_days
from advocacy.congress.offices import office_for
from advocacy.delivery.models import Delivery
from advocacy.delivery.models import Status as DeliveryStatus
from advocacy.extensions import db
from advocacy.letters.models import Letter
from advocacy.reports.models import AuditEvent
from advocacy.statements.models import CandidateStatus, Statement, StatementCandidate

# Deliveries an organizer should look at: failed for good, or maybe sent (see delivery/models.py).
NEEDS_ATTENTION = (DeliveryStatus.DEAD.value, DeliveryStatus.UNKNOWN.value)
RECENT_DAYS = 14


@dataclass
class LiveCampaign:
    campaign: Campaign
    today: int = 0
    week: int = 0
    pending_review: int = 0
    stale: bool = False


@dataclass
class SpokenOffice:
    campaign: Campaign
    name: str
    stance: str
    kind: str
    date: dt.date


@dataclass
class OrganizerHome:
    live: list[LiveCampaign] = field(default_factory=list)
    spoken: list[SpokenOffice] = field(default_factory=list)
    review_count: int = 0
    attention_count: int = 0
    stale: list[Campaign] = field(default_factory=list)


def _letters_since(since: dt.datetime) -> dict[int, int]:
    rows = db.session.execute(
        select(Letter.campaign_id, func.count())
        .where(Letter.created_at >= since, Letter.purpose == "campaign")
        .group_by(Letter.campaign_id)
    )
    return dict(rows.all())


def _pending_reviews() -> dict[int, int]:
    rows = db.session.execute(
        select(StatementCandidate.campaign_id, func.count())
        .where(StatementCandidate.status == CandidateStatus.PENDING.value)
        .group_by(StatementCandidate.campaign_id)
    )
    return dict(rows.all())


def organizer_home(now: dt.datetime) -> OrganizerHome:
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = _letters_since(start_of_day)
    week = _letters_since(start_of_day - dt.timedelta(days=6))
    pending = _pending_reviews()
    stale = stale_campaigns(now, stale_days())
    stale_ids = {c.id for c in stale}
    live = db.session.scalars(
        select(Campaign).where(Campaign.status == Status.LIVE.value).order_by(Campaign.title, Campaign.id)
    ).all()
    home = OrganizerHome(
        live=[
            LiveCampaign(c, today.get(c.id, 0), week.get(c.id, 0), pending.get(c.id, 0), c.id in stale_ids)
            for c in live
        ],
        review_count=sum(pending.values()),
        stale=stale,
    )
    home.attention_count = db.session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.status.in_(NEEDS_ATTENTION))
    )
    recent = db.session.execute(
        select(Statement, Campaign)
        .join(Campaign, Campaign.id == Statement.campaign_id)
        .where(Statement.date >= (now - dt.timedelta(days=RECENT_DAYS)).date())
        .order_by(Statement.date.desc(), Statement.id.desc())
        .limit(10)
    ).all()
    for statement, campaign in recent:
        office = office_for(statement.bioguide_id, include_former=True)
        name = office.name if office else statement.bioguide_id
        home.spoken.append(SpokenOffice(campaign, name, statement.stance, statement.kind, statement.date))
    return home


def staff_campaigns() -> list[Campaign]:
    """Every campaign but drafts, live first: what staff report on."""
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.status != Status.DRAFT.value)
            .order_by(Campaign.status.desc(), Campaign.title, Campaign.id)
        )
    )


@dataclass
class AdminHome:
    users_by_role: dict[str, int]
    inactive: int
    recent_audit: list[AuditEvent]


def admin_home() -> AdminHome:
    by_role = dict(
        db.session.execute(select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)).all()
    )
    inactive = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(False)))
    recent = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(5)).all()
    return AdminHome(by_role, inactive, list(recent))

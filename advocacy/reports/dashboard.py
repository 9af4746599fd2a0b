"""The campaign dashboard's numbers: every figure is one GROUP BY in SQL, never a loop over letters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, literal_column, select

from advocacy.campaigns.models import Campaign
from advocacy.extensions import db
from advocacy.letters.models import Action
from advocacy.reports.exports import iso_week
from advocacy.reports.sql import as_date, deliveries, letters, utc_day

TOP_OFFICES = 20
# Past this many days the chart shows weeks instead of days.
MAX_DAILY_BARS = 92
DELIVERED = ("sent", "handoff_sent")

actions = Action.__table__


@dataclass
class Dashboard:
    letters: int = 0
    constituents: int = 0
    offices: int = 0
    per_day: list[tuple[date, int]] = field(default_factory=list)
    by_state: list[tuple[str, int]] = field(default_factory=list)
    by_chamber: list[tuple[str, int]] = field(default_factory=list)
    top_offices: list[tuple[str, str, str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)
    thanks: int = 0  # thank-you letters after a won campaign; not in `letters`
    calls: int = 0  # offices a writer says they called too ("I called")

    @property
    def delivered(self) -> int:
        return sum(n for status, n in self.by_status if status in DELIVERED)

    @property
    def sent_by_writers(self) -> int:
        """Letters a writer finished on the office's own form ("I sent it"); part of `delivered`."""
        return dict(self.by_status).get("handoff_sent", 0)

    @property
    def waiting_for_writers(self) -> int:
        """Contact-form letters the writer has not said they sent."""
        return dict(self.by_status).get("handoff", 0)


def _grouped(column, campaign_id: int, limit: int | None = None) -> list[tuple]:
    stmt = (
        select(column, func.count())
        .where(letters.c.campaign_id == campaign_id)
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    if limit:
        stmt = stmt.limit(limit)
    return [tuple(r) for r in db.session.execute(stmt)]


def letters_per_day(campaign_id: int) -> list[tuple[date, int]]:
    """Every day from the first letter to the last, days without letters at zero."""
    day = utc_day(letters.c.created_at)
    rows = db.session.execute(
        select(day, func.count()).where(letters.c.campaign_id == campaign_id).group_by(day).order_by(day)
    )
    counts = {as_date(d): n for d, n in rows}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    return [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range((last - first).days + 1)
    ]


def by_week(per_day: list[tuple[date, int]]) -> list[tuple[str, int]]:
    weeks: dict[str, int] = {}
    for day, n in per_day:
        week = iso_week(day)
        weeks[week] = weeks.get(week, 0) + n
    return list(weeks.items())


def build_dashboard(campaign: Campaign) -> Dashboard:
    cid = campaign.id
    totals = db.session.execute(
        select(func.count(), func.count(letters.c.office_key.distinct()), func.count(letters.c.called_at)).where(
            letters.c.campaign_id == cid, letters.c.purpose == "campaign"
        )
    ).one()
    thanks = db.session.scalar(
        select(func.count()).select_from(letters).where(letters.c.campaign_id == cid, letters.c.purpose == "thanks")
    )
    constituents = db.session.scalar(select(func.count()).select_from(actions).where(actions.c.campaign_id == cid))
    top = db.session.execute(
        select(letters.c.office_key, func.max(letters.c.office_name), func.max(letters.c.state), func.count())
        .where(letters.c.campaign_id == cid)
        .group_by(letters.c.office_key)
        .order_by(func.count().desc(), letters.c.office_key)
        .limit(TOP_OFFICES)
    )
    # A literal, not a bind parameter: PostgreSQL must see the same expression in SELECT and GROUP BY.
    status_or_none = func.coalesce(deliveries.c.status, literal_column("'none'"))
    status = db.session.execute(
        select(status_or_none, func.count())
        .select_from(letters.outerjoin(deliveries, deliveries.c.letter_id == letters.c.id))
        .where(letters.c.campaign_id == cid)
        .group_by(status_or_none)
        .order_by(func.count().desc())
    )
    return Dashboard(
        letters=totals[0],
        constituents=constituents or 0,
        offices=totals[1],
        per_day=letters_per_day(cid),
        by_state=[(s or "—", n) for s, n in _grouped(letters.c.state, cid)],
        by_chamber=_grouped(letters.c.chamber, cid),
        top_offices=[tuple(r) for r in top],
        by_status=[tuple(r) for r in status],
        thanks=thanks or 0,
        calls=totals[2],
    )


def campaign_letter_counts() -> dict[int, int]:
    """campaign id → letters, for the list of campaigns."""
    rows = db.session.execute(select(letters.c.campaign_id, func.count()).group_by(letters.c.campaign_id))
    return dict(rows.all())

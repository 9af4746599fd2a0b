"""What reports need from the statement tracker: each office's latest statement, and the statements log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from advocacy.congress.models import Member
from advocacy.extensions import db
from advocacy.reports.filters import ReportFilters
from advocacy.statements.models import Statement

statements = Statement.__table__
members = Member.__table__


@dataclass(frozen=True)
class LatestStatement:
    date: date
    kind: str
    stance: str
    source_url: str | None
    summary: str | None


def latest_statements(campaign_id: int) -> dict[str, LatestStatement]:
    """bioguide id → that office's most recent statement in the campaign (a few hundred rows at most)."""
    stmt = (
        select(
            statements.c.bioguide_id,
            statements.c.date,
            statements.c.kind,
            statements.c.stance,
            statements.c.source_url,
            statements.c.quote_or_summary,
        )
        .where(statements.c.campaign_id == campaign_id)
        .order_by(statements.c.date, statements.c.id)
    )
    latest: dict[str, LatestStatement] = {}
    for bioguide, day, kind, stance, url, summary in db.session.execute(stmt):
        latest[bioguide] = LatestStatement(day, kind, stance, url, summary)
    return latest


def member_name():
    """`official_full`, else first and last name."""
    return func.coalesce(members.c.official_full, members.c.first_name + " " + members.c.last_name)


def statements_log_query(campaign_id: int, filters: ReportFilters):
    """Date, office, name, chamber, state, kind, stance, url, quote, recorded — oldest first."""
    stmt = (
        select(
            statements.c.date,
            statements.c.bioguide_id,
            member_name(),
            members.c.chamber,
            members.c.state,
            statements.c.kind,
            statements.c.stance,
            statements.c.source_url,
            statements.c.quote_or_summary,
            statements.c.created_at,
        )
        .select_from(statements.outerjoin(members, members.c.bioguide_id == statements.c.bioguide_id))
        .where(statements.c.campaign_id == campaign_id)
        .order_by(statements.c.date, statements.c.id)
    )
    if filters.date_from:
        stmt = stmt.where(statements.c.date >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(statements.c.date <= filters.date_to)
    if filters.state:
        stmt = stmt.where(members.c.state == filters.state)
    if filters.chamber:
        stmt = stmt.where(members.c.chamber == filters.chamber)
    if filters.office:
        stmt = stmt.where(statements.c.bioguide_id == filters.office)
    return stmt

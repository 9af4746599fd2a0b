"""Small SQL pieces shared by the dashboard and the exports: the UTC day of a timestamp, the letter filters."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from advocacy.delivery.models import Delivery
from advocacy.letters.models import Letter
from advocacy.reports.filters import ReportFilters

letters = Letter.__table__
deliveries = Delivery.__table__


class utc_day(FunctionElement):
    """The calendar day (UTC) of a timestamp column, for GROUP BY day in SQL on either database."""

    type = Date()
    inherit_cache = True


@compiles(utc_day)
def _utc_day_default(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


def as_date(value) -> date:
    """SQLite hands back the day as text, PostgreSQL as a date."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def letter_conditions(campaign_id: int, filters: ReportFilters) -> list[ColumnElement[bool]]:
    """WHERE terms on `letters` (and `deliveries`, for the status filter: the query must join it)."""
    terms: list[ColumnElement[bool]] = [letters.c.campaign_id == campaign_id]
    if filters.start:
        terms.append(letters.c.created_at >= filters.start)
    if filters.end:
        terms.append(letters.c.created_at < filters.end)
    if filters.state:
        terms.append(letters.c.state == filters.state)
    if filters.chamber:
        terms.append(letters.c.chamber == filters.chamber)
    if filters.office:
        terms.append(letters.c.office_key == filters.office)
    if filters.status:
        terms.append(deliveries.c.status == filters.status)
    return terms


def district_label(state: str | None, district: int | None) -> str:
    """`NY-12`, `AK-AL` for an at-large seat, `NY` when only the state is known."""
    if not state:
        return ""
    if district is None:
        return state
    return f"{state}-AL" if district == 0 else f"{state}-{district:02d}"

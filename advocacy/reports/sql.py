"""Small SQL pieces shared by the dashboard and the exports: the UTC day of a timestamp, the letter filters."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Date, String, case, cast, func, literal
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


class utc_text(FunctionElement):
    """A timestamp as `YYYY-MM-DD HH:MM:SS` in UTC, formatted by the database (NULL stays NULL)."""

    type = String()
    inherit_cache = True


@compiles(utc_text)
def _utc_text_default(element, compiler, **kw):
    # SQLite keeps UTC timestamps as ISO text; strftime drops the fraction of a second.
    return f"strftime('%Y-%m-%d %H:%M:%S', {compiler.process(element.clauses, **kw)})"


@compiles(utc_text, "postgresql")
def _utc_text_postgresql(element, compiler, **kw):
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralized(column) -> ColumnElement[str]:
    """SQL twin of `exports.neutralize`: a leading quote on text a spreadsheet could run as a formula.
    Empty text becomes NULL, so every CSV writer prints it the same way."""
    text = case((func.substr(column, 1, 1).in_(FORMULA_STARTS), literal("'") + column), else_=column)
    return func.nullif(text, "")


def district_text(state, district) -> ColumnElement[str]:
    """SQL twin of `district_label`: NY-12, AK-AL, NY, or NULL."""
    number = cast(district, String)
    return case(
        (func.coalesce(state, "") == "", None),
        (district.is_(None), state),
        (district == 0, state + "-AL"),
        (district < 10, state + "-0" + number),
        else_=state + "-" + number,
    )


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

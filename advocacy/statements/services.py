"""Recording statements, keeping their history, and answering "where does this office stand?"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import fields
from urllib.parse import urlsplit

from flask import has_request_context, request
from sqlalchemy import exists, func, select

from advocacy.caching import bounded_cache
from advocacy.campaigns.services import counts_part
from advocacy.campaigns.snapshots import MAX_CAMPAIGNS, MAX_TTL, read_through
from advocacy.congress.offices import office_for, roster
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.places import NO_SENATORS
from advocacy.stances import MAX_QUOTE, Kind, Stance, StatementInput
from advocacy.statements.models import MAX_URL, Statement, StatementRevision, latest_order
from advocacy.statements.scoreboard import board_changed

EDITABLE = ("bioguide_id", "date", "kind", "stance", "source_url", "quote_or_summary")
EARLIEST_DATE = dt.date(1990, 1, 1)

# The outbox kind of the emails that tell constituents an office they wrote to has spoken (letters/followups.py).
FOLLOWUP = "followup"
# Called as hook(campaign_id, bioguide_id, statement_id), in the recording transaction, when an office first
# supports a campaign. The follow-up emails register here (they read the letters, a layer above).
FIRST_SUPPORT_HOOKS: list[Callable[[int, str, int], object]] = []


def on_first_support(hook: Callable[[int, str, int], object]) -> Callable[[int, str, int], object]:
    FIRST_SUPPORT_HOOKS.append(hook)
    return hook


class StatementError(ValueError):
    """The statement is not valid; `fields` maps a field name to what is wrong with it."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))


def valid_source_url(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= MAX_URL


def validate(data: StatementInput, allow_former: str | None = None, today: dt.date | None = None) -> None:
    """Raise StatementError naming every bad field. `allow_former` is a bioguide id that may have left
    office (the one an edited statement already has)."""
    problems: dict[str, str] = {}
    if not data.bioguide_id or (office_for(data.bioguide_id) is None and data.bioguide_id != allow_former):
        problems["bioguide_id"] = "Choose a current member of Congress."
    today = today or dt.date.today()
    if not isinstance(data.date, dt.date) or not EARLIEST_DATE <= data.date <= today + dt.timedelta(days=1):
        problems["date"] = "Give the date the statement was made (not in the future)."
    if data.kind not in {k.value for k in Kind}:
        problems["kind"] = "Choose what kind of statement this is."
    if data.stance not in {s.value for s in Stance}:
        problems["stance"] = "Choose supports, neutral or opposes."
    if not valid_source_url(data.source_url.strip()):
        problems["source_url"] = "Give the address (http or https) where the statement can be read."
    if len(data.quote_or_summary) > MAX_QUOTE:
        problems["quote_or_summary"] = f"Keep the quote or summary under {MAX_QUOTE} characters."
    if problems:
        raise StatementError(problems)


def _clean(data: StatementInput) -> StatementInput:
    return StatementInput(
        bioguide_id=data.bioguide_id.strip(),
        date=data.date,
        kind=data.kind,
        stance=data.stance,
        source_url=data.source_url.strip(),
        quote_or_summary=(data.quote_or_summary or "").strip(),
    )


def _has_supportive(campaign_id: int, bioguide_id: str, other_than: int | None) -> bool:
    query = select(Statement.id).where(
        Statement.campaign_id == campaign_id,
        Statement.bioguide_id == bioguide_id,
        Statement.stance == Stance.SUPPORTS.value,
    )
    if other_than is not None:
        query = query.where(Statement.id != other_than)
    return db.session.execute(select(exists(query))).scalar_one()


def record_statement(campaign_id: int, data: StatementInput, user_id: int | None, commit: bool = True) -> Statement:
    """Store a new statement. The first supportive statement by an office queues its follow-up emails
    in the same transaction."""
    data = _clean(data)
    validate(data)
    first_support = data.stance == Stance.SUPPORTS and not _has_supportive(campaign_id, data.bioguide_id, None)
    now = utcnow()
    statement = Statement(
        campaign_id=campaign_id,
        recorded_by_id=user_id,
        created_at=now,
        updated_at=now,
        **{f.name: getattr(data, f.name) for f in fields(StatementInput)},
    )
    db.session.add(statement)
    db.session.flush()
    if first_support:
        for hook in FIRST_SUPPORT_HOOKS:
            hook(campaign_id, data.bioguide_id, statement.id)
    stances_changed(campaign_id)
    if commit:
        db.session.commit()
    return statement


def update_statement(statement: Statement, data: StatementInput, user_id: int | None) -> bool:
    """Apply an edit, keeping the old values as a revision. False when nothing changed."""
    data = _clean(data)
    validate(data, allow_former=statement.bioguide_id)
    changed = [name for name in EDITABLE if getattr(statement, name) != getattr(data, name)]
    if not changed:
        return False
    first_support = data.stance == Stance.SUPPORTS and not _has_supportive(
        statement.campaign_id, data.bioguide_id, statement.id
    )
    db.session.add(
        StatementRevision(
            statement_id=statement.id,
            changed_by_id=user_id,
            changed_at=utcnow(),
            **{name: getattr(statement, name) for name in EDITABLE},
        )
    )
    for name in EDITABLE:
        setattr(statement, name, getattr(data, name))
    statement.updated_at = utcnow()
    db.session.flush()
    if first_support:
        for hook in FIRST_SUPPORT_HOOKS:
            hook(statement.campaign_id, data.bioguide_id, statement.id)
    stances_changed(statement.campaign_id)
    db.session.commit()
    return True


# --- Where each office stands ----------------------------------------------------------------


def _load_stances(campaign_id: int) -> dict[str, str]:
    rank = func.row_number().over(partition_by=Statement.bioguide_id, order_by=latest_order()).label("rank")
    latest = (
        select(Statement.bioguide_id, Statement.stance, rank).where(Statement.campaign_id == campaign_id).subquery()
    )
    rows = db.session.execute(select(latest.c.bioguide_id, latest.c.stance).where(latest.c.rank == 1))
    return {bioguide_id: stance for bioguide_id, stance in rows}


CACHE_KEY = "advocacy.statement_stances"  # in the WSGI environ: lives exactly as long as the request


def _request_cache() -> dict[int, dict[str, str]] | None:
    return request.environ.setdefault(CACHE_KEY, {}) if has_request_context() else None


def stances_for(campaign_id: int) -> dict[str, str]:
    """Each office's current stance in a campaign (offices that have not spoken are absent).
    Cached for the rest of the request (the letter flow asks for several offices at once); outside a
    request (commands, workers) it is read fresh every time."""
    cache = _request_cache()
    if cache is None:
        return _load_stances(campaign_id)
    stances = cache.get(campaign_id)
    if stances is None:
        stances = cache[campaign_id] = _load_stances(campaign_id)
    return stances


def stance_for(campaign_id: int, bioguide_id: str) -> str | None:
    """The office's current stance ("supports", "neutral", "opposes"), or None if it has made no statement."""
    return stances_for(campaign_id).get(bioguide_id)


def has_spoken(campaign_id: int, bioguide_id: str) -> bool:
    """Whether the office supports the campaign now: the thank-you letter variant is for these."""
    return stance_for(campaign_id, bioguide_id) == Stance.SUPPORTS.value


def spoken_count(campaign_id: int, include_delegates: bool = False) -> int:
    """How many sitting offices support the campaign now: the "N of 535 offices have spoken" figure
    (delegates are counted apart, as on the scoreboard, unless asked for)."""
    offices = roster().offices
    count = 0
    for bioguide_id, stance in stances_for(campaign_id).items():
        office = offices.get(bioguide_id)
        if stance != Stance.SUPPORTS.value or office is None:
            continue
        if include_delegates or office.state not in NO_SENATORS or office.chamber == "senate":
            count += 1
    return count


@counts_part
def spoken_counts(campaign_id: int) -> dict[str, int]:
    """The statements' part of a campaign's public counts."""
    return {"offices_spoken": spoken_count(campaign_id)}


def stances_changed(campaign_id: int) -> None:
    """After a statement is written: this request and this process's scoreboard see it at once."""
    cache = _request_cache()
    if cache is not None:
        cache.pop(campaign_id, None)
    board_changed(campaign_id)


_stances = bounded_cache("campaign stances", maxsize=MAX_CAMPAIGNS, ttl=MAX_TTL)


def cached_stances(campaign_id: int) -> dict:
    """Each office's latest stance in the campaign (bioguide id -> stance), read at most once per TTL."""
    return read_through(_stances, campaign_id, lambda: dict(stances_for(campaign_id)))


# --- Reading statements ----------------------------------------------------------------------


def statements_for(campaign_id: int) -> list[Statement]:
    """Every statement in a campaign, newest first (one query)."""
    return list(
        db.session.scalars(select(Statement).where(Statement.campaign_id == campaign_id).order_by(*latest_order()))
    )


def get_statement(campaign_id: int, statement_id: int) -> Statement | None:
    statement = db.session.get(Statement, statement_id)
    if statement is None or statement.campaign_id != campaign_id:
        return None
    return statement

"""The weekly summary emailed to staff who asked for it (User.weekly_summary): letters by office, new
statements and delivery problems over the seven days before it was queued.

`flask reports weekly-summary` (cron, e.g. Monday morning) queues one outbox row per opted-in account; the
delivery workers send it like any other mail, and render it when they do, so an account deactivated or opted
out in between gets nothing. The dedupe key makes a second run in the same week a no-op.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, select

from advocacy.auth.models import Role, User
from advocacy.campaigns.models import Campaign
from advocacy.congress.offices import office_for
from advocacy.delivery.kinds import Email, Skip, renderer, row
from advocacy.delivery.models import Delivery
from advocacy.delivery.models import Status as DeliveryStatus
from advocacy.extensions import db
from advocacy.labels import label
from advocacy.letters.models import Letter
from advocacy.statements.models import Statement

WEEKLY_SUMMARY = "weekly_summary"
PROBLEMS = (DeliveryStatus.FAILED.value, DeliveryStatus.DEAD.value, DeliveryStatus.UNKNOWN.value)
TOP_OFFICES = 10


def _week_key(now: dt.datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def queue_weekly_summaries(now: dt.datetime) -> int:
    """One summary row per active, opted-in account for this ISO week; returns how many were added."""
    users = db.session.scalars(
        select(User).where(User.active.is_(True), User.weekly_summary.is_(True), User.role.in_([r.value for r in Role]))
    ).all()
    week = _week_key(now)
    have = set(
        db.session.scalars(
            select(Delivery.dedupe_key).where(
                Delivery.kind == WEEKLY_SUMMARY, Delivery.created_at >= now - dt.timedelta(days=8)
            )
        )
    )
    added = 0
    for user in users:
        key = f"{WEEKLY_SUMMARY}:{user.id}:{week}"
        if key in have:
            continue
        db.session.add(Delivery(**row(WEEKLY_SUMMARY, action_id=None, ref=str(user.id), dedupe_key=key, now=now)))
        added += 1
    db.session.commit()
    return added


def compose(since: dt.datetime, until: dt.datetime) -> tuple[str, str]:
    """The summary of [since, until): counts and office names only, never a constituent's details."""
    lines = [f"The week from {since:%Y-%m-%d} to {until - dt.timedelta(seconds=1):%Y-%m-%d} (UTC).", ""]
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign))}
    per_campaign = db.session.execute(
        select(Letter.campaign_id, Letter.office_name, func.count())
        .where(Letter.created_at >= since, Letter.created_at < until, Letter.purpose == "campaign")
        .group_by(Letter.campaign_id, Letter.office_name)
        .order_by(Letter.campaign_id, func.count().desc(), Letter.office_name)
    ).all()
    total = sum(n for _c, _o, n in per_campaign)
    lines.append(f"Letters: {total:,}")
    by_campaign: dict[int, list[tuple[str, int]]] = {}
    for campaign_id, office, count in per_campaign:
        by_campaign.setdefault(campaign_id, []).append((office, count))
    for campaign_id, offices in by_campaign.items():
        lines.append(f"  {campaigns[campaign_id].title}:")
        lines += [f"    {office}: {count:,}" for office, count in offices[:TOP_OFFICES]]
        if len(offices) > TOP_OFFICES:
            rest = offices[TOP_OFFICES:]
            lines.append(f"    and {_plural(len(rest), 'more office')}: {sum(n for _o, n in rest):,} letters")
    lines.append("")
    statements = db.session.execute(
        select(Statement, Campaign.title)
        .join(Campaign, Campaign.id == Statement.campaign_id)
        .where(Statement.created_at >= since, Statement.created_at < until)
        .order_by(Statement.date, Statement.id)
    ).all()
    lines.append(f"New statements: {len(statements)}")
    for statement, title in statements:
        office = office_for(statement.bioguide_id, include_former=True)
        name = office.name if office else statement.bioguide_id
        lines.append(
            f"  {statement.date:%Y-%m-%d} {name}: {label(statement.kind, 'statement_kind')},"
            f" {label(statement.stance, 'stance').lower()} ({title})"
        )
    lines.append("")
    problems = db.session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.status.in_(PROBLEMS), Delivery.updated_at >= since, Delivery.updated_at < until)
        .group_by(Delivery.status)
    ).all()
    lines.append(f"Delivery problems: {sum(n for _s, n in problems)}")
    for status, count in sorted(problems):
        lines.append(f"  {label(status, 'delivery_status')}: {count}")
    home = current_app.config["ADVOCACY_SETTINGS"].site_url.rstrip("/") + "/dashboard"
    lines += ["", f"Details: {home}", "", f"You get this because you asked for it; turn it off on {home}."]
    return f"Weekly summary: {_plural(total, 'letter')}, {_plural(len(statements), 'statement')}", "\n".join(lines)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


@renderer(WEEKLY_SUMMARY)
def render_weekly_summary(delivery: Delivery) -> Email:
    user = db.session.get(User, int(delivery.ref)) if (delivery.ref or "").isdigit() else None
    if user is None or not user.active or not user.weekly_summary:
        raise Skip("the account is gone, deactivated or no longer wants the summary")
    until = delivery.created_at
    subject, text = compose(until - dt.timedelta(days=7), until)
    return Email(to=user.email, subject=subject, text=text, headers={"Auto-Submitted": "auto-generated"})

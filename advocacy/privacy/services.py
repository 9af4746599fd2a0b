"""Removing constituents' personal data while keeping every count and office total.

A purged action keeps its campaign, district, Congress, consent flag and date; its letters keep the
office, chamber, state, district, subject and date. Names, contact details, messages and letter bodies
(which carry the signature) are blanked and `purged_at` is set. Deliveries that had not gone out are
cancelled: there is nothing left to send.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, delete, func, or_, select, update

from advocacy.campaigns.models import Campaign
from advocacy.db import utcnow
from advocacy.delivery import jobs
from advocacy.delivery.models import Delivery
from advocacy.extensions import db
from advocacy.identity import InvalidEmail, email_key, normalize_email
from advocacy.letters.models import Action, Letter

PURGED_BODY = "[purged]"
# Deliveries that have not gone out (dead ones may be retried) and would need the personal data.
UNSENT = ("pending", "failed", "dead", "handoff")


@dataclass(frozen=True)
class PurgeResult:
    actions: int
    letters: int
    deliveries_cancelled: int


def _anonymize(condition: ColumnElement[bool]) -> PurgeResult:
    """Blank the personal fields of every not-yet-purged action matching `condition`, in one transaction."""
    targets = select(Action.id).where(condition, Action.purged_at.is_(None))
    campaign_ids = set(
        db.session.scalars(select(Action.campaign_id).where(condition, Action.purged_at.is_(None)).distinct())
    )
    # Letters and deliveries first: their subqueries select actions that are not purged yet.
    letter_ids = select(Letter.id).where(Letter.action_id.in_(targets))
    cancelled = db.session.execute(
        update(Delivery)
        .where(Delivery.letter_id.in_(letter_ids), Delivery.status.in_(UNSENT))
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    letters = db.session.execute(
        update(Letter)
        .where(Letter.action_id.in_(targets))
        .values(body=PURGED_BODY, statement_text=PURGED_BODY, personal_message="", email_key=None, writer_key=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    # Mail owed to these people (receipts, follow-ups) goes: their dedupe keys hold the same email key, and the
    # people purged get no more mail anyway.
    db.session.execute(
        delete(Delivery)
        .where(Delivery.action_id.in_(targets), Delivery.letter_id.is_(None))
        .execution_options(synchronize_session=False)
    )
    actions = db.session.execute(
        update(Action)
        .where(condition, Action.purged_at.is_(None))
        .values(
            first_name="",
            last_name="",
            email="",
            email_key=None,
            writer_key=None,
            idempotency_key=None,
            phone="",
            address="",
            city="",
            zip="",
            message="",
            purged_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    # Stored exports (background jobs' files) of these campaigns may hold the people just purged: gone too.
    jobs.delete_campaign_files(campaign_ids)
    return PurgeResult(actions, letters, cancelled)


def purge_campaign(campaign: Campaign, before: date, dry_run: bool = False) -> PurgeResult:
    """Purge every action of the campaign submitted before `before` (midnight UTC)."""
    cutoff = datetime.combine(before, time.min, UTC)
    condition = (Action.campaign_id == campaign.id) & (Action.created_at < cutoff)
    if dry_run:
        pending = select(Action.id).where(condition, Action.purged_at.is_(None))
        actions = db.session.scalar(select(func.count()).select_from(pending.subquery())) or 0
        letters = db.session.scalar(select(func.count()).where(Letter.action_id.in_(pending))) or 0
        return PurgeResult(actions, letters, 0)
    return _anonymize(condition)


@dataclass(frozen=True)
class ConstituentRecord:
    """One submission by the person looked up, as an admin sees it before erasing it."""

    action: Action
    campaign_slug: str
    campaign_title: str
    letters: int


def find_constituent(email: str) -> list[ConstituentRecord]:
    """Every submission made with this email (by its key, or the stored address), newest first."""
    try:
        normalized = normalize_email(email)
    except InvalidEmail:  # an address stored before validation was strict is still found by its text
        normalized = email.strip().lower()
    if not normalized:
        return []
    letter_count = select(func.count()).where(Letter.action_id == Action.id).correlate(Action).scalar_subquery()
    rows = db.session.execute(
        select(Action, Campaign.slug, Campaign.title, letter_count)
        .join(Campaign, Campaign.id == Action.campaign_id)
        .where(
            Action.purged_at.is_(None),
            or_(Action.email_key == email_key(normalized), func.lower(Action.email) == normalized),
        )
        .order_by(Action.created_at.desc())
    ).all()
    return [ConstituentRecord(action, slug, title, count) for action, slug, title, count in rows]


def erase_actions(action_ids: list[str]) -> tuple[PurgeResult, list[str]]:
    """Erase the personal data of these submissions (a person's request); returns the campaigns touched."""
    ids = [str(uuid.UUID(i)) for i in action_ids]  # ValueError on anything that is not an action id
    if not ids:
        return PurgeResult(0, 0, 0), []
    slugs = db.session.scalars(
        select(Campaign.slug)
        .join(Action, Action.campaign_id == Campaign.id)
        .where(Action.id.in_(ids), Action.purged_at.is_(None))
        .distinct()
        .order_by(Campaign.slug)
    ).all()
    return _anonymize(Action.id.in_(ids)), list(slugs)

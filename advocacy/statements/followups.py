"""Follow-up emails: when an office first speaks up, the constituents who wrote to it (and agreed to hear
back) get one email about it. One per constituent per office, ever (unique row in `followups_sent`).

Queuing happens in the transaction that records the statement; sending (through the delivery package's
mailer) happens outside any web request,
in `flask statements followups` (also run at the end of `statements scan`), so a slow mail server never
holds up a page.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from advocacy.db import UTCDateTime, utcnow
from advocacy.extensions import db
from advocacy.statements.models import KIND_LABELS, FollowupSent, FollowupStatus, Statement

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
STALE_SENDING = dt.timedelta(minutes=30)


def mail_enabled() -> bool:
    return current_app.config["ADVOCACY_SETTINGS"].mail_enabled


def _insert():
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(FollowupSent)


def queue_followups(campaign_id: int, bioguide_id: str, statement_id: int) -> int:
    """Queue one email per consenting constituent who wrote to this office in this campaign.
    Does nothing when mail is not configured. Returns how many were queued."""
    if not mail_enabled():
        return 0
    from advocacy.letters.models import Action, Letter

    now = utcnow()
    recipients = (
        select(
            literal(campaign_id),
            Letter.email_key,
            literal(bioguide_id),
            Action.id,
            literal(statement_id),
            literal(FollowupStatus.PENDING.value),
            literal(0),
            literal(""),
            literal(now, UTCDateTime()),
        )
        .join(Action, Action.id == Letter.action_id)
        .where(
            Letter.campaign_id == campaign_id,
            Letter.bioguide_id == bioguide_id,
            Letter.email_key.is_not(None),
            Action.consent.is_(True),
            Action.purged_at.is_(None),
        )
    )
    columns = [
        "campaign_id",
        "email_key",
        "bioguide_id",
        "action_id",
        "statement_id",
        "status",
        "attempts",
        "last_error",
        "created_at",
    ]
    statement = _insert().from_select(columns, recipients).on_conflict_do_nothing().returning(FollowupSent.id)
    return len(db.session.execute(statement).all())


@dataclass
class FollowupSummary:
    sent: int = 0
    failed: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"follow-up emails: {self.sent} sent, {self.failed} failed, {self.skipped} skipped"


def _claim(row_id: int) -> bool:
    """Take one row for sending; False when another worker already has it."""
    result = db.session.execute(
        update(FollowupSent)
        .where(
            FollowupSent.id == row_id,
            FollowupSent.status.in_([FollowupStatus.PENDING.value, FollowupStatus.FAILED.value]),
        )
        .values(status=FollowupStatus.SENDING.value, attempts=FollowupSent.attempts + 1, last_attempt_at=utcnow())
    )
    db.session.commit()
    return result.rowcount == 1


def _release_stale() -> None:
    """A worker that died mid-send leaves rows 'sending'; after a while they may be tried again."""
    db.session.execute(
        update(FollowupSent)
        .where(
            FollowupSent.status == FollowupStatus.SENDING.value,
            FollowupSent.last_attempt_at < utcnow() - STALE_SENDING,
        )
        .values(status=FollowupStatus.FAILED.value, last_error="interrupted")
    )
    db.session.commit()


def compose(action, campaign, statement: Statement, office) -> tuple[str, str]:
    """Subject and plain-text body of the follow-up email."""
    settings = current_app.config["ADVOCACY_SETTINGS"]
    who = f"{office.title} {office.name}" if office else "An office you wrote to"
    short = f"{office.title} {office.last_name}" if office else "An office you wrote to"
    subject = f"{short} has spoken up for {campaign.detainee_name}"
    lines = [
        f"Hello {action.first_name},",
        "",
        f"You wrote to {who} about {campaign.detainee_name}. "
        f"On {statement.date:%B} {statement.date.day}, {statement.date:%Y}, the office spoke up "
        f"({KIND_LABELS.get(statement.kind, 'statement').lower()}).",
        "",
    ]
    if statement.quote_or_summary:
        lines += [f"“{statement.quote_or_summary}”", ""]
    lines += [f"Read it: {statement.source_url}", ""]
    if settings.site_url:
        lines += [f"See which offices have spoken: {settings.site_url.rstrip('/')}/c/{campaign.slug}/scoreboard", ""]
    lines += [
        "Thank you: letters like yours are how offices hear that their constituents care.",
        "",
        "You are getting this one email because you asked to hear back when you wrote.",
    ]
    return subject, "\n".join(lines)


def send_pending_followups(limit: int = 1000) -> FollowupSummary:
    """Send queued follow-ups (and retry failed ones a few times)."""
    from advocacy.campaigns.models import Campaign
    from advocacy.congress.offices import office_for
    from advocacy.delivery.errors import DeliveryError, PermanentError
    from advocacy.delivery.mailer import send_email, sender_domain
    from advocacy.letters.models import Action

    summary = FollowupSummary()
    if not mail_enabled():
        return summary
    _release_stale()
    ids = db.session.scalars(
        select(FollowupSent.id)
        .where(
            or_(
                FollowupSent.status == FollowupStatus.PENDING.value,
                and_(FollowupSent.status == FollowupStatus.FAILED.value, FollowupSent.attempts < MAX_ATTEMPTS),
            )
        )
        .order_by(FollowupSent.id)
        .limit(limit)
    ).all()
    for row_id in ids:
        if not _claim(row_id):
            continue
        row = db.session.get(FollowupSent, row_id)
        action = db.session.get(Action, row.action_id) if row.action_id else None
        statement = db.session.get(Statement, row.statement_id) if row.statement_id else None
        campaign = db.session.get(Campaign, row.campaign_id)
        if (
            action is None
            or statement is None
            or action.purged_at is not None
            or not action.consent
            or not action.email
        ):
            row.status = FollowupStatus.SKIPPED.value
            db.session.commit()
            summary.skipped += 1
            continue
        subject, body = compose(action, campaign, statement, office_for(row.bioguide_id, include_former=True))
        # The same Message-ID on every attempt, so a retried send is recognizably the same message.
        # row.id is unique only in this database; the action's uuid4 makes the id unique everywhere.
        message_id = f"<followup-{row.id}.{action.id}@{sender_domain(current_app.config['ADVOCACY_SETTINGS'])}>"
        try:
            send_email(
                action.email, subject, body, headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"}
            )
        except DeliveryError as exc:
            row.status = FollowupStatus.FAILED.value
            row.last_error = exc.reason
            if isinstance(exc, PermanentError):
                row.attempts = MAX_ATTEMPTS  # the address or message was refused: trying again will not help
            summary.failed += 1
            log.warning("follow-up %s failed (%s)", row.id, type(exc).__name__)
        else:
            row.status = FollowupStatus.SENT.value
            row.sent_at = utcnow()
            row.last_error = ""
            summary.sent += 1
        db.session.commit()
    return summary

"""The outcome email: when a campaign closes with an outcome, each constituent who wrote for it and agreed to
hear back gets one email saying how it ended. One per constituent per campaign, ever (unique row in
`outcome_emails`).

Built like the follow-ups (statements/followups.py), in three parts an outbox can take over as they are:
`queue_outcome_emails` (the recipients query, run in the transaction that sets the outcome),
`compose` (subject and text) and `send_pending_outcome_emails` (claim, send through the delivery mailer,
record), run outside any web request by `flask campaigns outcome-emails` (cron), so a slow mail server never
holds up a page.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from advocacy.campaigns.models import Campaign, OutcomeEmail, OutcomeEmailStatus
from advocacy.db import UTCDateTime, utcnow
from advocacy.delivery.errors import DeliveryError, PermanentError
from advocacy.delivery.mailer import send_email, sender_domain
from advocacy.extensions import db
from advocacy.letters.models import Action, Letter

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
STALE_SENDING = dt.timedelta(minutes=30)
PENDING, SENDING, SENT, FAILED, SKIPPED = (s.value for s in OutcomeEmailStatus)


def mail_enabled() -> bool:
    return current_app.config["ADVOCACY_SETTINGS"].mail_enabled


def _insert():
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(OutcomeEmail)


def queue_outcome_emails(campaign_id: int) -> int:
    """Queue one email per consenting constituent who wrote the campaign's own letters (not thank-you
    letters: those writers already know). Nothing when mail is not configured. Returns how many were queued."""
    if not mail_enabled():
        return 0
    now = utcnow()
    # One row per person (the email key), whichever of their consenting actions.
    recipients = (
        select(
            literal(campaign_id),
            Action.email_key,
            func.max(Action.id),
            literal(PENDING),
            literal(0),
            literal(""),
            literal(now, UTCDateTime()),
        )
        .where(
            Action.campaign_id == campaign_id,
            Action.email_key.is_not(None),
            Action.consent.is_(True),
            Action.purged_at.is_(None),
            select(Letter.id).where(Letter.action_id == Action.id, Letter.purpose == "campaign").exists(),
        )
        .group_by(Action.email_key)
    )
    columns = ["campaign_id", "email_key", "action_id", "status", "attempts", "last_error", "created_at"]
    statement = _insert().from_select(columns, recipients).on_conflict_do_nothing().returning(OutcomeEmail.id)
    return len(db.session.execute(statement).all())


@dataclass
class OutcomeEmailSummary:
    sent: int = 0
    failed: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"outcome emails: {self.sent} sent, {self.failed} failed, {self.skipped} skipped"


def _claim(row_id: int) -> bool:
    """Take one row for sending; False when another worker already has it."""
    result = db.session.execute(
        update(OutcomeEmail)
        .where(OutcomeEmail.id == row_id, OutcomeEmail.status.in_([PENDING, FAILED]))
        .values(status=SENDING, attempts=OutcomeEmail.attempts + 1, last_attempt_at=utcnow())
    )
    db.session.commit()
    return result.rowcount == 1


def _release_stale() -> None:
    """A worker that died mid-send leaves rows 'sending'; after a while they may be tried again."""
    db.session.execute(
        update(OutcomeEmail)
        .where(OutcomeEmail.status == SENDING, OutcomeEmail.last_attempt_at < utcnow() - STALE_SENDING)
        .values(status=FAILED, last_error="interrupted")
    )
    db.session.commit()


def compose(action: Action, campaign: Campaign) -> tuple[str, str]:
    """Subject and plain-text body of the outcome email."""
    settings = current_app.config["ADVOCACY_SETTINGS"]
    result = campaign.outcome_result
    if result == "won":
        subject = f"Good news: {campaign.detainee_name}: {campaign.outcome_label.lower()}"
    elif result == "lost":
        subject = f"News about {campaign.detainee_name}: {campaign.outcome_label.lower()}"
    else:
        subject = f"The campaign for {campaign.detainee_name} has ended"
    when = campaign.outcome_date
    lines = [f"Hello {action.first_name},", ""]
    lines += [f"You wrote to Congress for {campaign.detainee_name}. Here is how the campaign ended."]
    lines += ["", f"{campaign.outcome_label}" + (f" ({when:%B} {when.day}, {when:%Y})" if when else "") + "."]
    if campaign.outcome_message:
        lines += ["", campaign.outcome_message]
    if settings.site_url:
        page = f"{settings.site_url.rstrip('/')}/c/{campaign.slug}"
        lines += ["", f"The campaign page keeps the record: {page}"]
        if campaign.accepts_thanks:
            lines += ["You can also thank the offices that acted, from the same page."]
    lines += [
        "",
        "Thank you: letters like yours are how offices hear that their constituents care.",
        "",
        "You are getting this one email because you asked to be kept informed when you wrote.",
    ]
    return subject, "\n".join(lines)


def send_pending_outcome_emails(limit: int = 1000) -> OutcomeEmailSummary:
    """Send queued outcome emails (and retry failed ones a few times)."""
    summary = OutcomeEmailSummary()
    if not mail_enabled():
        return summary
    _release_stale()
    due = or_(OutcomeEmail.status == PENDING, and_(OutcomeEmail.status == FAILED, OutcomeEmail.attempts < MAX_ATTEMPTS))
    ids = db.session.scalars(select(OutcomeEmail.id).where(due).order_by(OutcomeEmail.id).limit(limit)).all()
    for row_id in ids:
        if not _claim(row_id):
            continue
        row = db.session.get(OutcomeEmail, row_id)
        action = db.session.get(Action, row.action_id) if row.action_id else None
        campaign = db.session.get(Campaign, row.campaign_id)
        if action is None or action.purged_at is not None or not action.consent or not action.email:
            row.status = SKIPPED
            db.session.commit()
            summary.skipped += 1
            continue
        subject, body = compose(action, campaign)
        # The same Message-ID on every attempt, so a retried send is recognizably the same message.
        message_id = f"<outcome-{row.id}@{sender_domain(current_app.config['ADVOCACY_SETTINGS'])}>"
        try:
            send_email(
                action.email, subject, body, headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"}
            )
        except DeliveryError as exc:
            row.status = FAILED
            row.last_error = exc.reason
            if isinstance(exc, PermanentError):
                row.attempts = MAX_ATTEMPTS  # the address or message was refused: trying again will not help
            summary.failed += 1
            log.warning("outcome email %s failed (%s)", row.id, type(exc).__name__)
        else:
            row.status, row.sent_at, row.last_error = SENT, utcnow(), ""
            summary.sent += 1
        db.session.commit()
    return summary

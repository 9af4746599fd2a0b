"""The constituent's receipt: one email per submission, when mail is configured. Plain text and HTML, no tracking.

A receipt is owed when the action commits (`receipt_status = "pending"`); it is sent after the commit like a
delivery: by an RQ job when Redis is configured, right away in development, else by the polling worker or
`deliveries retry`. A claim (an atomic UPDATE) makes sure two workers never send the same receipt.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, has_app_context, render_template
from sqlalchemy import select, update

from advocacy.db import utcnow
from advocacy.delivery.errors import PermanentError, TransientError
from advocacy.extensions import db
from advocacy.letters.models import Action, Letter

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=10)


def mail_enabled() -> bool:
    return current_app.config["ADVOCACY_SETTINGS"].mail_enabled


def compose(action: Action) -> tuple[str, str, str]:
    """(subject, text, html) of the receipt."""
    from advocacy.campaigns.models import Campaign
    from advocacy.congress.offices import office_for
    from advocacy.delivery.models import Delivery

    campaign = db.session.get(Campaign, action.campaign_id)
    letters = (
        list(
            db.session.scalars(
                select(Letter)
                .where(Letter.campaign_id == action.campaign_id, Letter.email_key == action.email_key)
                .order_by(Letter.created_at, Letter.position)
            )
        )
        if action.email_key
        else list(action.letters)
    )
    deliveries = {
        d.letter_id: d
        for d in db.session.scalars(select(Delivery).where(Delivery.letter_id.in_([letter.id for letter in letters])))
    }
    rows = []
    for letter in letters:
        office = office_for(letter.bioguide_id, include_former=True) if letter.bioguide_id else None
        rows.append({"letter": letter, "delivery": deliveries.get(letter.id), "office": office})
    site = current_app.config["ADVOCACY_SETTINGS"].site_url.rstrip("/")
    context = {
        "action": action,
        "campaign": campaign,
        "rows": rows,
        "campaign_url": f"{site}/c/{campaign.slug}" if site else "",
    }
    subject = f"Your letters for {campaign.title}"
    return (
        subject,
        render_template("letters/receipt.txt", **context),
        render_template("letters/receipt.html", **context),
    )


def _claim(action_id: str) -> bool:
    result = db.session.execute(
        update(Action)
        .where(Action.id == action_id, Action.receipt_status == "pending")
        .values(receipt_status="sending", receipt_claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(action_id: str, status: str, attempts_delta: int = 0) -> None:
    db.session.execute(
        update(Action)
        .where(Action.id == action_id)
        .values(receipt_status=status, receipt_attempts=Action.receipt_attempts + attempts_delta)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def send_receipt(action_id: str) -> str:
    """Send one owed receipt; returns "sent", "retry", "failed" or "skipped" (not owed, or taken)."""
    from advocacy.delivery.mailer import send_email, sender_domain

    if not mail_enabled() or not _claim(action_id):
        return "skipped"
    action = db.session.get(Action, action_id, populate_existing=True)
    try:
        subject, text, html = compose(action)
        # The same on every attempt (the action's uuid4, unique beyond this database), under the sender's domain.
        message_id = f"<receipt-{action.id}@{sender_domain(current_app.config['ADVOCACY_SETTINGS'])}>"
        send_email(action.email, subject, text, html, headers={"Message-ID": message_id})
    except PermanentError as exc:
        log.warning("receipt %s refused by the mail server: %s", action_id, type(exc).__name__)
        _finish(action_id, "failed", 1)
        return "failed"
    except (TransientError, OSError) as exc:
        db.session.rollback()
        failed = action.receipt_attempts + 1 >= MAX_ATTEMPTS
        log.warning("receipt %s not sent (%s)%s", action_id, type(exc).__name__, "; giving up" if failed else "")
        _finish(action_id, "failed" if failed else "pending", 1)
        return "failed" if failed else "retry"
    _finish(action_id, "sent")
    return "sent"


def send_pending_receipts(limit: int = 200) -> dict[str, int]:
    """Send owed receipts (and take back ones a killed worker left in "sending"); for workers and cron."""
    if not mail_enabled():
        return {}
    db.session.execute(
        update(Action)
        .where(Action.receipt_status == "sending", Action.receipt_claimed_at < utcnow() - STUCK_AFTER)
        .values(receipt_status="pending")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    ids = db.session.scalars(
        select(Action.id).where(Action.receipt_status == "pending").order_by(Action.created_at).limit(limit)
    ).all()
    outcomes: dict[str, int] = {}
    for action_id in ids:
        outcome = send_receipt(action_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def dispatch_receipt(action_id: str) -> None:
    """After the submission commits: get the receipt going, never failing the submission."""
    if not mail_enabled():
        return
    from advocacy.delivery.options import inline_enabled, settings

    try:
        if settings().redis_url:
            from redis.exceptions import RedisError

            from advocacy.delivery.queue import QueueUnavailable, delivery_queue

            try:
                delivery_queue().enqueue(receipt_job, action_id, job_id=f"receipt-{action_id}", result_ttl=0)
            except (QueueUnavailable, RedisError, OSError):
                log.warning("receipt %s not queued (Redis unavailable); it stays pending", action_id)
        elif inline_enabled():
            send_receipt(action_id)
    except Exception:  # noqa: BLE001 - the letters are accepted; the receipt stays owed and is sent later
        log.exception("receipt %s not dispatched; it stays pending", action_id)
        db.session.rollback()


def receipt_job(action_id: str) -> str:
    """The RQ job (runs inside `deliveries work`'s app context, or builds an app under plain `rq`)."""
    if has_app_context():
        return send_receipt(action_id)
    from advocacy import create_app

    with create_app().app_context():
        return send_receipt(action_id)

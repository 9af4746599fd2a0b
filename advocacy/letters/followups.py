"""Follow-up emails: when an office first speaks up, the constituents who wrote to it (and agreed to hear
back) get one email about it. One per constituent per office, ever (the outbox row's dedupe key).

Queuing happens in the transaction that records the statement: one outbox row of kind "followup" per
constituent (advocacy/delivery/kinds.py). The delivery workers send them like letters (claim, retry with
backoff, dead state, dashboard), outside any web request, so a slow mail server never holds up a page.
A new kind of email to supporters follows the same pattern: a renderer and a `row(...)`/`enqueue(...)`.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import literal_column, select
from sqlalchemy.dialects import postgresql, sqlite

from advocacy.campaigns.models import Campaign
from advocacy.congress.offices import office_for
from advocacy.db import utcnow
from advocacy.delivery.kinds import Email, Skip, renderer, row
from advocacy.delivery.models import Delivery
from advocacy.delivery.suppression import is_suppressed, unsubscribe_headers
from advocacy.extensions import db
from advocacy.letters.models import Action, Letter
from advocacy.mail import mail_enabled
from advocacy.stances import KIND_LABELS
from advocacy.statements.models import Statement
from advocacy.statements.services import FOLLOWUP, on_first_support

log = logging.getLogger(__name__)


def _insert():
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(Delivery)


@on_first_support
def queue_followups(campaign_id: int, bioguide_id: str, statement_id: int) -> int:
    """Queue one email per consenting constituent who wrote to this office in this campaign, as outbox rows
    (in the caller's transaction); at most one per constituent per office, ever (the rows' dedupe key).
    Does nothing when mail is not configured. Returns how many were queued."""
    if not mail_enabled():
        return 0
    recipients = db.session.execute(
        select(Letter.email_key, Action.id)
        .join(Action, Action.id == Letter.action_id)
        .where(
            Letter.campaign_id == campaign_id,
            Letter.bioguide_id == bioguide_id,
            Letter.email_key.is_not(None),
            Action.consent.is_(True),
            Action.purged_at.is_(None),
        )
    ).all()
    if not recipients:
        return 0
    now = utcnow()
    rows = [
        row(
            FOLLOWUP,
            action_id=action_id,
            ref=str(statement_id),
            dedupe_key=dedupe_key(campaign_id, email_key, bioguide_id),
            now=now,
        )
        for email_key, action_id in recipients
    ]
    statement = _insert().values(rows).on_conflict_do_nothing().returning(literal_column("id"))
    return len(db.session.execute(statement).all())


def dedupe_key(campaign_id: int, email_key: str, bioguide_id: str) -> str:
    return f"{FOLLOWUP}:{campaign_id}:{email_key}:{bioguide_id}"


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


@renderer(FOLLOWUP)
def render_followup(delivery) -> Email:
    """The follow-up, rendered when it is sent: to the constituent's address as it is now, if they still consent."""
    action = delivery.action
    if action is None or action.purged_at is not None or not action.consent or not action.email:
        raise Skip("the constituent's details were purged or consent withdrawn")
    if is_suppressed(action.email_key, action.campaign_id):
        raise Skip("the constituent unsubscribed")
    statement = db.session.get(Statement, int(delivery.ref)) if (delivery.ref or "").isdigit() else None
    if statement is None:
        raise Skip("the statement was deleted")
    campaign = db.session.get(Campaign, action.campaign_id)
    subject, body = compose(action, campaign, statement, office_for(statement.bioguide_id, include_former=True))
    return Email(to=action.email, subject=subject, text=body, headers=mail_headers(action))


def mail_headers(action) -> dict[str, str]:
    """Auto-Submitted, and the one-click unsubscribe headers when the site's address is known."""
    headers = {"Auto-Submitted": "auto-generated"}
    if current_app.config["ADVOCACY_SETTINGS"].site_url:
        headers.update(unsubscribe_headers(action.email_key, action.campaign_id))
    return headers

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
from flask_babel import format_date, gettext
from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.congress.offices import office_for
from advocacy.db import utcnow
from advocacy.delivery.kinds import Email, Skip, queue_rows, renderer, row
from advocacy.delivery.suppression import is_suppressed, unsubscribe_headers
from advocacy.extensions import db
from advocacy.i18n import in_language
from advocacy.letters.models import Action, Letter
from advocacy.mail import mail_enabled
from advocacy.stances import KIND_WORDS
from advocacy.statements.models import Statement
from advocacy.statements.services import FOLLOWUP, on_first_support

log = logging.getLogger(__name__)


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
    return queue_rows(rows)


def dedupe_key(campaign_id: int, email_key: str, bioguide_id: str) -> str:
    return f"{FOLLOWUP}:{campaign_id}:{email_key}:{bioguide_id}"


def compose(action, campaign, statement: Statement, office) -> tuple[str, str]:
    """Subject and plain-text body of the follow-up email, in the writer's language (the caller sets it)."""
    settings = current_app.config["ADVOCACY_SETTINGS"]
    name = campaign.detainee_name
    if office:
        subject = gettext(
            "%(office)s has spoken up for %(name)s", office=office.title + " " + office.last_name, name=name
        )
        wrote = gettext("You wrote to %(office)s about %(name)s.", office=office.title + " " + office.name, name=name)
    else:
        subject = gettext("An office you wrote to has spoken up for %(name)s", name=name)
        wrote = gettext("You wrote to an office about %(name)s.", name=name)
    kind = str(KIND_WORDS.get(statement.kind, KIND_WORDS["other"]))
    lines = [
        gettext("Hello %(name)s,", name=action.first_name),
        "",
        wrote
        + " "
        + gettext("On %(date)s, the office spoke up (%(kind)s).", date=format_date(statement.date, "long"), kind=kind),
        "",
    ]
    if statement.quote_or_summary:
        lines += [f"“{statement.quote_or_summary}”", ""]
    lines += [gettext("Read it: %(url)s", url=statement.source_url), ""]
    if settings.site_url:
        board = f"{settings.site_url.rstrip('/')}/c/{campaign.slug}/scoreboard"
        lines += [gettext("See which offices have spoken: %(url)s", url=board), ""]
    lines += [
        gettext("Thank you: letters like yours are how offices hear that their constituents care."),
        "",
        gettext("You are getting this one email because you asked to hear back when you wrote."),
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
    with in_language(action.language):
        subject, body = compose(action, campaign, statement, office_for(statement.bioguide_id, include_former=True))
    return Email(to=action.email, subject=subject, text=body, headers=mail_headers(action))


def mail_headers(action) -> dict[str, str]:
    """Auto-Submitted, and the one-click unsubscribe headers when the site's address is known."""
    headers = {"Auto-Submitted": "auto-generated"}
    if current_app.config["ADVOCACY_SETTINGS"].site_url:
        headers.update(unsubscribe_headers(action.email_key, action.campaign_id))
    return headers

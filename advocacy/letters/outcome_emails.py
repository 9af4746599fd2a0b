"""The outcome email: when a campaign closes with an outcome, each constituent who wrote for it and agreed to
hear back gets one email saying how it ended. One per constituent per campaign, ever (the outbox row's dedupe
key).

Queuing happens in the transaction that sets the outcome: one outbox row of kind "outcome" per constituent
(advocacy/delivery/kinds.py). The delivery workers send them like letters, receipts and follow-ups (claim,
retry with backoff, dead state, dashboard), outside any web request.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import format_date, gettext
from sqlalchemy import func, select

from advocacy.campaigns.models import Campaign
from advocacy.campaigns.services import OUTCOME, on_outcome
from advocacy.db import utcnow
from advocacy.delivery.kinds import Email, Skip, queue_rows, renderer, row
from advocacy.delivery.models import Delivery
from advocacy.delivery.suppression import is_suppressed, unsubscribe_headers
from advocacy.extensions import db
from advocacy.i18n import in_language, outcome_text
from advocacy.letters.models import Action, Letter
from advocacy.mail import mail_enabled


def dedupe_key(campaign_id: int, email_key: str) -> str:
    return f"{OUTCOME}:{campaign_id}:{email_key}"


@on_outcome
def queue_outcome_emails(campaign_id: int) -> int:
    """Queue one email per consenting constituent who wrote the campaign's own letters (not thank-you
    letters: those writers already know), as outbox rows in the caller's transaction; at most one per person
    and campaign, ever. Nothing when mail is not configured. Returns how many were queued."""
    if not mail_enabled():
        return 0
    # One row per person (the email key), whichever of their consenting actions.
    recipients = db.session.execute(
        select(Action.email_key, func.max(Action.id))
        .where(
            Action.campaign_id == campaign_id,
            Action.email_key.is_not(None),
            Action.consent.is_(True),
            Action.purged_at.is_(None),
            select(Letter.id).where(Letter.action_id == Action.id, Letter.purpose == "campaign").exists(),
        )
        .group_by(Action.email_key)
    ).all()
    if not recipients:
        return 0
    now = utcnow()
    rows = [
        row(OUTCOME, action_id=action_id, ref=str(campaign_id), dedupe_key=dedupe_key(campaign_id, key), now=now)
        for key, action_id in recipients
    ]
    return queue_rows(rows)


def compose(action: Action, campaign: Campaign) -> tuple[str, str]:
    """Subject and plain-text body of the outcome email, in the writer's language (the caller sets it)."""
    settings = current_app.config["ADVOCACY_SETTINGS"]
    result = campaign.outcome_result
    name, words = campaign.detainee_name, campaign.outcome_words
    if result == "won":
        subject = gettext("Good news: %(name)s: %(outcome)s", name=name, outcome=words.lower())
    elif result == "lost":
        subject = gettext("News about %(name)s: %(outcome)s", name=name, outcome=words.lower())
    else:
        subject = gettext("The campaign for %(name)s has ended", name=name)
    when = campaign.outcome_date
    lines = [gettext("Hello %(name)s,", name=action.first_name), ""]
    lines += [gettext("You wrote to Congress for %(name)s. Here is how the campaign ended.", name=name)]
    lines += ["", words + (f" ({format_date(when, 'long')})" if when else "") + "."]
    if message := outcome_text(campaign).text:  # the organizer's words in the writer's language when given
        lines += ["", message]
    if settings.site_url:
        page = f"{settings.site_url.rstrip('/')}/c/{campaign.slug}"
        lines += ["", gettext("The campaign page keeps the record: %(url)s", url=page)]
        if campaign.accepts_thanks:
            lines += [gettext("You can also thank the offices that acted, from the same page.")]
    lines += [
        "",
        gettext("Thank you: letters like yours are how offices hear that their constituents care."),
        "",
        gettext("You are getting this one email because you asked to be kept informed when you wrote."),
    ]
    return subject, "\n".join(lines)


@renderer(OUTCOME)
def render_outcome(delivery: Delivery) -> Email:
    """The outcome email, rendered when it is sent: to the constituent's address as it is now, if they still
    consent, with the outcome as it stands then (an organizer's correction is what goes out)."""
    action = delivery.action
    if action is None or action.purged_at is not None or not action.consent or not action.email:
        raise Skip("the constituent's details were purged or consent withdrawn")
    if is_suppressed(action.email_key, action.campaign_id):
        raise Skip("the constituent unsubscribed")
    campaign = db.session.get(Campaign, action.campaign_id)
    if campaign is None or campaign.outcome is None:
        raise Skip("the campaign no longer has an outcome")
    with in_language(action.language):
        subject, body = compose(action, campaign)
    headers = {"Auto-Submitted": "auto-generated"}
    if current_app.config["ADVOCACY_SETTINGS"].site_url:
        headers.update(unsubscribe_headers(action.email_key, action.campaign_id))
    return Email(to=action.email, subject=subject, text=body, headers=headers)

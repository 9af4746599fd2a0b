"""The update email (outbox kind "update"): multipart, with one-click unsubscribe, rendered when it is sent.

A row with an action is a supporter's copy: read their address then, and skip it (kinds.Skip) when they were
purged, withdrew consent or unsubscribed since. A row without an action is the organizer's test copy, sent to
the address on the row.
"""

from __future__ import annotations

from flask import current_app, render_template

from advocacy.campaigns.models import Campaign
from advocacy.delivery.kinds import Email, Skip, renderer
from advocacy.delivery.models import Delivery
from advocacy.delivery.suppression import is_suppressed, unsubscribe_headers, unsubscribe_url
from advocacy.extensions import db
from advocacy.i18n import in_language, update_text
from advocacy.identity import email_key
from advocacy.updates.models import CampaignUpdate
from advocacy.updates.services import UPDATE, render_body


def _page(campaign: Campaign) -> str:
    site = current_app.config["ADVOCACY_SETTINGS"].site_url.rstrip("/")
    return f"{site}/c/{campaign.slug}"


def compose(update: CampaignUpdate, campaign: Campaign, first_name: str, key: str, test: bool) -> Email:
    """The message for one person: plain text and HTML from the same parts, the organizer's words in the
    language being rendered where they translated them (advocacy.i18n.update_text), else in English."""
    title, body, ask = update_text(update, "title"), update_text(update, "body"), update_text(update, "ask")
    subject = f"{'[Test] ' if test else ''}{campaign.detainee_name}: {title.text}"
    context = {
        "update": update,
        "title": title,
        "body": body,
        "ask": ask,
        "campaign": campaign,
        "first_name": first_name,
        "body_html": render_body(update, body.text),
        "page_url": _page(campaign),
        "unsubscribe_url": unsubscribe_url(key, campaign.id),
        "test": test,
    }
    return Email(
        to="",
        subject=subject,
        text=render_template("updates/email.txt", **context),
        html=render_template("updates/email.html", **context),
        headers={**unsubscribe_headers(key, campaign.id), "Auto-Submitted": "auto-generated", "Precedence": "bulk"},
    )


@renderer(UPDATE)
def render_update(delivery: Delivery) -> Email:
    update = db.session.get(CampaignUpdate, int(delivery.ref)) if (delivery.ref or "").isdigit() else None
    if update is None:
        raise Skip("the update was deleted")
    campaign = db.session.get(Campaign, update.campaign_id)
    if campaign is None:
        raise Skip("the campaign was deleted")
    if delivery.action_id is None:
        if not delivery.recipient_email:
            raise Skip("no recipient")
        email = compose(update, campaign, "", email_key(delivery.recipient_email), test=True)
        return _to(email, delivery.recipient_email)
    action = delivery.action
    if action is None or action.purged_at is not None or not action.consent or not action.email:
        raise Skip("the supporter's details were purged or consent withdrawn")
    if is_suppressed(action.email_key, campaign.id):
        raise Skip("the supporter unsubscribed")
    with in_language(action.language):  # the writer's language: the organizer's translation when there is one
        email = compose(update, campaign, action.first_name, action.email_key, test=False)
    return _to(email, action.email)


def _to(email: Email, address: str) -> Email:
    return Email(to=address, subject=email.subject, text=email.text, html=email.html, headers=email.headers)

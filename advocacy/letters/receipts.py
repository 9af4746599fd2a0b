"""The constituent's receipt: one email per submission, when mail is configured. Plain text and HTML, no tracking.

A receipt is an outbox row of kind "receipt" (advocacy/delivery/kinds.py), written in the submission's own
statement, so it is owed exactly when the letters are; the delivery workers claim, send, retry and record it like
a letter (right away in the web process in development).
"""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import gettext
from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.congress.offices import office_for
from advocacy.delivery.kinds import Email, Skip, renderer, row
from advocacy.delivery.models import Delivery
from advocacy.extensions import db
from advocacy.i18n import campaign_text, in_language
from advocacy.letters.models import Action, Letter

log = logging.getLogger(__name__)
RECEIPT = "receipt"


def compose(action: Action) -> tuple[str, str, str]:
    """(subject, text, html) of the receipt."""
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
    subject = gettext("Your letters for %(title)s", title=campaign_text(campaign, "title"))
    return (
        subject,
        render_template("letters/receipt.txt", **context),
        render_template("letters/receipt.html", **context),
    )


@renderer(RECEIPT)
def render_receipt(delivery) -> Email:
    """The receipt of the delivery's action, to the constituent's address as it is now (a purge cancels it)."""
    action = delivery.action
    if action is None or action.purged_at is not None or not action.email:
        raise Skip("the constituent's details were purged")
    with in_language(action.language):
        subject, text, html = compose(action)
    # The Message-ID is the outbox's: the row's uuid4 under the sender's domain, the same on every attempt.
    return Email(to=action.email, subject=subject, text=text, html=html)


def receipt_row(action_id: str, now) -> dict:
    """The outbox row of a submission's receipt, written in the submission's own statement (letters/store.py)."""
    return row(RECEIPT, action_id=action_id, dedupe_key=f"receipt:{action_id}", now=now)

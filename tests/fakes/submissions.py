"""Letters to deliver, written the way a submission writes them: action, letters and deliveries in
one transaction, each delivery built by the outbox's own `delivery_values`."""

from __future__ import annotations

from itertools import count

from advocacy.campaigns.models import Campaign
from advocacy.delivery.models import Delivery
from advocacy.delivery.outbox import delivery_values
from advocacy.extensions import db
from advocacy.letters.models import Action, Letter

_numbers = count(1)

# A constituent in New York's 13th district, as an action row stores them (bench/drain.py writes them too).
WRITER = {
    "prefix": "",
    "first_name": "Ana",
    "last_name": "López",
    "phone": "212-555-0143",
    "address": "500 W 120th St",
    "city": "New York",
    "state": "NY",
    "zip": "10027",
    "message": "",
    "consent": True,
    "district_state": "NY",
    "district": 13,
    "congress": 119,
}

HOUSE = {
    "office_key": "E000297",
    "bioguide_id": "E000297",
    "office_name": "Adriano Espaillat",
    "office_title": "Representative",
    "chamber": "house",
    "state": "NY",
    "district": 13,
}
SENATE = {
    "office_key": "G000555",
    "bioguide_id": "G000555",
    "office_name": "Kirsten E. Gillibrand",
    "office_title": "Senator",
    "chamber": "senate",
    "state": "NY",
    "district": None,
}
CUSTOM = {
    "office_key": "custom:1",
    "bioguide_id": None,
    "custom_target_id": 1,
    "office_name": "ICE New York Field Office Director",
    "office_title": "Director",
    "chamber": "custom",
    "state": "",
    "district": None,
}


def make_campaign(slug: str = "guan-heng", **kw) -> Campaign:
    kw.setdefault("title", "Free Guan Heng")
    kw.setdefault("detainee_name", "Guan Heng")
    kw.setdefault("status", "live")
    campaign = Campaign(slug=slug, **kw)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def make_action(campaign: Campaign, **kw) -> Action:
    n = next(_numbers)
    fields = {**WRITER, "email": f"ana{n}@example.org", "lookup_source": "census-geocoder", **kw}
    action = Action(campaign_id=campaign.id, **fields)
    db.session.add(action)
    return action


def submit(
    campaign: Campaign,
    offices: list[dict] | None = None,
    target_email: str | None = None,
    personal_message: str = "I live in your district and I am asking you to act.",
    body: str = "Dear {title} {name},\n\nPlease speak up for Guan Heng <now> & ask DHS to release him.",
    **action_fields,
) -> list[Delivery]:
    """One constituent's submission: an action, a letter per office, a delivery per letter; committed."""
    action = make_action(campaign, **action_fields)
    deliveries = []
    for office in offices or [HOUSE]:
        letter = Letter(
            action=action,
            campaign_id=campaign.id,
            congress=119,
            subject="Please speak up for Guan Heng",
            body=body.format(title=office["office_title"], name=office["office_name"]),
            personal_message=personal_message,
            **office,
        )
        db.session.add(letter)
        email = target_email if office["chamber"] == "custom" or target_email else None
        values = delivery_values(letter, target_email=email)
        values.pop("letter_id")  # the letter has no id until the flush: the relationship sets it
        delivery = Delivery(letter=letter, **values)
        db.session.add(delivery)
        deliveries.append(delivery)
    db.session.commit()
    return deliveries


# --- app configuration pointing delivery at the fake servers -----------------------------------------

AGENT_CONFIG = {
    "CWC_AGENT_ACK_EMAIL": "ack@advocacy.example.org",
    "CWC_AGENT_CONTACT_NAME": "Dana Organizer",
    "CWC_AGENT_CONTACT_EMAIL": "dana@advocacy.example.org",
    "CWC_AGENT_CONTACT_PHONE": "202-555-0142",
    "CWC_ORGANIZATION": "Friends of Guan Heng",
    # A hung CWC request ends on the client's read timeout; short, so tests stay fast.
    "DELIVERY_CWC_TIMEOUT": (2.0, 0.5),
}


def delivery_config(cwc=None, smtp=None, environ: dict | None = None, **config) -> dict:
    """`app_config` for a test app whose deliveries go to these fake servers."""
    env = {}
    if cwc is not None:
        env.update(
            {
                "ADVOCACY_CWC_URL": cwc.url,
                "ADVOCACY_CWC_API_KEY": cwc.api_key,
                "ADVOCACY_CWC_DELIVERY_AGENT": "Advocacy Toolkit Tests",
                # the agent's identity, required with a CWC URL (the same values as AGENT_CONFIG)
                "ADVOCACY_CWC_AGENT_ACK_EMAIL": AGENT_CONFIG["CWC_AGENT_ACK_EMAIL"],
                "ADVOCACY_CWC_AGENT_CONTACT_NAME": AGENT_CONFIG["CWC_AGENT_CONTACT_NAME"],
                "ADVOCACY_CWC_AGENT_CONTACT_EMAIL": AGENT_CONFIG["CWC_AGENT_CONTACT_EMAIL"],
                "ADVOCACY_CWC_AGENT_CONTACT_PHONE": AGENT_CONFIG["CWC_AGENT_CONTACT_PHONE"],
                "ADVOCACY_CWC_ORGANIZATION": AGENT_CONFIG["CWC_ORGANIZATION"],
            }
        )
    if smtp is not None:
        env.update(smtp.environ())
    env.update(environ or {})
    result = dict(AGENT_CONFIG, ENVIRON=env)
    result.update(config)
    return result

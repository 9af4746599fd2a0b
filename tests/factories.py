"""Small factories for campaign data: campaigns, members, actions, letters, deliveries, statements.

Each returns the saved row (committed unless `commit=False`). Defaults are plausible real values;
pass keyword arguments to change any column.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from advocacy.campaigns.models import Campaign
from advocacy.congress.models import Member
from advocacy.delivery.models import Delivery
from advocacy.extensions import db
from advocacy.letters.models import Action, Letter
from advocacy.privacy.keys import email_key
from advocacy.statements.models import Statement

T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # a Monday


def _save(row, commit: bool):
    db.session.add(row)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return row


def make_campaign(slug: str = "guan-heng", title: str = "Free Guan Heng", commit: bool = True, **kw) -> Campaign:
    kw.setdefault("detainee_name", "Guan Heng")
    kw.setdefault("status", "live")
    return _save(Campaign(slug=slug, title=title, **kw), commit)


def make_member(
    bioguide_id: str = "G000555",
    first_name: str = "Kirsten",
    last_name: str = "Gillibrand",
    chamber: str = "senate",
    state: str = "NY",
    district: int | None = None,
    commit: bool = True,
    **kw,
) -> Member:
    kw.setdefault("party", "Democrat")
    kw.setdefault("term_start", date(2025, 1, 3))
    kw.setdefault("term_end", date(2031, 1, 3))
    kw.setdefault("official_full", f"{first_name} {last_name}")
    member = Member(
        bioguide_id=bioguide_id,
        first_name=first_name,
        last_name=last_name,
        chamber=chamber,
        state=state,
        district=district,
        **kw,
    )
    return _save(member, commit)


def make_action(
    campaign: Campaign,
    first_name: str = "Ana",
    last_name: str = "Lopez",
    email: str = "ana@example.org",
    created_at: datetime | None = None,
    commit: bool = True,
    **kw,
) -> Action:
    defaults = {
        "phone": "212-555-0143",
        "address": "500 W 120th St",
        "city": "New York",
        "state": "NY",
        "zip": "10027",
        "message": "Please help him.",
        "consent": True,
        "district_state": "NY",
        "district": 13,
        "congress": 119,
        "lookup_source": "census-geocoder",
    }
    defaults.update(kw)
    action = Action(
        campaign_id=campaign.id,
        first_name=first_name,
        last_name=last_name,
        email=email,
        email_key=email_key(email),
        created_at=created_at or T0,
        **defaults,
    )
    return _save(action, commit)


SENATOR = {
    "office_key": "G000555",
    "bioguide_id": "G000555",
    "office_name": "Kirsten E. Gillibrand",
    "office_title": "Senator",
    "chamber": "senate",
    "state": "NY",
    "district": None,
    "party": "Democrat",
}
REPRESENTATIVE = {
    "office_key": "E000297",
    "bioguide_id": "E000297",
    "office_name": "Adriano Espaillat",
    "office_title": "Representative",
    "chamber": "house",
    "state": "NY",
    "district": 13,
    "party": "Democrat",
}


def make_letter(
    action: Action,
    office: dict | None = None,
    created_at: datetime | None = None,
    status: str | None = "sent",
    channel: str = "cwc",
    sent_at: datetime | None = None,
    commit: bool = True,
    **kw,
) -> Letter:
    """A letter from `action` to `office` (SENATOR by default) and, unless status is None, its delivery."""
    fields = dict(office or SENATOR)
    fields.update(kw)
    fields.setdefault("subject", "Please speak up for Guan Heng")
    fields.setdefault(
        "body",
        f"Dear {fields['office_title']} {fields['office_name']},\n\nPlease act.\n\nSincerely,\n{action.full_name}",
    )
    fields.setdefault("personal_message", "")
    created = created_at or action.created_at
    letter = Letter(
        action_id=action.id,
        campaign_id=action.campaign_id,
        email_key=action.email_key,
        congress=action.congress,
        created_at=created,
        **fields,
    )
    _save(letter, commit=False)
    if status is not None:
        if status in ("sent", "handoff_sent") and sent_at is None:
            sent_at = created + timedelta(minutes=5)
        db.session.add(
            Delivery(letter_id=letter.id, channel=channel, status=status, sent_at=sent_at, created_at=created)
        )
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return letter


def make_statement(
    campaign: Campaign,
    bioguide_id: str = "G000555",
    day: date = date(2025, 3, 5),
    stance: str = "supports",
    kind: str = "press_release",
    commit: bool = True,
    **kw,
) -> Statement:
    kw.setdefault("source_url", f"https://www.senate.gov/{bioguide_id.lower()}/press/{day.isoformat()}")
    kw.setdefault("quote_or_summary", "Calls on DHS to release Guan Heng.")
    return _save(
        Statement(campaign_id=campaign.id, bioguide_id=bioguide_id, date=day, stance=stance, kind=kind, **kw), commit
    )

"""Small factories for campaign data: campaigns, members, actions, letters, deliveries, statements.

Each returns the saved row (committed unless `commit=False`). Defaults are plausible real values;
pass keyword arguments to change any column.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from advocacy.campaigns.models import Campaign
from advocacy.congress.models import Member
from advocacy.delivery.models import Delivery
from advocacy.extensions import db
from advocacy.identity import email_key
from advocacy.letters.models import Action, Letter
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


# --- a small campaign for report tests ---------------------------------------------------------------

SCHUMER = dict(SENATOR, office_key="S000148", bioguide_id="S000148", office_name="Charles E. Schumer")
PADILLA = dict(SENATOR, office_key="P000145", bioguide_id="P000145", office_name="Alex Padilla", state="CA")
PELOSI = dict(
    REPRESENTATIVE, office_key="P000197", bioguide_id="P000197", office_name="Nancy Pelosi", state="CA", district=11
)
ICE_DIRECTOR = {
    "office_key": "custom:1",
    "bioguide_id": None,
    "office_name": "ICE New York Field Office Director",
    "office_title": "Director",
    "chamber": "custom",
    "state": "",
    "district": None,
    "party": "",
}


def make_sample_campaign(slug: str = "guan-heng") -> Campaign:
    """Three constituents in NY and CA writing to six offices over three weeks, with every kind of
    delivery status, two statements by one office, and a second campaign whose rows must never leak in."""
    from advocacy.congress.models import Member as _Member

    campaign = make_campaign(slug)
    for bio, first, last, chamber, state, district in (
        ("G000555", "Kirsten", "Gillibrand", "senate", "NY", None),
        ("S000148", "Charles", "Schumer", "senate", "NY", None),
        ("E000297", "Adriano", "Espaillat", "house", "NY", 13),
        ("P000145", "Alex", "Padilla", "senate", "CA", None),
        ("P000197", "Nancy", "Pelosi", "house", "CA", 11),
    ):
        if db.session.get(_Member, bio) is None:
            make_member(bio, first, last, chamber, state, district, commit=False)
    second = timedelta(seconds=1)
    ana = make_action(campaign, "Ana", "Lopez", "ana@example.org", T0, message="My neighbour in Harlem.", commit=False)
    make_letter(ana, SENATOR, T0, "sent", commit=False)
    make_letter(ana, SCHUMER, T0 + second, "pending", commit=False)
    make_letter(ana, REPRESENTATIVE, T0 + 2 * second, "handoff", "contact_form", commit=False)
    make_letter(ana, ICE_DIRECTOR, T0 + 3 * second, "sent", "email", commit=False)
    t1 = T0 + timedelta(days=7, hours=2)
    zhou = make_action(
        campaign,
        "锋锁",
        "周",
        "Zhou@Example.org",
        t1,
        consent=False,
        address="41-25 Kissena Blvd",
        city="Flushing",
        zip="11355",
        district=6,
        commit=False,
    )
    make_letter(zhou, SENATOR, t1, "failed", personal_message="我的邻居。", commit=False)
    make_letter(zhou, SCHUMER, t1 + second, "sent", commit=False)
    t2 = T0 + timedelta(days=14, hours=5)  # 2025-03-17 20:00 UTC
    nguyen = make_action(
        campaign,
        "Thị Minh",
        "Nguyễn",
        "minh@example.org",
        t2,
        address="1 Dr Carlton B Goodlett Pl",
        city="San Francisco",
        phone="415-555-0112",
        state="CA",
        zip="94102",
        district_state="CA",
        district=11,
        commit=False,
    )
    make_letter(nguyen, PADILLA, t2, "sent", "email", personal_message="Please, Senator.", commit=False)
    make_letter(nguyen, PELOSI, t2 + second, "dead", commit=False)
    make_statement(campaign, "G000555", date(2025, 3, 5), "supports", commit=False)
    make_statement(campaign, "G000555", date(2025, 3, 12), "neutral", "social_post", commit=False)
    other = make_campaign(f"{slug}-other", "Another campaign", commit=False)
    stranger = make_action(
        other, "Not", "Included", "stranger@example.org", t1, phone="", address="1 Elm St", commit=False
    )
    make_letter(stranger, SENATOR, t1, "sent", commit=False)
    make_statement(other, "S000148", date(2025, 3, 6), "opposes", commit=False)
    db.session.commit()
    return campaign


# --- reading exports back ---------------------------------------------------------------------------


def csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "CSV should start with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(data: bytes) -> list[list]:
    """Every sheet's rows, in order; empty cells as ''. Fails on a formula cell."""
    book = load_workbook(io.BytesIO(data), read_only=False)
    rows = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {cell.coordinate}: {cell.value!r}"
            # OOXML writes a carriage return as _x000D_; Excel reads it back as one, and so do we.
            rows.append(["" if c.value is None else unescape(c.value) if c.data_type == "s" else c.value for c in row])
    return rows

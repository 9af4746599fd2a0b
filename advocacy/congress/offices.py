"""Offices of sitting members as immutable values, held in memory (the roster) for fast lookups.

An `Office` is what the rest of the app addresses a letter to: a member's title, salutation, DC phone and
contact route. The roster is built with two queries and rebuilt only when a sync changes the data.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select

from advocacy.congress import cache, effective
from advocacy.congress.models import DistrictOffice, Member, RosterMember
from advocacy.extensions import db
from advocacy.folding import fold_text
from advocacy.places import STATE_NAMES, house_title

PHOTO_URL = "https://unitedstates.github.io/images/congress/225x275/{bioguide}.jpg"
EARTH_RADIUS_MILES = 3958.8
_PARENTHESES = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Office:
    bioguide_id: str
    name: str
    first_name: str
    last_name: str
    title: str  # Senator | Representative | Delegate | Resident Commissioner
    salutation: str  # "Dear Senator Gillibrand"
    chamber: str  # "senate" | "house"
    state: str
    district: int | None  # None for senators, 0 for at-large seats
    party: str
    phone: str | None  # the DC office
    address: str | None  # the DC office
    contact_url: str | None  # the contact form, else the website
    contact_form: str | None
    website: str | None
    photo_url: str
    social: dict = field(default_factory=dict)
    nearest_district_office: dict | None = None
    rss_url: str | None = None

    def to_json(self) -> dict:
        return {
            "bioguide_id": self.bioguide_id,
            "name": self.name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "title": self.title,
            "salutation": self.salutation,
            "chamber": self.chamber,
            "state": self.state,
            "district": self.district,
            "party": self.party,
            "phone": self.phone,
            "address": self.address,
            "contact_url": self.contact_url,
            "contact_form": self.contact_form,
            "website": self.website,
            "photo_url": self.photo_url,
            "social": dict(self.social),
            "nearest_district_office": dict(self.nearest_district_office) if self.nearest_district_office else None,
            "rss_url": self.rss_url,
        }


def salutation_name(last: str, official_full: str | None) -> str:
    """The surname to greet someone by. Usually `name.last`; but where the official name uses a shorter form
    (Pablo José Hernández, whose `last` is "Hernández Rivera") we follow the official name."""
    if not official_full or last in official_full:
        return last
    words = last.split()
    for n in range(len(words) - 1, 0, -1):
        shorter = " ".join(words[:n])
        if official_full.split(",")[0].strip().endswith(shorter):
            return shorter
    return last


def _web(url: str | None) -> str | None:
    """Only http(s) addresses become links: a `javascript:` URL in the data must never reach a page."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def office_from_member(m) -> Office:
    """Build an Office from a Member row (or any object with the same attributes)."""
    contact_form, website = _web(m.contact_form), _web(m.url)
    first = _PARENTHESES.sub("", m.first_name).strip() or m.first_name  # "James (Jim)" -> "James"
    title = "Senator" if m.chamber == "senate" else house_title(m.state)
    return Office(
        bioguide_id=m.bioguide_id,
        name=m.official_full or f"{first} {m.last_name}",
        first_name=first,
        last_name=m.last_name,
        title=title,
        salutation=f"Dear {title} {salutation_name(m.last_name, m.official_full)}",
        chamber=m.chamber,
        state=m.state,
        district=m.district if m.chamber == "house" else None,
        party=m.party,
        phone=m.phone,
        address=m.address,
        contact_url=contact_form or website,
        contact_form=contact_form,
        website=website,
        photo_url=PHOTO_URL.format(bioguide=m.bioguide_id),
        social=dict(m.social or {}),
        rss_url=_web(m.rss_url),
    )


@dataclass(frozen=True)
class Roster:
    """Every sitting member's office, indexed the ways a lookup needs."""

    offices: dict[str, Office]
    senators: dict[str, tuple[Office, ...]]  # by state, senior senator first
    house: dict[tuple[str, int], Office]  # by (state, district)
    district_offices: dict[str, tuple[dict, ...]]  # by bioguide id, in file order
    office_json: dict[str, bytes]  # each office serialized once, for the lookup API's answers


def build_roster() -> Roster:
    # Plain column rows, not ORM objects: the roster outlives the session and must not fill its identity map.
    members = db.session.execute(select(*Member.__table__.columns).where(Member.in_office.is_(True))).all()
    rows = db.session.execute(
        select(*DistrictOffice.__table__.columns)
        .join(Member, Member.bioguide_id == DistrictOffice.bioguide_id)
        .where(Member.in_office.is_(True))
        .order_by(DistrictOffice.bioguide_id, DistrictOffice.position)
    )
    district_offices: dict[str, list[dict]] = {}
    for row in rows:
        district_offices.setdefault(row.bioguide_id, []).append(_district_office_json(row))
    return _index(members, district_offices)


def member_view(record: dict) -> SimpleNamespace:
    """A kept roster row's member record, with the attributes office_from_member and the roster read."""
    fields = {c.key: None for c in Member.__table__.columns}
    return SimpleNamespace(**{**fields, **record, "social": record.get("social") or {}})


def build_kept_roster(congress: int) -> Roster | None:
    """The roster kept for a Congress (loaded ahead of its start), as the live one would be; None if none is."""
    kept = db.session.execute(
        select(RosterMember.record, RosterMember.district_offices).where(
            RosterMember.congress == congress, RosterMember.left_at.is_(None)
        )
    ).all()
    if not kept:
        return None
    members = [member_view(record) for record, _ in kept]
    return _index(members, {m.bioguide_id: list(offices or []) for m, (_, offices) in zip(members, kept, strict=True)})


def _index(members, district_offices: dict[str, list[dict]]) -> Roster:
    offices = {m.bioguide_id: office_from_member(m) for m in members}
    rank = {m.bioguide_id: (m.state_rank != "senior", m.last_name) for m in members}
    senators: dict[str, list[Office]] = {}
    house: dict[tuple[str, int], Office] = {}
    for office in sorted(offices.values(), key=lambda o: rank[o.bioguide_id]):
        if office.chamber == "senate":
            senators.setdefault(office.state, []).append(office)
        else:
            house[(office.state, office.district or 0)] = office
    return Roster(
        offices=offices,
        senators={k: tuple(v) for k, v in senators.items()},
        house=house,
        district_offices={k: tuple(v) for k, v in district_offices.items() if v},
        office_json={
            k: json.dumps(o.to_json(), ensure_ascii=False, separators=(",", ":")).encode() for k, o in offices.items()
        },
    )


def _district_office_json(row) -> dict:
    return {
        "id": row.id,
        "address": row.address,
        "suite": row.suite,
        "building": row.building,
        "city": row.city,
        "state": row.state,
        "zip": row.zip,
        "phone": row.phone,
        "latitude": row.latitude,
        "longitude": row.longitude,
    }


def roster(now: datetime | None = None) -> Roster:
    """The sitting members at `now` (default: the clock, see effective.py): the live tables, or the roster kept
    for a Congress that has taken effect but that `legislators switch` has not copied into them yet."""
    data = cache.current()
    if data.pending is None or data.pending:
        due = effective.due_release("legislators", data, now)
        if due is not None:
            ahead = _kept_roster(data, due.congress)
            if ahead is not None:
                return ahead
    built = data.roster
    if built is None:
        with data.lock:
            built = data.roster
            if built is None:
                built = data.roster = build_roster()
    return built


def _kept_roster(data: cache.DataCache, congress: int) -> Roster | None:
    key = ("legislators", congress)
    if key not in data.ahead:
        with data.lock:
            if key not in data.ahead:
                data.ahead[key] = build_kept_roster(congress)
    return data.ahead[key]


def current_offices() -> list[Office]:
    """Every sitting member: senators first, then the House, each by state and district."""
    return sorted(roster().offices.values(), key=lambda o: (o.chamber != "senate", o.state, o.district or 0, o.name))


def office_for(bioguide_id: str, include_former: bool = False) -> Office | None:
    """The office of a sitting member; with `include_former`, also of a member who has left (from the
    database, since the roster holds sitting members only)."""
    office = roster().offices.get(bioguide_id)
    if office is None and include_former:
        member = db.session.get(Member, bioguide_id)
        office = office_from_member(member) if member is not None else None
    return office


def district_offices(bioguide_id: str) -> list[dict]:
    return [dict(o) for o in roster().district_offices.get(bioguide_id, ())]


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def nearest_district_office(
    bioguide_id: str, latitude: float, longitude: float, seats: Roster | None = None
) -> dict | None:
    best: tuple[float, dict] | None = None
    for office in (seats or roster()).district_offices.get(bioguide_id, ()):
        if office["latitude"] is None or office["longitude"] is None:
            continue
        miles = distance_miles(latitude, longitude, office["latitude"], office["longitude"])
        if best is None or miles < best[0]:
            best = (miles, office)
    if best is None:
        return None
    return {**best[1], "distance_miles": round(best[0], 1)}


def _city_key(city: str) -> str:
    return " ".join(city.replace(".", " ").split()).casefold()


def district_office_in_city(bioguide_id: str, city: str, seats: Roster | None = None) -> dict | None:
    """The member's first district office in the writer's own city (when there is no point to measure from)."""
    wanted = _city_key(city)
    return next(
        (dict(o) for o in (seats or roster()).district_offices.get(bioguide_id, ()) if _city_key(o["city"]) == wanted),
        None,
    )


def local_office(
    bioguide_id: str,
    location: tuple[float, float] | None = None,
    city: str | None = None,
    seats: Roster | None = None,
) -> dict | None:
    """The district office to call: the nearest to the geocoded point; else one in the writer's city; else None
    (the caller may then show the first office in the data, which is no better than a guess). `seats` is the
    roster the caller already holds (default: the one in effect now)."""
    if location is not None:
        found = nearest_district_office(bioguide_id, *location, seats=seats)
        if found is not None:
            return found
    if city:
        return district_office_in_city(bioguide_id, city, seats)
    return None


def with_nearest_office(
    office: Office, location: tuple[float, float] | None, city: str | None = None, seats: Roster | None = None
) -> Office:
    if location is None and not city:
        return office
    # As dataclasses.replace(office, nearest_district_office=...), which re-runs the 19-field __init__ and
    # reads the class's fields each time: a copy of the instance's values, one of them changed.
    copy = object.__new__(Office)
    copy.__dict__.update(
        office.__dict__, nearest_district_office=local_office(office.bioguide_id, location, city, seats)
    )
    return copy


def office_matches(office: Office, query: str) -> bool:
    """Search by name, state (code or name), district ("NY-12", "ny12", "NY 12") or bioguide id."""
    needle = fold_text(query).strip()
    if not needle:
        return True
    compact = needle.replace("-", "").replace(" ", "")
    district = "al" if office.district == 0 else str(office.district) if office.district is not None else ""
    state = office.state.lower()
    haystacks = (
        fold_text(office.name),
        fold_text(STATE_NAMES.get(office.state, "")),
        office.bioguide_id.lower(),
    )
    if compact in (state, state + district) or needle == office.bioguide_id.lower():
        return True
    return all(any(word in h for h in haystacks) for word in needle.split())

"""Who represents a ZIP code (and, with a street address, exactly which district): `lookup_representatives`.

A street address goes to the geocoder; when it cannot answer, or for a ZIP alone, the crosswalk does. A ZIP
in several districts is *split*: every candidate is returned and none is picked. A ZIP is only an
approximation (its area is drawn from census blocks, not from postal addresses), so an answer from the
crosswalk says so (`approximate`, `notice`).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from advocacy.congress.offices import Office, local_office, roster, with_nearest_office
from advocacy.congress.providers import GeocoderUnavailable, crosswalk, geocoder
from advocacy.places import zip_parts

# What a lookup tells the person about where its answer came from (also in the API's `notice`).
ZIP_NOTICE = _l(
    "A ZIP code is only an approximation of a congressional district: enter your street address "
    "to be sure of your representative."
)
UNAVAILABLE_NOTICE = _l(
    "We could not check your street address just now, so your district comes from your ZIP code. "
    "Try again in a few minutes to be sure of your representative."
)
# On the thanks page of a letter whose district came from the ZIP (see advocacy.letters.verify), one for each way
# the House letter leaves: held by us and checked again, handed to the writer for the office's form, or gone.
ZIP_SOURCE_NOTICE = _l(
    "We could not check your street address when you wrote, so your district comes from your ZIP code. "
    "We check the address again before your letter goes to the House, and if your district turns out to be "
    "a different one, the letter goes to the right representative instead."
)
ZIP_SOURCE_HANDOFF_NOTICE = _l(
    "We could not check your street address when you wrote, so your district comes from your ZIP code. "
    "Your House letter waits for you to send it on the representative's own form, which asks for your address: "
    "if the form says you live outside the district, come back to this page, where we show the right "
    "representative once we have checked your address again."
)
ZIP_SOURCE_SENT_NOTICE = _l(
    "We could not check your street address when you wrote, so your district came from your ZIP code, "
    "and your House letter went to the representative for that district."
)
NOT_FOUND_NOTICE = _l(
    "We could not find that street address, so your district comes from your ZIP code. "
    "Check the number and street name."
)

MAX_ADDRESS_LENGTH = 200


class LookupFailed(ValueError):
    """The question cannot be answered; `code`, `status` and `field` say why, for the API and forms."""

    code = "lookup_failed"
    status = 400
    field = "zip"


class InvalidZip(LookupFailed):
    code = "invalid_zip"


class InvalidAddress(LookupFailed):
    code = "invalid_address"
    field = "address"


class UnknownZip(LookupFailed):
    code = "unknown_zip"
    status = 404


def require_zip5(value: object) -> str:
    """The five-digit ZIP code of what was typed (see places.zip_parts), or InvalidZip."""
    parts = zip_parts(value)
    if parts is None:
        raise InvalidZip(gettext("Enter a 5-digit ZIP code, like 12345 or 12345-6789."))
    return parts[0]


def normalize_address(value: object) -> str | None:
    """A street address on one line, spaces collapsed; None when blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidAddress(gettext("Enter the street address as text."))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in value if ch not in " \t"):
        raise InvalidAddress(gettext("The street address contains characters that cannot be part of an address."))
    street = " ".join(value.split())
    if len(street) > MAX_ADDRESS_LENGTH:
        raise InvalidAddress(
            gettext("Enter a street address of at most %(count)s characters.", count=MAX_ADDRESS_LENGTH)
        )
    return street or None


@dataclass
class LookupResult:
    query: dict
    source: str  # "census-geocoder" | "geocodio" | "zip-crosswalk" | "constituent-choice"
    split: bool
    districts: list[tuple[str, int]]
    offices: list[Office] = field(default_factory=list)
    house_candidates: list[Office] = field(default_factory=list)
    vacancies: list[tuple[str, int]] = field(default_factory=list)
    # An address was given but no geocoder could answer (down, timed out): the ZIP decided for now.
    geocoder_unavailable: bool = False
    location: tuple[float, float] | None = None  # the geocoded point; never serialized

    @property
    def states(self) -> list[str]:
        return sorted({state for state, _ in self.districts})

    @property
    def approximate(self) -> bool:
        """The district comes from the ZIP code, not from the street address."""
        return self.source == crosswalk.name

    @property
    def notice(self) -> str | None:
        if not self.approximate:
            return None
        if self.query.get("address"):
            return UNAVAILABLE_NOTICE if self.geocoder_unavailable else NOT_FOUND_NOTICE
        return ZIP_NOTICE

    def to_json(self) -> dict:
        return {
            "query": dict(self.query),
            "source": self.source,
            "split": self.split,
            "districts": [{"state": s, "district": d} for s, d in self.districts],
            "offices": [o.to_json() for o in self.offices],
            "house_candidates": [o.to_json() for o in self.house_candidates],
            "vacancies": [{"state": s, "district": d} for s, d in self.vacancies],
            "approximate": self.approximate,
            "notice": str(self.notice) if self.notice else None,
        }


def lookup_representatives(zip_code: str, address: str | None = None, city: str | None = None) -> LookupResult:
    """Offices for a ZIP code, placed in one district by the street address whenever the geocoder can.

    The geocoder decides for every street address, also in a ZIP the crosswalk calls single-district or does
    not know at all (a PO-box or single-organization ZIP); the crosswalk decides only when no geocoder
    answers. `city` (the writer's own) picks the nearest district office when there is no geocoded point.
    Raises InvalidZip or InvalidAddress for malformed input and UnknownZip for a ZIP with no district.
    """
    zip5 = require_zip5(zip_code)
    street = normalize_address(address)
    unavailable = False
    if street:
        try:
            match = geocoder().locate(street, zip5)
        except GeocoderUnavailable:
            match, unavailable = None, True
        if match is not None:
            query = {"zip": zip5, "address": street}
            return _result(query, match.source, [(match.state, match.district)], match.location, city)
    result = _zip_result(zip5, street, city)
    result.geocoder_unavailable = unavailable
    return result


def _zip_result(zip5: str, street: str | None = None, city: str | None = None) -> LookupResult:
    districts = crosswalk.districts_for(zip5)
    if not districts:
        raise UnknownZip(gettext("We have no congressional district for ZIP code %(zip)s.", zip=zip5))
    return _result({"zip": zip5, "address": street}, crosswalk.name, list(districts), None, city)


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def result_body(result: LookupResult) -> bytes:
    """`result.to_json()` as JSON bytes. Offices straight from the roster reuse their serialized form, so a
    ZIP lookup costs a few dictionary reads and one join, with no per-ZIP answer kept in memory."""
    seats = roster()

    def office(o: Office) -> bytes:
        if seats.offices.get(o.bioguide_id) is o:
            return seats.office_json[o.bioguide_id]
        return _dumps(o.to_json())  # e.g. with its nearest district office

    return b"".join(
        (
            b'{"query":',
            _dumps(result.query),
            b',"source":',
            _dumps(result.source),
            b',"split":',
            b"true" if result.split else b"false",
            b',"districts":',
            _dumps([{"state": s, "district": d} for s, d in result.districts]),
            b',"offices":[',
            b",".join(office(o) for o in result.offices),
            b'],"house_candidates":[',
            b",".join(office(o) for o in result.house_candidates),
            b'],"vacancies":',
            _dumps([{"state": s, "district": d} for s, d in result.vacancies]),
            b',"approximate":',
            b"true" if result.approximate else b"false",
            b',"notice":',
            _dumps(str(result.notice) if result.notice else None),  # a lazy translation: text in the request's language
            b"}",
        )
    )


def _result(
    query: dict,
    source: str,
    districts: list[tuple[str, int]],
    location: tuple[float, float] | None,
    city: str | None = None,
) -> LookupResult:
    seats = roster()
    states = {state for state, _ in districts}
    offices: list[Office] = []
    if len(states) == 1:  # senators only when the state is certain
        offices.extend(
            with_nearest_office(o, location, city, seats) for o in seats.senators.get(next(iter(states)), ())
        )
    house: list[Office] = []
    vacancies: list[tuple[str, int]] = []
    for seat in districts:
        member = seats.house.get(seat)
        if member is None:
            vacancies.append(seat)
        else:
            house.append(with_nearest_office(member, location, city, seats))
    split = len(districts) > 1
    if not split:
        offices.extend(house)
    return LookupResult(
        query=query,
        source=source,
        split=split,
        districts=districts,
        offices=offices,
        house_candidates=house if split else [],
        vacancies=vacancies,
        location=location,
    )


def street_line(address: str, city: str, state: str) -> str:
    """The one-line street address the letter flow geocodes (the same text finds the same cached answer)."""
    return f"{address}, {city}, {state}"


def office_to_call(
    bioguide_id: str, address: str, city: str, state: str, zip_code: str, guess: bool = True
) -> dict | None:
    """The member's district office nearest to a writer, for the thanks page after the letters are written.

    Uses only what is already known: the geocoder's cached answer for the writer's address (no request is
    made, and nothing about the address is stored), else an office in the writer's city, else the first
    office in the data when `guess` (a guess, but a number to call).
    """
    match = None
    try:
        match = geocoder().cached(street_line(address, city, state), require_zip5(zip_code))
    except LookupFailed:
        pass  # a purged action (no ZIP left): no point
    found = local_office(bioguide_id, match.location if match else None, city)
    if found is None and guess:
        found = next((dict(o) for o in roster().district_offices.get(bioguide_id, ())), None)
    return found


def lookup_district(zip_code: str, state: str, district: int, city: str | None = None) -> LookupResult:
    """The offices for one district the constituent chose among a split ZIP's candidates.

    Only a district the ZIP's own lookup lists is accepted (ValueError otherwise), so nothing is picked
    for anyone: the person picked it.
    """
    zip5 = require_zip5(zip_code)
    candidates = _zip_result(zip5).districts
    if (state, district) not in candidates:
        raise ValueError(f"{state}-{district} is not one of the districts of ZIP code {zip5}")
    return _result(
        {"zip": zip5, "address": None, "district": f"{state}-{district}"},
        "constituent-choice",
        [(state, district)],
        None,
        city,
    )

"""Who represents a ZIP code (and, with a street address, exactly which district): `lookup_representatives`.

A street address goes to the geocoder; when it cannot answer, or for a ZIP alone, the crosswalk does. A ZIP
in several districts is *split*: every candidate is returned and none is picked.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field, replace

from advocacy.congress.offices import Office, roster, with_nearest_office
from advocacy.congress.providers import GeocoderUnavailable, crosswalk, geocoder

MAX_ADDRESS_LENGTH = 200
_ZIP = re.compile(r"\A[ \t]*([0-9]{5})(?:[- ]?([0-9]{4}))?[ \t]*\Z")  # ASCII only


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


def normalize_zip(value: object) -> str:
    """ "12345", "12345-6789" or "123456789" → "12345"."""
    match = _ZIP.match(value) if isinstance(value, str) else None
    if not match:
        raise InvalidZip("Enter a 5-digit ZIP code, like 12345 or 12345-6789.")
    return match.group(1)


def normalize_address(value: object) -> str | None:
    """A street address on one line, spaces collapsed; None when blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidAddress("Enter the street address as text.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in value if ch not in " \t"):
        raise InvalidAddress("The street address contains characters that cannot be part of an address.")
    street = " ".join(value.split())
    if len(street) > MAX_ADDRESS_LENGTH:
        raise InvalidAddress(f"Enter a street address of at most {MAX_ADDRESS_LENGTH} characters.")
    return street or None


@dataclass
class LookupResult:
    query: dict
    source: str  # "census-geocoder" | "zip-crosswalk"
    split: bool
    districts: list[tuple[str, int]]
    offices: list[Office] = field(default_factory=list)
    house_candidates: list[Office] = field(default_factory=list)
    vacancies: list[tuple[str, int]] = field(default_factory=list)
    # The street address was given but the geocoder could not be reached: the result is the ZIP's, and the
    # person must be told the service failed, not that their address is wrong.
    geocoder_unavailable: bool = False

    @property
    def states(self) -> list[str]:
        return sorted({state for state, _ in self.districts})

    def to_json(self) -> dict:
        return {
            "query": dict(self.query),
            "source": self.source,
            "split": self.split,
            "districts": [{"state": s, "district": d} for s, d in self.districts],
            "offices": [o.to_json() for o in self.offices],
            "house_candidates": [o.to_json() for o in self.house_candidates],
            "vacancies": [{"state": s, "district": d} for s, d in self.vacancies],
        }


def lookup_representatives(zip_code: str, address: str | None = None) -> LookupResult:
    """Offices for a ZIP code, narrowed to one district by the street address when the geocoder can.

    Raises InvalidZip or InvalidAddress for malformed input and UnknownZip for a ZIP with no district.
    """
    zip5 = normalize_zip(zip_code)
    street = normalize_address(address)
    if street:
        try:
            match = geocoder().locate(street, zip5)
        except GeocoderUnavailable:
            return replace(_zip_result(zip5, street), geocoder_unavailable=True)
        if match is not None:
            query = {"zip": zip5, "address": street}
            return _result(query, "census-geocoder", [(match.state, match.district)], match.location)
    return _zip_result(zip5, street)


def _zip_result(zip5: str, street: str | None = None) -> LookupResult:
    districts = crosswalk.districts_for(zip5)
    if not districts:
        raise UnknownZip(f"We have no congressional district for ZIP code {zip5}.")
    return _result({"zip": zip5, "address": street}, crosswalk.name, list(districts), None)


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
            b"}",
        )
    )


def _result(
    query: dict, source: str, districts: list[tuple[str, int]], location: tuple[float, float] | None
) -> LookupResult:
    seats = roster()
    states = {state for state, _ in districts}
    offices: list[Office] = []
    if len(states) == 1:  # senators only when the state is certain
        offices.extend(with_nearest_office(o, location) for o in seats.senators.get(next(iter(states)), ()))
    house: list[Office] = []
    vacancies: list[tuple[str, int]] = []
    for seat in districts:
        member = seats.house.get(seat)
        if member is None:
            vacancies.append(seat)
        else:
            house.append(with_nearest_office(member, location))
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
    )


def lookup_district(zip_code: str, state: str, district: int) -> LookupResult:
    """The offices for one district the constituent chose among a split ZIP's candidates.

    Only a district the ZIP's own lookup lists is accepted (ValueError otherwise), so nothing is picked
    for anyone: the person picked it.
    """
    zip5 = normalize_zip(zip_code)
    candidates = _zip_result(zip5).districts
    if (state, district) not in candidates:
        raise ValueError(f"{state}-{district} is not one of the districts of ZIP code {zip5}")
    return _result(
        {"zip": zip5, "address": None, "district": f"{state}-{district}"},
        "constituent-choice",
        [(state, district)],
        None,
    )

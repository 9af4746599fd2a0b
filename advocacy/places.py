"""Where people live, as every feature spells it: states and territories (postal and FIPS codes, which have
no senators) and ZIP codes, with the one rule for reading a ZIP code that a person typed."""

from __future__ import annotations

import re

STATE_FIPS = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09", "DE": "10", "DC": "11",
    "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17", "IN": "18", "IA": "19", "KS": "20", "KY": "21",
    "LA": "22", "ME": "23", "MD": "24", "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30",
    "NE": "31", "NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38", "OH": "39",
    "OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46", "TN": "47", "TX": "48", "UT": "49",
    "VT": "50", "VA": "51", "WA": "53", "WV": "54", "WI": "55", "WY": "56",
    "AS": "60", "GU": "66", "MP": "69", "PR": "72", "VI": "78",
}  # fmt: skip
FIPS_STATE = {fips: abbr for abbr, fips in STATE_FIPS.items()}
# Postal codes of the states, DC, and the territories that send a delegate or resident commissioner.
STATES = frozenset(STATE_FIPS)

STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "AS": "American Samoa", "GU": "Guam",
    "MP": "Northern Mariana Islands", "PR": "Puerto Rico", "VI": "U.S. Virgin Islands",
}  # fmt: skip
# The address form's list, by name as people look for it ("U.S. Virgin Islands" under V).
STATE_CHOICES = tuple(sorted(STATE_NAMES.items(), key=lambda item: item[1].removeprefix("U.S. ")))
_NAMED_WITH_THE = frozenset({"DC", "MP", "VI"})  # "writes from the District of Columbia"

# Places with a non-voting House member and no senators.
NO_SENATORS = frozenset({"DC", "PR", "GU", "VI", "AS", "MP"})
DELEGATE_PLACES = frozenset({"DC", "GU", "VI", "AS", "MP"})
RESIDENT_COMMISSIONER_PLACES = frozenset({"PR"})

# The crosswalk covers the 50 states, DC and PR only. These island areas are each one at-large district:
# (first ZIP, last ZIP, place). 969xx is shared by Guam and the Northern Mariana Islands.
TERRITORY_ZIP_RANGES = (
    ("00800", "00899", "VI"),
    ("96799", "96799", "AS"),
    ("96910", "96932", "GU"),
    ("96950", "96952", "MP"),
)


def territory_for_zip(zip5: str) -> str | None:
    for first, last, place in TERRITORY_ZIP_RANGES:
        if first <= zip5 <= last:
            return place
    return None


def house_title(state: str) -> str:
    if state in RESIDENT_COMMISSIONER_PLACES:
        return "Resident Commissioner"
    if state in DELEGATE_PLACES:
        return "Delegate"
    return "Representative"


def state_in_sentence(state: str) -> str:
    """A place's name as it reads inside a sentence: "New York", "the District of Columbia"."""
    name = STATE_NAMES.get(state, state)
    return f"the {name}" if state in _NAMED_WITH_THE else name


def district_label(state: str, district: int | None) -> str:
    """ "NY-12", "WY-AL" (at-large), or just the state for a senator."""
    if district is None:
        return state
    return f"{state}-{'AL' if district == 0 else district}"


# Five ASCII digits, then optionally four more after "-", a space or nothing; spaces and tabs around it.
ZIP5 = "[0-9]{5}"
_ZIP = re.compile(rf"[ \t]*({ZIP5})(?:[- ]?([0-9]{{4}}))?[ \t]*")


def zip_parts(value: object) -> tuple[str, str] | None:
    """ "12345", "12345-6789", "12345 6789" or "123456789" → ("12345", "" or "6789"); None when it is not a
    ZIP code (or not text)."""
    match = _ZIP.fullmatch(value) if isinstance(value, str) else None
    return (match.group(1), match.group(2) or "") if match else None


def normalize_zip(value: object) -> str | None:
    """A ZIP code in its stored form, "12345" or "12345-6789"; None when it is not one."""
    parts = zip_parts(value)
    if parts is None:
        return None
    zip5, plus4 = parts
    return f"{zip5}-{plus4}" if plus4 else zip5

"""States and territories: postal codes, FIPS codes, and which places have no senators."""

from __future__ import annotations

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


def district_label(state: str, district: int | None) -> str:
    """ "NY-12", "WY-AL" (at-large), or just the state for a senator."""
    if district is None:
        return state
    return f"{state}-{'AL' if district == 0 else district}"

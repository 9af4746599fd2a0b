"""Where people live, as every feature spells it: states and territories (postal and FIPS codes, which have
no senators) and ZIP codes, with the one rule for reading a ZIP code that a person typed."""

from __future__ import annotations

import re

from flask_babel import get_locale, gettext

from advocacy.caching import bounded_cache


def N_(text: str) -> str:  # noqa: N802 - gettext's name for a string marked for the catalogs, translated later
    """Marks a string for the catalogs (pybabel extracts N_ by default) and returns it as it is: state names
    stay English in letters, stored rows and exports, and read translated on public pages (state_label)."""
    return text


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
    "AL": N_("Alabama"), "AK": N_("Alaska"), "AZ": N_("Arizona"), "AR": N_("Arkansas"), "CA": N_("California"),
    "CO": N_("Colorado"), "CT": N_("Connecticut"), "DE": N_("Delaware"), "DC": N_("District of Columbia"),
    "FL": N_("Florida"), "GA": N_("Georgia"), "HI": N_("Hawaii"), "ID": N_("Idaho"), "IL": N_("Illinois"),
    "IN": N_("Indiana"), "IA": N_("Iowa"), "KS": N_("Kansas"), "KY": N_("Kentucky"), "LA": N_("Louisiana"),
    "ME": N_("Maine"), "MD": N_("Maryland"), "MA": N_("Massachusetts"), "MI": N_("Michigan"), "MN": N_("Minnesota"),
    "MS": N_("Mississippi"), "MO": N_("Missouri"), "MT": N_("Montana"), "NE": N_("Nebraska"), "NV": N_("Nevada"),
    "NH": N_("New Hampshire"), "NJ": N_("New Jersey"), "NM": N_("New Mexico"), "NY": N_("New York"),
    "NC": N_("North Carolina"), "ND": N_("North Dakota"), "OH": N_("Ohio"), "OK": N_("Oklahoma"),
    "OR": N_("Oregon"), "PA": N_("Pennsylvania"), "RI": N_("Rhode Island"), "SC": N_("South Carolina"),
    "SD": N_("South Dakota"), "TN": N_("Tennessee"), "TX": N_("Texas"), "UT": N_("Utah"), "VT": N_("Vermont"),
    "VA": N_("Virginia"), "WA": N_("Washington"), "WV": N_("West Virginia"), "WI": N_("Wisconsin"),
    "WY": N_("Wyoming"), "AS": N_("American Samoa"), "GU": N_("Guam"), "MP": N_("Northern Mariana Islands"),
    "PR": N_("Puerto Rico"), "VI": N_("U.S. Virgin Islands"),
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


# locale -> every place's name in it: a page lists 56 of them (the address form, the scoreboard's map), and one
# gettext through Flask-Babel costs about as much as the rest of a tile, so each language's names are looked up
# once (the catalogs change only with a deploy).
_translated = bounded_cache("translated place names", maxsize=16, ttl=3600)


def _names() -> dict[str, str]:
    locale = str(get_locale() or "en")
    names = _translated.get(locale)
    if names is None:
        names = _translated[locale] = {code: gettext(name) for code, name in STATE_NAMES.items()}
    return names


def state_label(state: str) -> str:
    """A place's name in the language being rendered ("Nueva York"), for public pages; the code when unknown.
    Letters to offices use STATE_NAMES, always English."""
    return _names().get(state, state)


def state_choices() -> list[tuple[str, str]]:
    """The address form's list in the language being rendered, in STATE_CHOICES' order."""
    names = _names()
    return [(code, names[code]) for code, _ in STATE_CHOICES]


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

"""What a letter template can see: three small read-only objects built from plain, cleaned strings.

Templates never see ORM rows or the contract `Office` itself (an ORM row would offer `query` and
`session` to the sandbox); only these frozen dataclasses, whose fields are the documented placeholders.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, ClassVar

from advocacy.places import state_in_sentence

# C0/C1 controls (newline and tab handled per field), BOM, bidi embeddings, overrides and isolates: invisible
# characters that can disguise what a letter says. The same rule as the form's (letters.validation): ZWJ, ZWNJ,
# the zero-width space (Thai and Khmer word breaks) and LRM/RLM are writing, and reach the office as typed.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"[ \t\n]+")

MAX_NAME_CHARS = 100
MAX_CITY_CHARS = 100
MAX_MESSAGE_CHARS = 5_000


def clean_line(value: object, limit: int) -> str:
    """One line of text: NFC, no invisible characters, whitespace collapsed, at most `limit` characters."""
    if value is None:
        return ""
    text = str(value)
    if text.isprintable():
        # Fast path for the common case: no controls or format characters to remove.
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        return " ".join(text.split())[:limit]
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))
    return _SPACES.sub(" ", text).strip()[:limit]


def clean_text(value: object, limit: int) -> str:
    """Several lines of text: as `clean_line`, but newlines kept (at most two in a row)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.isprintable():
        return clean_line(value, limit)
    text = unicodedata.normalize("NFC", str(value))
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text)).replace("\t", " ")
    text = re.sub(r"[ ]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()[:limit]


def _get(source: Any, name: str, default: object = "") -> Any:
    if isinstance(source, Mapping):
        return source.get(name, default)
    return getattr(source, name, default)


@dataclass(frozen=True, slots=True)
class ConstituentFields:
    PREFIX: ClassVar[str] = "constituent"
    first_name: str
    last_name: str
    full_name: str
    city: str
    state: str
    state_name: str
    zip: str
    message: str


@dataclass(frozen=True, slots=True)
class OfficeFields:
    PREFIX: ClassVar[str] = "office"
    title: str
    name: str
    last_name: str
    salutation: str
    chamber: str
    state: str
    state_name: str
    district: str
    party: str
    stance: str
    has_spoken: bool


@dataclass(frozen=True, slots=True)
class CampaignFields:
    PREFIX: ClassVar[str] = "campaign"
    title: str
    detainee_name: str
    ask: str


PLACEHOLDER_TYPES = (ConstituentFields, OfficeFields, CampaignFields)
FIELD_NAMES = {cls: frozenset(f.name for f in fields(cls)) for cls in PLACEHOLDER_TYPES}

# Shown to organizers (editor help, README); every name here is a field above.
PLACEHOLDERS: dict[str, str] = {
    "constituent.first_name": "The writer's first name, as they typed it.",
    "constituent.last_name": "The writer's last name.",
    "constituent.full_name": "First and last name, separated by a space.",
    "constituent.city": "The writer's city.",
    "constituent.state": "Two-letter state code, e.g. NY.",
    "constituent.state_name": "State name, e.g. New York.",
    "constituent.zip": "ZIP code.",
    "constituent.message": "The writer's own words (may be empty; several lines).",
    "office.title": "Senator, Representative, Delegate or Resident Commissioner (or a custom target's title).",
    "office.name": "Full name of the member, e.g. Kirsten E. Gillibrand.",
    "office.last_name": "Last name of the member.",
    "office.salutation": "e.g. Dear Senator Gillibrand.",
    "office.chamber": "senate or house (empty for a custom target).",
    "office.state": "Two-letter state code.",
    "office.state_name": "State name.",
    "office.district": "District number as text; 'at-large' for at-large seats; empty for senators.",
    "office.party": "Democrat, Republican or Independent.",
    "office.stance": "spoken or not_spoken: whether the office has publicly supported the campaign.",
    "office.has_spoken": "true when the office has publicly supported the campaign.",
    "campaign.title": "The campaign's title.",
    "campaign.detainee_name": "The detained person's name.",
    "campaign.ask": "What the campaign asks for.",
}


def normalize_stance(stance: object) -> str:
    """'spoken' for an office that has publicly supported the campaign, else 'not_spoken'.

    Accepts the letter stances, a statement stance ('supports' counts as spoken; 'neutral' and
    'opposes' do not: such an office gets the letter that urges it to act), a bool or None.
    """
    if stance is True or stance in ("spoken", "supports"):
        return "spoken"
    return "not_spoken"


def constituent_fields(source: Any) -> ConstituentFields:
    """From any object or mapping with first_name, last_name, city, state, zip and message.

    Build it once per submission and pass it to every `render_letter` call: the cleaning is the
    most expensive part of a render.
    """
    if isinstance(source, ConstituentFields):
        return source
    first = clean_line(_get(source, "first_name"), MAX_NAME_CHARS)
    last = clean_line(_get(source, "last_name"), MAX_NAME_CHARS)
    state = clean_line(_get(source, "state"), 2).upper()
    zip_code = _get(source, "zip", "") or _get(source, "zip_code", "")
    return ConstituentFields(
        first_name=first,
        last_name=last,
        full_name=f"{first} {last}".strip(),
        city=clean_line(_get(source, "city"), MAX_CITY_CHARS),
        state=state,
        state_name=state_in_sentence(state),
        zip=clean_line(zip_code, 10),
        message=clean_text(_get(source, "message"), MAX_MESSAGE_CHARS),
    )


def district_text(chamber: str, district: object) -> str:
    if chamber != "house" or district is None or district == "":
        return ""
    if district in (0, "0"):
        return "at-large"
    return clean_line(district, 10)


def office_fields(source: Any, stance: object = None) -> OfficeFields:
    """From a congress `Office`, a campaign `Target` or a custom target (name, title, salutation)."""
    values = (
        _get(source, "name"),
        _get(source, "title"),
        _get(source, "last_name"),
        _get(source, "chamber"),
        _get(source, "salutation"),
        _get(source, "state"),
        _get(source, "district", None),
        _get(source, "party"),
        stance,
    )
    try:
        return _office_fields(*values)
    except TypeError:  # a value that cannot be a cache key (e.g. a list in a custom target): not cached
        return _office_fields.__wrapped__(*values)


# The same few hundred offices, cleaned once per process rather than once per letter.
@lru_cache(maxsize=2048)
def _office_fields(
    name: object,
    title: object,
    last_name: object,
    chamber: object,
    salutation: object,
    state: object,
    district: object,
    party: object,
    stance: object,
) -> OfficeFields:
    name = clean_line(name, MAX_NAME_CHARS * 2)
    title = clean_line(title, MAX_NAME_CHARS * 2)
    last = clean_line(last_name, MAX_NAME_CHARS) or (name.split(" ")[-1] if name else "")
    chamber = clean_line(chamber, 10)
    salutation = clean_line(salutation, MAX_NAME_CHARS * 2)
    if not salutation:
        salutation = f"Dear {title} {last}" if chamber else f"Dear {name or title}"
    state = clean_line(state, 2).upper()
    letter_stance = normalize_stance(stance)
    return OfficeFields(
        title=title,
        name=name,
        last_name=last,
        salutation=salutation,
        chamber=chamber,
        state=state,
        state_name=state_in_sentence(state),
        district=district_text(chamber, district),
        party=clean_line(party, 40),
        stance=letter_stance,
        has_spoken=letter_stance == "spoken",
    )


def campaign_fields(source: Any) -> CampaignFields:
    if isinstance(source, CampaignFields):
        return source
    return CampaignFields(
        title=clean_line(_get(source, "title"), 200),
        detainee_name=clean_line(_get(source, "detainee_name"), 200),
        ask=clean_text(_get(source, "ask"), 2_000),
    )

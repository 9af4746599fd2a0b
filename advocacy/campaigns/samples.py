"""Sample writers and offices that every template is rendered against before it is saved."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleConstituent:
    first_name: str
    last_name: str
    city: str
    state: str
    zip: str
    message: str = ""


@dataclass(frozen=True)
class SampleOffice:
    """Shaped like the congress `Office` for the fields letters use; names are invented."""

    bioguide_id: str
    name: str
    first_name: str
    last_name: str
    title: str
    salutation: str
    chamber: str | None
    state: str
    district: int | None
    party: str


SAMPLE_CONSTITUENTS = (
    SampleConstituent("锋锁", "周", "Flushing", "NY", "11354", "我支持关恒。\nI stand with Guan Heng."),
    SampleConstituent("Minh", "Nguyễn", "Houston", "TX", "77072"),
    SampleConstituent(
        "Siobhán",
        "O'Brien",
        "Boston",
        "MA",
        "02127",
        "My grandmother was a refugee.\n\nPlease <b>act</b> & speak up — {{ not a placeholder }}.",
    ),
    SampleConstituent("Aziz", "Asat", "Fairfax", "VA", "22030", "Ekpar"),
    # The longest input the letter form accepts: a template must still fit the output limit.
    SampleConstituent("W" * 100, "X" * 100, "Y" * 100, "DC", "20001-0001", ("A long personal message. " * 200)[:5000]),
)

SAMPLE_OFFICES = (
    SampleOffice(
        "X000001",
        "Maria L. Ortega",
        "Maria",
        "Ortega",
        "Senator",
        "Dear Senator Ortega",
        "senate",
        "NY",
        None,
        "Democrat",
    ),
    SampleOffice(
        "X000002",
        "James Whitfield",
        "James",
        "Whitfield",
        "Representative",
        "Dear Representative Whitfield",
        "house",
        "NY",
        12,
        "Republican",
    ),
    SampleOffice(
        "X000003",
        "Eleanor Pineda",
        "Eleanor",
        "Pineda",
        "Delegate",
        "Dear Delegate Pineda",
        "house",
        "DC",
        0,
        "Democrat",
    ),
    SampleOffice(
        "X000004",
        "Ana Ríos-Colón",
        "Ana",
        "Ríos-Colón",
        "Resident Commissioner",
        "Dear Resident Commissioner Ríos-Colón",
        "house",
        "PR",
        0,
        "Independent",
    ),
)

# A custom target (not in Congress): no chamber, so only chamber "any" variants reach it.
SAMPLE_CUSTOM_TARGET = SampleOffice(
    "", "Jordan Reyes", "Jordan", "Reyes", "Field Office Director", "Dear Director Reyes", None, "", None, ""
)

SAMPLE_CAMPAIGN = {
    "title": "Free Sample Person",
    "detainee_name": "Sample Person",
    "ask": "Publicly support their release on bond.",
}

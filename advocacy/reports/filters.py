"""Report filters (date range, state, chamber, office, delivery status), parsed and checked in one place.

The web form and the CLI both go through `parse_filters`, so a bad value gets the same clear message
everywhere and nothing is exported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

from advocacy.places import STATES

CHAMBERS = ("senate", "house", "custom")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "dead", "handoff", "handoff_sent", "cancelled")
_OFFICE = re.compile(r"^(?:[A-Z]\d{6}|custom:\d{1,10})$")


class FilterError(ValueError):
    """One or more filters are invalid; `errors` maps each field to a message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


@dataclass(frozen=True)
class ReportFilters:
    date_from: date | None = None
    date_to: date | None = None
    state: str | None = None
    chamber: str | None = None
    office: str | None = None
    status: str | None = None

    @property
    def start(self) -> datetime | None:
        """Inclusive lower bound, midnight UTC."""
        return datetime.combine(self.date_from, time.min, UTC) if self.date_from else None

    @property
    def end(self) -> datetime | None:
        """Exclusive upper bound: midnight UTC after the last day."""
        return datetime.combine(self.date_to + timedelta(days=1), time.min, UTC) if self.date_to else None

    def to_json(self) -> dict[str, str]:
        """The filters that are set, as strings: for the audit log and for links."""
        out = {}
        for key, value in asdict(self).items():
            if value is not None:
                out[key] = value.isoformat() if isinstance(value, date) else value
        return out

    def query_args(self) -> dict[str, str]:
        """The same filters under the form's field names (`from`, `to`, ...)."""
        names = {"date_from": "from", "date_to": "to"}
        return {names.get(k, k): v for k, v in self.to_json().items()}

    @property
    def is_empty(self) -> bool:
        return not self.to_json()


def _parse_date(label: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"{label} must be a date written as YYYY-MM-DD, such as 2025-03-01 (got {raw[:20]!r})."
        ) from None


def _office_written(office: str) -> str:
    return office.lower() if office.lower().startswith("custom:") else office.upper()


# The filters that are codes: how each is written once read, whether it is valid, and what to say when not.
_CODES: dict[str, tuple[Callable[[str], str], Callable[[str], object], str]] = {
    "state": (str.upper, STATES.__contains__, "State must be a two-letter postal code such as NY."),
    "chamber": (str.lower, CHAMBERS.__contains__, f"Chamber must be one of: {', '.join(CHAMBERS)}."),
    "office": (
        _office_written,
        _OFFICE.match,
        "Office must be a bioguide id such as G000555 (or custom:ID for a custom target).",
    ),
    "status": (
        str.lower,
        DELIVERY_STATUSES.__contains__,
        f"Delivery status must be one of: {', '.join(DELIVERY_STATUSES)}.",
    ),
}


def parse_filters(values: Mapping[str, str | None]) -> ReportFilters:
    """Build filters from form/CLI values (`from`, `to`, `state`, `chamber`, `office`, `status`); blank means unset."""

    def get(name: str) -> str | None:
        raw = values.get(name)
        raw = raw.strip() if isinstance(raw, str) else None
        return raw or None

    errors: dict[str, str] = {}
    parsed: dict[str, object] = {}
    for name, field, label in (("from", "date_from", "The start date"), ("to", "date_to", "The end date")):
        raw = get(name)
        if raw is not None:
            try:
                parsed[field] = _parse_date(label, raw)
            except ValueError as exc:
                errors[name] = str(exc)
    if "date_from" in parsed and "date_to" in parsed and parsed["date_from"] > parsed["date_to"]:
        errors["to"] = "The end date is before the start date."
    for name, (written, valid, problem) in _CODES.items():
        if (value := get(name)) is not None:
            value = written(value)
            if not valid(value):
                errors[name] = problem
            parsed[name] = value
    if errors:
        raise FilterError(errors)
    return ReportFilters(**parsed)  # type: ignore[arg-type]

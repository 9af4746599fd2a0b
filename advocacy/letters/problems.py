"""Everything that can stop a letter submission, mapped once: code, HTTP status, field and message.

The JSON API (letters/api.py) and the HTML flow (letters/views.py) both raise `FlowError`s and turn them into
an answer from the same row of PROBLEMS: the API as `{"error": {"code", "message", "fields"}}`, the form as the
campaign page again with the message beside the field (or at the top of the form). Every message a writer can
read about a refused submission is written here, once, so it can be translated in one place. A lookup's own
failures (advocacy.congress.lookup.LookupFailed) carry the lookup's words; their code, status and field are
mapped here like the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Problem:
    """One row of the table: what the writer is told and which status answers it."""

    code: str  # the API's error code (PRODUCT.md)
    status: int
    field: str | None  # the input it is about; None: the whole form
    message: str  # may name {values} given when raised; "" for a lookup failure (its own words are shown)
    form_field: str | None = None  # where the HTML form shows it, when the form offers more than the API


PROBLEMS: dict[str, Problem] = {
    # The request itself (the API's; the HTML form cannot send these).
    "not_json": Problem(
        "unsupported_media_type", 415, None, _l("Send the letter as JSON with Content-Type: application/json.")
    ),
    "not_an_object": Problem("invalid_json", 400, None, _l("The body must be a JSON object.")),
    "unknown_fields": Problem("invalid_input", 400, None, _l("Unknown fields.")),
    "wrong_types": Problem("invalid_input", 400, None, _l("Some fields have the wrong type.")),
    "bad_idempotency_key": Problem(
        "invalid_idempotency_key", 400, None, _l("Idempotency-Key must be 1-64 letters, digits or ._:-")
    ),
    # The form itself (the HTML flow's anti-bot checks).
    "form_refused": Problem("form_refused", 400, None, _l("We could not accept this form. Please try again.")),
    "too_quick": Problem(
        "too_quick", 400, None, _l("That was quick! Please check your details and press the button again.")
    ),
    # The campaign.
    "no_campaign": Problem("not_found", 404, None, _l("No such campaign.")),
    "not_started": Problem(
        "campaign_closed", 409, None, _l("This campaign has not started yet, so it is not taking letters.")
    ),
    "closed": Problem(
        "campaign_closed",
        409,
        None,
        _l("This campaign has closed and is no longer taking letters. Thank you for caring."),
    ),
    "unavailable": Problem(
        "campaign_unavailable",
        503,
        None,
        _l(
            "This campaign's letter cannot be prepared right now. The organizers have been told; please try again later."
        ),
    ),
    # The writer.
    "rate_limited": Problem(
        "rate_limited", 429, None, _l("Too many letters from here. Please try again in {wait} seconds.")
    ),
    "invalid_input": Problem("invalid_input", 400, None, _l("Some fields need attention.")),
    "zip_in_other_state": Problem("invalid_input", 400, "zip", _l("ZIP code {zip} is in {states}, not {state}.")),
    # Where they live. A split ZIP: the API can only be sent a better address; the form offers the districts.
    "address_needed": Problem(
        "address_needed",
        422,
        "address",
        _l("Your ZIP code is split between congressional districts; enter your street address."),
        form_field="district",
    ),
    "address_not_found": Problem(
        "address_needed",
        422,
        "address",
        _l(
            "Your ZIP code is split between congressional districts, and we could not find your street address "
            "in them. Check the house number and street name, or choose your district below."
        ),
        form_field="district",
    ),
    "geocoder_down": Problem(
        "address_needed",
        422,
        "address",
        _l(
            "Your ZIP code is split between congressional districts, and the address lookup service is not "
            "answering right now, so we could not place your street address. Choose your district below, "
            "or try again in a few minutes."
        ),
        form_field="district",
    ),
    "no_offices": Problem(
        "no_offices",
        422,
        None,
        _l("There is no one to write to for this address right now (the seat may be vacant)."),
    ),
    "no_one_to_thank": Problem(
        "no_offices",
        422,
        None,
        _l(
            "None of your members of Congress has spoken up for {detainee}, so there is no office to thank. "
            "Nothing was sent."
        ),
    ),
    # A lookup's own failures (advocacy.congress.lookup), by the lookup's code. An unknown ZIP is 404 on the
    # lookup API, where the ZIP is the resource; in a submission it is a field that cannot be processed.
    "invalid_zip": Problem("invalid_zip", 400, "zip", ""),
    "invalid_address": Problem("invalid_address", 400, "address", ""),
    "unknown_zip": Problem("unknown_zip", 422, "zip", ""),
    "lookup_failed": Problem("lookup_failed", 400, "zip", ""),
}


# What the API says of a field in a request that is not a letter's JSON (a field's own checks are in validation.py).
NOT_A_FIELD = _l("Not a known field.")
NOT_A_STRING = _l("Must be a string.")
NOT_A_BOOL = _l("Must be true or false.")


class FlowError(Exception):
    """A submission refused for a reason in PROBLEMS; nothing was stored.

    `fields` maps inputs to messages (the row's field gets the message when none are given); `extra` holds
    what only the API's answer carries (a split ZIP's candidates)."""

    reason = "invalid_input"

    def __init__(
        self,
        reason: str | None = None,
        *,
        fields: dict[str, str] | None = None,
        message: str | None = None,
        extra: dict[str, Any] | None = None,
        **values: object,
    ):
        self.reason = reason or self.reason
        self.problem = PROBLEMS[self.reason]
        self.message = message if message is not None else str(self.problem.message).format(**values)
        if fields is None:
            fields = {self.problem.field: self.message} if self.problem.field else {}
        self.fields = fields
        self.extra = extra or {}
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def status(self) -> int:
        return self.problem.status

    def form_errors(self) -> dict[str, str]:
        """What the HTML form shows: each field's message beside it, else the message at the top."""
        if self.problem.form_field:
            return {self.problem.form_field: self.message}
        return dict(self.fields) or {"form": self.message}


class CampaignNotOpen(FlowError):
    """The campaign is a draft or closed: it takes no letters."""

    reason = "closed"


class NoOffices(FlowError):
    """Nobody to write to (e.g. a vacant seat in a place with no senators, or no one to thank)."""

    reason = "no_offices"


class AddressNeeded(FlowError):
    """The ZIP spans several districts and the address did not settle which one. `lookup` is the ZIP's
    advocacy.congress.lookup.LookupResult: its candidate districts (the form offers them; the API lists them)."""

    def __init__(self, lookup: Any):
        if lookup.geocoder_unavailable:  # our fault, not the address's: say so
            reason = "geocoder_down"
        elif lookup.query.get("address"):
            reason = "address_not_found"
        else:
            reason = "address_needed"
        candidates = [{"state": state, "district": district} for state, district in lookup.districts]
        house = [office.to_json() for office in lookup.house_candidates]
        super().__init__(reason, extra={"candidates": candidates, "house_candidates": house})
        self.lookup = lookup


class CampaignUnavailable(FlowError):
    """The campaign's letter cannot be rendered (a bug for its organizers, logged; never shown)."""

    reason = "unavailable"


class Throttled(FlowError):
    """Too many submissions from this address or email; `retry_after` seconds until the next is taken."""

    reason = "rate_limited"

    def __init__(self, retry_after: int):
        super().__init__(wait=retry_after)
        self.retry_after = retry_after


def lookup_problem(exc: Exception) -> FlowError:
    """A lookup failure (advocacy.congress.lookup.LookupFailed) as a FlowError of its own code, in its words."""
    reason = getattr(exc, "code", "lookup_failed")
    return FlowError(reason if reason in PROBLEMS else "lookup_failed", message=str(exc))

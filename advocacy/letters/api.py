"""`POST /api/v1/campaigns/<slug>/actions`: a constituent's letters, idempotent by campaign, writer and office.

The writer is the email together with what was typed (services.submit_action): the same payload again is
answered 200 with the same letters; anything else, even with an email that has written before, writes and
answers letters of its own (201), so the answer never tells a stranger whether an email has written.
"""

from __future__ import annotations

import logging
import re

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from advocacy.api import APIError, bp, error_response
from advocacy.api.openapi import PATHS, SCHEMAS, error_responses
from advocacy.auth.access import public
from advocacy.campaigns.rendering import TemplateProblem
from advocacy.congress.lookup import LookupFailed
from advocacy.extensions import csrf
from advocacy.letters.limits import submission_retry_after
from advocacy.letters.services import (
    AddressNeeded,
    CampaignNotOpen,
    NoOffices,
    letter_json,
    submission_notice,
    submit_action,
)
from advocacy.letters.snapshots import campaign_snapshot
from advocacy.letters.validation import InvalidInput, email_key, validate_constituent

log = logging.getLogger(__name__)
UNAVAILABLE = _l(
    "This campaign's letter cannot be prepared right now. The organizers have been told; please try again later."
)
FIELDS = (
    "prefix",
    "first_name",
    "last_name",
    "email",
    "address",
    "city",
    "state",
    "zip",
    "phone",
    "message",
    "consent",
)
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _payload() -> dict:
    if not request.is_json:
        raise APIError(
            415, "unsupported_media_type", _l("Send the letter as JSON with Content-Type: application/json.")
        )
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise APIError(400, "invalid_json", _l("The body must be a JSON object."))
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise APIError(
            400, "invalid_input", _l("Unknown fields."), {name: _l("Not a known field.") for name in unknown[:20]}
        )
    wrong_type = {
        name: _l("Must be a string.")
        for name in FIELDS
        if name != "consent" and data.get(name) is not None and not isinstance(data[name], str)
    }
    if "consent" in data and not isinstance(data["consent"], bool):
        wrong_type["consent"] = _l("Must be true or false.")
    if wrong_type:
        raise APIError(400, "invalid_input", _l("Some fields have the wrong type."), wrong_type)
    return data


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise APIError(400, "invalid_idempotency_key", _l("Idempotency-Key must be 1-64 letters, digits or ._:-"))
    return key


@bp.post("/campaigns/<slug>/actions")
@public
@csrf.exempt  # a JSON API without cookies or sessions: nothing for a forged request to ride on
def create_action(slug: str):
    campaign = campaign_snapshot(slug)
    if campaign is None or campaign.status == "draft":
        raise APIError(404, "not_found", _l("No such campaign."))
    data = _payload()
    raw_email = data.get("email")
    wait = submission_retry_after(slug, email_key(raw_email) if isinstance(raw_email, str) and raw_email else None)
    if wait is not None:
        response, status = error_response(429, "rate_limited", _l("Too many letters from here. Please wait a moment."))
        response.headers["Retry-After"] = str(wait)
        return response, status
    try:
        constituent = validate_constituent(data)
        submission = submit_action(campaign, constituent, idempotency_key=_idempotency_key())
    except InvalidInput as exc:
        raise APIError(400, "invalid_input", _l("Some fields need attention."), exc.fields) from None
    except CampaignNotOpen as exc:
        raise APIError(409, "campaign_closed", str(exc)) from None
    except LookupFailed as exc:
        status = 422 if exc.status == 404 else exc.status
        raise APIError(status, exc.code, str(exc), {exc.field: str(exc)}) from None
    except AddressNeeded as exc:
        lookup = exc.lookup
        raise APIError(
            422,
            "address_needed",
            str(exc),
            {"address": _l("Enter the street address where you live.")},
            candidates=[{"state": s, "district": d} for s, d in lookup.districts],
            house_candidates=[o.to_json() for o in lookup.house_candidates],
        ) from None
    except NoOffices as exc:
        raise APIError(422, "no_offices", str(exc)) from None
    except TemplateProblem as exc:
        log.error("letter template failed at send time campaign=%s: %s", slug, exc)
        raise APIError(503, "campaign_unavailable", UNAVAILABLE) from None
    deliveries = submission.deliveries
    action = submission.action
    body = {"letters": [letter_json(letter, deliveries.get(letter.id), action) for letter in submission.letters]}
    notice = submission_notice(action)
    if notice:
        body["notice"] = notice  # the district came from the ZIP: no geocoder could place the address
    return jsonify(body), (201 if submission.created else 200)


_LETTER = {
    "type": "object",
    "required": ["id", "office", "subject", "body", "delivery"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "office": {"type": "object"},
        "subject": {"type": "string"},
        "body": {"type": "string"},
        "delivery": {
            "type": ["object", "null"],
            "properties": {
                "channel": {"enum": ["cwc", "email", "contact_form", "print"]},
                "status": {"type": "string"},
            },
        },
    },
}
SCHEMAS["ActionRequest"] = {
    "type": "object",
    "required": ["first_name", "last_name", "email", "address", "city", "state", "zip"],
    "additionalProperties": False,
    "properties": {
        "prefix": {"enum": ["", "Mr.", "Mrs.", "Ms.", "Mx.", "Dr.", "Rev."]},
        "first_name": {"type": "string", "maxLength": 100},
        "last_name": {"type": "string", "maxLength": 100},
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "address": {"type": "string", "maxLength": 200},
        "city": {"type": "string", "maxLength": 100},
        "state": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
        "zip": {"type": "string", "pattern": "^\\d{5}(-?\\d{4})?$"},
        "phone": {"type": "string", "maxLength": 25},
        "message": {"type": "string", "maxLength": 5000},
        "consent": {"type": "boolean"},
    },
}
SCHEMAS["ActionResponse"] = {
    "type": "object",
    "required": ["letters"],
    "properties": {
        "letters": {"type": "array", "items": _LETTER},
        "notice": {
            "type": "string",
            "description": "present when no geocoder could place the address and the ZIP code chose the district; "
            "the House letter is checked again before it goes",
        },
    },
}
PATHS["/campaigns/{slug}/actions"] = {
    "post": {
        "summary": "Send a constituent's letters to their offices",
        "description": "Idempotent by campaign, writer and office: the same payload again (the same email and "
        "the same names, address, phone and message, compared without case or spacing) returns 200 with the same "
        "letters. A payload that differs is another writer and gets letters of its own (201), even with an email "
        "that has written before: an answer never carries letters the request did not describe. An "
        "Idempotency-Key header is honoured for the same payload only; the same key with another payload is "
        "another submission.",
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"},
            },
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionRequest"}}},
        },
        "responses": {
            "201": {
                "description": "Letters written",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionResponse"}}},
            },
            "200": {
                "description": "Already written: the same letters",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionResponse"}}},
            },
            **error_responses(400, 404, 409, 415, 422, 429, 503),
        },
    }
}

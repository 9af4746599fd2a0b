"""`POST /api/v1/campaigns/<slug>/actions`: a constituent's letters, idempotent by campaign, writer and office.

The writer is the email together with what was typed (services.submit_action): the same payload again is
answered 200 with the same letters; anything else, even with an email that has written before, writes and
answers letters of its own (201), so the answer never tells a stranger whether an email has written.
"""

from __future__ import annotations

import re

from flask import jsonify, request

from advocacy.api import bp, error_response
from advocacy.api.openapi import PATHS, SCHEMAS, error_responses
from advocacy.auth.access import public
from advocacy.campaigns.snapshots import campaign_snapshot
from advocacy.extensions import csrf
from advocacy.letters.problems import NOT_A_BOOL, NOT_A_FIELD, NOT_A_STRING, FlowError, Throttled
from advocacy.letters.services import letter_json, submission_notice, submit

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
        raise FlowError("not_json")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise FlowError("not_an_object")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise FlowError("unknown_fields", fields={name: NOT_A_FIELD for name in unknown[:20]})
    wrong_type = {
        name: NOT_A_STRING
        for name in FIELDS
        if name != "consent" and data.get(name) is not None and not isinstance(data[name], str)
    }
    if "consent" in data and not isinstance(data["consent"], bool):
        wrong_type["consent"] = NOT_A_BOOL
    if wrong_type:
        raise FlowError("wrong_types", fields=wrong_type)
    return data


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise FlowError("bad_idempotency_key")
    return key


def problem_response(exc: FlowError):
    """The JSON answer to a refused submission: its row of advocacy.letters.problems, as PRODUCT.md shapes it."""
    response, status = error_response(exc.status, exc.code, exc.message, exc.fields, **exc.extra)
    if isinstance(exc, Throttled):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response, status


@bp.post("/campaigns/<slug>/actions")
@public
@csrf.exempt  # a JSON API without cookies or sessions: nothing for a forged request to ride on
def create_action(slug: str):
    try:
        campaign = campaign_snapshot(slug)
        if campaign is None or campaign.status == "draft":
            raise FlowError("no_campaign")
        submission = submit(campaign, _payload(), idempotency_key=_idempotency_key())
    except FlowError as exc:
        return problem_response(exc)
    deliveries = submission.deliveries
    action = submission.action
    body = {
        "letters": [
            letter_json(letter, deliveries.get(letter.id), action, submission.offices) for letter in submission.letters
        ]
    }
    notice = submission_notice(action, submission.letters, deliveries)
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

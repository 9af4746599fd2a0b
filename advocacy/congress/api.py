"""`GET /api/v1/representatives?zip=ZIP[&address=STREET]`: who represents a place, as JSON."""

from __future__ import annotations

from flask import Response, current_app, request

from advocacy.api import APIError, bp, error_response
from advocacy.api.openapi import PATHS, SCHEMAS, error_responses
from advocacy.auth.access import public
from advocacy.congress import cache, effective
from advocacy.congress.lookup import LookupFailed, lookup_representatives, result_body
from advocacy.extensions import client_ip, limiter

DEFAULT_RATE_LIMIT = "600 per minute"  # per IP; app.config["LOOKUP_RATE_LIMIT"] overrides it
SCOPE = "lookup-api"
MAX_AGE = 300  # seconds a ZIP's answer may be cached by browsers and proxies


def rate_limit() -> str:
    return current_app.config.get("LOOKUP_RATE_LIMIT", DEFAULT_RATE_LIMIT)


@bp.get("/representatives")
@public
def representatives():
    # Leased: a ZIP lookup is cheaper than a storage call per request (see advocacy/ratelimit.py).
    wait = limiter.retry_after(SCOPE, client_ip(), rate_limit(), leased=True)
    if wait is not None:
        response, status = error_response(429, "rate_limited", "Too many lookups. Please wait a moment.")
        response.headers["Retry-After"] = str(wait)
        return response, status
    zip_code = request.args.get("zip", "")
    address = request.args.get("address") or None
    try:
        result = lookup_representatives(zip_code, address)
    except LookupFailed as exc:
        raise APIError(exc.status, exc.code, str(exc), {exc.field: str(exc)}) from None
    response = Response(result_body(result), mimetype="application/json")
    if result.query["address"] is None:
        # The same for everyone who asks about this ZIP, and it holds nothing personal; kept no longer than
        # until the next Congress takes effect.
        response.headers["Cache-Control"] = f"public, max-age={cache_seconds()}"
    return response


def cache_seconds() -> int:
    until = effective.seconds_until_next(cache.current())
    return MAX_AGE if until is None else max(0, min(MAX_AGE, int(until)))


OFFICE_SCHEMA = {
    "type": "object",
    "required": ["bioguide_id", "name", "title", "salutation", "chamber", "state", "district", "party"],
    "properties": {
        "bioguide_id": {"type": "string", "examples": ["G000555"]},
        "name": {"type": "string", "examples": ["Kirsten E. Gillibrand"]},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "title": {"enum": ["Senator", "Representative", "Delegate", "Resident Commissioner"]},
        "salutation": {"type": "string", "examples": ["Dear Senator Gillibrand"]},
        "chamber": {"enum": ["senate", "house"]},
        "state": {"type": "string", "examples": ["NY"]},
        "district": {"type": ["integer", "null"], "description": "null for senators, 0 for at-large seats"},
        "party": {"type": "string"},
        "phone": {"type": ["string", "null"], "description": "the Washington office"},
        "address": {"type": ["string", "null"], "description": "the Washington office"},
        "contact_url": {"type": ["string", "null"], "description": "the contact form, else the website"},
        "contact_form": {"type": ["string", "null"]},
        "website": {"type": ["string", "null"]},
        "photo_url": {"type": "string"},
        "social": {"type": "object", "additionalProperties": {"type": "string"}},
        "nearest_district_office": {
            "type": ["object", "null"],
            "description": "when a street address placed the constituent; with distance_miles",
        },
        "rss_url": {"type": ["string", "null"]},
    },
}
DISTRICT_SCHEMA = {
    "type": "object",
    "required": ["state", "district"],
    "properties": {"state": {"type": "string"}, "district": {"type": "integer", "description": "0 = at-large"}},
}
REPRESENTATIVES_SCHEMA = {
    "type": "object",
    "required": [
        "query",
        "source",
        "split",
        "districts",
        "offices",
        "house_candidates",
        "vacancies",
        "approximate",
        "notice",
    ],
    "properties": {
        "query": {
            "type": "object",
            "properties": {"zip": {"type": "string"}, "address": {"type": ["string", "null"]}},
        },
        "source": {"enum": ["census-geocoder", "geocodio", "zip-crosswalk"]},
        "split": {"type": "boolean", "description": "the ZIP spans several districts; ask for a street address"},
        "districts": {"type": "array", "items": {"$ref": "#/components/schemas/District"}},
        "offices": {"type": "array", "items": {"$ref": "#/components/schemas/Office"}},
        "house_candidates": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Office"},
            "description": "when split: every possible House office (then `offices` holds only the senators)",
        },
        "vacancies": {"type": "array", "items": {"$ref": "#/components/schemas/District"}},
        "approximate": {
            "type": "boolean",
            "description": "the districts come from the ZIP code (no address, or no geocoder could place it)",
        },
        "notice": {
            "type": ["string", "null"],
            "description": "what to tell the person about an approximate answer; null when the address placed it",
        },
    },
}

SCHEMAS.update(Office=OFFICE_SCHEMA, District=DISTRICT_SCHEMA, Representatives=REPRESENTATIVES_SCHEMA)
PATHS["/representatives"] = {
    "get": {
        "summary": "Members of Congress for a ZIP code, or exactly for a street address",
        "description": (
            "A ZIP alone uses the ZIP-to-district crosswalk; a ZIP in several districts comes back with "
            "`split: true` and every candidate. With `address`, the geocoder (Census, or Geocodio when configured) "
            "places the address, whatever the ZIP; when it cannot, the answer falls back to the ZIP "
            "(`source: zip-crosswalk`, `approximate: true`, and a `notice` saying so). Public, rate-limited per IP."
        ),
        "operationId": "lookupRepresentatives",
        "parameters": [
            {
                "name": "zip",
                "in": "query",
                "required": True,
                "schema": {"type": "string", "pattern": "^[ \t]*[0-9]{5}([- ]?[0-9]{4})?[ \t]*$"},
                "examples": {"zip": {"value": "10027"}, "zip4": {"value": "10027-6902"}},
            },
            {"name": "address", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 200}},
        ],
        "responses": {
            "200": {
                "description": "The offices",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Representatives"}}},
            },
            **error_responses(400, 404, 429),
        },
    }
}

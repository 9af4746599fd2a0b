"""The OpenAPI 3.1 description of /api/v1, assembled from each feature's piece."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object"},
                # Only with code "address_needed" (a split ZIP the address did not settle): where the writer may be.
                "candidates": {
                    "type": "array",
                    "description": "The districts the ZIP code spans (code address_needed only).",
                    "items": {"$ref": "#/components/schemas/District"},
                },
                "house_candidates": {
                    "type": "array",
                    "description": "The House offices of those districts (code address_needed only).",
                    "items": {"$ref": "#/components/schemas/Office"},
                },
            },
        }
    },
}

# Features add their paths and schemas here at import time of their api module.
PATHS: dict[str, dict] = {}
SCHEMAS: dict[str, dict] = {"Error": ERROR_SCHEMA}


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}


def error_responses(*statuses: int) -> dict:
    responses = {}
    for status in statuses:
        response = {
            "description": "Too many requests" if status == 429 else "Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if status == 429:
            response["headers"] = RETRY_AFTER
        responses[str(status)] = response
    return responses


def build_spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "advocacy API",
            "version": "1.0.0",
            "description": "Public API of the congressional advocacy campaign toolkit.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(PATHS.items())),
        "components": {"schemas": SCHEMAS},
    }

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
            },
        }
    },
}

# Features add their paths and schemas here at import time of their api module.
PATHS: dict[str, dict] = {}
SCHEMAS: dict[str, dict] = {"Error": ERROR_SCHEMA}


def error_responses(*statuses: int) -> dict:
    return {
        str(s): {
            "description": "Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for s in statuses
    }


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

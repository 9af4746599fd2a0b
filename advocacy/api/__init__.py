"""The public JSON API under /api/v1: blueprint, error shape and OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, jsonify

from advocacy.api.openapi import build_spec
from advocacy.auth.access import public
from advocacy.errors import APIError, error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(APIError)
def handle_api_error(exc: APIError):
    return error_response(exc.status, exc.code, exc.message, exc.fields, **exc.extra)


@bp.get("/openapi.json")
@public
def openapi():
    response = jsonify(build_spec())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

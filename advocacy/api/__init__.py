"""The public JSON API under /api/v1: blueprint, error shape and OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, jsonify

from advocacy.auth.access import public

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class APIError(Exception):
    """Raised by API views; rendered as {"error": {"code", "message", "fields"}}."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None, **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra


def error_response(status: int, code: str, message: str, fields: dict | None = None, **extra):
    # Messages may be lazy translations: they become text here, in the language of the request (codes stay fixed).
    fields = {name: str(text) for name, text in (fields or {}).items()}
    body = {"error": {"code": code, "message": str(message), "fields": fields, **extra}}
    return jsonify(body), status


@bp.errorhandler(APIError)
def handle_api_error(exc: APIError):
    return error_response(exc.status, exc.code, exc.message, exc.fields, **exc.extra)


@bp.get("/openapi.json")
@public
def openapi():
    from advocacy.api.openapi import build_spec

    response = jsonify(build_spec())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

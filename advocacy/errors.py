"""Error pages that reveal nothing: JSON under /api/, small HTML pages elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from advocacy.extensions import db

log = logging.getLogger(__name__)


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


# Seconds a client is asked to wait while the database is unreachable (a restart takes about this long).
DATABASE_RETRY_AFTER = 10

CODES = {
    400: ("bad_request", _l("The request could not be understood.")),
    401: ("login_required", _l("You need to log in.")),
    403: ("forbidden", _l("You do not have access to this.")),
    404: ("not_found", _l("Nothing is here.")),
    405: ("method_not_allowed", _l("That method is not allowed here.")),
    409: ("conflict", _l("That conflicts with the current state.")),
    413: ("too_large", _l("The request is too large.")),
    415: ("unsupported_media_type", _l("Send JSON with Content-Type: application/json.")),
    422: ("unprocessable", _l("The request could not be processed.")),
    429: ("rate_limited", _l("Too many requests. Please wait a moment and try again.")),
    500: ("server_error", _l("Something went wrong on our side. Nothing you sent was shown to anyone.")),
    503: ("unavailable", _l("The service is briefly unavailable. Please try again shortly.")),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, message: str | None = None):
    code, default = CODES.get(status, ("error", "Something went wrong."))
    if wants_json():
        response = error_response(status, code, message or default)
    else:
        template = f"errors/{status}.html" if status in (400, 403, 404, 429, 500) else "errors/generic.html"
        response = render_template(template, status=status, message=message or default), status
    return response


def handle_http_exception(exc: HTTPException):
    response = _render(exc.code or 500, getattr(exc, "public_message", None))
    # Keep what the exception says in headers (Allow on a 405, Retry-After on a 429), not its HTML body's type.
    headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
    if headers:
        body, status = response
        return body, status, headers
    return response


def handle_csrf_error(exc: CSRFError):
    log.info("csrf refused path=%s", request.path)
    return _render(400, "This form has expired or was not sent from this site. Please reload and try again.")


def _rollback() -> None:
    """End a failed transaction first: the error page itself reads the session (the signed-in user), and a
    session left in a failed flush would raise PendingRollbackError there, answering an empty 500."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the page must still render; the original error is what gets logged
        log.warning("rollback before the error page failed", exc_info=True)


def handle_database_unavailable(exc: Exception):
    """The database is down, restarting or out of connections: 503 with Retry-After, never a 500. A request
    that wrote anything wrote it in a transaction that did not commit, so nothing of it was stored."""
    if isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError | InterfaceError):
        if not exc.connection_invalidated:
            return handle_unexpected(exc)
    log.warning("database unavailable (%s) path=%s", type(getattr(exc, "orig", None) or exc).__name__, request.path)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001, S110 - the connection is already gone; nothing more to undo
        pass
    response = _render(503)
    headers = {"Retry-After": str(DATABASE_RETRY_AFTER)}
    if isinstance(response, tuple):
        body, status = response
        return body, status, headers
    response.headers.update(headers)
    return response


def handle_unexpected(exc: Exception):
    # The traceback goes to the log (which carries no request bodies or SQL parameters); the user sees nothing.
    _rollback()
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    log.exception("unhandled error path=%s", request.path)
    return _render(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
    for database_down in (OperationalError, InterfaceError, PoolTimeout, DBAPIError):
        app.register_error_handler(database_down, handle_database_unavailable)

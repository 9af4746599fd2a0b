"""Flask's signed-cookie session, without per-request work that most requests do not need.

Flask builds a new signer for every request, even one that carries no session cookie (most public traffic:
the campaign page, the JSON API, health checks). Here the signer is built once per secret key, and a request
without the cookie gets an empty session straight away. Signing, expiry and the cookie flags are Flask's own.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = app.extensions.get("advocacy.session_signer")
        if cached is None or cached[0] != keys:
            cached = app.extensions["advocacy.session_signer"] = (keys, super().get_signing_serializer(app))
        return cached[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()

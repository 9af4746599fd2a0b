"""Security headers, cookie flags and caching rules, all in one place."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
# Pages that are the same for everyone may be cached by the browser for a short while;
# everything else may carry personal data or a CSRF token and is never stored.
CACHEABLE_ENDPOINTS = frozenset({"static", "main.healthz"})


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=(), payment=()"
    if current_app.config["ENV_NAME"] != "development":
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    # A view that knows its answer is public may set its own Cache-Control.
    if request.endpoint not in CACHEABLE_ENDPOINTS and "public" not in headers.get("Cache-Control", ""):
        # Includes files from send_file, which says no-cache: exports and packets hold personal data.
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)

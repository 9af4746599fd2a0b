"""Security headers, cookie flags and caching rules, all in one place."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",  # public pages load nothing from another origin: it would learn who reads them
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
# No view sets these, so they are added as one block rather than each replacing a possible earlier value.
FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "geolocation=(), camera=(), microphone=(), payment=()"),
)
HSTS = (("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),)
FIXED_HEADERS_WITH_HSTS = FIXED_HEADERS + HSTS


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    if "Content-Security-Policy" not in headers:
        headers.add("Content-Security-Policy", CSP)
    headers.extend(FIXED_HEADERS if current_app.config["ENV_NAME"] == "development" else FIXED_HEADERS_WITH_HSTS)
    # A view that knows its answer is public may set its own Cache-Control.
    if request.endpoint not in CACHEABLE_ENDPOINTS and "public" not in headers.get("Cache-Control", ""):
        # Includes files from send_file, which says no-cache: exports and packets hold personal data.
        headers["Cache-Control"] = "no-store"
    return response


def own_origin(url: object) -> bool:
    """Whether `url` is a path on this site (what a page may load: CSP img-src 'self')."""
    return isinstance(url, str) and url.startswith("/") and not url.startswith("//") and "\\" not in url


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)
    app.jinja_env.tests["own_origin"] = own_origin

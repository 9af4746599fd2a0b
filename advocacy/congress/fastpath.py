"""The most asked public question, answered without the Flask request cycle: `GET /api/v1/representatives?zip=…`.

A ZIP-only lookup is public, the same for everyone, and answered from memory (the roster and the crosswalk,
see cache.py); Flask's routing, hooks, session and response object cost more than the answer itself. This
WSGI layer answers exactly that request (GET, the query `zip=` and five digits, no cookie or credentials)
with the view's own functions and the rate limit the view applies, and the headers of the view's own
first answer of that kind in this process, so headers set by the app (security, caching) come from the app.
The answer's `notice` is in the request's language (its Accept-Language, as the view reads it; `Vary` says so).
Anything else, a refusal included (bad or unknown ZIP, over the rate limit), goes to the view, which gives
its usual answer. Tests compare both paths byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask import Flask

from advocacy.congress.api import MAX_AGE, SCOPE, cache_seconds, rate_limit
from advocacy.congress.lookup import lookup_representatives, result_body
from advocacy.extensions import limiter
from advocacy.i18n import accepted_language, in_language
from advocacy.places import ZIP5

PATH = "/api/v1/representatives"
_ZIP_ONLY = re.compile(rf"zip=({ZIP5})")
_PRIVATE = ("HTTP_COOKIE", "HTTP_AUTHORIZATION")


class LookupFastPath:
    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        # The view's headers before and after its Content-Length, kept in its order.
        self.headers: tuple[list[tuple[str, str]], list[tuple[str, str]]] | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        match = None
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "GET":
            match = _ZIP_ONLY.fullmatch(environ.get("QUERY_STRING", ""))
        if match is None or any(name in environ for name in _PRIVATE):
            return self.wsgi_app(environ, start_response)
        if self.headers is None:
            return self._learn(environ, start_response)
        language = accepted_language(environ.get("HTTP_ACCEPT_LANGUAGE"))
        body = self._answer(match.group(1), environ.get("REMOTE_ADDR") or "unknown", language)
        if body is None:
            return self.wsgi_app(environ, start_response)
        before, after = self.headers
        start_response("200 OK", [*before, ("Content-Length", str(len(body))), *after])
        return [body]

    def _answer(self, zip5: str, client: str, language: str | None) -> bytes | None:
        """The answer's body, or None for the view to answer (a refusal, or anything going wrong: the view then
        fails the same way and the app's error handling answers and logs it). Its `notice` speaks the language
        the view would choose for this request: without a cookie or `lang` query, the Accept-Language one."""
        try:
            with self.app.app_context(), in_language(language):
                if cache_seconds() < MAX_AGE:
                    return None  # a Congress takes effect soon: the view sets a shorter max-age than the learned one
                if limiter.retry_after(SCOPE, client, rate_limit(), leased=True) is not None:
                    return None  # the view counts this one too and answers 429
                return result_body(lookup_representatives(zip5))
        except Exception:  # noqa: BLE001 - see above
            return None

    def _learn(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Pass the request to the view and keep its headers if they are those of a public 200 answer (asked
        without a cookie, like every request this path answers; Vary: Cookie stays, as the view sends it)."""

        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            names = {name.lower() for name, _ in headers}
            public = any(
                name.lower() == "cache-control" and value == f"public, max-age={MAX_AGE}" for name, value in headers
            )  # not an answer whose cache life was cut short by a coming Congress
            if status.startswith("200 ") and public and "set-cookie" not in names and "content-length" in names:
                at = next(i for i, (name, _) in enumerate(headers) if name.lower() == "content-length")
                self.headers = (list(headers[:at]), list(headers[at + 1 :]))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)

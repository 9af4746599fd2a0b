"""Hand the server a finished body as one bytes object instead of an iterator.

Werkzeug returns every response as an iterator, so a server such as granian moves it to the client chunk
by chunk, crossing from Rust into Python for each. A response whose length is known (Content-Length: every
page and JSON answer) is already whole in memory; joining it here costs nothing and lets the server send it
in one go. Streamed responses (CSV exports, no Content-Length) pass through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


class WholeBody:
    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        sized = False

        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            nonlocal sized
            sized = any(name.lower() == "content-length" for name, _ in headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, start)
        if not sized or isinstance(body, list):
            return body
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

"""Hand the server a finished body as one bytes object instead of an iterator.

Werkzeug returns every response as an iterator, so a server such as granian moves it to the client chunk
by chunk, crossing from Rust into Python for each. A response whose length is known and small (Content-Length up to
JOIN_LIMIT: every page and JSON answer) is already whole in memory; joining it here costs nothing and lets the
server send it in one go. Streamed responses (CSV exports, no Content-Length) and large ones (a file sent with
send_file, e.g. an XLSX export) pass through untouched, so they are never read into memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

JOIN_LIMIT = 1 << 20  # bytes


class WholeBody:
    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        sized = False

        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            nonlocal sized
            length = next((value for name, value in headers if name.lower() == "content-length"), None)
            sized = length is not None and length.isdigit() and int(length) <= JOIN_LIMIT
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

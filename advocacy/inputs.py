"""Malformed input stops here, before any view reads it.

- A control character (NUL, CR, LF, ESC, DEL, C1) in a URL path is never a real page: 404. It used to reach the
  database (PostgreSQL refuses NUL in text: a 500) and the log (a CR/LF forged lines).
- A NUL in a query string or a form field: 400 with a clear message. Browsers never send one; PostgreSQL cannot
  store one. Other control characters in form text (tabs, newlines) are for the features' own cleaning.
- JSON bodies are parsed by `StrictJSONProvider`: nesting beyond MAX_JSON_DEPTH, a lone surrogate (`\\ud800`,
  which no UTF-8 database or encoder accepts) or a NUL in any string or key is a 400, whichever view parses it.
Form bodies cannot carry lone surrogates: Werkzeug decodes invalid UTF-8 as U+FFFD.

An upload route may take more than the site's request limit (MAX_CONTENT_LENGTH): `accepts_upload(limit)` on its
view raises the limit for that route alone, here, before anything reads the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, NotFound

MAX_JSON_DEPTH = 32
_PATH_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class MalformedInput(BadRequest):
    """A 400 whose message the error page shows as is (it names the problem, never the value)."""

    def __init__(self, public_message: str):
        super().__init__(public_message)
        self.public_message = public_message


NUL_MESSAGE = "The request contains a character that is not allowed (a NUL byte). Please remove it and try again."


def accepts_upload(limit: Callable[[], int]) -> Callable:
    """Mark a view whose request body may be up to `limit()` bytes (read in the app, per request)."""

    def mark(view: Callable) -> Callable:
        view.upload_limit = limit  # type: ignore[attr-defined]
        return view

    return mark


def refuse_malformed_request() -> None:
    """before_request hook: runs first, so no view, login check or database sees what it refuses."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if (limit := getattr(view, "upload_limit", None)) is not None:
        request.max_content_length = limit()
    if _PATH_CONTROL.search(request.path):
        raise NotFound()
    if request.query_string and any("\x00" in v for v in request.args.values()):
        raise MalformedInput(NUL_MESSAGE)
    if request.mimetype in FORM_TYPES and any("\x00" in v for v in request.form.values()):
        raise MalformedInput(NUL_MESSAGE)


def _check_json(value: Any) -> None:
    """Refuse deep nesting, lone surrogates and NULs anywhere in a decoded document (iteratively)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _BAD_TEXT.search(item):
                raise MalformedInput(
                    "The JSON contains a character that is not allowed (a NUL or a lone UTF-16 surrogate)."
                )
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise MalformedInput(f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels).")
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing what no database, encoder or view can handle (see the module docstring).

    It raises a 400 (not a ValueError), so even views that parse with `silent=True` cannot turn it into a 500
    or a misleading message.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise MalformedInput(f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels).") from None
        if not kwargs and _plainly_fine(s):
            return value
        _check_json(value)
        return value


def _plainly_fine(s: str | bytes) -> bool:
    """Whether the text alone shows that the decoded document holds nothing _check_json refuses, so the walk
    through it can be skipped (a submission's document is such a one). ASCII with no NUL byte is UTF-8 (a UTF-16
    or UTF-32 text has NULs), and without a `\\u` escape it cannot hold a lone surrogate or a NUL (the decoder
    refuses a raw control character in a string); with at most MAX_JSON_DEPTH opening brackets (counting any
    inside strings too) it cannot nest deeper than that."""
    if isinstance(s, str):
        s = s.encode("utf-8", "surrogatepass")
    return s.isascii() and b"\x00" not in s and b"\\u" not in s and s.count(b"[") + s.count(b"{") <= MAX_JSON_DEPTH


def init_app(app: Flask) -> None:
    app.json = StrictJSONProvider(app)
    app.before_request(refuse_malformed_request)

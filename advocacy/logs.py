"""Logging setup, with a filter that masks anything shaped like an email or phone number and escapes control
characters, so that no log line can be forged.

Code never logs personal data on purpose; the filter is a second line of defence. A record's message (with its
arguments filled in) is always one line: CR, LF and every other control character in it are written as escapes
(`\\n`, `\\x1b`), so a URL, header or field cannot start a line that looks like a record of its own. A traceback
is several lines by nature: each of its lines is indented by TRACEBACK_MARGIN, so none of them can pass for a
record either, and the exception messages in it are masked like the message.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Query parameters that can carry personal data (the representatives API takes the street address in its URL).
_QUERY = re.compile(r"([?&](?:address|email|phone|first_name|last_name|name|street)=)[^&\s\"']*", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)")
# Control characters (tab aside), and the Unicode line and paragraph separators some log viewers break on.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
TRACEBACK_MARGIN = "  | "


def _escape(match: re.Match) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def _mask(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", _QUERY.sub(r"\1[redacted]", text)))


def one_line(text: str) -> str:
    """`text` with control characters escaped: it cannot end a log line or begin another."""
    return _CONTROL.sub(_escape, text)


def _indented(text: str) -> str:
    return "\n".join(TRACEBACK_MARGIN + one_line(line) for line in _mask(text).splitlines())


def redact(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is logging's problem to report, not ours
        return record
    cleaned = one_line(_mask(message))
    if cleaned != message:
        record.msg, record.args = cleaned, None
    # Formatters use exc_text when it is set, so the traceback every handler writes is this one.
    if record.exc_info and not record.exc_text:
        record.exc_text = _indented(logging.Formatter().formatException(record.exc_info))
    if record.stack_info and not record.stack_info.startswith(TRACEBACK_MARGIN):
        record.stack_info = _indented(record.stack_info)
    return record


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redact(record)
        return True


_installed = False


def _install_record_factory() -> None:
    """Redact every record as it is made, whichever handler (ours, gunicorn's, a test's) writes it."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        return redact(make(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


def init_app(app: Flask, level: str) -> None:
    _install_record_factory()
    root = logging.getLogger()
    if not any(isinstance(f, RedactPersonalData) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        handler.addFilter(RedactPersonalData())
        if not app.testing:
            root.addHandler(handler)
    for handler in root.handlers:
        if not any(isinstance(f, RedactPersonalData) for f in handler.filters):
            handler.addFilter(RedactPersonalData())
    root.setLevel(level.upper())
    # urllib3 logs every URL it fetches at DEBUG, and the geocoder's URL holds a street address.
    logging.getLogger("urllib3").setLevel(max(logging.INFO, root.level))

"""Logging setup, with a filter that masks anything shaped like an email or phone number.

Code never logs personal data on purpose; the filter is a second line of defence.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Query parameters that can carry personal data (the representatives API takes the street address in its URL).
_QUERY = re.compile(r"([?&](?:address|email|phone|first_name|last_name|name|street)=)[^&\s\"']*", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)")


def redact(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is logging's problem to report, not ours
        return record
    cleaned = _PHONE.sub("[phone]", _EMAIL.sub("[email]", _QUERY.sub(r"\1[redacted]", message)))
    if cleaned != message:
        record.msg, record.args = cleaned, None
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

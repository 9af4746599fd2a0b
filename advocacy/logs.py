"""Logging setup, with a filter that masks anything shaped like an email or phone number.

Code never logs personal data on purpose; the filter is a second line of defence.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)")


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _PHONE.sub("[phone]", _EMAIL.sub("[email]", message))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def init_app(app: Flask, level: str) -> None:
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

"""How a channel reports an attempt that did not succeed, with reasons safe to store and show."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)")
_SPACE = re.compile(r"\s+")
MAX_REASON = 300


def scrub(text: object) -> str:
    """One line, short, with anything shaped like an email address or phone number masked.

    Remote servers sometimes echo what we sent them (a rejected address, a phone number);
    reasons are stored and shown to organizers, so they must not carry a constituent's details.
    """
    cleaned = _SPACE.sub(" ", str(text)).strip()
    cleaned = _PHONE.sub("[phone]", _EMAIL.sub("[email]", cleaned))
    return cleaned[:MAX_REASON]


class DeliveryError(Exception):
    """An attempt did not deliver. `reason` is scrubbed and safe to store."""

    def __init__(self, reason: str):
        self.reason = scrub(reason)
        super().__init__(self.reason)


class TransientError(DeliveryError):
    """Worth trying again later: a timeout, a refused connection, a 5xx, a 4xx SMTP reply."""


class OutcomeUnknown(TransientError):
    """The message was handed over (SMTP DATA had begun) and no answer came: a timeout, a dropped connection.
    The server may have it. A channel that cannot recognize a repeat must not send it again on its own."""


class PermanentError(DeliveryError):
    """Trying again will not help: the message or recipient was rejected."""


class NotAccepted(DeliveryError):
    """The office does not take this channel (e.g. not on the CWC offices list): reroute."""


class HandOverAborted(DeliveryError):
    """We stopped just before handing a message over (before SMTP DATA): nothing left. `lost` when the claim
    was no longer ours, else the marker could not be written (the database is away): retry later."""

    def __init__(self, reason: str, *, lost: bool = False):
        super().__init__(reason)
        self.lost = lost

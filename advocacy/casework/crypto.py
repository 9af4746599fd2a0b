"""Encryption at rest for private case facts and files: Fernet keys from ADVOCACY_CASE_KEYS, rotated with
MultiFernet (the first key encrypts, every key decrypts; `flask casework rotate-keys` re-encrypts)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from advocacy.caching import bounded_cache
from advocacy.config import _case_keys


class CaseKeysMissing(RuntimeError):
    """No ADVOCACY_CASE_KEYS: private case facts cannot be stored or read."""

    def __init__(self) -> None:
        super().__init__("private case facts need ADVOCACY_CASE_KEYS (see README, Settings)")


class CaseDataUnreadable(RuntimeError):
    """A stored value was encrypted with a key that is no longer configured (or was tampered with)."""

    def __init__(self) -> None:
        super().__init__("a private case value cannot be decrypted with the configured ADVOCACY_CASE_KEYS")


_keyrings = bounded_cache("case keyrings", maxsize=4, ttl=3600)  # ADVOCACY_CASE_KEYS -> its keyring


def keyring() -> MultiFernet:
    raw = current_app.config["ADVOCACY_SETTINGS"].case_keys
    if not raw:
        raise CaseKeysMissing()
    ring = _keyrings.get(raw)
    if ring is None:
        ring = _keyrings[raw] = MultiFernet([Fernet(key) for key in _case_keys(raw)])
    return ring


def configured() -> bool:
    return bool(current_app.config["ADVOCACY_SETTINGS"].case_keys)


def encrypt(data: bytes) -> bytes:
    return keyring().encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return keyring().decrypt(token)
    except InvalidToken:
        raise CaseDataUnreadable() from None


def reencrypt(token: bytes) -> bytes:
    """The same plaintext under the first (newest) key."""
    try:
        return keyring().rotate(token)
    except InvalidToken:
        raise CaseDataUnreadable() from None

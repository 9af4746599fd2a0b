"""The email key: how a constituent is recognised across submissions without keeping a readable address."""

from __future__ import annotations

import hashlib


def normalize_email(email: str) -> str:
    """Trim and lowercase; the form the key is computed from."""
    return email.strip().lower()


def email_key(email: str) -> str:
    """sha256 hex digest of the normalized email (the value of `Action.email_key` and `Letter.email_key`)."""
    return hashlib.sha256(normalize_email(email).encode("utf-8")).hexdigest()

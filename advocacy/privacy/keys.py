"""Recognising a constituent by email: the same key the letter flow stores, never a readable address.

`email_key` is the letters package's own: an HMAC-SHA256 under the pseudonym key (ADVOCACY_PSEUDONYM_KEY) of
the address without case or invisible characters, not a plain SHA-256, so it is no use without the key. An
address an admin types is first normalized the way the letter flow normalizes what a constituent types.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from advocacy.letters.validation import email_key

__all__ = ["email_key", "normalize_email"]


def normalize_email(email: str) -> str:
    """The stored form of an address (as the letter flow writes it), lowercased."""
    email = email.strip()
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        pass
    return email.lower()

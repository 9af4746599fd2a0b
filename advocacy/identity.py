"""Recognising a person without keeping a readable address: email normalization and keyed hashes.

One home for the keys every feature shares: a constituent's `email_key` (letters, rate limits, privacy
requests, unsubscribes), an account's `account_key` (login throttles and logs) and the `pseudonym` they are
built on, an HMAC-SHA256 under the deployment's pseudonym key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask import current_app

# Identifiers (emails) keep nothing invisible: every format (Cf), control, separator, private-use and surrogate
# character, plus the default-ignorable letters and marks that render as nothing (Hangul fillers, Khmer
# inherent vowels, Mongolian and standard variation selectors, the combining grapheme joiner, tags).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cs", "Co", "Zs", "Zl", "Zp"})
_IGNORABLE = re.compile(r"[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0000-\U000e0fff]")


class InvalidEmail(ValueError):
    """Not an email address; the message says why, in words a person can act on."""


def pseudonym(value: str) -> str:
    """HMAC-SHA256 of `value` under the app's pseudonym key: stable for this deployment, and, unlike a plain
    hash, no use to someone who holds a list of addresses but not the key."""
    key = current_app.config["PSEUDONYM_KEY"]
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def visible(value: object) -> str:
    """`value` without any invisible character or whitespace (see _INVISIBLE_CATEGORIES and _IGNORABLE)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not text.isascii():
        text = _IGNORABLE.sub("", text)
        text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)
    return "".join(text.split())


def visible_words(value: str) -> str:
    """`value` without invisible characters, its spaces kept (for comparing names and addresses)."""
    return " ".join(visible(word) for word in value.split())


def clean_identifier(value: object) -> str:
    """An identifier (an email) as a key sees it: invisible characters removed, NFKC, lowercased, so
    "ana\\u200b@example.org" or a full-width "ａｎａ@example.org" is the same address as "ana@example.org"."""
    return visible(unicodedata.normalize("NFKC", visible(value))).lower()


def email_key(email: str) -> str:
    """The key for a constituent's address (rate limits, letters, privacy requests, follow-ups): a keyed hash
    of `clean_identifier(email)`, so no invisible character or change of case makes a second key."""
    return pseudonym(clean_identifier(email))


def account_key(email: str) -> str:
    """A staff account's key for throttling and logs (never the email itself): short, and in a namespace of
    its own, so it never equals a constituent's `email_key`."""
    return pseudonym("account:" + clean_identifier(email))[:16]


def normalize_email(raw: str) -> str:
    """The stored form of an address (as email_validator normalizes it), lowercased; InvalidEmail if it is not
    one."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None

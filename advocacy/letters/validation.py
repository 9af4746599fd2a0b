"""Checking what a constituent typed: clear messages per field, nothing stored on failure."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cached_property

from email_validator import EmailNotValidError, validate_email
from flask_babel import format_number, gettext
from flask_babel import lazy_gettext as _l

from advocacy import places
from advocacy.identity import clean_identifier, email_key, pseudonym, visible, visible_words
from advocacy.letters.problems import FlowError

PHONE_RE = re.compile(r"^[0-9+().\- ]{7,25}$")
MAX_MESSAGE = 5000
# Honorifics offices' systems (CWC) accept; optional, since not everyone uses one.
PREFIXES = ("Mr.", "Mrs.", "Ms.", "Mx.", "Dr.", "Rev.")
LIMITS = {"first_name": 100, "last_name": 100, "address": 200, "city": 100, "phone": 25}
# Dropped from what people type: C0/C1 controls (newlines and tabs survive only in the free-text message), the
# bidi embeddings, overrides and isolates (they reorder the text around them: "Trojan source" spoofing), the
# byte-order mark, lone surrogates (not text; the database refuses them) and the two noncharacters. Kept, because
# writing needs them: ZWJ (emoji sequences, Indic conjuncts), ZWNJ (Persian), ZWSP (Thai, Khmer line breaks),
# LRM/RLM (they steer only neutral characters), variation selectors and emoji tag sequences.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]")
_SEPARATORS = re.compile(r"[\u2028\u2029]")  # Unicode line/paragraph separators: plain newlines


@dataclass(frozen=True)
class Constituent:
    first_name: str
    last_name: str
    email: str
    address: str
    city: str
    state: str
    zip: str
    phone: str = ""
    message: str = ""
    consent: bool = False
    prefix: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def zip5(self) -> str:
        return self.zip[:5]

    @cached_property  # asked for several times per submission; an HMAC each time otherwise
    def email_key(self) -> str:
        return email_key(self.email)

    def writer_key(self, messages: Mapping[str, str] | None = None) -> str:
        """Who wrote what: a keyed hash of the email and everything the person typed (names, address, phone,
        their words, per office when they wrote per office), compared without case, spacing or invisible
        characters. Two submissions share it only when the second repeats the first; consent is not part of
        it. It decides what a repeat is: see services.submit_action."""
        fields = [
            clean_identifier(self.email),
            *(
                " ".join(visible_words(value).split()).casefold()
                for value in (self.prefix, self.first_name, self.last_name, self.address, self.city, self.phone)
            ),
            self.state,
            self.zip,
            self.message,
            # Per-office words that are the message itself (the HTML flow's untouched boxes) add nothing.
            sorted((key, text) for key, text in (messages or {}).items() if text != self.message),
        ]
        return pseudonym("writer:" + json.dumps(fields, ensure_ascii=False, separators=(",", ":")))

    def as_dict(self) -> dict:
        return asdict(self)


class InvalidInput(FlowError, ValueError):
    """What was typed, refused: a message per field (`fields`)."""

    reason = "invalid_input"

    def __init__(self, fields: dict[str, str]):
        super().__init__(fields=fields)


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Text as the person typed it (NFC), less the characters in _CONTROL; one line unless `multiline`."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    text = unicodedata.normalize("NFC", _CONTROL.sub("", value))
    text = _SEPARATORS.sub("\n", text).replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on", "y")


def validate_constituent(data: Mapping[str, object]) -> Constituent:
    """A Constituent, or InvalidInput naming every bad field."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, label in (
        ("first_name", _l("First name")),
        ("last_name", _l("Last name")),
        ("address", _l("Street address")),
        ("city", _l("City")),
    ):
        value = clean_text(data.get(name))
        if not value:
            errors[name] = gettext("%(field)s is required.", field=label)
        elif len(value) > LIMITS[name]:
            errors[name] = gettext("%(field)s must be at most %(count)s characters.", field=label, count=LIMITS[name])
        values[name] = value

    email_raw = unicodedata.normalize("NFC", visible(data.get("email")))
    if not email_raw:
        errors["email"] = gettext("%(field)s is required.", field=gettext("Email"))
    elif len(email_raw) > 254:
        errors["email"] = gettext("%(field)s must be at most %(count)s characters.", field=gettext("Email"), count=254)
    else:
        try:
            values["email"] = validate_email(email_raw, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            errors["email"] = gettext("Enter a valid email address (%(detail)s).", detail=exc)

    state = clean_text(data.get("state")).upper()
    if state not in places.STATES:
        errors["state"] = gettext("Choose the state or territory where you live.")
    values["state"] = state

    zip_code = places.normalize_zip(clean_text(data.get("zip")))
    if zip_code is None:
        errors["zip"] = gettext("Enter a 5-digit ZIP code (or ZIP+4).")
    values["zip"] = zip_code or ""

    phone = clean_text(data.get("phone"))
    if phone and (not PHONE_RE.match(phone) or sum(c.isdigit() for c in phone) < 7):
        errors["phone"] = gettext("Enter a phone number with digits only (or leave it empty).")
    values["phone"] = phone

    message = clean_text(data.get("message"), multiline=True)
    if len(message) > MAX_MESSAGE:
        errors["message"] = gettext(
            "Your message must be at most %(limit)s characters (it has %(count)s).",
            limit=format_number(MAX_MESSAGE),
            count=format_number(len(message)),
        )
    values["message"] = message

    prefix = clean_text(data.get("prefix"))
    if prefix and prefix not in PREFIXES:
        errors["prefix"] = gettext("Choose one of %(choices)s, or leave it empty.", choices=", ".join(PREFIXES))
    values["prefix"] = prefix

    if errors:
        raise InvalidInput(errors)
    return Constituent(consent=parse_bool(data.get("consent", False)), **values)

"""Constituent input: every field checked, Unicode names kept, control characters dropped."""

import pytest

from advocacy.identity import email_key
from advocacy.letters.validation import InvalidInput, validate_constituent
from advocacy.places import normalize_zip

GOOD = {
    "first_name": "Ana",
    "last_name": "Pérez",
    "email": "ana@example.org",
    "address": "1 Main St",
    "city": "Albany",
    "state": "ny",
    "zip": "12207",
}


def test_good_input():
    c = validate_constituent(GOOD)
    assert (c.first_name, c.last_name, c.state, c.zip, c.consent) == ("Ana", "Pérez", "NY", "12207", False)
    assert c.full_name == "Ana Pérez"


@pytest.mark.parametrize("first, last", [("周", "锋锁"), ("Nguyễn", "Thị Minh"), ("Seán", "O'Brien"), ("Asat", "Asat")])
def test_unicode_names_survive(first, last):
    c = validate_constituent({**GOOD, "first_name": first, "last_name": last})
    assert c.full_name == f"{first} {last}"


def test_decomposed_unicode_is_normalized():
    c = validate_constituent({**GOOD, "last_name": "Nguye\u0302\u0303n"})
    assert c.last_name == "Nguyễn"


@pytest.mark.parametrize(
    "field, value",
    [
        ("first_name", ""),
        ("last_name", "x" * 101),
        ("email", "not-an-email"),
        ("email", "a@b"),
        ("state", "XX"),
        ("zip", "1234"),
        ("zip", "ABCDE"),
        ("zip", "12345-67"),
        ("phone", "call me maybe"),
        ("message", "x" * 5001),
        ("address", ""),
        ("city", " \t "),
    ],
)
def test_bad_fields_are_named(field, value):
    with pytest.raises(InvalidInput) as info:
        validate_constituent({**GOOD, field: value})
    assert field in info.value.fields
    assert info.value.fields[field]


def test_all_errors_reported_together():
    with pytest.raises(InvalidInput) as info:
        validate_constituent({})
    assert {"first_name", "last_name", "email", "address", "city", "state", "zip"} <= set(info.value.fields)


def test_control_characters_are_stripped():
    c = validate_constituent({**GOOD, "first_name": "An\x00a\u202e", "message": "line one\r\nline\x07 two"})
    assert c.first_name == "Ana"
    assert c.message == "line one\nline two"


def test_message_limit_is_5000():
    assert len(validate_constituent({**GOOD, "message": "x" * 5000}).message) == 5000


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12345", "12345"),
        ("12345-6789", "12345-6789"),
        ("123456789", "12345-6789"),
        (" 02134 ", "02134"),
        ("1234", None),
        ("123456", None),
    ],
)
def test_normalize_zip(raw, expected):
    assert normalize_zip(raw) == expected


def test_email_key_ignores_case_and_space(app):
    assert email_key(" Ana@Example.org ") == email_key("ana@example.org")
    assert len(email_key("a@example.org")) == 64


@pytest.mark.parametrize(
    "value, expected", [(True, True), ("on", True), ("true", True), ("", False), ("false", False), (None, False)]
)
def test_consent(value, expected):
    assert validate_constituent({**GOOD, "consent": value}).consent is expected


def test_prefix_is_optional_and_checked():
    assert validate_constituent(GOOD).prefix == ""
    assert validate_constituent({**GOOD, "prefix": "Dr."}).prefix == "Dr."
    with pytest.raises(InvalidInput) as info:
        validate_constituent({**GOOD, "prefix": "Lord"})
    assert "prefix" in info.value.fields


INVISIBLE_VARIANTS = [
    "ana\u200b@example.org",  # zero-width space
    "a\u200cna@example.org",  # zero-width non-joiner
    "an\u200da@example.org",  # zero-width joiner
    "ana\u2060@example.org",  # word joiner
    "\ufeffana@example.org",  # byte-order mark
    "a\u00adna@example.org",  # soft hyphen
    "ana@exa\u200emple.org",  # left-to-right mark
    "ana\u202e@example.org",  # right-to-left override
    "ana\u2063@example.org",  # invisible separator
    "a\u180ena@example.org",  # Mongolian vowel separator
    "ana\U000e0041@example.org",  # tag character
    "ＡＮＡ@example.org",  # full-width letters
]


def test_invisible_characters_do_not_make_a_second_email_key(app):
    keys = {email_key(variant) for variant in INVISIBLE_VARIANTS}
    assert keys == {email_key("ana@example.org")}


def test_invisible_characters_are_stripped_from_the_stored_email():
    for variant in INVISIBLE_VARIANTS[:-1]:
        assert validate_constituent({**GOOD, "email": variant}).email == "ana@example.org"


@pytest.mark.parametrize(
    "text",
    [
        "I stand with him \U0001f469\u200d\U0001f469\u200d\U0001f467",  # family emoji: a ZWJ sequence
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian "I want" with its ZWNJ
        "\u0915\u094d\u200d\u0937",  # Devanagari half-form with ZWJ
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland flag: tag sequence
        "\u0627\u0644\u062d\u0631\u064a\u0629 \u200fFreedom\u200e",  # Arabic with RLM and LRM
    ],
)
def test_what_people_type_survives_as_typed(text):
    c = validate_constituent({**GOOD, "first_name": text[:100], "message": text})
    assert c.message == text
    assert c.first_name == text[:100]


def test_dangerous_characters_are_removed_from_text():
    c = validate_constituent(
        {**GOOD, "first_name": "An\u2066a\u2069\ud800", "message": "evil \u202eexe.txt\u202c\x00\x1b[31m\ufeff end"}
    )
    assert c.first_name == "Ana"
    assert c.message == "evil exe.txt[31m end"

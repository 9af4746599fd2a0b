"""The JSON API against its own OpenAPI document, fuzzed by schemathesis in-process (WSGI): no 5xx, and every
answer (status, content type, headers, body) is one the document describes.

Runs on the real congress data with the shipped sample campaign; no request leaves the machine (`no_network`, and
the test app's geocoder is a loopback port that refuses connections, like a service that is down, so addresses
fall back to the ZIP). Bounded: a few examples per
operation and mode, derandomized, so a run takes seconds and a failure reproduces.

(schemathesis's own pytest plugin, `@schema.parametrize()`, does not run under pytest 9, so each operation's
Hypothesis strategy is driven here directly.)
"""

from __future__ import annotations

import itertools
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

MAX_EXAMPLES = 20
BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
OPERATIONS = [
    ("/campaigns", "GET"),
    ("/campaigns/{slug}", "GET"),
    ("/campaigns/{slug}/actions", "POST"),
    ("/campaigns/{slug}/scoreboard", "GET"),
    ("/representatives", "GET"),
]
# Operations with an input the document constrains (a pattern, a required field), so invalid data exists.
CONSTRAINED = [("/campaigns/{slug}/actions", "POST"), ("/representatives", "GET")]
# "Valid data should have been accepted" does not hold for an API about real places and campaigns: a well-formed
# ZIP may be no one's (404), a well-formed slug no campaign's, a well-formed state not the ZIP's. The rest all run.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def app_config():
    # The throttles would answer 429 (documented) to most examples; lift them so the views themselves are fuzzed.
    lifted = "100000 per minute"
    return {"ACTION_RATE_LIMIT_IP": lifted, "ACTION_RATE_LIMIT_EMAIL": lifted, "LOOKUP_RATE_LIMIT": lifted}


@pytest.fixture
def api_schema(app, live_campaign):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def fuzz(strategy) -> None:
    @given(case=strategy)
    @BOUNDED
    def run(case):
        case.call_and_validate(excluded_checks=EXCLUDED)

    run()


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_valid_requests_get_documented_answers(api_schema, path, method):
    fuzz(api_schema[path][method].as_strategy(GenerationMode.POSITIVE))


@pytest.mark.parametrize(("path", "method"), CONSTRAINED)
def test_invalid_requests_are_refused_as_documented(api_schema, path, method):
    fuzz(api_schema[path][method].as_strategy(GenerationMode.NEGATIVE))


@pytest.mark.parametrize(("path", "method"), [op for op in OPERATIONS if "{slug}" in op[0]])
def test_requests_about_a_real_campaign_get_documented_answers(api_schema, path, method):
    """Random slugs only meet the 404; these examples reach the campaign, its letters and its scoreboard."""
    fuzz(api_schema[path][method].as_strategy(GenerationMode.POSITIVE, path_parameters={"slug": "sample-campaign"}))


def test_letters_written_through_the_api_match_the_document(api_schema):
    """A real constituent (Albany, NY-20) with fuzzed words, phone and Idempotency-Key: 201 (or 200 when the
    same letters come back), with the body the document promises."""
    operation = api_schema["/campaigns/{slug}/actions"]["POST"]
    writers = itertools.count()
    statuses = set()

    @given(
        message=st.text(max_size=300),
        phone=st.one_of(st.none(), st.from_regex(r"\A[0-9 ()+.-]{7,20}\Z")),
        key=st.one_of(st.none(), st.from_regex(r"\A[A-Za-z0-9._:-]{1,64}\Z")),
        consent=st.booleans(),
    )
    @BOUNDED
    def run(message, phone, key, consent):
        body = {
            "first_name": "Fuzz",
            "last_name": "Writer",
            "email": f"fuzz{next(writers) % 7}@example.org",
            "address": "1 Main St",
            "city": "Albany",
            "state": "NY",
            "zip": "12207",
            "message": message,
            "consent": consent,
        }
        if phone is not None:
            body["phone"] = phone
        case = operation.Case(
            path_parameters={"slug": "sample-campaign"},
            body=body,
            headers={"Idempotency-Key": key} if key else {},
            media_type="application/json",
        )
        response = case.call_and_validate(excluded_checks=EXCLUDED)
        statuses.add(response.status_code)

    run()
    assert 201 in statuses and statuses <= {200, 201, 400}, statuses


def test_the_document_describes_every_api_route(app):
    """Every route under /api/v1 (but the document itself) is in the document, and is fuzzed above."""
    from advocacy.api.openapi import build_spec

    paths = build_spec()["paths"]
    documented = {(path, method.upper()) for path, ops in paths.items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented == set(OPERATIONS)

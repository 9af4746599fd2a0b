"""Every refused submission is mapped once (advocacy.letters.problems): the API answers each error with its
row's code and status, and the HTML flow shows the same words with the same status; nothing is stored."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from advocacy.congress import lookup as congress_lookup
from advocacy.delivery.models import Delivery
from advocacy.letters import api as letters_api
from advocacy.letters.models import Action, Letter
from advocacy.letters.problems import PROBLEMS
from tests.letters_support import GOOD

URL = "/api/v1/campaigns/sample-campaign/actions"
CODES = {problem.code for problem in PROBLEMS.values()}


def counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Action, Letter, Delivery))


def status_of(code: str) -> int:
    return next(problem.status for problem in PROBLEMS.values() if problem.code == code)


def started(client) -> str:
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    return re.search(r'name="started" value="([^"]+)"', page).group(1)


def shown(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_each_code_has_one_status_and_every_status_is_in_the_openapi_document(client):
    statuses = defaultdict(set)
    for problem in PROBLEMS.values():
        statuses[problem.code].add(problem.status)
    assert {code: found for code, found in statuses.items() if len(found) > 1} == {}
    documented = client.get("/api/v1/openapi.json").json["paths"]["/campaigns/{slug}/actions"]["post"]["responses"]
    assert {str(problem.status) for problem in PROBLEMS.values()} <= set(documented)


def test_every_lookup_failure_has_a_row_with_the_lookups_own_field():
    failures = [congress_lookup.LookupFailed, *congress_lookup.LookupFailed.__subclasses__()]
    assert len(failures) >= 4
    for failure in failures:
        assert PROBLEMS[failure.code].code == failure.code
        assert PROBLEMS[failure.code].field == failure.field


def test_the_api_builds_no_error_of_its_own():
    source = Path(letters_api.__file__).read_text(encoding="utf-8")
    assert "APIError" not in source
    assert source.count("error_response(") == 1  # in problem_response, from the table's row


# (what is wrong, the API payload's changes, the campaign's changes) — each answered from one row.
CASES = {
    "bad email": ({"email": "broken"}, None),
    "missing names": ({"first_name": "", "last_name": " "}, None),
    "zip of another state": ({"state": "CA"}, None),
    "unknown zip": ({"zip": "99999"}, None),
    "split zip, geocoder down": ({"zip": "10025", "city": "New York"}, None),
    "closed campaign": ({}, {"status": "closed"}),
    "broken template": ({}, {"template": "{{ constituent.no_such_field }}"}),
}


def _break(db, campaign, change):
    if not change:
        return
    if "status" in change:
        campaign.status = change["status"]
    if "template" in change:
        for variant in campaign.letters:
            variant.body = change["template"]
    db.session.commit()


@pytest.mark.parametrize("step", ["write", "send"])
@pytest.mark.parametrize("case", list(CASES))
def test_the_html_flow_shows_what_the_api_says_with_the_same_status(client, db, live_campaign, case, step):
    payload, change = CASES[case]
    stamp = started(client)
    _break(db, live_campaign, change)
    answer = client.post(URL, json={**GOOD, **payload})
    error = answer.json["error"]
    assert error["code"] in CODES and answer.status_code == status_of(error["code"])
    form = {**GOOD, "consent": "y", **payload, "started": stamp}
    page = client.post(f"/c/sample-campaign/{step}", data=form)
    assert page.status_code == answer.status_code, shown(page)[:500]
    text = shown(page)
    expected = list(error["fields"].values()) or [error["message"]]
    assert all(message in text for message in expected), (expected, text[:2000])
    assert "Traceback" not in text and "no_such_field" not in text
    assert counts(db) == (0, 0, 0)


def test_a_throttled_writer_reads_the_same_words_and_wait_in_both_flows(client, db, live_campaign):
    for i in range(5):  # the per-email limit: 5 a minute
        assert client.post(URL, json={**GOOD, "message": f"attempt {i}"}).status_code == 201
    answer = client.post(URL, json={**GOOD, "message": "once more"})
    assert answer.status_code == 429 == status_of(answer.json["error"]["code"])
    page = client.post("/c/sample-campaign/send", data={**GOOD, "consent": "y", "started": started(client)})
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) > 0 and int(answer.headers["Retry-After"]) > 0
    digits = re.compile(r"\d+")
    message = digits.sub("N", answer.json["error"]["message"])
    assert message in digits.sub("N", shown(page))
    assert counts(db)[0] == 5


@pytest.mark.parametrize(
    ("send", "code"),
    [
        ({"data": "not json", "content_type": "text/plain"}, "unsupported_media_type"),
        ({"data": "[1, 2]", "content_type": "application/json"}, "invalid_json"),
        ({"json": {**GOOD, "favourite_colour": "green"}}, "invalid_input"),
        ({"json": {**GOOD, "zip": 12207}}, "invalid_input"),
        ({"json": GOOD, "headers": {"Idempotency-Key": "no spaces allowed"}}, "invalid_idempotency_key"),
    ],
)
def test_a_request_that_is_not_a_letter_is_answered_from_the_table(client, db, live_campaign, send, code):
    answer = client.post(URL, **send)
    assert answer.json["error"]["code"] == code
    assert answer.status_code == status_of(code)
    assert counts(db) == (0, 0, 0)


def test_an_unknown_or_draft_campaign_is_answered_from_the_table(client, db, live_campaign):
    assert client.post("/api/v1/campaigns/no-such-campaign/actions", json=GOOD).json["error"]["code"] == "not_found"
    live_campaign.status = "draft"
    db.session.commit()
    answer = client.post(URL, json=GOOD)
    assert (answer.status_code, answer.json["error"]["code"]) == (status_of("not_found"), "not_found")
    assert counts(db) == (0, 0, 0)

"""`GET /api/v1/representatives` and the public `/lookup` page, on the real data."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token_from

pytestmark = pytest.mark.usefixtures("congress_data")

URL = "/api/v1/representatives"
RESULT_KEYS = {
    "query",
    "source",
    "split",
    "districts",
    "offices",
    "house_candidates",
    "vacancies",
    "approximate",
    "notice",
}
OFFICE_KEYS = {
    "bioguide_id", "name", "first_name", "last_name", "title", "salutation", "chamber", "state", "district",
    "party", "phone", "address", "contact_url", "contact_form", "website", "photo_url", "social",
    "nearest_district_office", "rss_url",
}  # fmt: skip


@pytest.fixture
def census(fake_geocoder):
    """The fake Census geocoder on loopback (tests/fakes/geocoder.py), placing 2525 Buckelew Dr in VA-8."""
    return fake_geocoder.place("2525 Buckelew Dr", "VA", 8, (38.887016, -77.199027))


def test_one_district_zip(client):
    response = client.get(URL, query_string={"zip": "10004"})
    assert response.status_code == 200
    assert response.content_type == "application/json"
    body = response.json
    assert set(body) == RESULT_KEYS
    assert body["query"] == {"zip": "10004", "address": None}
    assert body["source"] == "zip-crosswalk"
    assert body["split"] is False
    assert body["districts"] == [{"state": "NY", "district": 10}]
    assert [(o["title"], o["salutation"]) for o in body["offices"]] == [
        ("Senator", "Dear Senator Schumer"),
        ("Senator", "Dear Senator Gillibrand"),
        ("Representative", "Dear Representative Goldman"),
    ]
    assert all(set(o) == OFFICE_KEYS for o in body["offices"])
    assert [o["chamber"] for o in body["offices"]] == ["senate", "senate", "house"]
    assert body["offices"][2]["district"] == 10 and body["offices"][0]["district"] is None
    assert body["house_candidates"] == [] and body["vacancies"] == []
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_split_zip(client):
    body = client.get(URL, query_string={"zip": "91711"}).json
    assert body["split"] is True
    assert [d["district"] for d in body["districts"]] == [27, 28, 29, 30, 31, 35]
    assert [o["chamber"] for o in body["offices"]] == ["senate", "senate"]
    assert len(body["house_candidates"]) == 6
    assert {o["chamber"] for o in body["house_candidates"]} == {"house"}


def test_zip_across_a_state_line(client):
    body = client.get(URL, query_string={"zip": "30165"}).json
    assert body["districts"] == [{"state": "AL", "district": 3}, {"state": "GA", "district": 14}]
    assert body["offices"] == []
    assert [(o["state"], o["district"]) for o in body["house_candidates"]] == [("AL", 3), ("GA", 14)]


def test_vacant_seat(client):
    body = client.get(URL, query_string={"zip": "94544"}).json
    assert body["vacancies"] == [{"state": "CA", "district": 14}]
    assert [o["chamber"] for o in body["offices"]] == ["senate", "senate"]


def test_dc_and_puerto_rico(client):
    dc = client.get(URL, query_string={"zip": "20001"}).json["offices"]
    pr = client.get(URL, query_string={"zip": "00901"}).json["offices"]
    assert [o["salutation"] for o in dc] == ["Dear Delegate Norton"]
    assert [o["salutation"] for o in pr] == ["Dear Resident Commissioner Hernández"]


def test_zip_plus_four(client):
    body = client.get(URL, query_string={"zip": "10004-2345"}).json
    assert body["query"]["zip"] == "10004"
    assert body["districts"] == [{"state": "NY", "district": 10}]


@pytest.mark.parametrize("query", [{}, {"zip": ""}, {"zip": "1000"}, {"zip": "ABCDE"}, {"zip": "10004-"}])
def test_malformed_zip_is_a_json_400(client, query):
    response = client.get(URL, query_string=query)
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "invalid_zip"
    assert "zip" in error["fields"] and error["message"]


@pytest.mark.parametrize("address", ["x" * 201, "1 Main St\r\nX-Injected: 1", "1 Main\x1bSt"])
def test_malformed_address_is_a_json_400(client, census, address):
    response = client.get(URL, query_string={"zip": "10004", "address": address})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_address"
    assert "address" in response.json["error"]["fields"]
    assert census.requests == []


def test_unknown_zip_is_a_json_404(client):
    response = client.get(URL, query_string={"zip": "99999"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "unknown_zip"


def test_address_goes_to_the_geocoder(client, census):
    response = client.get(URL, query_string={"zip": "22046", "address": "2525 Buckelew Dr"})
    body = response.json
    assert body["source"] == "census-geocoder"
    assert body["query"] == {"zip": "22046", "address": "2525 Buckelew Dr"}
    assert body["districts"] == [{"state": "VA", "district": 8}]
    assert body["offices"][-1]["nearest_district_office"]["distance_miles"] >= 0
    assert response.headers["Cache-Control"] == "no-store"  # it answers about someone's address
    assert census.addresses() == ["2525 Buckelew Dr, 22046"]


def test_geocoder_down_falls_back_to_the_zip(client, census):
    census.fail("1 Main St", status=500, times=1).fail("1 Main St", status=502, times=1)
    body = client.get(URL, query_string={"zip": "91711", "address": "1 Main St"}).json
    assert body["source"] == "zip-crosswalk" and body["split"] is True
    assert [seen.status for seen in census.requests] == [500, 502]


def test_public_without_login(app):
    response = app.test_client().get(URL, query_string={"zip": "82001"})
    assert response.status_code == 200


@pytest.mark.parametrize("app_config", [{"LOOKUP_RATE_LIMIT": "3 per minute"}])
def test_rate_limited_per_ip(client):
    for _ in range(3):
        assert client.get(URL, query_string={"zip": "10004"}).status_code == 200
    response = client.get(URL, query_string={"zip": "10004"})
    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited"
    assert 0 < int(response.headers["Retry-After"]) <= 60
    other = client.get(URL, query_string={"zip": "10004"}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_openapi_describes_the_lookup(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/representatives"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"zip", "address"}
    assert set(operation["responses"]) >= {"200", "400", "404", "429"}
    schema = spec["components"]["schemas"]["Representatives"]
    assert set(schema["required"]) == RESULT_KEYS
    assert set(spec["components"]["schemas"]["Office"]["properties"]) == OFFICE_KEYS


# --- the /lookup page -------------------------------------------------------------------------------------


def test_page_form_has_labels(client):
    response = client.get("/lookup")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<label for="zip">ZIP code</label>' in html
    assert '<label for="address">Street address (optional)</label>' in html
    assert 'method="post"' in html


def test_page_shows_office_cards_for_a_zip_link(client):
    html = client.get("/lookup?zip=10004").get_data(as_text=True)
    for text in ("Senator Charles E. Schumer", "Representative Daniel S. Goldman", "202-224-6542"):
        assert text in html
    # Initials, not a photo from another origin (issue 14): the page loads nothing from elsewhere.
    assert "unitedstates.github.io" not in html
    assert '<span class="office-monogram" aria-hidden="true">DG</span>' in html
    assert "Democrat" in html


def test_page_split_zip_asks_for_the_address_and_keeps_what_was_typed(client):
    response = client.post("/lookup", data={"zip": "91711", "address": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "split between 6 congressional districts" in html
    assert 'value="91711"' in html
    assert 'id="address"' in html and "required autofocus" in html
    assert "Your representative is one of these" in html
    assert "Senator Alex Padilla" in html


def test_page_address_settles_the_district_and_is_kept(client, census):
    html = client.post("/lookup", data={"zip": "22046", "address": "2525 Buckelew Dr"}).get_data(as_text=True)
    assert 'value="2525 Buckelew Dr"' in html
    assert "Your address is in VA-8." in html
    assert "Nearest district office" in html
    assert "Representative Donald S. Beyer, Jr." in html


def test_page_vacancy_and_errors(client):
    assert "CA-14: vacant seat" in client.get("/lookup?zip=94544").get_data(as_text=True)
    bad = client.post("/lookup", data={"zip": "12"})
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.get_data(as_text=True)
    unknown = client.post("/lookup", data={"zip": "99999"})
    assert unknown.status_code == 404
    assert "We have no congressional district for ZIP code 99999" in unknown.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_page_form_is_csrf_protected(client):
    assert client.post("/lookup", data={"zip": "10004"}).status_code == 400
    token = csrf_token_from(client.get("/lookup").get_data(as_text=True))
    response = client.post("/lookup", data={"zip": "10004", "csrf_token": token})
    assert response.status_code == 200
    assert "Representative Daniel S. Goldman" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"LOOKUP_PAGE_RATE_LIMIT": "2 per minute"}])
def test_page_is_rate_limited(client):
    assert client.get("/lookup?zip=10004").status_code == 200
    assert client.get("/lookup?zip=10004").status_code == 200
    assert client.get("/lookup?zip=10004").status_code == 429


def test_page_says_when_the_address_could_not_be_placed(client, census):
    census.no_match("1 Nowhere Lane")
    html = client.post("/lookup", data={"zip": "91711", "address": "1 Nowhere Lane"}).get_data(as_text=True)
    assert "We could not place that street address" in html
    assert 'value="1 Nowhere Lane"' in html

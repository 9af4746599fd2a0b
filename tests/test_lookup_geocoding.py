"""Every street address is geocoded, the ZIP decides only when no geocoder answers, and the writer is told.

Geocoders are served at the requests boundary with `responses`: Geocodio's recorded answer as it is
(../shared/data/geocodio), and Census answers built from the recorded Falls Church answer with only the
place changed (its layer renamed for the 119th Congress, its district, state and point set), which is how
answers for other addresses differ from it.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from advocacy.config import DEFAULT_GEOCODER_URL, DEFAULT_GEOCODIO_URL
from advocacy.congress.lookup import (
    ZIP_NOTICE,
    ZIP_SOURCE_HANDOFF_NOTICE,
    ZIP_SOURCE_NOTICE,
    ZIP_SOURCE_SENT_NOTICE,
    lookup_representatives,
    office_to_call,
)
from advocacy.congress.providers import geocoder
from advocacy.delivery.models import Delivery
from advocacy.letters.models import Action, Letter
from advocacy.places import STATE_FIPS
from tests.data import CENSUS_DIR, SHARED_DATA
from tests.letters_support import GOOD

pytestmark = pytest.mark.usefixtures("congress_data")

ACTIONS = "/api/v1/campaigns/sample-campaign/actions"
GEOCODIO = SHARED_DATA / "geocodio" / "geocodio-v1.9-geocode-30-rockefeller-plaza-fields-cd-timezone.json"
BUCKELEW = CENSUS_DIR / "census-onelineaddress-2525-buckelew-falls-church-va-cd116.json"
MANHATTAN = (40.758836, -73.978814)  # 30 Rockefeller Plaza, as Geocodio placed it
SAN_FRANCISCO = (37.779260, -122.419150)  # 1 Dr Carlton B Goodlett Pl (City Hall)


def recorded(path) -> dict:
    if not path.is_file():
        pytest.skip(f"recorded response not found: {path}")
    return json.loads(path.read_text())


def census_answer(state: str, district: int, point: tuple[float, float]) -> dict:
    """The recorded Census answer, moved to `point` in `state`-`district` of the 119th Congress."""
    body = copy.deepcopy(recorded(BUCKELEW))
    match = body["result"]["addressMatches"][0]
    match["coordinates"] = {"x": point[1], "y": point[0]}
    geographies = match["geographies"]
    [feature] = geographies.pop("116th Congressional Districts")
    del feature["CD116"]
    fips = STATE_FIPS[state]
    feature.update(CD119=f"{district:02d}", CDSESSN="119", STATE=fips, GEOID=f"{fips}{district:02d}")
    geographies["119th Congressional Districts"] = [feature]
    geographies["States"][0].update(STUSAB=state, STATE=fips)
    return body


def house(letters) -> list[tuple[str, int]]:
    return [(x["office"]["state"], x["office"]["district"]) for x in letters if x["office"]["chamber"] == "house"]


# --- the letter flow --------------------------------------------------------------------------------------


def test_an_address_in_another_district_than_its_single_district_zip_gets_the_address_representative(
    client, db, live_campaign, no_network
):
    # The crosswalk calls 10004 single-district (NY-10); this address is placed in NY-12.
    no_network.get(DEFAULT_GEOCODER_URL, json=census_answer("NY", 12, MANHATTAN))
    payload = {**GOOD, "zip": "10004", "city": "New York", "address": "1 Example Plaza"}
    response = client.post(ACTIONS, json=payload)
    assert response.status_code == 201, response.json
    assert house(response.json["letters"]) == [("NY", 12)]
    assert "notice" not in response.json
    action = db.session.scalar(select(Action))
    assert (action.district_state, action.district, action.lookup_source) == ("NY", 12, "census-geocoder")
    stored = {(x.chamber, x.state, x.district) for x in db.session.scalars(select(Letter))}
    assert ("house", "NY", 12) in stored and ("house", "NY", 10) not in stored
    [call] = no_network.calls
    assert call.request.params["address"] == "1 Example Plaza, New York, NY, 10004"


def test_a_zip_the_crosswalk_does_not_know_is_accepted_when_the_address_places_it(
    client, db, live_campaign, no_network
):
    # 01115 is a single-organization ZIP in Springfield, MA: no ZCTA, so the crosswalk has no row for it.
    no_network.get(DEFAULT_GEOCODER_URL, json=census_answer("MA", 1, (42.1015, -72.5898)))
    payload = {**GOOD, "zip": "01115", "state": "MA", "city": "Springfield", "address": "1 Example St"}
    response = client.post(ACTIONS, json=payload)
    assert response.status_code == 201, response.json
    assert house(response.json["letters"]) == [("MA", 1)]
    assert len(response.json["letters"]) == 3
    assert db.session.scalar(select(Action)).lookup_source == "census-geocoder"


@pytest.mark.parametrize("app_config", [{"DISTRICT_CHECK_HOLD_SECONDS": 1800}])
def test_a_geocoder_outage_accepts_a_single_district_zip_holds_the_house_letter_and_says_so(
    client, db, live_campaign, no_network, caplog
):
    no_network.get(DEFAULT_GEOCODER_URL, body=requests.ConnectionError("down"))
    caplog.set_level(logging.DEBUG)
    payload = {**GOOD, "address": "77 Secret Lane"}
    response = client.post(ACTIONS, json=payload)
    assert response.status_code == 201, response.json
    assert house(response.json["letters"]) == [("NY", 20)]
    assert response.json["notice"] == ZIP_SOURCE_HANDOFF_NOTICE  # no channel of ours reaches this office
    action = db.session.scalar(select(Action))
    assert (action.district, action.lookup_source) == (20, "zip-crosswalk")
    held = {
        letter.chamber: delivery.next_attempt_at
        for letter, delivery in db.session.execute(select(Letter, Delivery).join(Delivery))
    }
    created = action.created_at.replace(tzinfo=None)
    assert held["house"].replace(tzinfo=None) >= created + timedelta(minutes=29)
    assert held["senate"].replace(tzinfo=None) <= created + timedelta(minutes=1)
    assert "Secret Lane" not in caplog.text and "census-geocoder unavailable" in caplog.text


def test_the_thanks_page_says_the_district_came_from_the_zip(client, db, live_campaign, no_network):
    no_network.get(DEFAULT_GEOCODER_URL, body=requests.ConnectionError("down"))
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    started = re.search(r'name="started" value="([^"]+)"', page).group(1)
    response = client.post("/c/sample-campaign/send", data={**GOOD, "consent": "y", "started": started})
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "comes from your ZIP code" in thanks


def test_the_zip_notice_is_true_to_how_the_house_letter_leaves(client, db, live_campaign, no_network):
    no_network.get(DEFAULT_GEOCODER_URL, body=requests.ConnectionError("down"))
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    started = re.search(r'name="started" value="([^"]+)"', page).group(1)
    thanks_url = client.post("/c/sample-campaign/send", data={**GOOD, "consent": "y", "started": started}).location
    [house_delivery] = db.session.scalars(select(Delivery).join(Letter).where(Letter.chamber == "house")).all()

    def notice_after(channel: str, status: str) -> str:
        house_delivery.channel, house_delivery.status = channel, status
        db.session.commit()
        return client.get(thanks_url).get_data(as_text=True).replace("&#39;", "'")

    held = notice_after(house_delivery.channel, "pending")
    assert str(ZIP_SOURCE_NOTICE) in held
    on_the_form = notice_after("contact_form", "handoff")  # the writer sends it: nothing of ours goes to the House
    assert str(ZIP_SOURCE_HANDOFF_NOTICE) in on_the_form and "before your letter goes to the House" not in on_the_form
    gone = notice_after("email", "sent")
    assert str(ZIP_SOURCE_SENT_NOTICE) in gone and "We check the address again" not in gone


# --- lookups ----------------------------------------------------------------------------------------------


def test_a_zip_alone_says_it_is_an_approximation_and_asks_for_the_address(client):
    body = client.get("/api/v1/representatives?zip=10004").json
    assert body["approximate"] is True and body["notice"] == ZIP_NOTICE
    page = client.get("/lookup?zip=10004").get_data(as_text=True)
    assert "only an approximation" in page


@pytest.mark.parametrize(
    "app_config", [{"ENVIRON": {"ADVOCACY_GEOCODER": "geocodio", "ADVOCACY_GEOCODIO_API_KEY": "test-key"}}]
)
def test_geocodio_places_the_address_by_its_cd_field_and_manhattan_calls_new_york_city(app, no_network):
    no_network.get(DEFAULT_GEOCODIO_URL, json=recorded(GEOCODIO))
    result = lookup_representatives("10112", "30 Rockefeller Plaza, New York NY")
    assert (result.source, result.districts, result.approximate) == ("geocodio", [("NY", 12)], False)
    offices = {o.last_name: o.nearest_district_office for o in result.offices}
    assert offices["Schumer"]["city"] == "New York" and offices["Gillibrand"]["city"] == "New York"
    assert offices["Nadler"]["city"] == "New York"
    [call] = no_network.calls
    assert call.request.params["fields"] == "cd" and call.request.params["api_key"] == "test-key"
    assert call.request.req_kwargs["timeout"] is not None


def test_a_san_francisco_address_calls_padillas_san_francisco_office_not_fresno(app, no_network):
    no_network.get(DEFAULT_GEOCODER_URL, json=census_answer("CA", 11, SAN_FRANCISCO))
    result = lookup_representatives("94102", "1 Dr Carlton B Goodlett Pl, San Francisco, CA")
    padilla = next(o for o in result.offices if o.last_name == "Padilla")
    assert padilla.nearest_district_office["city"] == "San Francisco"
    assert padilla.nearest_district_office["distance_miles"] < 5
    # The thanks page, later, finds the same office from the cached answer without asking again.
    local = office_to_call(padilla.bioguide_id, "1 Dr Carlton B Goodlett Pl", "San Francisco", "CA", "94102")
    assert local["city"] == "San Francisco" and len(no_network.calls) == 1


def test_without_a_point_the_writers_city_picks_the_office(app, no_network):
    no_network.get(DEFAULT_GEOCODER_URL, body=requests.ConnectionError("down"))
    result = lookup_representatives("94102", "1 Example St", city="San Francisco")
    assert result.approximate and result.geocoder_unavailable
    padilla = next(o for o in result.offices if o.last_name == "Padilla")
    assert padilla.nearest_district_office["city"] == "San Francisco"
    senators = [o for o in lookup_representatives("10004", "1 Example St", city="New York").offices]
    assert {o.nearest_district_office["city"] for o in senators} == {"New York"}


def test_the_geocoder_cache_is_keyed_by_a_keyed_hash_and_holds_no_address(app, no_network):
    no_network.get(DEFAULT_GEOCODER_URL, json=census_answer("NY", 12, MANHATTAN))
    lookup_representatives("10004", "1 Example Plaza, New York, NY")
    lookup_representatives("10004", "1  example plaza,  NEW YORK NY")  # the same address, typed differently
    assert len(no_network.calls) == 1
    cache = geocoder().cache
    [key] = list(cache._data)
    assert re.fullmatch(r"[0-9a-f]{64}", key) and "EXAMPLE" not in repr(cache._data)
    other = type(geocoder())(DEFAULT_GEOCODER_URL, b"another key")
    assert other.cache_key("1 Example Plaza, New York, NY", "10004") != key


def _send_form(client, **fields):
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    started = re.search(r'name="started" value="([^"]+)"', page).group(1)
    return client.post("/c/sample-campaign/send", data={**GOOD, "consent": "y", "started": started, **fields})


def office_section(page: str, name: str) -> str:
    """The thanks page's section for one office (the one with its call details), not the next-step summary."""
    (section,) = [part for part in page.split("<section") if name in part and "Call too" in part]
    return section


def test_the_thanks_page_gives_a_san_francisco_writer_padillas_san_francisco_office(
    client, db, live_campaign, no_network
):
    no_network.get(DEFAULT_GEOCODER_URL, json=census_answer("CA", 11, SAN_FRANCISCO))
    response = _send_form(client, zip="94102", state="CA", city="San Francisco", address="1 Dr Carlton B Goodlett Pl")
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    padilla = office_section(thanks, "Alex Padilla")
    assert "San Francisco office" in padilla and "Fresno" not in padilla
    assert len(no_network.calls) == 1  # the thanks page used the cached answer


def test_the_thanks_page_gives_a_manhattan_writer_the_new_york_city_offices(client, db, live_campaign, no_network):
    no_network.get(DEFAULT_GEOCODER_URL, json=census_answer("NY", 12, MANHATTAN))
    response = _send_form(client, zip="10020", city="New York", address="30 Rockefeller Plaza")
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    for name in ("Charles E. Schumer", "Kirsten E. Gillibrand"):
        section = office_section(thanks, name)
        assert "New York office" in section and "Rochester" not in section and "Albany" not in section


def test_the_scoreboard_says_a_zip_is_an_approximation_and_links_to_the_address_lookup(client, live_campaign):
    page = client.get("/c/sample-campaign/scoreboard?zip=10004").get_data(as_text=True)
    assert "only an approximation" in page and 'href="/lookup?zip=10004"' in page


def test_after_repeated_failures_the_geocoder_rests_before_it_is_asked_again(app, no_network):
    no_network.get(DEFAULT_GEOCODER_URL, body=requests.ConnectionError("down"))
    places = geocoder()
    now = [1000.0]
    places.clock = lambda: now[0]
    for n in range(5):
        assert lookup_representatives("10004", f"{n} Example St").geocoder_unavailable
    asked = len(no_network.calls)
    assert asked == 10  # five addresses, each tried twice
    result = lookup_representatives("10004", "6 Example St")  # not asked: the ZIP answers at once
    assert result.geocoder_unavailable and result.approximate and len(no_network.calls) == asked
    now[0] += 31
    no_network.replace(no_network.GET, DEFAULT_GEOCODER_URL, json=census_answer("NY", 12, MANHATTAN))
    assert lookup_representatives("10004", "7 Example St").districts == [("NY", 12)]
    assert places.failures == 0

"""Every street address is geocoded, the ZIP decides only when no geocoder answers, and the writer is told.

The geocoders are the loopback fake (tests/fakes/geocoder.py): a real HTTP server answering in the Census and
Geocodio shapes, programmed per street; the app reaches it with its own HTTP client. The real recorded answers
are replayed through it by tests/test_geocoder_recordings.py.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

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
from tests.fakes.geocoder import GEOCODIO_KEY
from tests.letters_support import GOOD

pytestmark = pytest.mark.usefixtures("congress_data")

ACTIONS = "/api/v1/campaigns/sample-campaign/actions"
MANHATTAN = (40.758836, -73.978814)  # 30 Rockefeller Plaza, as Geocodio placed it
SAN_FRANCISCO = (37.779260, -122.419150)  # 1 Dr Carlton B Goodlett Pl (City Hall)
GEOCODIO_CONFIG = {"ENVIRON": {"ADVOCACY_GEOCODER": "geocodio", "ADVOCACY_GEOCODIO_API_KEY": GEOCODIO_KEY}}


def house(letters) -> list[tuple[str, int]]:
    return [(x["office"]["state"], x["office"]["district"]) for x in letters if x["office"]["chamber"] == "house"]


# --- the letter flow --------------------------------------------------------------------------------------


def test_an_address_in_another_district_than_its_single_district_zip_gets_the_address_representative(
    client, db, live_campaign, fake_geocoder
):
    # The crosswalk calls 10004 single-district (NY-10); this address is placed in NY-12.
    fake_geocoder.place("1 Example Plaza", "NY", 12, MANHATTAN)
    payload = {**GOOD, "zip": "10004", "city": "New York", "address": "1 Example Plaza"}
    response = client.post(ACTIONS, json=payload)
    assert response.status_code == 201, response.json
    assert house(response.json["letters"]) == [("NY", 12)]
    assert "notice" not in response.json
    action = db.session.scalar(select(Action))
    assert (action.district_state, action.district, action.lookup_source) == ("NY", 12, "census-geocoder")
    stored = {(x.chamber, x.state, x.district) for x in db.session.scalars(select(Letter))}
    assert ("house", "NY", 12) in stored and ("house", "NY", 10) not in stored
    [seen] = fake_geocoder.requests
    assert seen.address == "1 Example Plaza, New York, NY, 10004"
    # Only the address leaves: not the writer's name, email or anything else they typed.
    assert set(seen.params) == {"address", "benchmark", "vintage", "format"}
    for private in ("Ana", "P%C3%A9rez", "Pérez", "ana@example.org", "ana%40example.org"):
        assert private not in seen.raw


def test_a_zip_the_crosswalk_does_not_know_is_accepted_when_the_address_places_it(
    client, db, live_campaign, fake_geocoder
):
    # 01115 is a single-organization ZIP in Springfield, MA: no ZCTA, so the crosswalk has no row for it.
    fake_geocoder.place("1 Example St", "MA", 1, (42.1015, -72.5898))
    payload = {**GOOD, "zip": "01115", "state": "MA", "city": "Springfield", "address": "1 Example St"}
    response = client.post(ACTIONS, json=payload)
    assert response.status_code == 201, response.json
    assert house(response.json["letters"]) == [("MA", 1)]
    assert len(response.json["letters"]) == 3
    assert db.session.scalar(select(Action)).lookup_source == "census-geocoder"


@pytest.mark.parametrize("app_config", [{"DISTRICT_CHECK_HOLD_SECONDS": 1800}])
def test_a_geocoder_outage_accepts_a_single_district_zip_holds_the_house_letter_and_says_so(
    client, db, live_campaign, fake_geocoder, caplog
):
    fake_geocoder.refuse_connections()
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


def test_the_thanks_page_says_the_district_came_from_the_zip(client, db, live_campaign, fake_geocoder):
    fake_geocoder.fail(status=503)
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    started = re.search(r'name="started" value="([^"]+)"', page).group(1)
    response = client.post("/c/sample-campaign/send", data={**GOOD, "consent": "y", "started": started})
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "comes from your ZIP code" in thanks


def test_the_zip_notice_is_true_to_how_the_house_letter_leaves(client, db, live_campaign):
    # No fake_geocoder: the app's geocoder is the loopback port that refuses connections (tests/conftest.py).
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


@pytest.mark.parametrize("app_config", [GEOCODIO_CONFIG])
def test_geocodio_places_the_address_by_its_cd_field_and_manhattan_calls_new_york_city(app, fake_geocoder):
    fake_geocoder.place("30 Rockefeller Plaza", "NY", 12, MANHATTAN)
    result = lookup_representatives("10112", "30 Rockefeller Plaza, New York NY")
    assert (result.source, result.districts, result.approximate) == ("geocodio", [("NY", 12)], False)
    offices = {o.last_name: o.nearest_district_office for o in result.offices}
    assert offices["Schumer"]["city"] == "New York" and offices["Gillibrand"]["city"] == "New York"
    assert offices["Nadler"]["city"] == "New York"
    [seen] = fake_geocoder.requests
    assert seen.service == "geocodio" and seen.params["fields"] == "cd" and seen.params["api_key"] == GEOCODIO_KEY
    assert seen.address == "30 Rockefeller Plaza, New York NY, 10112"
    assert set(seen.params) == {"q", "fields", "api_key"}


@pytest.mark.parametrize("app_config", [GEOCODIO_CONFIG])
def test_geocodio_split_point_or_a_street_level_result_is_no_answer(app, fake_geocoder):
    from tests.fakes.geocoder import Place, geocodio_body, geocodio_result

    one_line = "1 Border Rd, 10027"
    split = geocodio_body(one_line, [geocodio_result(one_line, Place("NY", 12, MANHATTAN), districts=2)])
    street = geocodio_body(one_line, [geocodio_result(one_line, Place("NY", 12, MANHATTAN), "street_center")])
    fake_geocoder.replay("1 Border Rd", split, times=1).replay("2 Border Rd", street, times=1)
    assert lookup_representatives("10027", "1 Border Rd").split is True  # the ZIP's candidates, not a guess
    assert lookup_representatives("10027", "2 Border Rd").split is True
    assert len(fake_geocoder.requests) == 2


@pytest.mark.parametrize(
    "app_config", [{"ENVIRON": {"ADVOCACY_GEOCODER": "geocodio", "ADVOCACY_GEOCODIO_API_KEY": "a-wrong-key"}}]
)
def test_geocodio_refusing_the_key_is_an_outage_not_a_miss(app, fake_geocoder, caplog):
    fake_geocoder.place("30 Rockefeller Plaza", "NY", 12, MANHATTAN)
    result = lookup_representatives("10004", "30 Rockefeller Plaza")
    assert result.geocoder_unavailable and result.approximate
    assert [s.status for s in fake_geocoder.requests] == [403]  # refused: not tried again
    assert "Rockefeller" not in caplog.text


def test_a_san_francisco_address_calls_padillas_san_francisco_office_not_fresno(app, fake_geocoder):
    fake_geocoder.place("1 Dr Carlton B Goodlett Pl", "CA", 11, SAN_FRANCISCO)
    result = lookup_representatives("94102", "1 Dr Carlton B Goodlett Pl, San Francisco, CA")
    padilla = next(o for o in result.offices if o.last_name == "Padilla")
    assert padilla.nearest_district_office["city"] == "San Francisco"
    assert padilla.nearest_district_office["distance_miles"] < 5
    # The thanks page, later, finds the same office from the cached answer without asking again.
    local = office_to_call(padilla.bioguide_id, "1 Dr Carlton B Goodlett Pl", "San Francisco", "CA", "94102")
    assert local["city"] == "San Francisco" and len(fake_geocoder.requests) == 1


def test_without_a_point_the_writers_city_picks_the_office(app, fake_geocoder):
    fake_geocoder.refuse_connections()
    result = lookup_representatives("94102", "1 Example St", city="San Francisco")
    assert result.approximate and result.geocoder_unavailable
    padilla = next(o for o in result.offices if o.last_name == "Padilla")
    assert padilla.nearest_district_office["city"] == "San Francisco"
    senators = [o for o in lookup_representatives("10004", "1 Example St", city="New York").offices]
    assert {o.nearest_district_office["city"] for o in senators} == {"New York"}


def test_the_geocoder_cache_is_keyed_by_a_keyed_hash_and_holds_no_address(app, fake_geocoder):
    fake_geocoder.place("1 Example Plaza", "NY", 12, MANHATTAN)
    lookup_representatives("10004", "1 Example Plaza, New York, NY")
    lookup_representatives("10004", "1  example plaza,  NEW YORK NY")  # the same address, typed differently
    assert len(fake_geocoder.requests) == 1
    cache = geocoder().cache
    [key] = list(cache._data)
    assert re.fullmatch(r"[0-9a-f]{64}", key) and "EXAMPLE" not in repr(cache._data)
    other = type(geocoder())(fake_geocoder.census_url, b"another key")
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
    client, db, live_campaign, fake_geocoder
):
    fake_geocoder.place("1 Dr Carlton B Goodlett Pl", "CA", 11, SAN_FRANCISCO)
    response = _send_form(client, zip="94102", state="CA", city="San Francisco", address="1 Dr Carlton B Goodlett Pl")
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    padilla = office_section(thanks, "Alex Padilla")
    assert "San Francisco office" in padilla and "Fresno" not in padilla
    assert len(fake_geocoder.requests) == 1  # the thanks page used the cached answer


def test_the_thanks_page_gives_a_manhattan_writer_the_new_york_city_offices(client, db, live_campaign, fake_geocoder):
    fake_geocoder.place("30 Rockefeller Plaza", "NY", 12, MANHATTAN)
    response = _send_form(client, zip="10020", city="New York", address="30 Rockefeller Plaza")
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    for name in ("Charles E. Schumer", "Kirsten E. Gillibrand"):
        section = office_section(thanks, name)
        assert "New York office" in section and "Rochester" not in section and "Albany" not in section


def test_the_scoreboard_says_a_zip_is_an_approximation_and_links_to_the_address_lookup(client, live_campaign):
    page = client.get("/c/sample-campaign/scoreboard?zip=10004").get_data(as_text=True)
    assert "only an approximation" in page and 'href="/lookup?zip=10004"' in page


def test_after_repeated_failures_the_geocoder_rests_before_it_is_asked_again(app, fake_geocoder):
    fake_geocoder.fail(status=500, times=10)
    fake_geocoder.place("7 Example St", "NY", 12, MANHATTAN)
    places = geocoder()
    now = [1000.0]
    places.clock = lambda: now[0]
    for n in range(5):
        assert lookup_representatives("10004", f"{n} Example St").geocoder_unavailable
    asked = len(fake_geocoder.requests)
    assert asked == 10  # five addresses, each tried twice
    result = lookup_representatives("10004", "6 Example St")  # not asked: the ZIP answers at once
    assert result.geocoder_unavailable and result.approximate and len(fake_geocoder.requests) == asked
    now[0] += 31
    assert lookup_representatives("10004", "7 Example St").districts == [("NY", 12)]
    assert places.failures == 0

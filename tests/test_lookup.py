"""Representative lookup on the real data: ZIPs, split ZIPs, territories, vacancies, and the Census geocoder.

The Census geocoder is the loopback fake (tests/fakes/geocoder.py), a real HTTP server answering in the
service's shape and programmed per street. The real recorded answers (../shared/data/census-geocoder) are
replayed through it by tests/test_geocoder_recordings.py.
"""

from __future__ import annotations

import dataclasses

import pytest

from advocacy.congress.lookup import (
    InvalidAddress,
    InvalidZip,
    UnknownZip,
    lookup_representatives,
    normalize_address,
    require_zip5,
)
from advocacy.congress.offices import current_offices, office_for, salutation_name
from advocacy.congress.providers import (
    GEOCODER_TIMEOUT,
    GeocoderUnavailable,
    _district_code,
    geocoder,
    parse_census_response,
)
from advocacy.places import house_title, territory_for_zip
from tests.congress_support import mini_terms
from tests.fakes.geocoder import Place, census_body, census_match

pytestmark = pytest.mark.usefixtures("congress_data")

FALLS_CHURCH = (38.887016, -77.199027)  # 2525 Buckelew Dr, where Census placed it


@pytest.fixture
def census(fake_geocoder):
    """The fake Census geocoder, placing 2525 Buckelew Dr in VA-8 of the 119th Congress."""
    return fake_geocoder.place("2525 Buckelew Dr", "VA", 8, FALLS_CHURCH)


def names(offices) -> list[str]:
    return [o.name for o in offices]


# --- ZIP code only -----------------------------------------------------------------------------------------


def test_one_district_zip_gives_two_senators_and_the_representative(app):
    result = lookup_representatives("10004")
    assert result.source == "zip-crosswalk"
    assert result.split is False
    assert result.districts == [("NY", 10)]
    assert [(o.title, o.last_name) for o in result.offices] == [
        ("Senator", "Schumer"),  # the senior senator first
        ("Senator", "Gillibrand"),
        ("Representative", "Goldman"),
    ]
    assert [o.salutation for o in result.offices] == [
        "Dear Senator Schumer",
        "Dear Senator Gillibrand",
        "Dear Representative Goldman",
    ]
    assert result.house_candidates == [] and result.vacancies == []
    goldman = result.offices[2]
    assert goldman.chamber == "house" and goldman.district == 10 and goldman.state == "NY"
    assert goldman.photo_url == "https://unitedstates.github.io/images/congress/225x275/G000599.jpg"
    assert goldman.contact_form is None and goldman.contact_url == goldman.website  # no form: the website
    schumer = result.offices[0]
    assert schumer.contact_url == schumer.contact_form and schumer.contact_form.startswith("https://")
    assert schumer.district is None and schumer.phone == "202-224-6542"
    assert goldman.nearest_district_office is None  # no location known from a ZIP alone


def test_zip_split_six_ways_returns_every_candidate_and_no_house_office(app):
    result = lookup_representatives("91711")
    assert result.split is True
    assert result.districts == [("CA", 27), ("CA", 28), ("CA", 29), ("CA", 30), ("CA", 31), ("CA", 35)]
    assert [o.chamber for o in result.offices] == ["senate", "senate"]  # the state is certain
    assert {o.state for o in result.offices} == {"CA"}
    assert [(o.state, o.district) for o in result.house_candidates] == result.districts
    assert all(o.title == "Representative" for o in result.house_candidates)


def test_zip_across_a_state_line_has_candidates_in_both_states_and_no_senators(app):
    result = lookup_representatives("30165")
    assert result.split is True
    assert result.districts == [("AL", 3), ("GA", 14)]
    assert result.states == ["AL", "GA"]
    assert result.offices == []  # which state's senators is not known yet
    assert [(o.state, o.district) for o in result.house_candidates] == [("AL", 3), ("GA", 14)]


def test_dc_has_a_delegate_and_no_senators(app):
    result = lookup_representatives("20001")
    assert result.districts == [("DC", 0)]
    assert [(o.title, o.name, o.salutation) for o in result.offices] == [
        ("Delegate", "Eleanor Holmes Norton", "Dear Delegate Norton")
    ]


def test_puerto_rico_has_a_resident_commissioner(app):
    result = lookup_representatives("00901")
    [office] = result.offices
    assert office.title == "Resident Commissioner"
    assert office.name == "Pablo José Hernández"
    # `name.last` is "Hernández Rivera"; his official name, and so the greeting, uses "Hernández".
    assert office.salutation == "Dear Resident Commissioner Hernández"


@pytest.mark.parametrize(
    ("zip_code", "place", "last_name"),
    [
        ("96910", "GU", "Moylan"),
        ("96950", "MP", "King-Hinds"),
        ("00802", "VI", "Plaskett"),
        ("96799", "AS", "Radewagen"),
    ],
)
def test_island_territories_outside_the_crosswalk_get_their_delegate(app, zip_code, place, last_name):
    result = lookup_representatives(zip_code)
    assert result.districts == [(place, 0)]
    [office] = result.offices
    assert (office.title, office.state, office.last_name) == ("Delegate", place, last_name)
    assert office.salutation == f"Dear Delegate {last_name}"


def test_at_large_state_uses_district_zero(app):
    result = lookup_representatives("82001")
    assert result.districts == [("WY", 0)]
    assert [(o.title, o.last_name, o.district) for o in result.offices] == [
        ("Senator", "Barrasso", None),
        ("Senator", "Lummis", None),
        ("Representative", "Hageman", 0),
    ]


@pytest.mark.parametrize(("zip_code", "seat"), [("94544", ("CA", 14)), ("78840", ("TX", 23))])
def test_vacant_seat_is_reported_not_filled(app, zip_code, seat):
    result = lookup_representatives(zip_code)
    assert result.districts == [seat]
    assert result.vacancies == [seat]
    assert [o.chamber for o in result.offices] == ["senate", "senate"]


@pytest.mark.usefixtures("full_congress")  # counts the whole roster
def test_every_vacancy_in_the_data(app):
    from sqlalchemy import select

    from advocacy.congress.models import ZipDistrict
    from advocacy.extensions import db

    seats = set(db.session.execute(select(ZipDistrict.state, ZipDistrict.district).distinct()).tuples())
    filled = {(o.state, o.district) for o in current_offices() if o.chamber == "house"}
    assert sorted(seats - filled) == [("CA", 14), ("FL", 20), ("GA", 13), ("TX", 23)]


@pytest.mark.parametrize("zip_code", ["10004-1234", "100041234", " 10004 "])
def test_zip_plus_four_is_accepted(app, zip_code):
    result = lookup_representatives(zip_code)
    assert result.query["zip"] == "10004"
    assert result.districts == [("NY", 10)]


@pytest.mark.parametrize(
    "bad", ["", "1234", "123456", "abcde", "10004-12", "10004_1234", "１０００４", "10004\n", None, 10004]
)
def test_malformed_zip_is_refused(app, bad):
    with pytest.raises(InvalidZip) as info:
        lookup_representatives(bad)
    assert info.value.code == "invalid_zip" and info.value.status == 400


def test_unknown_zip(app):
    with pytest.raises(UnknownZip) as info:
        lookup_representatives("99999")
    assert info.value.status == 404 and info.value.code == "unknown_zip"


def test_results_can_be_changed_by_the_caller_without_changing_the_next_answer(app):
    first = lookup_representatives("10004")
    first.offices.clear()
    first.districts.append(("XX", 1))
    again = lookup_representatives("10004")
    assert len(again.offices) == 3 and again.districts == [("NY", 10)]


# --- offices ----------------------------------------------------------------------------------------------


def test_current_offices_hold_every_sitting_member(app):
    terms = mini_terms()  # the fixture's file, counted here without our code
    offices = current_offices()
    assert len(offices) == len(terms) == len({o.bioguide_id for o in offices})
    assert sum(o.chamber == "senate" for o in offices) == sum(t["type"] == "sen" for t in terms)
    titles = {o.title for o in offices}
    assert titles == {"Senator", "Representative", "Delegate", "Resident Commissioner"}
    assert sum(o.title == "Delegate" for o in offices) == 5


def test_office_for_and_name_without_official_full(app):
    mejia = office_for("M001246")  # no official_full in the data
    assert mejia.name == "Analilia Mejia"
    assert mejia.salutation == "Dear Representative Mejia"
    assert mejia.to_json()["bioguide_id"] == "M001246"
    assert office_for("X999999") is None
    moylan = office_for("M001219")  # first name "James (Jim)" in the data
    assert moylan.first_name == "James"


def test_social_handles_are_text(app):
    norton = office_for("N000147")
    assert norton.social["twitter"] == "EleanorNorton"
    assert all(isinstance(v, str) for o in current_offices() for v in o.social.values())


# --- street address: the Census geocoder -----------------------------------------------------------------


def test_address_uses_the_119th_district_layer_and_finds_the_nearest_office(app, census):
    result = lookup_representatives("22046", "2525 Buckelew Dr, Falls Church, VA")
    assert result.source == "census-geocoder"
    assert result.districts == [("VA", 8)]
    assert result.split is False
    assert [(o.title, o.last_name) for o in result.offices][-1] == ("Representative", "Beyer")
    assert [o.state for o in result.offices] == ["VA", "VA", "VA"]
    nearest = result.offices[-1].nearest_district_office
    assert nearest is not None and nearest["state"] == "VA" and nearest["distance_miles"] < 20
    for senator in result.offices[:2]:
        assert senator.nearest_district_office is not None

    [seen] = census.requests
    params = seen.params
    assert params["benchmark"] == "Public_AR_Current" and params["vintage"] == "Current_Current"
    assert params["format"] == "json"
    assert params["address"] == "2525 Buckelew Dr, Falls Church, VA, 22046"
    assert set(params) == {"address", "benchmark", "vintage", "format"}
    assert geocoder().timeout == GEOCODER_TIMEOUT == (2.0, 4.0)  # connect, read


def test_address_settles_a_split_zip(app, census):
    # The geocoder places the address in VA-8 whatever ZIP came with it: the geocoder's answer wins.
    result = lookup_representatives("91711", "2525 Buckelew Dr")
    assert result.split is False and result.districts == [("VA", 8)]
    assert result.house_candidates == []


def test_state_comes_from_the_geographies_not_the_postal_address(app, fake_geocoder):
    # Census Bureau HQ: postal "WASHINGTON, DC", but in Maryland (test_geocoder_recordings replays the real answer).
    one_line = "4600 Silver Hill Rd, 20233"
    match = census_match(one_line, Place("MD", 4, (38.846, -76.927), congress=111))
    match["addressComponents"].update(city="WASHINGTON", state="DC")
    fake_geocoder.replay("4600 Silver Hill Rd", census_body(one_line, [match]))
    result = lookup_representatives("20233", "4600 Silver Hill Rd")
    assert result.source == "census-geocoder"
    assert result.districts == [("MD", 4)]
    assert [o.state for o in result.offices] == ["MD", "MD", "MD"]
    assert [o.title for o in result.offices] == ["Senator", "Senator", "Representative"]


def test_district_layer_holding_an_error_falls_back_to_the_zip(app, fake_geocoder):
    one_line = "1600 Pennsylvania Ave NW, 20001"
    error = [{"status": "Layer query encountered an error: java.lang.RuntimeException: Failed to return"}]
    match = census_match(one_line, Place("DC", 0, (38.8987, -77.0353), congress=115), district_layer=error)
    fake_geocoder.replay("1600 Pennsylvania", census_body(one_line, [match]))  # as Census answered in 2017
    result = lookup_representatives("20001", "1600 Pennsylvania Ave NW")
    assert result.source == "zip-crosswalk"
    assert result.districts == [("DC", 0)]
    assert result.query == {"zip": "20001", "address": "1600 Pennsylvania Ave NW"}


def test_geocoder_timeout_is_retried_once_then_falls_back(app, fake_geocoder):
    fake_geocoder.hang("123 Main St")  # held until the test ends: only the client's timeout ends each request
    geocoder().timeout = (GEOCODER_TIMEOUT[0], 0.2)  # a short read timeout, so the test does not wait 2 x 4 s
    result = lookup_representatives("91711", "123 Main St")
    assert len(fake_geocoder.requests) == 2
    assert result.source == "zip-crosswalk" and result.split is True and result.geocoder_unavailable


def test_geocoder_refusing_connections_falls_back_to_the_zip(app, fake_geocoder):
    fake_geocoder.refuse_connections()
    result = lookup_representatives("91711", "123 Main St")
    assert result.source == "zip-crosswalk" and result.geocoder_unavailable
    fake_geocoder.accept_connections()
    fake_geocoder.place("123 Main St", "CA", 28, (34.0967, -117.7198))
    assert lookup_representatives("91711", "123 Main St").districts == [("CA", 28)]  # not cached: asked again
    assert fake_geocoder.addresses() == ["123 Main St, 91711"]


def test_geocoder_5xx_is_retried(app, fake_geocoder):
    fake_geocoder.fail("2525 Buckelew Dr", status=503, times=1).place("2525 Buckelew Dr", "VA", 8, FALLS_CHURCH)
    result = lookup_representatives("22046", "2525 Buckelew Dr")
    assert [seen.status for seen in fake_geocoder.requests] == [503, 200]
    assert result.source == "census-geocoder"


def test_no_match_falls_back_and_is_cached(app, census):
    census.no_match("1 Nowhere Lane")
    first = lookup_representatives("10027", "1 Nowhere Lane")
    second = lookup_representatives("10027", "1  nowhere lane.")  # the same address, normalized
    assert first.source == second.source == "zip-crosswalk"
    assert first.split is True
    assert len(census.requests) == 1


def test_geocoder_answers_are_cached_by_normalized_address(app, census):
    lookup_representatives("22046", "2525 Buckelew Dr")
    lookup_representatives("22046", "2525 BUCKELEW DR.")
    assert len(census.requests) == 1


def test_geocoder_url_comes_from_the_setting(census, database_url):
    from tests.conftest import make_app

    app = make_app(database_url, ENVIRON={"ADVOCACY_GEOCODER_URL": census.census_url})
    with app.app_context():
        assert lookup_representatives("22046", "2525 Buckelew Dr").source == "census-geocoder"
        assert census.addresses() == ["2525 Buckelew Dr, 22046"]
        from advocacy.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    "address",
    ["x" * 201, "12 Main St\n", "12 Main St\x00", "12\u202eMain", "12 Main\x07St"],
    ids=["too-long", "newline", "nul", "bidi-override", "bell"],
)
def test_bad_address_is_refused_before_any_request(app, census, address):
    with pytest.raises(InvalidAddress) as info:
        lookup_representatives("10004", address)
    assert info.value.code == "invalid_address"
    assert census.requests == []


# --- small pieces, no database ------------------------------------------------------------------------------


def test_parse_census_response_uses_geoid_when_no_cd_field():
    one_line = "2525 Buckelew Dr, Falls Church, VA, 22046"
    match = census_match(one_line, Place("VA", 8, FALLS_CHURCH, congress=116))
    del match["geographies"]["116th Congressional Districts"][0]["CD116"]
    del match["geographies"]["States"]
    found = parse_census_response(census_body(one_line, [match]))
    assert (found.state, found.district) == ("VA", 8)  # GEOID 5108: FIPS 51 is VA, district 08


def test_parse_census_response_takes_the_newest_congress_layer():
    one_line = "1 Example St, 22046"
    match = census_match(one_line, Place("VA", 8, FALLS_CHURCH))
    match["geographies"].update(census_match(one_line, Place("VA", 11, FALLS_CHURCH, congress=118))["geographies"])
    assert parse_census_response(census_body(one_line, [match])).district == 8


def test_parse_census_response_several_districts_or_open_water_is_no_answer():
    one_line = "1 Example St, 10025"
    twelve, thirteen = (census_match(one_line, Place("NY", d, (40.8, -73.97))) for d in (12, 13))
    assert parse_census_response(census_body(one_line, [twelve, thirteen])) is None  # never pick one
    water = census_match(one_line, Place("NY", 12, (40.8, -74.0)), district_layer=[])
    assert parse_census_response(census_body(one_line, [water])) is None
    assert parse_census_response(census_body(one_line, [])) is None


def test_parse_census_response_dc_and_at_large_seats():
    dc = census_match("1 Example St, 20001", Place("DC", 0, (38.9, -77.0)))  # Census codes DC's seat "98"
    assert dc["geographies"]["119th Congressional Districts"][0]["CD119"] == "98"
    assert parse_census_response(census_body("1 Example St, 20001", [dc])).district == 0
    wyoming = census_match("1 Example St, 82001", Place("WY", 0, (41.1, -104.8)))  # "00": at large
    assert wyoming["geographies"]["119th Congressional Districts"][0]["CD119"] == "00"
    found = parse_census_response(census_body("1 Example St, 82001", [wyoming]))
    assert (found.state, found.district) == ("WY", 0)


def test_parse_census_response_error_layer_or_error_answer_is_unavailable():
    one_line = "1 Example St, 20001"
    broken = census_match(one_line, Place("DC", 0), district_layer=[{"status": "Layer query encountered an error"}])
    with pytest.raises(GeocoderUnavailable):
        parse_census_response(census_body(one_line, [broken]))
    with pytest.raises(GeocoderUnavailable):
        parse_census_response({"errors": ["Address cannot be empty"], "status": "400"})


@pytest.mark.parametrize(("code", "district"), [("08", 8), ("00", 0), ("98", 0), ("ZZ", None), ("12", 12)])
def test_district_codes(code, district):
    assert _district_code(code) == district


def test_small_helpers():
    assert require_zip5("12345-6789") == "12345"
    assert normalize_address("  12   Main St ") == "12 Main St"
    assert normalize_address("   ") is None
    assert salutation_name("Hernández Rivera", "Pablo José Hernández") == "Hernández"
    assert salutation_name("Gillibrand", "Kirsten E. Gillibrand") == "Gillibrand"
    assert salutation_name("Mejia", None) == "Mejia"
    assert house_title("PR") == "Resident Commissioner"
    assert house_title("GU") == "Delegate" and house_title("NY") == "Representative"
    assert territory_for_zip("96951") == "MP" and territory_for_zip("96920") == "GU"
    assert territory_for_zip("96940") is None and territory_for_zip("10004") is None


def test_only_web_addresses_become_links():
    from types import SimpleNamespace

    from advocacy.congress.offices import office_from_member

    row = SimpleNamespace(
        bioguide_id="X000001",
        first_name="Ana",
        last_name="Example",
        official_full=None,
        chamber="house",
        state="NY",
        district=1,
        party="Democrat",
        phone=None,
        address=None,
        contact_form="javascript:alert(1)",
        url="https://example.house.gov",
        rss_url="ftp://example.house.gov/feed",
        social={},
    )
    office = office_from_member(row)
    assert office.contact_form is None and office.rss_url is None
    assert office.contact_url == office.website == "https://example.house.gov"


def test_an_office_placed_near_the_writer_is_a_copy_with_only_its_nearest_office_set(app, census):
    """with_nearest_office copies the roster's office without dataclasses.replace: the same as replace gives."""
    plain = office_for("B001292")  # Beyer, VA-8
    result = lookup_representatives("22046", "2525 Buckelew Dr, Falls Church, VA")
    placed = result.offices[-1]
    assert placed is not plain and plain.nearest_district_office is None
    assert placed == dataclasses.replace(plain, nearest_district_office=placed.nearest_district_office)
    assert placed.to_json() == {**plain.to_json(), "nearest_district_office": placed.nearest_district_office}

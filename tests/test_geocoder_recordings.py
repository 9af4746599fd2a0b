"""The geocoders' parsers against the services' real answers: the recordings kept in ../shared/data
(census-geocoder, geocodio; their sources and licences are in its README), served as they are by the loopback
fake (tests/fakes/geocoder.py) to the app's own geocoder classes over HTTP. No database.

Each test skips, naming the recording, when ../shared/data is absent; everything else about the geocoders runs
on the fake's synthetic answers, built in the same shape (tests/test_lookup.py, tests/test_lookup_geocoding.py).
"""

from __future__ import annotations

import json

import pytest

from advocacy.congress.providers import CensusGeocoder, GeocoderUnavailable, GeocodioGeocoder
from tests.data import CENSUS_DIR, SHARED_DATA
from tests.fakes.geocoder import GEOCODIO_KEY

KEY = b"recordings-test-key"


def recording(path) -> dict:
    if not path.is_file():
        pytest.skip(f"needs the real recorded answer {path.name}, not found in {path.parent}")
    return json.loads(path.read_text())


@pytest.mark.parametrize(
    ("name", "street", "zip_code", "expected", "point"),
    [
        # The 116th-Congress layer (field CD116): VA-8, where Census placed the house.
        ("census-onelineaddress-2525-buckelew-falls-church-va-cd116.json", "2525 Buckelew Dr", "22046",
         ("VA", 8), (38.887, -77.199)),
        # Census Bureau HQ: postal "WASHINGTON, DC", but the geographies say Maryland (111th layer, field CD111).
        ("census-onelineaddress-4600-silver-hill-rd-cd111.json", "4600 Silver Hill Rd", "20233",
         ("MD", 4), (38.846, -76.927)),
    ],
)  # fmt: skip
def test_the_census_parser_reads_real_answers(fake_geocoder, name, street, zip_code, expected, point):
    fake_geocoder.replay(street, recording(CENSUS_DIR / name))
    match = CensusGeocoder(fake_geocoder.census_url, KEY).locate(street, zip_code)
    assert (match.state, match.district, match.source) == (*expected, "census-geocoder")
    assert match.location == pytest.approx(point, abs=0.001)
    assert fake_geocoder.addresses() == [f"{street}, {zip_code}"]


def test_a_real_census_answer_whose_district_layer_holds_an_error_is_unavailable_not_a_miss(fake_geocoder):
    body = recording(CENSUS_DIR / "census-onelineaddress-1600-pennsylvania-ave-layers-all-2017.json")
    fake_geocoder.replay("1600 Pennsylvania", body)  # "115th Congressional Districts": [{"status": "...error..."}]
    geocoder = CensusGeocoder(fake_geocoder.census_url, KEY)
    with pytest.raises(GeocoderUnavailable):
        geocoder.locate("1600 Pennsylvania Ave NW", "20500")
    assert geocoder.cached("1600 Pennsylvania Ave NW", "20500") is None  # not cached: worth asking again


def test_the_geocodio_parser_reads_a_real_answer(fake_geocoder):
    path = SHARED_DATA / "geocodio" / "geocodio-v1.9-geocode-30-rockefeller-plaza-fields-cd-timezone.json"
    fake_geocoder.replay("30 Rockefeller Plaza", recording(path))  # two results (rooftop, range), both NY-12
    match = GeocodioGeocoder(fake_geocoder.geocodio_url, GEOCODIO_KEY, KEY).locate("30 Rockefeller Plaza", "10112")
    assert (match.state, match.district, match.source) == ("NY", 12, "geocodio")
    assert match.location == pytest.approx((40.758836, -73.978814))  # the first, best result
    [seen] = fake_geocoder.requests
    assert seen.params == {"q": "30 Rockefeller Plaza, 10112", "fields": "cd", "api_key": GEOCODIO_KEY}

"""Shared set-up for letter tests: the real congress data (loaded once per backend), the shipped sample
campaign (live: the letter flow's test bed) and the Guan Heng campaign (closed, won, thank-you action open)."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

ROOT = Path(__file__).resolve().parent.parent
GUAN_HENG = ROOT / "campaigns" / "guan-heng"
SAMPLE = ROOT / "campaigns" / "sample-campaign"

GOOD = {
    "first_name": "Ana",
    "last_name": "Pérez",
    "email": "ana@example.org",
    "address": "1 Main St",
    "city": "Albany",
    "state": "NY",
    "zip": "12207",
    "consent": True,
}


@pytest.fixture
def real_congress(congress_data):
    """Real members and ZIPs from the committed mini fixture, loaded once per backend (see congress_support)."""
    return congress_data


@pytest.fixture
def no_network(request):
    """No request through `requests` leaves the machine: an unexpected call fails like a down service
    (ConnectionError). The geocoders are not served here: they go to loopback (tests/fakes/geocoder.py), to the
    test's `fake_geocoder` or else to a port that refuses connections, so they pass through."""
    from tests.fakes.geocoder import REFUSED_URL

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(REFUSED_URL.rsplit("/geocoder/", 1)[0] + "/")
        if "fake_geocoder" in request.fixturenames:
            mock.add_passthru(request.getfixturevalue("fake_geocoder").base_url + "/")
        yield mock


@pytest.fixture
def guan_heng(app, real_congress, no_network):
    from advocacy.campaigns.loading import load_campaigns
    from advocacy.campaigns.services import get_campaign_by_slug

    load_campaigns(GUAN_HENG)
    return get_campaign_by_slug("guan-heng")


@pytest.fixture
def live_campaign(app, real_congress, no_network):
    """The shipped sample campaign: live, with a letter for every office."""
    from advocacy.campaigns.loading import load_campaigns
    from advocacy.campaigns.services import get_campaign_by_slug

    load_campaigns(SAMPLE)
    return get_campaign_by_slug("sample-campaign")

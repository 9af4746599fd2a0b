"""Shared set-up for letter tests: the real congress data (loaded once per backend) and the Guan Heng campaign."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

from tests.conftest import KEEP_TABLES, make_app
from tests.data import LEGISLATORS_DIR, ZCCD_CSV, require_shared_data

ROOT = Path(__file__).resolve().parent.parent
GUAN_HENG = ROOT / "campaigns" / "guan-heng"
CONGRESS_TABLES = {
    "members",
    "district_offices",
    "committees",
    "committee_memberships",
    "zip_districts",
    "congress_datasets",
}

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


@pytest.fixture(scope="session")
def real_congress(database_url):
    """Sync ../shared/data into this backend's test database once; later tests only read it."""
    require_shared_data()
    from advocacy.congress.sources import districts_source, legislators_source
    from advocacy.congress.sync import sync_districts, sync_legislators
    from advocacy.extensions import db

    app = make_app(database_url)
    with app.app_context():
        sync_legislators(legislators_source(str(LEGISLATORS_DIR)))
        sync_districts(districts_source(str(ZCCD_CSV)))
        KEEP_TABLES.update(t for t in db.metadata.tables if t in CONGRESS_TABLES or t.startswith("congress_"))
        db.engine.dispose()
    return database_url


@pytest.fixture
def no_network():
    """No request leaves the machine: an unexpected call fails like a down service (ConnectionError)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def guan_heng(app, real_congress, no_network):
    from advocacy.campaigns.loading import load_campaigns
    from advocacy.campaigns.services import get_campaign_by_slug

    load_campaigns(GUAN_HENG)
    return get_campaign_by_slug("guan-heng")

"""A change of Congress: the 120th loaded ahead of time, applied at noon Eastern on 3 January 2027 with no
deploy, and letters not yet delivered to members who left re-addressed to their successors.

The next Congress is built from the real data with synthetic changes: NY-20 changes hands (Tonko leaves,
a new member takes the seat), NY-21 falls vacant (Stefanik leaves with no successor), ZIP 12207 moves from
NY-20 to NY-21, and ZIP 10004 becomes split (NY-10 and NY-12). These tests sync, so they run on a database
of their own (see tests/test_congress_sync.py).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
import requests
import yaml
from sqlalchemy import delete, select

from advocacy.config import DEFAULT_GEOCODER_URL
from advocacy.congress.lookup import lookup_representatives
from advocacy.congress.models import Member
from advocacy.congress.offices import roster
from advocacy.congress.transition import EASTERN, apply_due, congress_number, congress_start
from advocacy.delivery.models import Delivery
from advocacy.extensions import db
from advocacy.letters.models import Letter
from advocacy.letters.verify import readdress_for_roster
from tests.conftest import make_app
from tests.data import SHARED_DATA
from tests.dbs import BACKENDS, fresh_database
from tests.letters_support import GOOD, SAMPLE

NOON = datetime(2027, 1, 3, 12, 0, tzinfo=EASTERN)
BEFORE_NOON = datetime(2027, 1, 3, 11, 59, 59, tzinfo=EASTERN)
NEW_MEMBER = "Z000120"


@pytest.fixture(scope="module", params=BACKENDS)
def transition_database(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp(f"transition-{request.param}")) as url:
        app = make_app(url)
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        yield url


@pytest.fixture
def app(transition_database, congress_files):
    from advocacy.campaigns.loading import load_campaigns
    from advocacy.congress.sync import apply_districts, apply_legislators

    app = make_app(transition_database)
    with app.app_context():
        (legislators, legislators_from), (districts, districts_from) = congress_files
        apply_legislators(legislators, legislators_from)
        apply_districts(districts, districts_from)
        load_campaigns(SAMPLE)
        yield app
        db.session.remove()
        with db.engine.begin() as conn:  # this database is ours alone: empty every table
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(delete(table))
        db.engine.dispose()
        from advocacy import caching

        caching.clear_all()


@pytest.fixture(scope="module")
def next_congress(tmp_path_factory):
    """The real files with the 120th Congress's synthetic changes, in a folder like ../shared/data."""
    folder = tmp_path_factory.mktemp("congress-120")
    legislators = folder / "congress-legislators"
    shutil.copytree(SHARED_DATA / "congress-legislators", legislators)
    path = legislators / "legislators-current.yaml"
    members = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    tonko = next(m for m in members if m["id"]["bioguide"] == "T000469")
    members = [m for m in members if m["id"]["bioguide"] not in ("T000469", "S001196")]
    newcomer = {
        "id": {"bioguide": NEW_MEMBER},
        "name": {"first": "Pat", "last": "Newcomer", "official_full": "Pat Newcomer"},
        "bio": {"gender": "F"},
        "terms": [{**tonko["terms"][-1], "start": "2027-01-03", "end": "2029-01-03", "party": "Democrat", "url": None}],
    }
    newcomer["terms"][0] = {k: v for k, v in newcomer["terms"][0].items() if v is not None}
    members.append(newcomer)
    path.write_text(yaml.dump(members, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False))
    zccd = (SHARED_DATA / "zip-districts" / "zccd.csv").read_bytes().decode()
    assert "36,NY,12207,20\r\n" in zccd and "36,NY,10004,10\r\n" in zccd
    zccd = zccd.replace("36,NY,12207,20\r\n", "36,NY,12207,21\r\n")
    zccd = zccd.replace("36,NY,10004,10\r\n", "36,NY,10004,10\r\n36,NY,10004,12\r\n")
    (folder / "zip-districts").mkdir()
    (folder / "zip-districts" / "zccd.csv").write_text(zccd, newline="")
    return folder


def write_letters(client, no_network, **fields) -> list[dict]:
    no_network.get(DEFAULT_GEOCODER_URL, body=requests.ConnectionError("down"))
    response = client.post("/api/v1/campaigns/sample-campaign/actions", json={**GOOD, **fields})
    assert response.status_code == 201, response.json
    return response.json["letters"]


def test_the_congress_changes_at_noon_eastern_on_3_january():
    assert congress_start(120) == datetime(2027, 1, 3, 17, 0, tzinfo=UTC)
    assert congress_number(BEFORE_NOON) == 119
    assert congress_number(NOON) == 120
    assert congress_number(datetime(2026, 12, 31, tzinfo=UTC)) == 119
    assert congress_number(datetime(2025, 1, 3, 16, 59, tzinfo=UTC)) == 118


def test_the_next_congress_is_loaded_ahead_and_switches_at_noon(app, next_congress, no_network):
    client = app.test_client()
    runner = app.test_cli_runner()
    albany = write_letters(client, no_network)  # NY-20: Tonko, and the two senators
    glens_falls = write_letters(client, no_network, zip="12801", city="Glens Falls", email="b@example.org")
    assert ("NY", 20) in {(x["office"]["state"], x["office"]["district"]) for x in albany}
    assert ("NY", 21) in {(x["office"]["state"], x["office"]["district"]) for x in glens_falls}

    stored = runner.invoke(
        args=["legislators", "sync", "--source", str(next_congress), "--congress", "120",
              "--effective", "2027-01-03T12:00-05:00"]
    )  # fmt: skip
    assert stored.exit_code == 0, stored.output
    assert "Stored the 120th Congress's legislators" in stored.output
    assert "2 members leave and 1 arrive" in stored.output
    assert "leaves: T000469 Tonko" in stored.output and f"arrives: {NEW_MEMBER} Newcomer" in stored.output
    zips = runner.invoke(args=["districts", "sync", "--source", str(next_congress), "--congress", "120"])
    assert zips.exit_code == 0, zips.output
    assert "2 ZIP codes change district" in zips.output
    # Nothing the site uses has changed yet.
    assert db.session.get(Member, "T000469").in_office is True
    assert lookup_representatives("10004").split is False

    switch = runner.invoke(args=["legislators", "switch"])  # today, in 2026: not yet
    assert switch.exit_code == 0, switch.output
    assert "Nothing due. Next: the 120th Congress's legislators at 2027-01-03 17:00 UTC." in switch.output
    assert apply_due(BEFORE_NOON) == []
    applied = apply_due(NOON)
    assert [(r.dataset, r.congress) for r, _ in applied] == [("legislators", 120), ("districts", 120)]
    legislators_report, districts_report = (report for _, report in applied)
    assert any("Tonko" in line for line in legislators_report.left)
    assert any("Stefanik" in line for line in legislators_report.left)
    assert any(NEW_MEMBER in line for line in legislators_report.joined)
    assert "ZIP 12207: NY-20 → NY-21" in districts_report.changes
    assert "ZIP 10004: NY-10 → NY-10, NY-12" in districts_report.changes
    assert "  2 ZIP codes changed district." in districts_report.lines()
    assert "  2 left office, 1 arrived." in legislators_report.lines()
    assert apply_due(NOON) == []  # applied once

    assert roster().house[("NY", 20)].bioguide_id == NEW_MEMBER
    assert ("NY", 21) not in roster().house
    assert lookup_representatives("10004").split is True
    assert lookup_representatives("12207").districts == [("NY", 21)]

    assert readdress_for_roster(NOON) == {"readdressed": 1, "vacant": 1}
    db.session.expire_all()
    rows = {
        letter.district: (letter, delivery)
        for letter, delivery in db.session.execute(
            select(Letter, Delivery).join(Delivery).where(Letter.chamber == "house")
        )
    }
    letter, delivery = rows[20]
    assert (letter.bioguide_id, letter.office_name, letter.congress) == (NEW_MEMBER, "Pat Newcomer", 120)
    assert letter.body.startswith("Dear Representative Newcomer")
    assert "has left office" in delivery.last_error
    vacant_letter, vacant = rows[21]
    assert vacant_letter.bioguide_id == "S001196"
    assert vacant.status == "cancelled" and "seat is vacant" in vacant.last_error
    senators = db.session.scalars(select(Letter).where(Letter.chamber == "senate")).all()
    assert {s.congress for s in senators} == {119}  # their members did not change
    assert readdress_for_roster(NOON) == {}

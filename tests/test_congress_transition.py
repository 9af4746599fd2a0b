"""A change of Congress: the 120th loaded ahead of time, applied at noon Eastern on 3 January 2027 with no
deploy, and letters not yet delivered to members who left re-addressed to their successors.

The next Congress is built from the real data with synthetic changes: NY-20 changes hands (Tonko leaves,
a new member takes the seat), NY-21 falls vacant (Stefanik leaves with no successor), Schumer becomes an
independent, ZIP 12207 moves from NY-20 to NY-21, and ZIP 10004 becomes split (NY-10 and NY-12). These tests sync, so they run on a database
of their own (see tests/test_congress_sync.py).
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import delete, select

from advocacy.congress.lookup import lookup_representatives
from advocacy.congress.models import Member
from advocacy.congress.offices import roster
from advocacy.congress.transition import EASTERN, apply_due, congress_number, congress_start
from advocacy.delivery.models import Delivery
from advocacy.extensions import db
from advocacy.letters.models import Letter
from advocacy.letters.verify import readdress_for_roster
from tests.conftest import make_app
from tests.congress_support import MINI
from tests.dbs import BACKENDS, fresh_database
from tests.letters_support import GOOD, SAMPLE

NOON = datetime(2027, 1, 3, 12, 0, tzinfo=EASTERN)
BEFORE_NOON = datetime(2027, 1, 3, 11, 59, 59, tzinfo=EASTERN)
NEW_MEMBER = "Z000120"
SCHUMER, TONKO, STEFANIK = "S000148", "T000469", "S001196"
URL = "https://www.schumer.senate.gov/newsroom/press-releases/example"
INSTANT = datetime(2027, 1, 3, 17, 0, tzinfo=UTC)  # noon Eastern: the 120th Congress begins


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
    """The mini fixture's real files with the 120th Congress's synthetic changes, in a folder like ../shared/data."""
    folder = tmp_path_factory.mktemp("congress-120")
    legislators = folder / "congress-legislators"
    shutil.copytree(MINI, legislators, ignore=shutil.ignore_patterns("zccd.csv", "*.py", "*.md"))
    path = legislators / "legislators-current.yaml"
    members = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    tonko = next(m for m in members if m["id"]["bioguide"] == "T000469")
    members = [m for m in members if m["id"]["bioguide"] not in ("T000469", "S001196")]
    schumer = next(m for m in members if m["id"]["bioguide"] == SCHUMER)
    schumer["terms"][-1]["party"] = "Independent"
    schumer["name"]["official_full"] = "Chuck Schumer"
    newcomer = {
        "id": {"bioguide": NEW_MEMBER},
        "name": {"first": "Pat", "last": "Newcomer", "official_full": "Pat Newcomer"},
        "bio": {"gender": "F"},
        "terms": [{**tonko["terms"][-1], "start": "2027-01-03", "end": "2029-01-03", "party": "Democrat", "url": None}],
    }
    newcomer["terms"][0] = {k: v for k, v in newcomer["terms"][0].items() if v is not None}
    members.append(newcomer)
    path.write_text(yaml.dump(members, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False))
    zccd = (MINI / "zccd.csv").read_text(encoding="utf-8")
    assert "36,NY,12207,20\n" in zccd and "36,NY,10004,10\n" in zccd
    zccd = zccd.replace("36,NY,12207,20\n", "36,NY,12207,21\n")
    zccd = zccd.replace("36,NY,10004,10\n", "36,NY,10004,10\n36,NY,10004,12\n")
    (folder / "zip-districts").mkdir()
    (folder / "zip-districts" / "zccd.csv").write_text(zccd, newline="")
    return folder


def write_letters(client, **fields) -> list[dict]:
    """Letters written while the geocoder is down (the test app's geocoder refuses connections): the ZIP decides."""
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
    albany = write_letters(client)  # NY-20: Tonko, and the two senators
    glens_falls = write_letters(client, zip="12801", city="Glens Falls", email="b@example.org")
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


def load_next_congress(runner, folder) -> None:
    for dataset in ("legislators", "districts"):
        stored = runner.invoke(
            args=[
                dataset,
                "sync",
                "--source",
                str(folder),
                "--congress",
                "120",
                "--effective",
                "2027-01-03T12:00-05:00",
            ]
        )
        assert stored.exit_code == 0, stored.output


def test_each_congress_keeps_its_roster_so_history_names_who_held_the_seat_then(app, next_congress):
    from datetime import date

    from advocacy.congress.history import office_in_congress, offices_as_of
    from advocacy.congress.models import CongressRoster, RosterMember

    load_next_congress(app.test_cli_runner(), next_congress)
    kept = {r.congress: r for r in db.session.scalars(select(CongressRoster))}
    assert set(kept) == {119, 120}
    assert kept[120].effective_at == INSTANT and kept[119].effective_at == congress_start(119)
    seats = {
        (r.congress, r.bioguide_id): (r.state, r.district, r.party) for r in db.session.scalars(select(RosterMember))
    }
    assert seats[(119, TONKO)] == ("NY", 20, "Democrat") and (120, TONKO) not in seats
    assert seats[(120, NEW_MEMBER)] == ("NY", 20, "Democrat") and (119, NEW_MEMBER) not in seats
    members = len(yaml.safe_load((MINI / "legislators-current.yaml").read_text(encoding="utf-8")))
    assert sum(1 for congress, _ in seats if congress == 119) == len(roster(BEFORE_NOON).offices) == members

    apply_due(NOON)  # the live tables become the 120th's; the 119th's roster is not rewritten
    assert db.session.get(Member, SCHUMER).party == "Independent"
    assert db.session.get(Member, TONKO).in_office is False
    assert office_in_congress(SCHUMER, 119).party == "Democrat"
    assert office_in_congress(SCHUMER, 120).party == "Independent"
    then = office_in_congress(TONKO, 119)
    assert (then.name, then.state, then.district, then.title) == ("Paul Tonko", "NY", 20, "Representative")
    assert db.session.get(RosterMember, (119, TONKO)).left_at is None  # he served the whole 119th
    assert office_in_congress(TONKO, 120) is None
    named = offices_as_of({(SCHUMER, date(2026, 6, 1)), (SCHUMER, date(2027, 2, 1)), (TONKO, date(2025, 3, 4))})
    assert named[(SCHUMER, date(2026, 6, 1))].party == "Democrat"
    assert named[(SCHUMER, date(2027, 2, 1))].party == "Independent"
    assert named[(TONKO, date(2025, 3, 4))].district == 20


def test_the_statements_log_of_a_past_campaign_names_members_as_they_were_then(app, next_congress, admin_client):
    import csv
    import io
    from datetime import date

    from advocacy.campaigns.models import Campaign
    from advocacy.reports.exports import csv_chunks, statements_export
    from advocacy.reports.filters import ReportFilters
    from advocacy.statements.models import Statement
    from advocacy.statements.services import StatementInput, record_statement

    campaign = db.session.scalars(select(Campaign)).first()
    record_statement(campaign.id, StatementInput(SCHUMER, date(2026, 6, 1), "press_release", "supports", URL), None)
    # One made in the 120th Congress (recorded here directly: today, in 2026, the form refuses future dates).
    db.session.add(
        Statement(
            campaign_id=campaign.id,
            bioguide_id=SCHUMER,
            date=date(2027, 2, 1),
            kind="floor_remarks",
            stance="supports",
            source_url=URL + "/2",
        )
    )
    db.session.commit()
    load_next_congress(app.test_cli_runner(), next_congress)
    apply_due(NOON)
    assert db.session.get(Member, SCHUMER).official_full == "Chuck Schumer"

    body = b"".join(csv_chunks(statements_export(campaign, ReportFilters()), use_copy=False)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("2026-06-01", SCHUMER, "Charles E. Schumer", "senate", "NY"),
        ("2027-02-01", SCHUMER, "Chuck Schumer", "senate", "NY"),
    ]
    page = admin_client.get(f"/organizer/campaigns/{campaign.slug}/statements/").get_data(as_text=True)
    assert "Sen. Chuck Schumer (I-NY)" in page and "Sen. Charles E. Schumer (D-NY)" in page


def test_a_member_who_leaves_during_a_congress_keeps_their_row_in_it(app, congress_files):
    from advocacy.congress.models import RosterMember
    from advocacy.congress.sync import apply_legislators

    (legislators, source), _ = congress_files
    without = dataclasses.replace(legislators, members={k: v for k, v in legislators.members.items() if k != TONKO})
    without.offices = {k: v for k, v in legislators.offices.items() if v["bioguide_id"] != TONKO}
    without.memberships = {k: v for k, v in legislators.memberships.items() if k[1] != TONKO}
    apply_legislators(without, source, congress=119)
    row = db.session.get(RosterMember, (119, TONKO))
    assert row is not None and row.left_at is not None and row.district == 20


def test_lookups_take_the_next_congress_at_the_instant_it_begins_without_waiting_for_the_switch(
    app, next_congress, no_network
):
    client = app.test_client()
    load_next_congress(app.test_cli_runner(), next_congress)
    now = [INSTANT - timedelta(seconds=1)]
    app.config["CONGRESS_CLOCK"] = lambda: now[0]  # the injected clock every lookup reads
    # An answer cached by a browser or proxy must not outlive the instant: one second left, one second of cache.
    early = client.get("/api/v1/representatives?zip=12207")
    assert early.headers["Cache-Control"] == "public, max-age=1"
    assert TONKO in {o["bioguide_id"] for o in early.get_json()["offices"]}

    assert roster().house[("NY", 20)].bioguide_id == TONKO
    assert lookup_representatives("12207").districts == [("NY", 20)]
    assert lookup_representatives("10004").split is False

    now[0] = INSTANT  # 17:00:00Z, before any `legislators switch` has run
    assert roster().house[("NY", 20)].bioguide_id == NEW_MEMBER
    assert ("NY", 21) not in roster().house
    assert lookup_representatives("12207").districts == [("NY", 21)]
    assert lookup_representatives("10004").split is True
    response = client.get("/api/v1/representatives?zip=12207")
    assert response.headers["Cache-Control"] == "public, max-age=300"  # nothing waits any longer to take effect
    answer = response.get_json()
    assert answer["vacancies"] == [{"state": "NY", "district": 21}]
    assert SCHUMER in {o["bioguide_id"] for o in answer["offices"]}
    assert {o["party"] for o in answer["offices"] if o["bioguide_id"] == SCHUMER} == {"Independent"}
    assert db.session.get(Member, TONKO).in_office is True  # the live tables are untouched until the switch
    # A letter written in that minute goes to the new member, and records the new Congress.
    letters = write_letters(client, zip="12203")
    assert {x["office"]["bioguide_id"] for x in letters if x["office"]["chamber"] == "house"} == {NEW_MEMBER}
    stored = {(r.bioguide_id, r.congress) for r in db.session.scalars(select(Letter))}
    assert {(NEW_MEMBER, 120), (SCHUMER, 120)} <= stored

    assert [r.congress for r, _ in apply_due(INSTANT + timedelta(seconds=40))] == [120, 120]
    now[0] = INSTANT + timedelta(seconds=41)
    assert roster().house[("NY", 20)].bioguide_id == NEW_MEMBER
    assert lookup_representatives("12207").districts == [("NY", 21)]
    assert lookup_representatives("10004").split is True
    assert roster(BEFORE_NOON).house[("NY", 20)].bioguide_id == NEW_MEMBER  # applied: the live tables answer


def test_an_office_that_arrives_with_the_next_congress_can_be_recorded_from_the_instant_before_the_switch(
    app, next_congress, organizer_client
):
    """Statements and office actions point at `members`: a newcomer's row must exist once their Congress is in
    effect, although `legislators switch` (cron) has not copied the roster into the live tables yet."""
    from advocacy.campaigns.models import Campaign
    from advocacy.casework.actions import ActionInput, record_action
    from advocacy.casework.models import OfficeAction
    from advocacy.statements.models import Statement

    load_next_congress(app.test_cli_runner(), next_congress)
    campaign = db.session.scalars(select(Campaign).where(Campaign.slug == "sample-campaign")).one()
    base = f"/organizer/campaigns/{campaign.slug}/statements"
    board_url = f"/api/v1/campaigns/{campaign.slug}/scoreboard"
    today = datetime.now(UTC).date().isoformat()
    form = {"bioguide_id": NEW_MEMBER, "date": today, "kind": "press_release", "stance": "supports",
            "source_url": "https://newcomer.house.gov/guan-heng", "quote_or_summary": ""}  # fmt: skip
    now = [INSTANT - timedelta(seconds=1)]
    app.config["CONGRESS_CLOCK"] = lambda: now[0]

    # Before the instant the newcomer is not sitting: not on the board, and refused with a message.
    before = organizer_client.get(board_url).get_json()
    assert NEW_MEMBER not in {o["bioguide_id"] for o in before["offices"]}
    assert TONKO in {o["bioguide_id"] for o in before["offices"]}
    refused = organizer_client.post(f"{base}/new", data=form)
    assert refused.status_code == 400  # not among the offices the form offers
    assert db.session.scalars(select(Statement)).all() == []

    now[0] = INSTANT  # the 120th Congress is in effect; the switch has not run
    recorded = organizer_client.post(f"{base}/new", data=form)
    assert recorded.status_code == 302, recorded.get_data(as_text=True)[:500]
    stored = db.session.scalars(select(Statement)).one()
    assert (stored.bioguide_id, stored.stance) == (NEW_MEMBER, "supports")
    assert stored.recorded_by_id == organizer_client.user.id
    action = record_action(
        campaign,
        ActionInput(NEW_MEMBER, datetime.now(UTC).date(), "inquiry_opened", "https://newcomer.house.gov/letter"),
        organizer_client.user.id,
    )
    assert db.session.get(OfficeAction, action.id).bioguide_id == NEW_MEMBER
    assert db.session.get(Member, NEW_MEMBER).in_office is False  # not sitting in the live tables until the switch

    during = organizer_client.get(board_url).get_json()
    offices = {o["bioguide_id"]: o for o in during["offices"]}
    assert offices[NEW_MEMBER]["stance"] == "supports" and TONKO not in offices
    assert len(offices) == len(roster().offices) == len(before["offices"]) - 1  # Tonko and Stefanik out, one in
    assert during["totals"]["supports"] == 1

    applied = apply_due(INSTANT + timedelta(seconds=30))
    legislators_report = next(report for release, report in applied if release.dataset == "legislators")
    assert f"{NEW_MEMBER}" in " ".join(legislators_report.joined)
    assert not any("returns to office" in line for line in legislators_report.joined)  # an arrival, not a return
    db.session.expire_all()
    assert db.session.get(Member, NEW_MEMBER).in_office is True
    after = organizer_client.get(board_url).get_json()
    assert {o["bioguide_id"]: o["stance"] for o in after["offices"]}[NEW_MEMBER] == "supports"
    assert after["totals"] == during["totals"]

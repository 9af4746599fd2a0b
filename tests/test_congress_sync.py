"""`flask legislators sync` and `flask districts sync`: loading, reporting, idempotence, broken files.

These tests change the congress tables, so they run on a database of their own (one per backend), never on
the shared one that `congress_data` loads for everyone else. Most use the small hand-picked fixture in
tests/fixtures/congress-mini; variants of it are written to a temporary folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import responses
import yaml
from sqlalchemy import delete, func, select

from advocacy.congress.lookup import UnknownZip, lookup_representatives
from advocacy.congress.models import (
    Committee,
    CommitteeMembership,
    CongressDataset,
    DistrictOffice,
    Member,
    ZipDistrict,
)
from advocacy.congress.offices import office_for
from advocacy.congress.sources import LEGISLATOR_FILES, LEGISLATORS_URL, ZCCD_URL
from advocacy.congress.sync import apply_legislators
from advocacy.extensions import db
from tests.conftest import make_app
from tests.data import SHARED_DATA
from tests.dbs import BACKENDS, fresh_database

MINI = Path(__file__).resolve().parent / "fixtures" / "congress-mini"
LEGISLATORS = "legislators-current.yaml"


def mini_counts() -> dict:
    """What the mini fixture holds, counted from its files (it grows when a test needs another real row)."""
    read = lambda name: yaml.safe_load((MINI / name).read_text(encoding="utf-8"))  # noqa: E731
    committees = read("committees-current.yaml")
    zips = (MINI / "zccd.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {
        "members": len(read(LEGISLATORS)),
        "offices": sum(len(r["offices"]) for r in read("legislators-district-offices.yaml")),
        "committees": len(committees) + sum(len(c.get("subcommittees", [])) for c in committees),
        "seats": sum(len(s or []) for s in read("committee-membership-current.yaml").values()),
        "zip_rows": len(zips),
        "zip_codes": len({line.split(",")[2] for line in zips}),
    }


MINI_COUNTS = mini_counts()


@pytest.fixture(scope="module", params=BACKENDS)
def sync_database(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp(f"congress-sync-{request.param}")) as url:
        app = make_app(url)
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        yield url


@pytest.fixture
def sync_app(sync_database):
    app = make_app(sync_database)
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as conn:  # this database is ours alone: empty every table
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(delete(table))
        db.engine.dispose()


def sync(app, what: str, *args: str):
    return app.test_cli_runner().invoke(args=[what, "sync", *args])


def load_mini(app):
    for what in ("legislators", "districts"):
        result = sync(app, what, "--source", str(MINI))
        assert result.exit_code == 0, result.output


def variant(tmp_path: Path, **edits) -> Path:
    """A copy of the mini fixture; each keyword names a file (dots as underscores, no extension) and holds a
    function from its text to the new text."""
    folder = tmp_path / "variant"
    shutil.copytree(MINI, folder)
    for key, change in edits.items():
        path = next(p for p in folder.iterdir() if p.stem.replace("-", "_") == key)
        path.write_bytes(change(path.read_bytes().decode()).encode())
    return folder


def without_members(*bioguides: str):
    def change(text: str) -> str:
        records = yaml.safe_load(text)
        if isinstance(records, dict):  # committee membership: a mapping of seats
            kept = {k: [s for s in v if s["bioguide"] not in bioguides] for k, v in records.items()}
        else:
            kept = [r for r in records if r["id"]["bioguide"] not in bioguides]
        return yaml.safe_dump(kept, sort_keys=False, allow_unicode=True)

    return change


def state_of_data() -> dict:
    count = lambda model, *where: db.session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
    return {
        "in_office": count(Member, Member.in_office.is_(True)),
        "members": count(Member),
        "offices": count(DistrictOffice),
        "committees": count(Committee),
        "seats": count(CommitteeMembership),
        "zips": count(ZipDistrict),
        "versions": sorted(db.session.execute(select(CongressDataset.name, CongressDataset.version)).tuples()),
        "nadler_phone": db.session.scalar(select(Member.phone).where(Member.bioguide_id == "N000002")),
    }


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    return line


# --- loading and idempotence -------------------------------------------------------------------------------


def test_first_sync_loads_everything_and_a_second_changes_nothing(sync_app):
    first = sync(sync_app, "legislators", "--source", str(MINI))
    assert first.exit_code == 0, first.output
    assert f"Updated legislators from {MINI}" in first.stdout
    n = MINI_COUNTS
    assert (
        f"{n['members']} members in office, {n['offices']} district offices, {n['committees']} committees, "
        f"{n['seats']} committee seats"
    ) in first.stdout
    assert f"members: {n['members']} added" in first.stdout
    districts = sync(sync_app, "districts", "--source", str(MINI))
    assert districts.exit_code == 0, districts.output
    assert f"{n['zip_rows']} rows, {n['zip_codes']} ZIP codes" in districts.stdout
    before = state_of_data()
    assert before["versions"] == [("districts", 1), ("legislators", 1)]

    again = sync(sync_app, "legislators", "--source", str(MINI))
    assert again.exit_code == 0
    assert again.stdout.startswith(f"No changes: the database already matches {MINI} ({n['members']} members in office")
    again = sync(sync_app, "districts", "--source", str(MINI / "zccd.csv"))
    assert again.stdout.startswith("No changes:")
    assert state_of_data() == before


def test_rows_hold_the_data(sync_app):
    load_mini(sync_app)
    nadler = db.session.get(Member, "N000002")
    assert (nadler.chamber, nadler.state, nadler.district, nadler.party) == ("house", "NY", 12, "Democrat")
    assert nadler.in_office and nadler.term_end.isoformat() == "2027-01-03"
    assert nadler.external_ids["govtrack"] == "400289"  # ids as text
    assert isinstance(nadler.social, dict)
    schumer = db.session.get(Member, "S000148")
    assert (schumer.chamber, schumer.district, schumer.senate_class, schumer.state_rank) == (
        "senate",
        None,
        3,
        "senior",
    )
    assert schumer.nickname == "Chuck"
    office = db.session.get(DistrictOffice, "N000002-new_york")
    assert office.bioguide_id == "N000002" and isinstance(office.latitude, float)
    sub = db.session.get(Committee, "HSJU01")
    assert sub.parent_id == "HSJU" and sub.chamber == "house"
    seat = db.session.get(CommitteeMembership, ("HSJU", "N000002"))
    assert (seat.party, seat.rank) == ("minority", 2)
    rows = db.session.execute(select(ZipDistrict.state, ZipDistrict.district).where(ZipDistrict.zcta == "30165"))
    assert sorted(rows.tuples()) == [("AL", 3), ("GA", 14)]
    assert db.session.get(ZipDistrict, ("00901", "PR", 0)).state_fips == "72"  # leading zeros kept


# --- what changed ------------------------------------------------------------------------------------------


def test_member_leaving_is_reported_and_kept_out_of_office(sync_app, tmp_path):
    load_mini(sync_app)
    assert [o.last_name for o in lookup_representatives("10004").offices][-1] == "Goldman"
    gone = variant(
        tmp_path,
        legislators_current=without_members("G000599"),
        legislators_district_offices=without_members("G000599"),
        committee_membership_current=without_members("G000599"),
    )
    result = sync(sync_app, "legislators", "--source", str(gone))
    assert result.exit_code == 0, result.output
    assert "Left (1):\n  Daniel S. Goldman (D, NY-10) G000599" in result.stdout
    assert "members: 0 added, 0 changed, 1 removed" in result.stdout
    assert "Skipped (1):" in result.stdout  # his social handles are still in that file

    goldman = db.session.get(Member, "G000599")
    assert goldman is not None and goldman.in_office is False and goldman.left_office_at is not None
    assert db.session.scalar(select(func.count()).where(DistrictOffice.bioguide_id == "G000599")) == 0
    assert office_for("G000599") is None
    assert office_for("G000599", include_former=True).name == "Daniel S. Goldman"
    after = lookup_representatives("10004")  # the in-process cache was dropped by the sync
    assert after.vacancies == [("NY", 10)] and [o.chamber for o in after.offices] == ["senate", "senate"]

    back = sync(sync_app, "legislators", "--source", str(MINI))
    assert "Joined (1):\n  Daniel S. Goldman (D, NY-10) G000599 (returns to office)" in back.stdout
    assert db.session.get(Member, "G000599").in_office is True


def test_joins_and_changes_are_reported(sync_app, tmp_path):
    load_mini(sync_app)
    assert lookup_representatives("94544").vacancies == [("CA", 14)]
    newcomer = """- id:
    bioguide: Z000001
  name:
    first: Test
    last: Newcomer
  bio:
    gender: F
  terms:
  - type: rep
    start: '2026-07-01'
    end: '2027-01-03'
    state: CA
    district: 14
    party: Democrat
    phone: 202-225-0001
"""
    changed = variant(
        tmp_path,
        legislators_current=lambda t: t.replace("phone: 202-225-5635", "phone: 202-225-0000") + newcomer,
        legislators_district_offices=lambda t: t.replace("phone: 212-367-7350", "phone: 212-000-0000"),
    )
    result = sync(sync_app, "legislators", "--source", str(changed))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Joined (1):\n  Test Newcomer (D, CA-14) Z000001" in out
    assert "Jerrold Nadler (D, NY-12) N000002: phone 202-225-5635 → 202-225-0000" in out
    assert "district office N000002-new_york (New York, NY): phone 212-367-7350 → 212-000-0000" in out
    assert "members: 1 added, 1 changed, 0 removed" in out
    assert "data version 2" in out
    after = lookup_representatives("94544")
    assert after.vacancies == [] and after.offices[-1].salutation == "Dear Representative Newcomer"


def test_zip_changes_are_reported(sync_app, tmp_path):
    load_mini(sync_app)
    moved = variant(tmp_path, zccd=lambda t: t.replace("36,NY,10004,10", "36,NY,10004,12"))
    result = sync(sync_app, "districts", "--source", str(moved))
    assert result.exit_code == 0, result.output
    assert "ZIP 10004: NY-10 → NY-12" in result.stdout
    assert "rows: 1 added, 0 changed, 1 removed" in result.stdout
    assert lookup_representatives("10004").districts == [("NY", 12)]


# --- broken files leave the data as it was -----------------------------------------------------------------


def _cut_in_half(text: str) -> str:
    return text[: len(text) // 2]


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ({"legislators_current": _cut_in_half}, "legislators-current.yaml: the file does not end with a line break"),
        (
            {"legislators_current": lambda t: t.replace("  name:\n", "  name: [unclosed\n", 1)},
            "legislators-current.yaml: not valid YAML at line",
        ),
        (
            {"legislators_current": lambda t: t.replace("    state: NY\n", "", 1)},
            "legislators-current.yaml: record 1 (S000148): terms[-1].state is missing",
        ),
        (
            {"legislators_current": lambda t: t.replace("district: 12", "district: twelve", 1)},
            "legislators-current.yaml: record 4 (N000002): terms[-1].district must be a whole number, not 'twelve'",
        ),
        (
            {"legislators_current": lambda t: t.replace("party: Democrat", "party: [Democrat]", 1)},
            "legislators-current.yaml: record 1 (S000148): terms[-1].party must be text, not a list",
        ),
        (
            {"legislators_current": lambda t: t.replace("bioguide: S000148", "bioguide: 12345", 1)},
            "legislators-current.yaml: record 1: id.bioguide is not a bioguide id: '12345'",
        ),
        (
            {"legislators_district_offices": lambda t: t.replace("latitude: ", "latitude: north #", 1)},
            "legislators-district-offices.yaml: record 1 (B001261): offices[0].latitude must be a number",
        ),
        (
            {"committee_membership_current": lambda t: "- just\n- a list\n"},
            "committee-membership-current.yaml: expected a mapping at the top level, found a list",
        ),
        ({"committees_current": lambda t: "\n"}, "committees-current.yaml: the file is empty"),
    ],
    ids=[
        "truncated",
        "malformed",
        "missing-field",
        "wrong-type",
        "list-for-text",
        "bad-id",
        "offices",
        "shape",
        "empty",
    ],
)
def test_broken_legislators_file_changes_nothing(sync_app, tmp_path, edits, message):
    load_mini(sync_app)
    before = state_of_data()
    result = sync(sync_app, "legislators", "--source", str(variant(tmp_path, **edits)))
    line = one_error_line(result)
    assert line.startswith(f"Error: {message}"), line
    assert state_of_data() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("36,NY,10004,10", "36,NY,10004,x"), "zccd.csv: line 8: cd must be a district number"),
        (lambda t: t.replace("36,NY,10004,10", "12,NY,10004,10"), "zccd.csv: line 8: state_fips '12' does not belong"),
        (lambda t: t.replace("36,NY,10004,10", "36,NY,1004,10"), "zccd.csv: line 8: zcta must be 5 digits"),
        (lambda t: t.replace("36,NY,10004,10", "36,NY,10004"), "zccd.csv: line 8: expected 4 fields, found 3"),
        (lambda t: t.replace("state_fips,", "fips,"), "zccd.csv: line 1: expected the header"),
        (lambda t: t.rstrip("\r\n"), "zccd.csv: the file does not end with a line break; it looks truncated"),
    ],
    ids=["cd", "fips", "zcta", "fields", "header", "truncated"],
)
def test_broken_zccd_changes_nothing(sync_app, tmp_path, change, message):
    load_mini(sync_app)
    before = state_of_data()
    result = sync(sync_app, "districts", "--source", str(variant(tmp_path, zccd=change) / "zccd.csv"))
    line = one_error_line(result)
    assert line.startswith(f"Error: {message}"), line
    assert state_of_data() == before


def test_missing_source_folder(sync_app, tmp_path):
    line = one_error_line(sync(sync_app, "legislators", "--source", str(tmp_path / "nowhere")))
    assert line == f"Error: --source {tmp_path / 'nowhere'} is not a folder"
    line = one_error_line(sync(sync_app, "districts", "--source", str(tmp_path)))
    assert line.startswith(f"Error: --source {tmp_path} holds no zccd.csv")


# --- where the files come from -----------------------------------------------------------------------------


def serve_mini(mock: responses.RequestsMock, legislators_base: str, zccd_url: str) -> None:
    for name in LEGISLATOR_FILES:
        body = (MINI / name).read_bytes()
        mock.get(legislators_base + name, body=body, headers={"Content-Length": str(len(body))})
    mock.get(zccd_url, body=(MINI / "zccd.csv").read_bytes())


def test_downloads_the_published_files_by_default(sync_app):
    with responses.RequestsMock() as mock:
        serve_mini(mock, LEGISLATORS_URL, ZCCD_URL)
        result = sync(sync_app, "legislators")
        assert result.exit_code == 0, result.output
        assert f"Updated legislators from {LEGISLATORS_URL}" in result.stdout
        assert "legislators-current.yaml:" in result.stderr  # progress, file by file
        result = sync(sync_app, "districts")
        assert result.exit_code == 0, result.output
        for call in mock.calls:
            assert call.request.req_kwargs["stream"] is True
            assert call.request.req_kwargs["timeout"] is not None
    assert state_of_data()["in_office"] == MINI_COUNTS["members"] and state_of_data()["zips"] == MINI_COUNTS["zip_rows"]


def test_source_may_be_a_url_base(sync_app):
    with responses.RequestsMock() as mock:
        serve_mini(mock, "https://mirror.example/data/", "https://mirror.example/data/zccd.csv")
        assert sync(sync_app, "legislators", "--source", "https://mirror.example/data").exit_code == 0
        assert sync(sync_app, "districts", "--source", "https://mirror.example/data/").exit_code == 0
    assert state_of_data()["zips"] == MINI_COUNTS["zip_rows"]


def test_failed_download_changes_nothing(sync_app):
    load_mini(sync_app)
    before = state_of_data()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        serve_mini(mock, "https://mirror.example/", "https://mirror.example/zccd.csv")
        mock.replace(responses.GET, "https://mirror.example/committees-current.yaml", status=404)
        line = one_error_line(sync(sync_app, "legislators", "--source", "https://mirror.example/"))
    assert line == "Error: committees-current.yaml: https://mirror.example/committees-current.yaml answered HTTP 404"
    assert state_of_data() == before


def test_data_dir_setting_with_subfolders(sync_database, tmp_path):
    (tmp_path / "congress-legislators").mkdir()
    (tmp_path / "zip-districts").mkdir()
    for name in LEGISLATOR_FILES:
        shutil.copy(MINI / name, tmp_path / "congress-legislators" / name)
    shutil.copy(MINI / "zccd.csv", tmp_path / "zip-districts" / "zccd.csv")
    app = make_app(sync_database, ENVIRON={"ADVOCACY_DATA_DIR": str(tmp_path)})
    with app.app_context():
        try:
            result = sync(app, "legislators")
            assert result.exit_code == 0, result.output
            assert f"from {tmp_path / 'congress-legislators'}" in result.stdout
            assert sync(app, "districts").exit_code == 0
            assert state_of_data()["zips"] == MINI_COUNTS["zip_rows"]
        finally:
            db.session.remove()
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(delete(table))
            db.engine.dispose()


# --- the real data -----------------------------------------------------------------------------------------


def test_real_data_loads_is_idempotent_and_refuses_a_cut_short_file(sync_app, full_congress_files, tmp_path):
    (legislators, described), _ = full_congress_files
    first = apply_legislators(legislators, described)
    assert first.counts["members in office"] == 537 and first.counts["district offices"] == 1312
    assert not apply_legislators(legislators, described).changed

    result = sync(sync_app, "districts", "--source", str(SHARED_DATA / "zip-districts" / "zccd.csv"))
    assert result.exit_code == 0, result.output
    assert "42,033 rows, 33,774 ZIP codes, 437 districts" in result.stdout
    assert sync(sync_app, "districts", "--source", str(SHARED_DATA)).stdout.startswith("No changes:")

    lines = (SHARED_DATA / "zip-districts" / "zccd.csv").read_bytes().splitlines(keepends=True)
    half = tmp_path / "zccd.csv"
    half.write_bytes(b"".join(lines[:20001]))
    line = one_error_line(sync(sync_app, "districts", "--source", str(half)))
    assert line == (
        "Error: zccd.csv: only 20,000 rows where 42,033 are loaded; "
        "the file looks cut short (use --allow-shrink if this is right)"
    )
    assert lookup_representatives("82001").districts == [("WY", 0)]
    allowed = sync(sync_app, "districts", "--source", str(half), "--allow-shrink")
    assert allowed.exit_code == 0, allowed.output
    assert "rows: 0 added, 0 changed, 22,033 removed" in allowed.stdout
    assert "ZIP 00704: PR-AL → (none)" in allowed.stdout and "more" in allowed.stdout  # the first 50 listed
    with pytest.raises(UnknownZip):
        lookup_representatives("82001")

"""The congress data for tests: loaded once per backend database, and kept apart from tests that build their
own members.

Two datasets, both real rows from unitedstates/congress-legislators and the ZIP crosswalk:

* **mini** (`congress_data`, `real_congress`): the committed slice in tests/fixtures/congress-mini (see its
  README.md), the same on every machine, so these tests run in a clean clone. Most tests take this.
* **full** (`full_congress`): ../shared/data (537 members, every office and committee, every real ZIP), for
  the few tests that need the whole roster; skipped with the reason when the data is absent.

`congress_tables` (autouse, for every test that uses the database): a test that asks for a dataset starts
with exactly its rows, restored from a snapshot in a fraction of a second if a test before it changed them;
any other test starts with empty congress tables, so the members it makes with factories are the only ones.
The congress tables are in KEEP_TABLES, so the per-test cleanup leaves this to us.

Tests that *sync* must use a database of their own (see tests/test_congress_sync.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from advocacy.congress.models import CONGRESS_TABLES

# Parents before children (foreign keys); deleted in the reverse order.
ORDER = (
    "congress_datasets",
    "members",
    "district_offices",
    "committees",
    "committee_memberships",
    "zip_districts",
    "congress_releases",
    "congress_release_files",
    "congress_rosters",
    "roster_members",
)
assert set(ORDER) == CONGRESS_TABLES
MINI = Path(__file__).resolve().parent / "fixtures" / "congress-mini"
# Fixture name -> dataset it loads.
DATASET_FIXTURES = {"congress_data": "mini", "real_congress": "mini", "full_congress": "full"}

_state: dict[str, str] = {}  # database URL -> "mini" | "full" | "empty" | "unknown"
_engines: dict[str, object] = {}


def mini_terms() -> list[dict]:
    """The current term of each member in the mini fixture, read from its file (what a count is checked against)."""
    import yaml

    members = yaml.safe_load((MINI / "legislators-current.yaml").read_text(encoding="utf-8"))
    return [m["terms"][-1] for m in members]


def _engine(url: str):
    if url not in _engines:
        _engines[url] = create_engine(url, poolclass=NullPool)  # no connection outlives its use
    return _engines[url]


def _clear_caches() -> None:
    """Rows changed behind the sync's back: drop every in-process cache (the roster and ZIPs among them)."""
    from advocacy import caching

    caching.clear_all()


def _empty(conn) -> None:
    for table in reversed(ORDER):
        conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names


def take_snapshot(url: str, dataset: str) -> None:
    with _engine(url).begin() as conn:
        for table in ORDER:
            conn.execute(text(f"DROP TABLE IF EXISTS snapshot_{dataset}_{table}"))
            conn.execute(text(f"CREATE TABLE snapshot_{dataset}_{table} AS SELECT * FROM {table}"))  # noqa: S608
    _state[url] = dataset


def restore_snapshot(url: str, dataset: str) -> None:
    with _engine(url).begin() as conn:
        _empty(conn)
        for table in ORDER:
            order = " ORDER BY parent_id IS NOT NULL" if table == "committees" else ""
            conn.execute(text(f"INSERT INTO {table} SELECT * FROM snapshot_{dataset}_{table}{order}"))  # noqa: S608
    _state[url] = dataset
    _clear_caches()


def empty_tables(url: str) -> None:
    with _engine(url).begin() as conn:
        _empty(conn)
    _state[url] = "empty"
    _clear_caches()


def read_files(folder: Path):
    """The congress-legislators files and zccd.csv in `folder`, read and checked (no database)."""
    from advocacy.congress.sources import districts_source, legislators_source
    from advocacy.congress.sync import read_districts, read_legislators

    legislators, districts = legislators_source(None, str(folder)), districts_source(None, str(folder))
    return (read_legislators(legislators), legislators.description), (read_districts(districts), districts.description)


def load_dataset(database_url: str, files, dataset: str) -> dict:
    """Sync `files` into the backend's test database once and snapshot the rows; returns the two sync reports."""
    from advocacy.congress.sync import apply_districts, apply_legislators
    from advocacy.extensions import db
    from tests.conftest import make_app

    (legislators, legislators_from), (districts, districts_from) = files
    empty_tables(database_url)
    app = make_app(database_url)
    with app.app_context():
        reports = {
            "legislators": apply_legislators(legislators, legislators_from),
            "districts": apply_districts(districts, districts_from),
        }
        db.session.remove()
        db.engine.dispose()
    take_snapshot(database_url, dataset)
    return reports


@pytest.fixture(scope="session")
def congress_files():
    """The committed mini fixture's files, read and checked once per test session."""
    return read_files(MINI)


@pytest.fixture(scope="session")
def full_congress_files():
    """The real data files in ../shared/data, read once per test session (skipped with the reason when absent)."""
    from tests.data import SHARED_DATA, require_shared_data

    require_shared_data()
    return read_files(SHARED_DATA)


@pytest.fixture(scope="session")
def congress_data(database_url, congress_files):
    """The mini fixture (tests/fixtures/congress-mini: real members, offices, committees and ZIPs, a few of
    each), synced once per backend database; returns the two sync reports. Read-only: a test that syncs must
    use its own database."""
    return load_dataset(database_url, congress_files, "mini")


@pytest.fixture(scope="session")
def full_congress(database_url, full_congress_files):
    """The whole roster and every real ZIP from ../shared/data, synced once per backend database (skipped
    with the reason when the data is absent); returns the two sync reports. Only for tests that need the
    whole roster: everything else takes `congress_data`."""
    return load_dataset(database_url, full_congress_files, "full")


@pytest.fixture(autouse=True)
def congress_tables(request):
    """The rows of the dataset a test asks for, empty tables for the others (see the module docstring)."""
    if "database_url" not in request.fixturenames:
        yield
        return
    url = request.getfixturevalue("database_url")
    asked = [name for name in request.fixturenames if name in DATASET_FIXTURES]
    if asked:
        # A test (or its module) may ask for both: the full roster wins. Every asked dataset is loaded first,
        # so a session fixture set up later cannot change the rows under the test.
        for name in asked:
            request.getfixturevalue(name)
        dataset = "full" if "full_congress" in asked else "mini"
        if _state.get(url) != dataset:
            restore_snapshot(url, dataset)
        yield
    else:
        if _state.get(url) != "empty":
            empty_tables(url)
        else:
            _clear_caches()
        yield
        _state[url] = "unknown"  # the test may have made members of its own

"""The real congress data for tests: loaded once per backend database, and kept apart from tests that build
their own members.

* `congress_data` (session): syncs ../shared/data (537 members, offices, committees, the ZIP crosswalk) into
  the backend's test database once, and keeps a copy of those rows in snapshot tables beside them.
* `congress_tables` (autouse, for every test that uses the database): a test that asks for `congress_data`
  (or `real_congress`) starts with exactly the real rows, restored from the snapshot in a fraction of a second
  if a test before it changed them; any other test starts with empty congress tables, so the members it makes
  with factories are the only ones. The congress tables are in KEEP_TABLES, so the per-test cleanup leaves
  this to us.

Tests that *sync* must use a database of their own (see tests/test_congress_sync.py).
"""

from __future__ import annotations

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
REAL_DATA_FIXTURES = ("congress_data", "real_congress")

_state: dict[str, str] = {}  # database URL -> "real" | "empty" | "unknown"
_engines: dict[str, object] = {}


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


def take_snapshot(url: str) -> None:
    with _engine(url).begin() as conn:
        for table in ORDER:
            conn.execute(text(f"DROP TABLE IF EXISTS snapshot_{table}"))
            conn.execute(text(f"CREATE TABLE snapshot_{table} AS SELECT * FROM {table}"))  # noqa: S608
    _state[url] = "real"


def restore_snapshot(url: str) -> None:
    with _engine(url).begin() as conn:
        _empty(conn)
        for table in ORDER:
            order = " ORDER BY parent_id IS NOT NULL" if table == "committees" else ""
            conn.execute(text(f"INSERT INTO {table} SELECT * FROM snapshot_{table}{order}"))  # noqa: S608
    _state[url] = "real"
    _clear_caches()


def empty_tables(url: str) -> None:
    with _engine(url).begin() as conn:
        _empty(conn)
    _state[url] = "empty"
    _clear_caches()


@pytest.fixture(scope="session")
def congress_files():
    """The real data files, read and checked once per test session (both backends load the same rows)."""
    from advocacy.congress.sources import districts_source, legislators_source
    from advocacy.congress.sync import read_districts, read_legislators
    from tests.data import SHARED_DATA, require_shared_data

    require_shared_data()
    legislators, districts = legislators_source(None, str(SHARED_DATA)), districts_source(None, str(SHARED_DATA))
    return (read_legislators(legislators), legislators.description), (read_districts(districts), districts.description)


@pytest.fixture(scope="session")
def congress_data(database_url, congress_files):
    """The real congress-legislators files and zccd.csv from ../shared/data, synced once per backend database
    (skipped with the reason when the data is absent); returns the two sync reports. Take it beside `app` to
    get the 537 real members and every real ZIP. Read-only: a test that syncs must use its own database."""
    from advocacy.congress.sync import apply_districts, apply_legislators
    from advocacy.extensions import db
    from tests.conftest import make_app

    (legislators, legislators_from), (districts, districts_from) = congress_files
    empty_tables(database_url)
    app = make_app(database_url)
    with app.app_context():
        reports = {
            "legislators": apply_legislators(legislators, legislators_from),
            "districts": apply_districts(districts, districts_from),
        }
        db.session.remove()
        db.engine.dispose()
    take_snapshot(database_url)
    return reports


@pytest.fixture(autouse=True)
def congress_tables(request):
    """Real rows for tests that ask for them, empty tables for the others (see the module docstring)."""
    if "database_url" not in request.fixturenames:
        yield
        return
    url = request.getfixturevalue("database_url")
    if any(name in request.fixturenames for name in REAL_DATA_FIXTURES):
        request.getfixturevalue("congress_data")
        if _state.get(url) != "real":
            restore_snapshot(url)
        yield
    else:
        if _state.get(url) != "empty":
            empty_tables(url)
        else:
            _clear_caches()
        yield
        _state[url] = "unknown"  # the test may have made members of its own

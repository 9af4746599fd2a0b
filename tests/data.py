"""Where the full reference data lives (../shared/data), for the few tests that need all of it, and their skip
when it is absent. Everything else reads tests/fixtures/congress-mini (see tests/congress_support.py)."""

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("ADVOCACY_SHARED_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data")
)
LEGISLATORS_DIR = SHARED_DATA / "congress-legislators"
ZCCD_CSV = SHARED_DATA / "zip-districts" / "zccd.csv"
CENSUS_DIR = SHARED_DATA / "census-geocoder"


def require_shared_data() -> None:
    if not (LEGISLATORS_DIR / "legislators-current.yaml").is_file() or not ZCCD_CSV.is_file():
        pytest.skip(
            f"needs the whole congressional roster, not found in {SHARED_DATA} (set ADVOCACY_SHARED_DATA to the "
            "shared/data folder); the rest of the suite runs on tests/fixtures/congress-mini"
        )


def census_recording(name: str) -> dict:
    """A recorded Census geocoder answer from ../shared/data (kept there with its source and licence notes);
    skipped with the reason when absent."""
    import json

    path = CENSUS_DIR / name
    if not path.is_file():
        pytest.skip(f"recorded Census response not found: {path}")
    return json.loads(path.read_text())

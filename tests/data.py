"""Where the real reference data lives for tests, and a skip when it is absent."""

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
        pytest.skip(f"real data not found in {SHARED_DATA} (set ADVOCACY_SHARED_DATA to the shared/data folder)")

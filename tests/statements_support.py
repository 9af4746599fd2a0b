"""Helpers for the statement tracker's tests.

`real_congress` was this module's loader of the real roster before `congress_data` (tests/conftest.py)
existed; other test modules still use it, so it stays, as another name for `congress_data`.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def real_congress(app, congress_data):
    """The 537 sitting members and the ZIP crosswalk from ../shared/data (kept between tests)."""
    return app

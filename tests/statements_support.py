"""Helpers for the statement tracker's tests: the real roster of Congress, loaded once per database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from tests.data import LEGISLATORS_DIR, ZCCD_CSV, require_shared_data


@pytest.fixture
def real_congress(app):
    """The 537 sitting members (and the ZIP crosswalk) from ../shared/data, kept between tests."""
    from advocacy.congress.models import CONGRESS_TABLES, Member
    from advocacy.congress.sources import districts_source, legislators_source
    from advocacy.congress.sync import sync_districts, sync_legislators
    from tests.conftest import KEEP_TABLES

    require_shared_data()
    if db.session.scalar(select(func.count()).select_from(Member).where(Member.in_office.is_(True))) < 500:
        sync_legislators(legislators_source(str(LEGISLATORS_DIR)), allow_shrink=True)
        sync_districts(districts_source(str(ZCCD_CSV)), allow_shrink=True)
    KEEP_TABLES.update(CONGRESS_TABLES)
    return app

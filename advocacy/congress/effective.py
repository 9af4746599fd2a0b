"""Which Congress's data is in effect at a moment, read at the moment itself.

The next Congress's roster and crosswalk are stored ahead (advocacy.congress.transition) and copied into the
live tables by `legislators switch`, which cron runs every minute. Between the instant a release takes effect
(noon Eastern on 3 January) and that copy, lookups must already answer with the new Congress: so each process
keeps the list of stored, unapplied releases (read with the dataset versions, see cache.py) and, when one is
due by the clock, reads from it instead of the live tables: the roster from its kept `RosterMember` rows
(offices.roster), the crosswalk from its stored file (providers.ZipCrosswalk).

The clock is injectable: `CONGRESS_CLOCK` in the app config (a callable returning an aware UTC datetime),
else the real time. Tests cross the instant with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from advocacy.congress import cache
from advocacy.congress.models import CongressRelease, CongressReleaseFile
from advocacy.congress.parse import parse_zccd
from advocacy.congress.sources import ZCCD_FILE
from advocacy.db import utcnow
from advocacy.extensions import db


@dataclass(frozen=True)
class PendingRelease:
    id: int
    dataset: str  # "legislators" | "districts"
    congress: int
    effective_at: datetime


def clock() -> datetime:
    injected = current_app.config.get("CONGRESS_CLOCK")
    return injected() if injected else utcnow()


def pending_releases(data: cache.DataCache) -> tuple[PendingRelease, ...]:
    """Releases stored and not yet applied, latest first; read once per change of the congress data."""
    found = data.pending
    if found is None:
        with data.lock:
            found = data.pending
            if found is None:
                rows = db.session.execute(
                    select(
                        CongressRelease.id,
                        CongressRelease.dataset,
                        CongressRelease.congress,
                        CongressRelease.effective_at,
                    )
                    .where(CongressRelease.applied_at.is_(None))
                    .order_by(CongressRelease.effective_at.desc(), CongressRelease.id.desc())
                ).all()
                found = data.pending = tuple(PendingRelease(*row) for row in rows)
    return found


def due_release(dataset: str, data: cache.DataCache, now: datetime | None = None) -> PendingRelease | None:
    """The latest stored release of `dataset` already in effect at `now` but not yet applied, if any."""
    pending = pending_releases(data)
    if not pending:
        return None
    now = now or clock()
    return next((r for r in pending if r.dataset == dataset and r.effective_at <= now), None)


def seconds_until_next(data: cache.DataCache, now: datetime | None = None) -> float | None:
    """How long until a stored release takes effect (None if none is waiting): an answer cached by a browser or
    proxy must not outlive the moment the Congress changes."""
    now = now or clock()
    waiting = [r.effective_at for r in pending_releases(data) if r.effective_at > now]
    return (min(waiting) - now).total_seconds() if waiting else None


def ahead_zip_table(release: PendingRelease, data: cache.DataCache) -> dict[str, tuple[tuple[str, int], ...]]:
    """The crosswalk of a due release, from its stored file, as the ZIP → districts table lookups use."""
    key = ("districts", release.id)
    table = data.ahead.get(key)
    if table is None:
        with data.lock:
            table = data.ahead.get(key)
            if table is None:
                blob = db.session.scalar(
                    select(CongressReleaseFile.data).where(
                        CongressReleaseFile.release_id == release.id, CongressReleaseFile.name == ZCCD_FILE
                    )
                )
                grouped: dict[str, list[tuple[str, int]]] = {}
                for zcta, state, district in sorted(parse_zccd(blob or b"")):
                    grouped.setdefault(zcta, []).append((state, district))
                table = data.ahead[key] = {z: tuple(d) for z, d in grouped.items()}
    return table

"""A change of Congress without a deploy: the next roster and crosswalk, loaded ahead, applied when due.

`legislators sync --congress 120 --effective 2027-01-03T12:00-05:00` (and the same for `districts sync`)
reads and checks the files now and stores them as a release (`CongressRelease`) with the moment it takes
effect; nothing the site shows changes. `legislators switch` (cron, every minute) applies every release that
is due, oldest first, through the same sync code (one transaction each, with its usual report of who left,
who arrived and which ZIPs moved district); the letters side then re-addresses undelivered letters to
members who left (advocacy.letters.verify.readdress_for_roster).

Every function takes `now`: the command passes the real time, tests their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select

from advocacy.congress import cache
from advocacy.congress.calendar import EASTERN, congress_number, congress_start  # noqa: F401 (their home was here)
from advocacy.congress.history import keep_roster
from advocacy.congress.models import CongressRelease, CongressReleaseFile, Member, ZipDistrict
from advocacy.congress.sources import LEGISLATOR_FILES, ZCCD_FILE, Progress, Source, SyncError
from advocacy.congress.sync import SyncReport, read_districts, read_legislators, sync_districts, sync_legislators
from advocacy.db import utcnow
from advocacy.extensions import db

DATASETS = {"legislators": LEGISLATOR_FILES, "districts": (ZCCD_FILE,)}


def parse_effective(text: str) -> datetime:
    """An ISO 8601 moment with its UTC offset ("2027-01-03T12:00-05:00"), as aware UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SyncError(f"--effective {text!r} is not a date and time like 2027-01-03T12:00-05:00") from None
    if moment.tzinfo is None:
        raise SyncError(f"--effective {text!r} needs its UTC offset, like 2027-01-03T12:00-05:00")
    return moment.astimezone(UTC)


class StoredSource(Source):
    """A release's files, read back from the database exactly as they were checked when stored."""

    def __init__(self, description: str, data: dict[str, bytes]):
        super().__init__(description, {name: name for name in data})
        object.__setattr__(self, "_data", data)

    def read(self, name: str, progress: Progress | None = None) -> bytes:
        data = self._data[name]
        if progress:
            progress(name, len(data), len(data))
        return data


@dataclass
class Preview:
    """What a stored release will change when it takes effect (against the data in use now)."""

    release: CongressRelease
    leaving: list[str]
    arriving: list[str]
    zips_moving: int

    def lines(self) -> list[str]:
        r = self.release
        when = r.effective_at.astimezone(EASTERN).strftime("%Y-%m-%d %H:%M %Z")
        out = [f"Stored the {_ordinal(r.congress)} Congress's {r.dataset} from {r.source}; it takes effect {when}."]
        if r.dataset == "legislators":
            out.append(f"When it does, {len(self.leaving)} members leave and {len(self.arriving)} arrive.")
            out.extend(f"  leaves: {m}" for m in self.leaving[:50])
            out.extend(f"  arrives: {m}" for m in self.arriving[:50])
        else:
            out.append(f"When it does, {self.zips_moving:,} ZIP codes change district.")
        return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def store_release(
    dataset: str, source: Source, congress: int, effective_at: datetime, progress: Progress | None = None
) -> Preview:
    """Read and check `source` now, and keep it to apply at `effective_at`; replaces a release not yet applied
    for the same dataset and Congress (so loading a corrected file again is safe)."""
    names = DATASETS[dataset]
    data = {name: source.read(name, progress) for name in names}
    stored = StoredSource(source.description, data)
    if dataset == "legislators":
        parsed = read_legislators(stored)
        sitting = {
            b: f"{b} {n}"
            for b, n in db.session.execute(
                select(Member.bioguide_id, Member.last_name).where(Member.in_office.is_(True))
            )
        }
        leaving = sorted(v for k, v in sitting.items() if k not in parsed.members)
        arriving = sorted(
            f"{k} {row.get('last_name', '')}".strip() for k, row in parsed.members.items() if k not in sitting
        )
        zips_moving = 0
    else:
        rows = read_districts(stored)
        leaving, arriving = [], []
        zips_moving = _zips_moving(set(rows))
    for old in db.session.scalars(
        select(CongressRelease).where(
            CongressRelease.dataset == dataset,
            CongressRelease.congress == congress,
            CongressRelease.applied_at.is_(None),
        )
    ):
        db.session.delete(old)
    db.session.flush()
    release = CongressRelease(
        dataset=dataset, congress=congress, effective_at=effective_at, source=source.description[:500]
    )
    db.session.add(release)
    db.session.flush()
    for name, blob in data.items():
        db.session.add(CongressReleaseFile(release_id=release.id, name=name, data=blob))
    if dataset == "legislators":  # kept now, so that lookups can use it from the moment it takes effect
        keep_roster(parsed, congress, effective_at, source.description, utcnow(), fresh=True)
        _add_arriving_members(parsed.members)
    db.session.commit()
    cache.invalidate()
    return Preview(release, leaving, arriving, zips_moving)


def _add_arriving_members(members: dict[str, dict]) -> None:
    """A row in `members` for each member who arrives with the stored Congress and has none yet, not sitting
    (`in_office` false, no `left_office_at`): from the instant the release takes effect, lookups offer them
    before `legislators switch` runs, and what an organizer records about them (statements, office actions)
    points at `members`. The switch makes them sitting and reports them as arrivals."""
    known = set(db.session.scalars(select(Member.bioguide_id).where(Member.bioguide_id.in_(sorted(members)))))
    now = utcnow()
    arriving = [
        {**row, "in_office": False, "left_office_at": None, "created_at": now, "updated_at": now}
        for bio_id, row in members.items()
        if bio_id not in known
    ]
    if arriving:
        db.session.execute(insert(Member), arriving)


def _zips_moving(new_keys: set[tuple[str, str, int]]) -> int:
    old: dict[str, set] = {}
    for zcta, state, district in db.session.execute(select(ZipDistrict.zcta, ZipDistrict.state, ZipDistrict.district)):
        old.setdefault(zcta, set()).add((state, district))
    new: dict[str, set] = {}
    for zcta, state, district in new_keys:
        new.setdefault(zcta, set()).add((state, district))
    return sum(1 for zcta, districts in new.items() if zcta in old and old[zcta] != districts)


def due_releases(now: datetime) -> list[CongressRelease]:
    return list(
        db.session.scalars(
            select(CongressRelease)
            .where(CongressRelease.applied_at.is_(None), CongressRelease.effective_at <= now)
            .order_by(CongressRelease.effective_at, CongressRelease.id)
        )
    )


def next_release(now: datetime) -> CongressRelease | None:
    return db.session.scalars(
        select(CongressRelease)
        .where(CongressRelease.applied_at.is_(None), CongressRelease.effective_at > now)
        .order_by(CongressRelease.effective_at)
        .limit(1)
    ).first()


def apply_due(now: datetime, allow_shrink: bool = True) -> list[tuple[CongressRelease, SyncReport]]:
    """Apply every release that is due, oldest first; returns each with the report of what it changed.

    A new Congress may well hold far fewer rows of some kind (committees are reorganized), so shrinking is
    allowed here: the files were checked when they were stored."""
    done = []
    for release in due_releases(now):
        files = {
            f.name: f.data
            for f in db.session.scalars(select(CongressReleaseFile).where(CongressReleaseFile.release_id == release.id))
        }
        source = StoredSource(f"{release.source} (the {_ordinal(release.congress)} Congress)", files)
        if release.dataset == "legislators":
            report = sync_legislators(source, None, allow_shrink, release.congress, release.effective_at)
        else:
            report = sync_districts(source, None, allow_shrink)
        release = db.session.get(CongressRelease, release.id)
        release.applied_at = now
        release.report = "\n".join(report.lines())[:100_000]
        db.session.commit()
        done.append((release, report))
    return done

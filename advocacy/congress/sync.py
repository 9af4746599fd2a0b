"""Bring the database in line with the legislators files or the crosswalk, in one transaction, and say what
changed. A second run with the same files changes nothing (and the dataset version stays put)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, insert, select, tuple_, update

from advocacy.congress import cache
from advocacy.congress.calendar import congress_number, congress_start
from advocacy.congress.history import keep_roster
from advocacy.congress.models import (
    Committee,
    CommitteeMembership,
    CongressDataset,
    DistrictOffice,
    Member,
    ZipDistrict,
)
from advocacy.congress.parse import LegislatorData, parse_legislators, parse_zccd
from advocacy.congress.sources import LEGISLATOR_FILES, ZCCD_FILE, Progress, Source, SyncError
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.places import district_label

# A file that would take away more than this share of what is loaded is almost surely cut short.
MAX_SHRINK = 0.2
# Member fields whose changes are worth a line in the report (all fields are compared and updated).
REPORTED_FIELDS = ("chamber", "state", "district", "party", "phone", "address", "office", "url", "contact_form")
BATCH = 5000


@dataclass
class SyncReport:
    dataset: str
    source: str
    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # one line per changed thing
    counts: dict[str, int] = field(default_factory=dict)  # rows now present, by kind
    tallies: dict[str, list[int]] = field(default_factory=dict)  # kind -> [added, changed, removed]
    skipped: list[str] = field(default_factory=list)
    version: int = 0
    decoded_rss_urls: int = 0  # feed addresses whose HTML entities (&amp;) were decoded on reading
    zips_moved: int = 0  # ZIP codes whose districts changed (the crosswalk)

    def notes(self) -> list[str]:
        if not self.decoded_rss_urls:
            return []
        n = self.decoded_rss_urls
        return [f"Decoded HTML entities (&amp; → &) in {n} member feed address{'es' if n != 1 else ''} (rss_url)."]

    @property
    def changed(self) -> bool:
        return any(any(t) for t in self.tallies.values())

    def tally(self, kind: str, added: int = 0, changed: int = 0, removed: int = 0) -> None:
        totals = self.tallies.setdefault(kind, [0, 0, 0])
        totals[0] += added
        totals[1] += changed
        totals[2] += removed

    def lines(self, limit: int = 50) -> list[str]:
        present = ", ".join(f"{n:,} {kind}" for kind, n in self.counts.items())
        if not self.changed:
            return [f"No changes: the database already matches {self.source} ({present}).", *self.notes()]
        out = [f"Updated {self.dataset} from {self.source} (now {present}; data version {self.version})."]
        if self.joined or self.left:
            out.append(f"  {len(self.left)} left office, {len(self.joined)} arrived.")
        if self.zips_moved:
            out.append(f"  {self.zips_moved:,} ZIP codes changed district.")
        for kind, (added, changed, removed) in self.tallies.items():
            if added or changed or removed:
                out.append(f"  {kind}: {added:,} added, {changed:,} changed, {removed:,} removed")
        for title, items in (("Joined", self.joined), ("Left", self.left), ("Changed", self.changes)):
            if items:
                out.append(f"{title} ({len(items)}):")
                out.extend(f"  {item}" for item in items[:limit])
                if len(items) > limit:
                    out.append(f"  … and {len(items) - limit} more")
        if self.skipped:
            out.append(f"Skipped ({len(self.skipped)}):")
            out.extend(f"  {item}" for item in self.skipped[:limit])
        return out + self.notes()


def member_label(row: dict) -> str:
    name = row.get("official_full") or f"{row['first_name']} {row['last_name']}"
    seat = district_label(row["state"], row["district"]) if row["chamber"] == "house" else f"{row['state']} senator"
    party = (row.get("party") or "?")[:1]
    return f"{name} ({party}, {seat}) {row['bioguide_id']}"


def _fmt(value: object) -> str:
    return "(none)" if value in (None, "", {}) else str(value)


def _read_all(source: Source, names: Iterable[str], progress: Progress | None) -> dict[str, bytes]:
    return {name: source.read(name, progress) for name in names}


def _dataset_row(name: str) -> CongressDataset:
    row = db.session.execute(select(CongressDataset).where(CongressDataset.name == name).with_for_update()).scalar()
    if row is None:
        row = CongressDataset(name=name, version=0, rows=0)
        db.session.add(row)
        db.session.flush()
    return row


def _finish(dataset: CongressDataset, report: SyncReport, rows: int) -> None:
    now = utcnow()
    dataset.checked_at = now
    dataset.rows = rows
    if report.changed:
        dataset.version += 1
        dataset.changed_at = now
        dataset.source = report.source[:500]
    report.version = dataset.version


def _guard_shrink(filename: str, what: str, before: int, after: int, allow: bool) -> None:
    if allow or before < 50 or after >= before * (1 - MAX_SHRINK):
        return
    raise SyncError(
        f"{filename}: only {after:,} {what} where {before:,} are loaded; the file looks cut short "
        "(use --allow-shrink if this is right)"
    )


def _transaction(work: Callable[[], SyncReport]) -> SyncReport:
    try:
        report = work()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if report.changed:
        cache.invalidate()
    return report


def read_legislators(source: Source, progress: Progress | None = None) -> LegislatorData:
    """Read and check all five files; raises SyncError naming the file and field at fault."""
    return parse_legislators(_read_all(source, LEGISLATOR_FILES, progress))


def sync_legislators(
    source: Source,
    progress: Progress | None = None,
    allow_shrink: bool = False,
    congress: int | None = None,
    effective_at: datetime | None = None,
) -> SyncReport:
    """Read and check all five files first, then apply the differences in one transaction."""
    return apply_legislators(
        read_legislators(source, progress), source.description, allow_shrink, congress, effective_at
    )


def apply_legislators(
    data: LegislatorData,
    description: str,
    allow_shrink: bool = False,
    congress: int | None = None,
    effective_at: datetime | None = None,
) -> SyncReport:
    """Apply the roster to the live tables and keep it as the roster of `congress` (default: the Congress in
    office now; see history.py), in one transaction."""
    return _transaction(lambda: _apply_legislators(data, description, allow_shrink, congress, effective_at))


def _apply_legislators(
    data: LegislatorData, description: str, allow_shrink: bool, congress: int | None, effective_at: datetime | None
) -> SyncReport:
    dataset = _dataset_row("legislators")
    report = SyncReport(
        "legislators", description, skipped=list(data.skipped), decoded_rss_urls=len(data.decoded_rss_urls)
    )
    _sync_members(data, report, allow_shrink)
    _sync_rows(DistrictOffice, "district offices", data.offices, ("id",), report, _office_label)
    _sync_committees(data, report)
    _sync_rows(CommitteeMembership, "committee seats", data.memberships, ("committee_id", "bioguide_id"), report)
    report.counts = {
        "members in office": len(data.members),
        "district offices": len(data.offices),
        "committees": len(data.committees),
        "committee seats": len(data.memberships),
    }
    _finish(dataset, report, len(data.members))
    number = congress or congress_number(utcnow())
    keep_roster(data, number, effective_at or congress_start(number), description, utcnow())
    return report


def _columns(model) -> list[str]:
    return [c.key for c in model.__table__.columns]


def _sync_members(data: LegislatorData, report: SyncReport, allow_shrink: bool) -> None:
    fields = [k for k in next(iter(data.members.values())) if k != "bioguide_id"]
    existing = {
        row.bioguide_id: row._asdict()
        for row in db.session.execute(
            select(*[getattr(Member, c) for c in ["bioguide_id", "in_office", "left_office_at", *fields]])
        )
    }
    in_office = sum(1 for row in existing.values() if row["in_office"])
    _guard_shrink("legislators-current.yaml", "current members", in_office, len(data.members), allow_shrink)
    now = utcnow()
    new_rows = []
    for bio_id, row in data.members.items():
        old = existing.get(bio_id)
        if old is None:
            new_rows.append({**row, "in_office": True, "created_at": now, "updated_at": now})
            if existing:  # on a first load, 537 names would say nothing
                report.joined.append(member_label(row))
            continue
        diff = {k: v for k, v in row.items() if old[k] != v}
        if not old["in_office"]:  # no left_office_at: a row added when their Congress was stored ahead
            report.joined.append(member_label(row) + (" (returns to office)" if old["left_office_at"] else ""))
            diff.update(in_office=True, left_office_at=None)
        elif diff:
            shown = [f"{k} {_fmt(old[k])} → {_fmt(row[k])}" for k in REPORTED_FIELDS if k in diff]
            shown += [k for k in diff if k not in REPORTED_FIELDS]
            report.changes.append(f"{member_label(row)}: {'; '.join(shown)}")
        if diff:
            db.session.execute(update(Member).where(Member.bioguide_id == bio_id).values(**diff, updated_at=now))
            report.tally("members", changed=1)
    leaving = [bio_id for bio_id, old in existing.items() if old["in_office"] and bio_id not in data.members]
    for bio_id in leaving:
        report.left.append(member_label({"bioguide_id": bio_id, **existing[bio_id]}))
    if leaving:
        db.session.execute(
            update(Member)
            .where(Member.bioguide_id.in_(leaving))
            .values(in_office=False, left_office_at=now, updated_at=now)
        )
    _insert(Member, new_rows)
    report.tally("members", added=len(new_rows), removed=len(leaving))


def _office_label(row: dict) -> str:
    return f"district office {row['id']} ({row['city']}, {row['state']})"


def _sync_committees(data: LegislatorData, report: SyncReport) -> None:
    # Foreign keys: parents are inserted before subcommittees, and subcommittees deleted before parents.
    existing = {k: p for k, p in db.session.execute(select(Committee.thomas_id, Committee.parent_id))}
    gone = [k for k in existing if k not in data.committees]
    if gone:
        db.session.execute(delete(CommitteeMembership).where(CommitteeMembership.committee_id.in_(gone)))
        for chunk in ([k for k in gone if existing[k] is not None], [k for k in gone if existing[k] is None]):
            if chunk:
                db.session.execute(delete(Committee).where(Committee.thomas_id.in_(chunk)))
        report.tally("committees", removed=len(gone))
        report.changes.extend(f"committee {k} removed" for k in gone)
    label = _committee_label if existing else None  # on a first load, a line per committee would say nothing
    for subcommittees in (False, True):
        wanted = {k: v for k, v in data.committees.items() if (v["parent_id"] is not None) == subcommittees}
        _sync_rows(Committee, "committees", wanted, ("thomas_id",), report, label, delete_missing=False)


def _committee_label(row: dict) -> str:
    return f"committee {row['thomas_id']} ({row['name']})"


def _sync_rows(
    model,
    kind: str,
    wanted: dict,
    key_cols: tuple[str, ...],
    report: SyncReport,
    label: Callable[[dict], str] | None = None,
    delete_missing: bool = True,
) -> None:
    """Make `model`'s rows equal `wanted` (keyed by `key_cols`): insert, update and delete the differences."""
    cols = _columns(model)
    single = len(key_cols) == 1
    existing = {}
    for row in db.session.execute(select(*[getattr(model, c) for c in cols])):
        values = row._asdict()
        existing[values[key_cols[0]] if single else tuple(values[k] for k in key_cols)] = values
    new_rows = [row for key, row in wanted.items() if key not in existing]
    changed = 0
    for key, row in wanted.items():
        old = existing.get(key)
        if old is None:
            continue
        diff = {k: v for k, v in row.items() if old.get(k) != v}
        if diff:
            changed += 1
            where = [getattr(model, k) == row[k] for k in key_cols]
            db.session.execute(update(model).where(*where).values(**diff))
            if label:
                shown = "; ".join(f"{k} {_fmt(old.get(k))} → {_fmt(v)}" for k, v in diff.items())
                report.changes.append(f"{label(row)}: {shown}")
    removed = [key for key in existing if key not in wanted] if delete_missing else []
    if removed:
        key_expr = getattr(model, key_cols[0]) if single else tuple_(*[getattr(model, k) for k in key_cols])
        for start in range(0, len(removed), 500):
            db.session.execute(delete(model).where(key_expr.in_(removed[start : start + 500])))
        if label:
            report.changes.extend(f"{label(existing[key])} removed" for key in removed)
    _insert(model, new_rows)
    if label and existing:  # on a first load, a line per row would say nothing
        report.changes.extend(f"{label(row)} added" for row in new_rows)
    report.tally(kind, added=len(new_rows), changed=changed, removed=len(removed))


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start : start + BATCH])


# --- the ZIP crosswalk -------------------------------------------------------------------------------------


def read_districts(source: Source, progress: Progress | None = None) -> dict[tuple[str, str, int], str]:
    return parse_zccd(source.read(ZCCD_FILE, progress))


def sync_districts(source: Source, progress: Progress | None = None, allow_shrink: bool = False) -> SyncReport:
    return apply_districts(read_districts(source, progress), source.description, allow_shrink)


def apply_districts(rows: dict[tuple[str, str, int], str], description: str, allow_shrink: bool = False) -> SyncReport:
    return _transaction(lambda: _apply_districts(rows, description, allow_shrink))


def _zip_map(keys: Iterable[tuple[str, str, int]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for zcta, state, district in sorted(keys):
        out[zcta].append(district_label(state, district))
    return out


def _apply_districts(rows: dict[tuple[str, str, int], str], description: str, allow_shrink: bool) -> SyncReport:
    dataset = _dataset_row("districts")
    report = SyncReport("ZIP districts", description)
    cols = (ZipDistrict.zcta, ZipDistrict.state, ZipDistrict.district, ZipDistrict.state_fips)
    existing = {(z, s, d): f for z, s, d, f in db.session.execute(select(*cols))}
    _guard_shrink(ZCCD_FILE, "rows", len(existing), len(rows), allow_shrink)
    added = [k for k in rows if k not in existing]
    removed = [k for k in existing if k not in rows]
    refips = [k for k in rows if k in existing and existing[k] != rows[k]]
    if removed:
        if len(removed) == len(existing):
            db.session.execute(delete(ZipDistrict))
        else:
            key = tuple_(ZipDistrict.zcta, ZipDistrict.state, ZipDistrict.district)
            for start in range(0, len(removed), 500):
                db.session.execute(delete(ZipDistrict).where(key.in_(removed[start : start + 500])))
    for zcta, state, district in refips:
        db.session.execute(
            update(ZipDistrict)
            .where(ZipDistrict.zcta == zcta, ZipDistrict.state == state, ZipDistrict.district == district)
            .values(state_fips=rows[(zcta, state, district)])
        )
    _bulk_insert_zips([(z, s, d, rows[(z, s, d)]) for z, s, d in sorted(added)])
    if existing:  # on a first load, listing 33,774 ZIPs would say nothing
        before, after = _zip_map(existing), _zip_map(rows)
        for zcta in sorted({k[0] for k in added} | {k[0] for k in removed}):
            old, new = ", ".join(before.get(zcta, [])) or "(none)", ", ".join(after.get(zcta, [])) or "(none)"
            report.changes.append(f"ZIP {zcta}: {old} → {new}")
            report.zips_moved += 1
    report.tally("rows", added=len(added), changed=len(refips), removed=len(removed))
    zips = {k[0] for k in rows}
    report.counts = {"rows": len(rows), "ZIP codes": len(zips), "districts": len({(k[1], k[2]) for k in rows})}
    _finish(dataset, report, len(rows))
    return report


def _bulk_insert_zips(rows: list[tuple[str, str, int, str]]) -> None:
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # COPY is several times faster than INSERT for 42,000 rows, and stays inside this transaction.
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy("COPY zip_districts (zcta, state, district, state_fips) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    keys = ("zcta", "state", "district", "state_fips")
    _insert(ZipDistrict, [dict(zip(keys, row, strict=True)) for row in rows])
